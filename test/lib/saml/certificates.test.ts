/*
 * Tests of the certificate helpers: reading PEM, bare base64 and binary DER files, refusing private keys without
 * echoing them, telling CSRs / public keys / PKCS#12 apart, and the fingerprint / PEM / base64 conversions.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import {
  CertificateError,
  fingerprint,
  parseCertificateFile,
  toBase64Der,
  toPem,
  type CertificateErrorCode,
} from '../../../src/provision/x509.js';
import { parseIdpMetadata } from '../../../src/provision/saml/idp-metadata.js';
import { NOW, fixture, fixtureText, fp } from './fixtures.js';

const PEM = fixtureText('idp-cert.pem');
const ROTATED = fixtureText('idp-cert-rotated.pem');
const B64 = toBase64Der(PEM);
const DER = Buffer.from(B64, 'base64');

function failure(input: string | Buffer, code: CertificateErrorCode): CertificateError {
  try {
    parseCertificateFile(input, { now: NOW });
  } catch (e) {
    expect(e).to.be.instanceOf(CertificateError);
    expect((e as CertificateError).code, (e as Error).message).to.equal(code);
    return e as CertificateError;
  }
  expect.fail(`expected CertificateError ${code}`);
}

describe('certificates: parseCertificateFile', () => {
  it('reads the PEM fixtures for other tests: valid, distinct certificates', () => {
    const a = parseCertificateFile(PEM, { now: NOW });
    const b = parseCertificateFile(ROTATED, { now: NOW });
    expect(a.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(b.sha256Fingerprint).to.equal(fp('idpCertRotated'));
    expect(a.sha256Fingerprint).not.to.equal(b.sha256Fingerprint);
    expect(a).to.include({ subject: 'CN=idp.acme.example, O=Acme, C=US', issuer: 'CN=idp.acme.example, O=Acme, C=US', expired: false, notYetValid: false });
    expect(a.notAfter).to.equal('2030-01-01T00:00:00.000Z');
    expect(a.warnings).to.deep.equal([]);
    expect(a.pem).to.equal(PEM);
    expect(a.use).to.equal(undefined);
  });

  it('reads the same certificate from PEM, binary DER, bare base64 and wrapped base64 with CRLF', () => {
    const wrapped = (B64.match(/.{1,76}/g) ?? []).join('\r\n  ');
    for (const input of [PEM, Buffer.from(PEM), DER, B64, Buffer.from(B64), wrapped, `\uFEFF${PEM}`]) {
      expect(parseCertificateFile(input, { now: NOW }).sha256Fingerprint).to.equal(fp('idpCert'));
    }
  });

  it('takes the first of several certificates and says so; ignores text around PEM blocks', () => {
    const r = parseCertificateFile(`Bag Attributes\n    friendlyName: idp\nsubject=/CN=idp.acme.example\n${PEM}${ROTATED}`, { now: NOW });
    expect(r.sha256Fingerprint).to.equal(fp('idpCert'));
    expect(r.warnings).to.have.length(1);
    expect(r.warnings[0]).to.match(/contains 2 certificates; using the first one/);
  });

  it('warns about an expired certificate', () => {
    const expired = parseIdpMetadata(fixture('entra.xml'), { now: NOW }).certificates[0];
    const r = parseCertificateFile(expired.pem, { now: NOW });
    expect(r.expired).to.equal(true);
    expect(r.warnings).to.deep.equal([`The certificate (${expired.subject}) expired on 2021-01-01.`]);
  });

  it('refuses a file with a private key, PEM or DER, plain or encrypted, and never echoes the key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const encrypted = privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'sec1' });
    for (const input of [PEM + pkcs8, pkcs1 + PEM, encrypted, der, ec, Buffer.from(pkcs8)]) {
      const e = failure(input, 'PRIVATE_KEY');
      expect(e.message).to.match(/contains a private key.*keep the private key secret/);
      const keyBody = pkcs8.split('\n').slice(1, -2).join('');
      for (let i = 0; i + 16 <= keyBody.length; i += 16) expect(e.message).not.to.contain(keyBody.slice(i, i + 16));
      expect(e.message).not.to.contain(der.toString('base64').slice(0, 40));
    }
    expect(() => toBase64Der(pkcs8)).to.throw(CertificateError, /private key/);
  });

  it('recognises a PKCS#12 bundle and explains how to extract the certificate', () => {
    const pfxLike = Buffer.from([0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09]);
    expect(failure(pfxLike, 'PRIVATE_KEY').message).to.match(/PKCS#12.*-nokeys/);
  });

  it('tells CSRs, public keys and other PEM from certificates', () => {
    const body = (B64.match(/.{1,64}/g) ?? []).join('\n');
    expect(failure(`-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`, 'NOT_A_CERTIFICATE').message).to.match(
      /signing request/
    );
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(failure(publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'NOT_A_CERTIFICATE').message).to.match(/public key/);
    expect(failure(`-----BEGIN PKCS7-----\n${body}\n-----END PKCS7-----\n`, 'NOT_A_CERTIFICATE').message).to.match(/PKCS7/);
    expect(failure(PEM.replace('-----END CERTIFICATE-----', ''), 'NOT_A_CERTIFICATE').message).to.match(/cut short/);
  });

  it('refuses empty files, text that is not a certificate, and base64 that is not one', () => {
    failure('', 'EMPTY');
    failure(Buffer.alloc(0), 'EMPTY');
    failure('  \n ', 'EMPTY');
    failure(undefined as unknown as string, 'EMPTY');
    expect(failure('hello, world!', 'NOT_A_CERTIFICATE').message).to.match(/neither PEM/);
    expect(failure(Buffer.from('aGVsbG8gd29ybGQ='), 'INVALID_CERTIFICATE').message).to.match(/not a readable X\.509 certificate/);
    failure(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), 'INVALID_CERTIFICATE');
  });
});

describe('certificates: conversions', () => {
  it('toBase64Der strips PEM armour and whitespace and canonicalises the base64', () => {
    expect(toBase64Der(PEM)).to.equal(DER.toString('base64'));
    expect(toBase64Der(` ${B64.slice(0, 10)}\r\n\t${B64.slice(10)} `)).to.equal(B64);
    expect(() => toBase64Der('')).to.throw(CertificateError, /empty/);
    expect(() => toBase64Der('not*base64')).to.throw(CertificateError, /not valid base64/);
    expect(() => toBase64Der('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----')).to.throw(CertificateError, /none is a CERTIFICATE/);
  });

  it('toPem writes 64-character lines that X509Certificate reads back', () => {
    const pem = toPem(B64);
    expect(pem).to.equal(PEM);
    for (const line of pem.trim().split('\n').slice(1, -1)) expect(line.length).to.be.at.most(64);
    expect(new X509Certificate(pem).fingerprint256).to.equal(fp('idpCert'));
  });

  it('fingerprint accepts DER bytes, base64 and PEM', () => {
    expect(fingerprint(DER)).to.equal(fp('idpCert'));
    expect(fingerprint(B64)).to.equal(fp('idpCert'));
    expect(fingerprint(PEM)).to.equal(fp('idpCert'));
    expect(() => fingerprint(Buffer.from('nope'))).to.throw(CertificateError);
  });
});
