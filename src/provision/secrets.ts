/*
 * OAuth client credentials generated on our side, so that the secret never has to be read back from the org:
 * the consumer key (client_id, not a secret) and the consumer secret (client_secret). The secret leaves this
 * process only through a file created with mode 0600 (never overwriting one) or an explicit --show-secret.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Length of a consumer key in the shape Salesforce issues (3MVG… followed by letters and digits). */
export const CONSUMER_KEY_LENGTH = 85;

/** `length` characters of [0-9A-Za-z], uniformly drawn (rejection sampling: no modulo bias). */
export const randomBase62 = (length: number): string => {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
};

/** A consumer key like Salesforce's: "3MVG" and 81 more letters and digits (85 in all). */
export const generateConsumerKey = (): string => `3MVG${randomBase62(CONSUMER_KEY_LENGTH - 4)}`;

/** A consumer secret like Salesforce's: 64 upper-case hex digits (256 bits of randomness). */
export const generateConsumerSecret = (): string => randomBytes(32).toString('hex').toUpperCase();

/**
 * A consumer key in the same shape, the same for the same seed (the org's URL and the app's name): what --output-dir
 * writes for a new app, so that the files of two runs are the same. A consumer key is the OAuth client_id, public by
 * design; the secret is what guards the app.
 */
export const stableConsumerKey = (seed: string): string => {
  let out = '';
  for (let round = 0; out.length < CONSUMER_KEY_LENGTH - 4; round++) {
    for (const b of createHash('sha512').update(`${seed}:${round}`).digest()) {
      if (b < 248 && out.length < CONSUMER_KEY_LENGTH - 4) out += BASE62[b % 62];
    }
  }
  return `3MVG${out}`;
};

export const isConsumerKey = (v: string): boolean => /^[A-Za-z0-9._]{20,256}$/.test(v);

/**
 * Writes the secret to a new file with mode 0600. Refuses to overwrite anything (flag 'wx'): an existing file at the
 * path may be another app's secret. The mode is set again after opening because the umask filters the open mode.
 */
export const writeSecretFile = async (path: string, content: string): Promise<void> => {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content.endsWith('\n') ? content : `${content}\n`);
  } finally {
    await handle.close();
  }
};

/** What a secret looks like wherever it would otherwise be printed. */
export const SECRET_PLACEHOLDER = '(secret, not shown)';
