/*
 * X.509 certificates: read a certificate file (PEM, bare base64 DER or binary DER), read the certificates in a
 * Certificate body the org hands back (the .crt file: PEM text, possibly a chain, or DER bytes), describe a
 * certificate (subject, issuer, validity, SHA-256 fingerprint), and convert between base64 DER and PEM.
 * Certificates are parsed with node:crypto's X509Certificate. A file that holds a private key is refused without
 * ever echoing the key; a body from the org keeps its CERTIFICATE blocks only.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { daysUntil } from './resources/values.js';

/** What describes any certificate, e.g. in `cert download` and `cert generate` results. */
export type CertificateDetails = {
  /** Distinguished name, e.g. "CN=idp.example.com, O=Example". */
  subject: string;
  issuer: string;
  /** ISO 8601 timestamps. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER bytes, upper-case hex pairs separated by colons ("AB:CD:…"). */
  sha256Fingerprint: string;
  serialNumber: string;
  /** RSA modulus length in bits (undefined for other key types). */
  keySize?: number;
};

/** A certificate as found in metadata, in a file or in the org. */
export type IdpCertificate = CertificateDetails & {
  /** The DER bytes in base64, no PEM armour, no whitespace. */
  base64Der: string;
  /** PEM with 64-character lines and a trailing newline. */
  pem: string;
  /** Past its notAfter at the time of parsing. */
  expired: boolean;
  /** Before its notBefore at the time of parsing. */
  notYetValid: boolean;
  /** The KeyDescriptor's `use` in metadata; undefined when the metadata did not say (it then serves both). */
  use?: 'signing' | 'encryption';
};

/** The result of reading a certificate file: the certificate plus anything worth telling the user. */
export type CertificateFile = IdpCertificate & { warnings: string[] };

export type CertificateErrorCode = 'EMPTY' | 'PRIVATE_KEY' | 'NOT_A_CERTIFICATE' | 'INVALID_CERTIFICATE';

export class CertificateError extends Error {
  public constructor(message: string, public readonly code: CertificateErrorCode) {
    super(message);
    this.name = 'CertificateError';
  }
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const PRIVATE_KEY_MARKER = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A PEM block's type (the word after BEGIN) that holds a certificate. */
const isCertificateBlock = (type: string): boolean => type === 'CERTIFICATE' || type === 'X509 CERTIFICATE';

const privateKeyError = (): CertificateError =>
  new CertificateError(
    'The file contains a private key. Salesforce needs only the certificate: export the certificate alone (for example `openssl x509 -in <file> -out cert.pem`), keep the private key secret, and consider it exposed if this file was shared.',
    'PRIVATE_KEY'
  );

/**
 * Colon-separated upper-case SHA-256 fingerprint of a certificate (DER bytes, base64 DER or PEM).
 *
 * @throws CertificateError when the input is not a certificate.
 */
export function fingerprint(cert: Buffer | string): string {
  return (typeof cert === 'string' ? describeCertificateText(cert) : describeCertificate(cert)).sha256Fingerprint;
}

/**
 * The base64 DER of a certificate given as PEM (the first CERTIFICATE block) or as base64 that may be wrapped
 * across lines; all whitespace is removed.
 *
 * @throws CertificateError when the text holds a private key, or no certificate in a form we recognise.
 */
export function toBase64Der(pemOrBase64: string): string {
  if (PRIVATE_KEY_MARKER.test(pemOrBase64)) throw privateKeyError();
  let body = pemOrBase64;
  if (body.includes('-----BEGIN')) {
    const block = [...body.matchAll(PEM_BLOCK)].find((m) => isCertificateBlock(m[1]));
    if (!block) {
      throw new CertificateError('The text has PEM blocks but none is a CERTIFICATE.', 'NOT_A_CERTIFICATE');
    }
    body = block[2];
  }
  const compact = body.replace(/\s+/g, '');
  if (compact.length === 0) throw new CertificateError('The certificate is empty.', 'EMPTY');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    throw new CertificateError('The certificate is not valid base64 (it contains characters base64 does not use).', 'INVALID_CERTIFICATE');
  }
  // Re-encode so the result is canonical (padding restored, no stray bits).
  return Buffer.from(compact, 'base64').toString('base64');
}

/** PEM text for a certificate in base64 DER (whitespace is tolerated): 64-character lines, trailing newline. */
export function toPem(base64Der: string): string {
  const b64 = toBase64Der(base64Der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

const dn = (multiline: string): string =>
  multiline
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');

/**
 * Describes DER certificate bytes. `now` decides `expired` and `notYetValid`.
 *
 * @throws CertificateError (INVALID_CERTIFICATE) when the bytes are not an X.509 certificate.
 */
export function describeCertificate(der: Buffer, now: Date = new Date(), use?: 'signing' | 'encryption'): IdpCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (e) {
    throw new CertificateError(
      `The data is not a readable X.509 certificate (${e instanceof Error ? e.message : String(e)}).`,
      'INVALID_CERTIFICATE'
    );
  }
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    throw new CertificateError('The certificate has unreadable validity dates.', 'INVALID_CERTIFICATE');
  }
  const base64Der = x509.raw.toString('base64');
  const cert: IdpCertificate = {
    base64Der,
    pem: toPem(base64Der),
    subject: dn(x509.subject),
    issuer: dn(x509.issuer),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    sha256Fingerprint: x509.fingerprint256.toUpperCase(),
    serialNumber: x509.serialNumber,
    keySize: x509.publicKey.asymmetricKeyDetails?.modulusLength,
    expired: now.getTime() > notAfter.getTime(),
    notYetValid: now.getTime() < notBefore.getTime(),
  };
  if (use) cert.use = use;
  return cert;
}

/**
 * Describes a certificate given as PEM or (possibly wrapped) base64 DER, as metadata fields and files hold them.
 *
 * @throws CertificateError when the text holds a private key or no readable certificate.
 */
export const describeCertificateText = (pemOrBase64: string, now: Date = new Date(), use?: 'signing' | 'encryption'): IdpCertificate =>
  describeCertificate(Buffer.from(toBase64Der(pemOrBase64), 'base64'), now, use);

/** The fields of a description that say which certificate it is (what `cert download` and `cert generate` report). */
export const certificateDetails = (c: CertificateDetails): CertificateDetails => ({
  subject: c.subject,
  issuer: c.issuer,
  notBefore: c.notBefore,
  notAfter: c.notAfter,
  sha256Fingerprint: c.sha256Fingerprint,
  serialNumber: c.serialNumber,
  keySize: c.keySize,
});

/** True when DER bytes parse as a private key (PKCS#8, PKCS#1 or SEC1). Nothing about the key is kept. */
const isDerPrivateKey = (der: Buffer): boolean => {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch (e) {
      // An encrypted PKCS#8 key needs a passphrase: it is a private key all the same.
      if (e instanceof Error && /passphrase/i.test(e.message)) return true;
    }
  }
  return false;
};

/** PKCS#12 / PFX files start with SEQUENCE { INTEGER 3, … }. */
const looksLikePkcs12 = (der: Buffer): boolean => {
  if (der.length < 8 || der[0] !== 0x30) return false;
  let i = 1;
  const lenByte = der[i++];
  if (lenByte & 0x80) i += lenByte & 0x7f;
  return der[i] === 0x02 && der[i + 1] === 0x01 && der[i + 2] === 0x03;
};

function fromDer(der: Buffer, now: Date, warnings: string[]): CertificateFile {
  try {
    return { ...describeCertificate(der, now), warnings };
  } catch (e) {
    if (isDerPrivateKey(der)) throw privateKeyError();
    if (looksLikePkcs12(der)) {
      throw new CertificateError(
        'The file is a PKCS#12 (.p12/.pfx) bundle, which holds a private key. Extract the certificate alone (for example `openssl pkcs12 -in <file> -clcerts -nokeys -out cert.pem`) and use that.',
        'PRIVATE_KEY'
      );
    }
    throw e;
  }
}

const validityWarnings = (cert: IdpCertificate): string[] => {
  const out: string[] = [];
  if (cert.expired) out.push(`The certificate (${cert.subject}) expired on ${cert.notAfter.slice(0, 10)}.`);
  if (cert.notYetValid) out.push(`The certificate (${cert.subject}) is not valid until ${cert.notBefore.slice(0, 10)}.`);
  return out;
};

function fromPem(text: string, now: Date): CertificateFile {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const certs = blocks.filter((m) => isCertificateBlock(m[1]));
  if (certs.length === 0) {
    const kinds = [...new Set(blocks.map((m) => m[1]))];
    let what: string;
    if (kinds.includes('CERTIFICATE REQUEST') || kinds.includes('NEW CERTIFICATE REQUEST')) {
      what = 'a certificate signing request (CSR), not a certificate: have it signed, or use the certificate the identity provider shows';
    } else if (kinds.includes('PUBLIC KEY') || kinds.includes('RSA PUBLIC KEY')) {
      what = 'a bare public key, not a certificate: export the X.509 certificate instead';
    } else if (kinds.length > 0) {
      what = `PEM blocks of type ${kinds.join(', ')}, but no CERTIFICATE`;
    } else {
      what = 'a "-----BEGIN" line without a matching "-----END" line: the file is cut short';
    }
    throw new CertificateError(`The file contains ${what}.`, 'NOT_A_CERTIFICATE');
  }
  const warnings: string[] = [];
  if (certs.length > 1) {
    warnings.push(
      `The file contains ${certs.length} certificates; using the first one. If that is a CA certificate of a chain, export the identity provider's signing certificate alone.`
    );
  }
  return fromDer(Buffer.from(toBase64Der(certs[0][0]), 'base64'), now, warnings);
}

function fromBase64Text(text: string, now: Date): CertificateFile {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) {
    throw new CertificateError(
      'The file is neither PEM ("-----BEGIN CERTIFICATE-----"), base64 nor binary DER. Export the certificate from the identity provider as PEM or DER (.cer/.crt).',
      'NOT_A_CERTIFICATE'
    );
  }
  return fromDer(Buffer.from(compact, 'base64'), now, []);
}

/**
 * Reads a certificate file: PEM (the first CERTIFICATE block; a warning when there are more), bare base64 DER
 * (wrapping and whitespace tolerated) or binary DER.
 *
 * @throws CertificateError: PRIVATE_KEY when the file holds a private key (the key is never echoed), EMPTY,
 * NOT_A_CERTIFICATE (a CSR, a public key, some other PEM) or INVALID_CERTIFICATE.
 */
export function parseCertificateFile(pemOrDer: string | Buffer, options: { now?: Date } = {}): CertificateFile {
  const now = options.now ?? new Date();
  if (typeof pemOrDer !== 'string' && !Buffer.isBuffer(pemOrDer)) {
    throw new CertificateError('Expected the contents of a certificate file.', 'EMPTY');
  }
  if (pemOrDer.length === 0) throw new CertificateError('The certificate file is empty.', 'EMPTY');

  // Binary DER starts with an ASN.1 SEQUENCE tag; text formats never do.
  if (Buffer.isBuffer(pemOrDer) && pemOrDer[0] === 0x30) {
    const result = fromDer(pemOrDer, now, []);
    result.warnings.push(...validityWarnings(result));
    return result;
  }

  let text = Buffer.isBuffer(pemOrDer) ? pemOrDer.toString('utf8') : pemOrDer;
  if (text.charCodeAt(0) === 0xfe_ff) text = text.slice(1);
  if (PRIVATE_KEY_MARKER.test(text)) throw privateKeyError();
  if (text.trim().length === 0) throw new CertificateError('The certificate file is empty.', 'EMPTY');

  const result = text.includes('-----BEGIN') ? fromPem(text, now) : fromBase64Text(text, now);
  result.warnings.push(...validityWarnings(result));
  return result;
}

// ---------------------------------------------------------------------------------------------- org bodies

const describeOrUndefined = (der: Buffer, now: Date): IdpCertificate | undefined => {
  try {
    return describeCertificate(der, now);
  } catch {
    return undefined;
  }
};

/**
 * The certificates in a Certificate body as the org holds it (PEM text with one or more CERTIFICATE blocks, or DER
 * bytes), in file order. Only readable CERTIFICATE blocks are kept: whatever else the body holds is dropped, never
 * echoed. Empty when the body holds none (an empty file, a certificate signing request, anything else).
 */
export const certificatesIn = (body: Buffer, now: Date = new Date()): IdpCertificate[] => {
  const text = body.toString('latin1');
  if (text.includes('-----BEGIN')) {
    return [...text.matchAll(PEM_BLOCK)]
      .filter((m) => isCertificateBlock(m[1]))
      .map((m) => m[2].replace(/\s+/g, ''))
      .filter((b64) => BASE64.test(b64))
      .map((b64) => describeOrUndefined(Buffer.from(b64, 'base64'), now))
      .filter((c): c is IdpCertificate => c !== undefined);
  }
  const der = body.length ? describeOrUndefined(body, now) : undefined;
  return der ? [der] : [];
};

/** True when a .crt body is a certificate signing request (a CA-signed certificate waiting for its upload). */
export const isSigningRequest = (body: Buffer): boolean => /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(body.toString('latin1'));

/**
 * A certificate given as a metadata field value: PEM text or base64 DER (as apps hold them). Undefined for anything
 * else, such as the name of a certificate (or text that holds a private key).
 */
export const parseCertificateValue = (value: string): IdpCertificate | undefined => {
  if (!value.includes('-----BEGIN CERTIFICATE-----')) {
    const compact = value.replace(/\s+/g, '');
    if (compact.length < 64 || !BASE64.test(compact)) return undefined;
  }
  try {
    return describeCertificateText(value);
  } catch {
    return undefined;
  }
};

// ---------------------------------------------------------------------------------------------- expiry

/** Days before its expiry from which a certificate is reported as expiring. */
export const CERT_EXPIRY_WARNING_DAYS = 30;

/** Whether a certificate with `daysLeft` days to go has expired or expires within `warnDays`; undefined otherwise. */
export const expiryState = (daysLeft: number | undefined, warnDays: number = CERT_EXPIRY_WARNING_DAYS): 'expired' | 'expiring' | undefined => {
  if (daysLeft === undefined) return undefined;
  if (daysLeft < 0) return 'expired';
  return daysLeft <= warnDays ? 'expiring' : undefined;
};

/**
 * A warning when a certificate that is valid now expires within CERT_EXPIRY_WARNING_DAYS days, naming it as `what`
 * (by default "The certificate (<subject>)").
 */
export const expiresSoonWarning = (
  c: { subject: string; notAfter: string; expired: boolean },
  now: Date = new Date(),
  what = `The certificate (${c.subject})`
): string | undefined => {
  if (c.expired) return undefined;
  const days = daysUntil(c.notAfter, now) ?? 0;
  return days < CERT_EXPIRY_WARNING_DAYS
    ? `${what} expires in ${days} day(s), on ${c.notAfter.slice(0, 10)}. Plan the rotation with the identity provider now.`
    : undefined;
};
