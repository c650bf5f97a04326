/* Small helpers for values read back from the org (jsforce may hand back 'true' or true), ids and SOQL literals. */

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

/** Salesforce ids compare on their first 15 characters (the 18-character form adds a case-safe suffix). */
export const sameId = (a: string | undefined, b: string | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a === b || (a.length >= 15 && b.length >= 15 && a.slice(0, 15) === b.slice(0, 15));

/** Quotes a value for a SOQL string literal. */
export const soqlString = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** A SOQL IN list of string literals: 'a', 'b'. */
export const soqlList = (vs: string[]): string => vs.map(soqlString).join(', ');

/** "API name (label)" for messages, or just the name when the label is empty or the same. */
export const nameAndLabel = (x: { name: string; label?: string }): string => (x.label && x.label !== x.name ? `${x.name} (${x.label})` : x.name);

/** The outcome of looking something up by API name or label. */
export type NameOrLabelMatch<T> = { found: T } | { ambiguous: T[] } | { missing: true };

/**
 * Finds an item by its API name (case-insensitive) or, failing that, by its label (case-insensitive). Several items
 * with the same label are reported as ambiguous rather than guessed.
 */
export const matchNameOrLabel = <T extends { name: string; label: string }>(items: T[], nameOrLabel: string): NameOrLabelMatch<T> => {
  const wanted = nameOrLabel.trim().toLowerCase();
  const byName = items.find((c) => c.name.toLowerCase() === wanted);
  if (byName) return { found: byName };
  const byLabel = items.filter((c) => c.label.trim().toLowerCase() === wanted);
  if (byLabel.length === 1) return { found: byLabel[0] };
  if (byLabel.length > 1) return { ambiguous: byLabel };
  return { missing: true };
};

/**
 * Why an API name (DeveloperName) is invalid, or undefined when it is valid. Salesforce's rule: only underscores and
 * alphanumeric characters, beginning with a letter, no spaces, not ending with an underscore, no two consecutive
 * underscores; at most `max` characters.
 */
export const apiNameProblem = (name: string, max = 80): string | undefined => {
  if (!name) return 'it is empty';
  if (name.length > max) return `it has ${name.length} characters, more than ${max}`;
  if (!/^[A-Za-z]/.test(name)) return 'it does not begin with a letter';
  if (/[^A-Za-z0-9_]/.test(name)) return 'it contains characters other than letters, digits and underscores';
  if (name.includes('__')) return 'it contains two consecutive underscores';
  if (name.endsWith('_')) return 'it ends with an underscore';
  return undefined;
};

/**
 * What was found for each asked name (case-insensitively, each name once, in the order asked) and which names were
 * not found: the answer of a lookup by username, say.
 */
export const inAskedOrder = <T>(asked: string[], found: Map<string, T>): { found: T[]; unknown: string[] } => {
  const seen = new Set<string>();
  const out = { found: [] as T[], unknown: [] as string[] };
  for (const name of asked) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const item = found.get(key);
    if (item) out.found.push(item);
    else out.unknown.push(name);
  }
  return out;
};
