/* Salesforce record ids: 15-character case-sensitive ids and their 18-character case-insensitive form. */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character suffix that makes a 15-character id case-insensitive. */
export const idSuffix = (id15: string): string => {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out += SUFFIX.charAt(bits);
  }
  return out;
};

export const to18 = (id: string): string => (id.length === 15 ? id + idSuffix(id) : id);

export const isIdShaped = (value: unknown): value is string =>
  typeof value === 'string' && /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(value) && (value.length === 15 || idSuffix(value.slice(0, 15)) === value.slice(15));

/** Normalises a 15- or 18-character id to the 18-character form, or undefined if it is not an id. */
export const normalizeId = (value: unknown): string | undefined => (isIdShaped(value) ? to18(value.slice(0, 15)) : undefined);

export class IdFactory {
  private counter = 0;
  public constructor(private readonly pod = '5g') {}

  /** A new 18-character id with the given key prefix, e.g. newId('005'). */
  public newId(keyPrefix: string): string {
    this.counter += 1;
    let n = this.counter;
    let body = '';
    for (let i = 0; i < 8; i++) {
      body = BASE62.charAt(n % 62) + body;
      n = Math.floor(n / 62);
    }
    const id15 = `${keyPrefix}${this.pod}00${body}`.slice(0, 15);
    return to18(id15);
  }

  public reset(): void {
    this.counter = 0;
  }
}

/** A random string of base62 characters (for tokens and secrets). */
export const randomBase62 = (length: number, bytes: Buffer): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62.charAt(bytes[i % bytes.length] % 62);
  return out;
};
