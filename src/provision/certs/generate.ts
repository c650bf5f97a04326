/*
 * A local RSA key pair and self-signed X.509 certificate, for the JWT bearer flow (`sf org login jwt`) or for an app
 * that verifies signatures with a certificate. The key pair comes from node:crypto, the certificate from
 * @peculiar/x509 over WebCrypto. The private key is written once, to a file created with mode 0600, and nowhere else.
 */
import { generateKeyPair as generateKeyPairCb, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, open, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type * as X509 from '@peculiar/x509';
import { certificateDetails, describeCertificateText, type CertificateDetails } from '../x509.js';

const generateKeyPair = promisify(generateKeyPairCb);

let x509Module: typeof X509 | undefined;
/** @peculiar/x509 (and the reflect-metadata polyfill it needs first), loaded on first use, over node's WebCrypto. */
const loadX509 = async (): Promise<typeof X509> => {
  if (!x509Module) {
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    x509Module = x509;
  }
  return x509Module;
};

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
const DAY_MS = 24 * 60 * 60 * 1000;

export const KEY_SIZES = [2048, 4096] as const;
export type KeySize = (typeof KEY_SIZES)[number];

export const DEFAULT_COMMON_NAME = 'plugin-provision';
export const DEFAULT_DAYS = 365;
/** The longest validity we generate (about 10 years): longer is poor practice and some tools refuse it. */
export const MAX_DAYS = 3650;

export type GenerateOptions = {
  commonName?: string;
  days?: number;
  keySize?: KeySize;
  /** The certificate's start (minus a minute for clock skew); now by default. */
  now?: Date;
};

/** A key pair in memory. `privateKeyPem` is a secret: write it with writeKeyPair and nowhere else. */
export type GeneratedKeyPair = {
  certificatePem: string;
  privateKeyPem: string;
  details: CertificateDetails;
};

/** Generates an RSA key pair and a self-signed certificate (CN only, SHA-256 with RSA, not a CA). */
export const generateKeyPairAndCertificate = async (opts: GenerateOptions = {}): Promise<GeneratedKeyPair> => {
  const commonName = opts.commonName ?? DEFAULT_COMMON_NAME;
  const days = opts.days ?? DEFAULT_DAYS;
  const keySize = opts.keySize ?? 2048;
  if (!commonName.trim()) throw new Error('The common name is empty.');
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) throw new Error(`The validity must be 1 to ${MAX_DAYS} days.`);
  if (!KEY_SIZES.includes(keySize)) throw new Error('The key size must be 2048 or 4096 bits.');

  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: keySize, publicExponent: 0x1_00_01 });
  const subtle = webcrypto.subtle;
  // WebCrypto handles of the node:crypto keys (the private one not extractable): @peculiar/x509 signs with them.
  const keys: webcrypto.CryptoKeyPair = {
    privateKey: await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), ALG, false, ['sign']),
    publicKey: await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), ALG, true, ['verify']),
  };

  const now = opts.now ?? new Date();
  // A positive serial number: the first byte's high bit cleared, never all zeros.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  const x509 = await loadX509();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    keys: keys as never,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  const certificatePem = `${cert.toString('pem').trim()}\n`;
  return {
    certificatePem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    details: certificateDetails(describeCertificateText(certificatePem)),
  };
};

/** A file that is already there and would be overwritten (only with force). */
export class KeyPairFileExistsError extends Error {
  public constructor(public readonly file: string) {
    super(`${file} already exists.`);
    this.name = 'KeyPairFileExistsError';
  }
}

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
};

/** Creates a file that must not exist yet, with the given mode from the start, and writes it. */
const writeNew = async (path: string, data: string, mode: number): Promise<void> => {
  const handle = await open(path, 'wx', mode);
  try {
    // The mode passed to open is filtered by the umask; set it exactly (it can only get stricter than requested).
    await handle.chmod(mode);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
};

/**
 * Writes `<baseName>.key` (mode 0600) and `<baseName>.crt` (PEM, mode 0644) under `dir`, creating `dir` if needed.
 * Refuses when either file exists, unless `force`; then the old files are removed first, so the new key file is
 * created afresh with mode 0600 whatever the old one had.
 */
export const writeKeyPair = async (
  dir: string,
  baseName: string,
  pair: GeneratedKeyPair,
  opts: { force?: boolean } = {}
): Promise<{ keyFile: string; certificateFile: string }> => {
  const root = resolve(dir);
  const keyFile = join(root, `${baseName}.key`);
  const certificateFile = join(root, `${baseName}.crt`);
  await mkdir(root, { recursive: true });
  for (const file of [keyFile, certificateFile]) {
    // eslint-disable-next-line no-await-in-loop
    if (await exists(file)) {
      if (!opts.force) throw new KeyPairFileExistsError(file);
      // eslint-disable-next-line no-await-in-loop
      await unlink(file);
    }
  }
  await writeNew(keyFile, pair.privateKeyPem, 0o600);
  await writeNew(certificateFile, pair.certificatePem, 0o644);
  return { keyFile, certificateFile };
};

/** A file base name without directories or characters that shells and file systems trip on. */
export const isSafeBaseName = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name) && !name.includes('..');
