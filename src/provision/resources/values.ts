/* Small helpers for values read back from the Metadata API (jsforce may hand back 'true' or true). */

export const asBool = (v: unknown): boolean => v === true || v === 'true';

export const asString = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' || (typeof v === 'object' && !Array.isArray(v)) ? undefined : String(v as string);

export const asArray = <T>(v: T | T[] | undefined | null): T[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from now until a date (negative once past). */
export const daysUntil = (date: string | undefined, now: Date = new Date()): number | undefined => {
  if (!date) return undefined;
  const t = Date.parse(date.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? undefined : Math.floor((t - now.getTime()) / DAY_MS);
};
