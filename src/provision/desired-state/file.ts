/*
 * The desired-state file: one YAML or JSON file that describes what an integration needs in an org, read into the
 * specs the library plans (certificates, SSO settings, SAML configurations with their JIT and login-page button, the
 * identity provider, picklists, permission sets, assignments, apps). One source of truth for its shape: the JSON
 * Schema `provision.schema.json` shipped at the package's root (editors use it too).
 *
 * Reading goes: parse (YAML 1.2, which reads JSON as well; line and column of every node kept) → secrets checked
 * (only ever `${env:NAME}` or `{ file: path }`: an inline one is an error that never echoes it) → `${env:NAME}`
 * replaced in every other string → the schema → paths made relative to the file's folder. Every error names the
 * file, the path in it and the line and column; nothing is read from the org before the file is whole.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Messages, SfError } from '@salesforce/core';
import type { AppSpec } from '../apps.js';
import type { AssignmentSpec } from '../assignments.js';
import type { CertificateSpec } from '../certificates.js';
import type { IdentityProviderSpec } from '../identity-provider.js';
import type { JitSpec } from '../jit.js';
import type { PermissionSetSpec } from '../permission-sets.js';
import type { PicklistsAlignSpec } from '../picklists.js';
import type { SamlConfigSpec } from '../sso-configure.js';
import type { SsoSettingsSpec } from '../sso-settings.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.desired-state');

/** A secret's place: an environment variable or a file, never the secret itself. */
export type SecretRef = { env: string } | { file: string };

export type SamlConfigEntry = SamlConfigSpec & {
  jit?: Omit<JitSpec, 'samlConfig'>;
  /** Whether its button shows on the My Domain login page. */
  loginPageButton?: boolean;
};

export type PermissionSetEntry = Omit<PermissionSetSpec, 'app'> & { users?: string[] };

export type AppEntry = AppSpec & {
  /** The consumer secret a new app gets; without it one is made and written to `secretFile`. */
  consumerSecret?: SecretRef;
  /** A new file (0600) for the consumer secret made for a new app. */
  secretFile?: string;
};

/** A sync of people from a file (as `records sync`); map as { Field: source }. */
export type RecordsEntry = {
  object: 'Lead' | 'Contact';
  file: string;
  map?: Record<string, string>;
  match?: string;
  allow?: Array<'create' | 'update' | 'delete' | 'disable'>;
  removeAction?: 'delete' | 'disable' | 'none';
  disableField?: string;
  deprovisionMissing?: boolean;
  clearEmpty?: boolean;
  allowDuplicates?: boolean;
  resultFile?: string;
};

/** A sync of users from a file (as `users sync`); mapping jumpcloud/scim or { Field: column }. */
export type UsersEntry = {
  file: string;
  mapping?: 'jumpcloud' | 'scim' | Record<string, string>;
  match?: 'username' | 'email' | 'federation-id';
  allow?: Array<'create' | 'update' | 'deactivate'>;
  deactivateMissing?: boolean;
  profile?: string;
  permissionSets?: string[];
};

/** Federation IDs set for existing users (as `users set-federation-id`): from each user's email or username. */
export type FederationIdsEntry = { from: 'email' | 'username'; onlyMissing?: boolean; users?: string[] };

/** The file as the library takes it: specs, with paths absolute and `${env:NAME}` replaced. */
export type DesiredState = {
  /** The file it was read from. */
  file: string;
  version: 1;
  certificates?: CertificateSpec[];
  ssoSettings?: SsoSettingsSpec;
  samlConfigs?: SamlConfigEntry[];
  identityProvider?: IdentityProviderSpec;
  picklists?: PicklistsAlignSpec;
  permissionSets?: PermissionSetEntry[];
  assignments?: AssignmentSpec[];
  apps?: AppEntry[];
  records?: RecordsEntry[];
  users?: UsersEntry[];
  federationIds?: FederationIdsEntry;
  /** Where each entry is in the file ("apps[0]" → "provision.yaml:12:5 (apps[0])"), for errors found while planning. */
  places: Record<string, string>;
};

/** Desired-state files are a few kilobytes; anything this large is the wrong file. */
export const MAX_FILE_BYTES = 1024 * 1024;

/** The schema shipped with the package (two folders up from lib/provision/desired-state). */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../provision.schema.json', import.meta.url));

type Path = Array<string | number>;

/** Where something is in the file: its path ("apps[0].scopes") and, when the parser knows it, line and column. */
export type Location = { path: string; line?: number; column?: number };

export const pathText = (path: Path): string =>
  path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '') || 'the top';

/** Fields that hold secrets: only ever a reference. */
const SECRET_FIELDS: Array<(path: Path) => boolean> = [(p): boolean => p.length === 3 && p[0] === 'apps' && p[2] === 'consumerSecret'];
const isSecretField = (path: Path): boolean => SECRET_FIELDS.some((f) => f(path));

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

type YamlApi = typeof import('yaml');

const locate = (yaml: YamlApi, doc: import('yaml').Document.Parsed, counter: import('yaml').LineCounter, path: Path, key?: string): Location => {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  let offset = node?.range?.[0];
  if (key !== undefined) {
    const parent = doc.getIn(path, true);
    if (yaml.isMap(parent)) {
      const pair = parent.items.find((i) => yaml.isScalar(i.key) && i.key.value === key);
      const k = pair?.key as { range?: [number, number, number] } | undefined;
      offset = k?.range?.[0] ?? offset;
    }
  }
  const at = offset === undefined ? undefined : counter.linePos(offset);
  return { path: pathText(key === undefined ? path : [...path, key]), ...(at ? { line: at.line, column: at.col } : {}) };
};

const where = (file: string, loc: Location): string => `${file}${loc.line ? `:${loc.line}:${loc.column ?? 1}` : ''} (${loc.path})`;

/** Where a place in the file is, for errors found after reading it (a file it names missing, a planning error). */
export const describeLocation = where;

/** An error about the file: the file, the place in it, what is wrong; never a secret's value. */
const fileError = (key: string, file: string, loc: Location, values: string[] = []): SfError => {
  const error = messages.createError(key, [where(file, loc), ...values]);
  error.setData({ file, ...loc });
  return error;
};

/** Every string in the value with its path, depth first. */
const strings = (v: unknown, path: Path = []): Array<{ path: Path; value: string }> => {
  if (typeof v === 'string') return [{ path, value: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, [...path, i]));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => strings(x, [...path, k]));
  return [];
};

const setIn = (root: Record<string, unknown>, path: Path, value: unknown): void => {
  let at: Record<string | number, unknown> = root;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, unknown>;
  at[path[path.length - 1]] = value;
};

/** What the schema expected, in words. */
type SchemaParams = { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[]; type?: string; property?: string; deps?: string };

/** Schema errors shown at most; the rest are counted. */
const MAX_SCHEMA_ERRORS = 10;

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of fields',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
};

const expectedOf = (keyword: string, path: Path, params: SchemaParams, message: string | undefined): string => {
  if (params.additionalProperty) return `no field "${params.additionalProperty}" here (a misspelt name, or one that belongs elsewhere)`;
  if (params.missingProperty && keyword === 'dependencies') return `the field "${params.missingProperty}" with "${params.property ?? ''}"`;
  if (params.missingProperty) return `the field "${params.missingProperty}"`;
  if (params.allowedValues) return `one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (keyword === 'type' && params.type) return params.type.split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
  if (keyword === 'not' && path[0] === 'apps') return 'either consumerSecret or secretFile, not both';
  if (keyword === 'not' && path[0] === 'samlConfigs') return 'either idpMetadata, or issuer and idpCert, not both';
  if (keyword === 'const' && path.length === 1 && path[0] === 'version') return 'version: 1';
  return message ?? 'something else';
};

type Parsed = { yaml: YamlApi; doc: import('yaml').Document.Parsed; counter: import('yaml').LineCounter; root: Record<string, unknown> };

/** The file parsed (YAML 1.2, which reads JSON too), with where each node is; a syntax error names line and column. */
const parse = async (file: string): Promise<Parsed> => {
  const size = await stat(file).then(
    (st) => st.size,
    () => {
      throw messages.createError('error.FileNotFound', [file]);
    }
  );
  if (size > MAX_FILE_BYTES) throw messages.createError('error.FileTooLarge', [file, String(size), String(MAX_FILE_BYTES)]);
  const yaml = await import('yaml');
  const counter = new yaml.LineCounter();
  const text = await readFile(file, 'utf8');
  const doc = yaml.parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  // A .json file is held to JSON (YAML would let a trailing comma or a comment pass); YAML still says where nodes are.
  if (extname(file).toLowerCase() === '.json') {
    try {
      JSON.parse(text);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const at = counter.linePos(Number(/position (\d+)/.exec(message)?.[1] ?? 0));
      throw fileError('error.Syntax', file, { path: 'syntax', line: at.line, column: at.col }, [message.replace(/ in JSON at position.*$/, '')]);
    }
  }
  if (doc.errors.length) {
    const e = doc.errors[0];
    const at = counter.linePos(e.pos[0]);
    throw fileError('error.Syntax', file, { path: 'syntax', line: at.line, column: at.col }, [e.message.split('\n')[0]]);
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw fileError('error.NotAnObject', file, { path: 'the top', line: 1, column: 1 });
  return { yaml, doc, counter, root: data as Record<string, unknown> };
};

/** Secrets first: an inline one is refused before anything else looks at it, and never shown. */
const checkSecrets = (file: string, { yaml, doc, counter, root }: Parsed): void => {
  for (const { path, value } of strings(root)) {
    if (isSecretField(path) && !WHOLE_ENV_REF.test(value)) throw fileError('error.InlineSecret', file, locate(yaml, doc, counter, path));
  }
};

/** ${env:NAME} in every other string replaced (a secret's reference stays: it is read when applied). */
const resolveEnv = (file: string, { yaml, doc, counter, root }: Parsed, env: NodeJS.ProcessEnv): void => {
  for (const { path, value } of strings(root)) {
    if (isSecretField(path) || path[path.length - 1] === 'file' || !value.includes('${env:')) continue;
    const replaced = value.replace(ENV_REF, (_all, name: string) => {
      const v = env[name];
      if (v === undefined) throw fileError('error.EnvUnset', file, locate(yaml, doc, counter, path), [name]);
      return v;
    });
    setIn(root, path, replaced);
  }
};

/** The schema's verdict; the most precise error (the deepest path) with its line and column. */
/** The schema's verdict: every error (at most MAX_SCHEMA_ERRORS), in the file's order, each with its line and column. */
const validate = async (file: string, { yaml, doc, counter, root }: Parsed): Promise<void> => {
  const { Ajv } = await import('ajv');
  const schema = JSON.parse(await readFile(SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  const check = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (check(root)) return;
  const found = new Map<string, { loc: Location; offset: number; expected: string }>();
  for (const e of check.errors ?? []) {
    // 'if' only says its 'then' failed, which has its own error.
    if (e.keyword === 'if') continue;
    let path: Path = e.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    const params = e.params as SchemaParams;
    let expected = expectedOf(e.keyword, path, params, e.message);
    // A secret has one right shape, whichever branch of its oneOf failed.
    const secretAt = path.findIndex((p, i) => isSecretField(path.slice(0, i + 1)));
    if (secretAt >= 0) {
      path = path.slice(0, secretAt + 1);
      expected = '${env:NAME} or { file: path }';
    }
    const loc = locate(yaml, doc, counter, path, secretAt >= 0 ? undefined : params.additionalProperty);
    const key = `${loc.path}|${expected}`;
    if (!found.has(key)) found.set(key, { loc, offset: (loc.line ?? 0) * 100_000 + (loc.column ?? 0), expected });
  }
  const all = [...found.values()].sort((a, b) => a.offset - b.offset);
  const lines = all.slice(0, MAX_SCHEMA_ERRORS).map((f) => `${where(file, f.loc)}: expected ${f.expected}.`);
  if (all.length > MAX_SCHEMA_ERRORS) lines.push(`… and ${all.length - MAX_SCHEMA_ERRORS} more.`);
  const error = messages.createError('error.Schema', [lines.join('\n')]);
  error.setData({ file, errors: all.map((f) => ({ ...f.loc, expected: f.expected })) });
  throw error;
};

/** Files the entries name (IdP metadata, certificates) exist, relative to the file's folder: else the place of the name. */
const checkFiles = async (file: string, { yaml, doc, counter, root }: Parsed): Promise<void> => {
  const dir = dirname(resolve(file));
  const named: Array<{ path: Path; value: unknown }> = [
    ...((root.samlConfigs as Array<Record<string, unknown>> | undefined) ?? []).flatMap((c, i) => [
      { path: ['samlConfigs', i, 'idpMetadata'] as Path, value: c.idpMetadata },
      { path: ['samlConfigs', i, 'idpCert'] as Path, value: c.idpCert },
    ]),
    ...((root.apps as Array<Record<string, unknown>> | undefined) ?? []).map((a, i) => ({ path: ['apps', i, 'certificate'] as Path, value: a.certificate })),
    ...((root.records as Array<Record<string, unknown>> | undefined) ?? []).map((r, i) => ({ path: ['records', i, 'file'] as Path, value: r.file })),
    ...((root.users as Array<Record<string, unknown>> | undefined) ?? []).map((r, i) => ({ path: ['users', i, 'file'] as Path, value: r.file })),
  ];
  for (const { path, value } of named) {
    if (typeof value !== 'string' || value.trim().startsWith('-----BEGIN')) continue;
    const full = isAbsolute(value) ? value : resolve(dir, value);
    // eslint-disable-next-line no-await-in-loop
    if (!(await stat(full).then((st) => st.isFile(), () => false))) throw fileError('error.FileMissing', file, locate(yaml, doc, counter, path), [full]);
  }
};

/** Paths relative to the file's folder made absolute; secret references in their parsed form. */
const resolvePaths = (file: string, { yaml, doc, counter, root }: Parsed): DesiredState => {
  const dir = dirname(resolve(file));
  const abs = (p: string | undefined): string | undefined => (p === undefined || isAbsolute(p) ? p : resolve(dir, p));
  const places: Record<string, string> = {};
  for (const [section, value] of Object.entries(root)) {
    const entries: Path[] = Array.isArray(value) ? value.map((_v, i) => [section, i]) : [[section]];
    for (const path of entries) places[pathText(path)] = where(file, locate(yaml, doc, counter, path));
  }
  const state = { ...(root as Omit<DesiredState, 'file' | 'places'>), file: resolve(file), places } as DesiredState;
  for (const c of state.samlConfigs ?? []) {
    if (c.idpMetadata) c.idpMetadata = abs(c.idpMetadata);
    if (c.idpCert) c.idpCert = abs(c.idpCert);
  }
  for (const u of state.users ?? []) u.file = abs(u.file)!;
  for (const r of state.records ?? []) {
    r.file = abs(r.file)!;
    if (r.resultFile) r.resultFile = abs(r.resultFile);
  }
  if (state.apps) state.apps = state.apps.map((a) => resolveApp(a, abs));
  return state;
};

/** An app with its paths made absolute and its secret reference in its parsed form. */
const resolveApp = (a: AppEntry, abs: (p: string | undefined) => string | undefined): AppEntry => {
  const secret = a.consumerSecret as unknown;
  return {
    ...a,
    ...(a.certificate && !a.certificate.trim().startsWith('-----BEGIN') ? { certificate: abs(a.certificate) } : {}),
    ...(a.secretFile ? { secretFile: abs(a.secretFile) } : {}),
    ...(typeof secret === 'string' ? { consumerSecret: { env: WHOLE_ENV_REF.exec(secret)![1] } } : {}),
    ...(secret && typeof secret === 'object' && 'file' in secret ? { consumerSecret: { file: abs((secret as { file: string }).file)! } } : {}),
  };
};

/**
 * Reads, checks and resolves a desired-state file. `env` is where `${env:NAME}` is looked up (process.env by default).
 * Errors are SfErrors naming the file, the path in it and the line and column.
 */
export const readDesiredState = async (file: string, env: NodeJS.ProcessEnv = process.env): Promise<DesiredState> => {
  const parsed = await parse(file);
  checkSecrets(file, parsed);
  resolveEnv(file, parsed, env);
  await validate(file, parsed);
  await checkFiles(file, parsed);
  return resolvePaths(file, parsed);
};

/** The secret a reference names: the variable's value or the file's first line. Errors never show a value. */
export const readSecret = async (ref: SecretRef, what: string, env: NodeJS.ProcessEnv = process.env): Promise<string> => {
  if ('env' in ref) {
    const v = env[ref.env]?.trim();
    if (!v) throw messages.createError('error.SecretEnvUnset', [what, ref.env]);
    return v;
  }
  const text = await readFile(ref.file, 'utf8').catch(() => {
    throw messages.createError('error.SecretFileUnreadable', [what, ref.file]);
  });
  const v = text.split(/\r?\n/)[0]?.trim();
  if (!v) throw messages.createError('error.SecretFileEmpty', [what, ref.file]);
  return v;
};
