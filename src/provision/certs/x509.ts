/*
 * Reading X.509 certificates as the org hands them back (the `content` of a Certificate read through the Metadata
 * API: base64 of the .crt file, which holds PEM text or DER bytes) and describing them: subject, validity, SHA-256
 * fingerprint. Only CERTIFICATE blocks are ever kept: whatever else a file holds is dropped, never echoed.
 */
import { X509Certificate } from 'node:crypto';

export type CertificateDetails = {
  /** Distinguished name, e.g. "CN=JumpCloud_SAML, OU=00D..., O=Salesforce.com, ...". */
  subject: string;
  issuer: string;
  /** ISO 8601 timestamps. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER bytes, upper-case hex pairs separated by colons. */
  sha256Fingerprint: string;
  serialNumber: string;
  /** RSA modulus length in bits (undefined for other key types). */
  keySize?: number;
};

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** PEM text of DER bytes: 64-character lines and a trailing newline. */
export const derToPem = (der: Buffer): string => {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
};

const dn = (multiline: string): string =>
  multiline
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');

export const describeX509 = (x: X509Certificate): CertificateDetails => ({
  subject: dn(x.subject),
  issuer: dn(x.issuer),
  notBefore: new Date(x.validFrom).toISOString(),
  notAfter: new Date(x.validTo).toISOString(),
  sha256Fingerprint: x.fingerprint256.toUpperCase(),
  serialNumber: x.serialNumber,
  keySize: x.publicKey.asymmetricKeyDetails?.modulusLength,
});

const tryX509 = (der: Buffer): X509Certificate | undefined => {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
};

/**
 * The certificates in a .crt body (PEM text with one or more CERTIFICATE blocks, or DER bytes), in file order.
 * Empty when the body holds none (an empty file, a certificate signing request, anything else).
 */
export const certificatesIn = (body: Buffer): X509Certificate[] => {
  const text = body.toString('latin1');
  if (text.includes('-----BEGIN')) {
    return [...text.matchAll(CERT_BLOCK)]
      .map((m) => m[1].replace(/\s+/g, ''))
      .filter((b64) => BASE64.test(b64))
      .map((b64) => tryX509(Buffer.from(b64, 'base64')))
      .filter((x): x is X509Certificate => x !== undefined);
  }
  const der = body.length ? tryX509(body) : undefined;
  return der ? [der] : [];
};

/** True when a .crt body is a certificate signing request (a CA-signed certificate waiting for its upload). */
export const isSigningRequest = (body: Buffer): boolean => /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(body.toString('latin1'));

/**
 * A certificate given as a metadata field value: PEM text or base64 DER (as apps hold them). Undefined for anything
 * else, such as the name of a certificate.
 */
export const parseCertificateValue = (value: string): X509Certificate | undefined => {
  if (value.includes('-----BEGIN CERTIFICATE-----')) return certificatesIn(Buffer.from(value, 'latin1'))[0];
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 64 || !BASE64.test(compact)) return undefined;
  return tryX509(Buffer.from(compact, 'base64'));
};
