/*
 * OAuth apps (External Client Apps and connected apps) from a spec: plain data shaped like an app's entry in the
 * desired-state file, with labels, names and usernames (never org ids). `appSpecFromFlags` maps the flags of
 * `app create` to a spec (a flag that has a spec field means the same thing), `planApp` validates a spec, reads the
 * org, resolves what the spec names (the signing certificate by label, a connected app's contact email) and plans
 * the changes. Carrying the plan out (the secret, --wait) is `applyApp` in apps-apply.ts.
 *
 * Secrets are never part of a spec or a plan: the consumer key is generated here (it is not a secret), the consumer
 * secret only when the plan is applied.
 */
import { readFile } from 'node:fs/promises';
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import { generateConsumerKey, stableConsumerKey } from './secrets.js';
import { parseRefreshTokenPolicy, scopesToMetadata, type OAuthAppType, type RefreshTokenPolicy } from './resources/oauth-app.js';
import {
  describeExternalClientApp,
  parseNameIdFormat,
  planExternalClientApp,
  readExternalClientApp,
  wantsOauth,
  type EcaCurrent,
  type EcaDesired,
  type SamlDesired,
  type SamlSigningAlgorithm,
  type SamlSubjectType,
} from './resources/external-client-app.js';
import { describeConnectedApp, planConnectedApp, readConnectedApps, withDefaultContactEmail, type ConnectedAppCurrent } from './resources/connected-app.js';
import { readCertificates, withPlannedCertificates, type PlannedCertificate } from './resources/certificate.js';
import { readIdentityProvider } from './resources/identity-provider.js';
import { matchNameOrLabel, soqlList, soqlString } from './resources/values.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.create');

/** Salesforce as SAML identity provider for the app's service provider (--saml and its flags). */
export type AppSamlSpec = {
  /** Where the service provider takes assertions (required). */
  acsUrl?: string;
  /** The service provider's entity ID, the audience of the assertions (required). */
  entityId?: string;
  /** Default for a new app: Username. */
  subjectType?: SamlSubjectType;
  /** Unspecified, EmailAddress, Persistent, Transient, or its URN (any case). Default for a new app: Unspecified. */
  nameIdFormat?: string;
  /** Default for a new app: SHA256. */
  signingAlgorithm?: SamlSigningAlgorithm;
  /** Label or API name of the org's certificate that signs the assertions (default: the identity provider's). */
  idpCert?: string;
};

/**
 * An OAuth app as the desired-state file describes it. What it leaves out is left as the org has it (a new app gets
 * the defaults the flags' help names). The consumer secret is never part of it.
 */
export type AppSpec = {
  /** API name: letters, digits and underscores, starting with a letter. */
  name: string;
  /** Default: the name. */
  label?: string;
  /** Default: external-client-app. */
  type?: 'external-client-app' | 'connected-app';
  /** A new connected app needs one: by default, the email of the user the connection runs as. */
  contactEmail?: string;
  description?: string;
  /** OAuth scopes as OAuth requests name them (api, refresh_token, ...) or as metadata values (Api, RefreshToken). */
  scopes?: string[];
  /** Callback (redirect) URL of the authorization code flow. */
  callbackUrl?: string;
  /** Username the client credentials flow runs as; turns the flow on. */
  clientCredentialsUser?: string;
  /**
   * The certificate of the JWT bearer flow: PEM text (starting with -----BEGIN CERTIFICATE-----) or the path of a
   * PEM file (the flag's form; a path in a desired-state file is resolved by its loader).
   */
  certificate?: string;
  /** As --refresh-token-policy: infinite, zero, <n>-hours|days|months or inactive-<n>-hours|days|months. */
  refreshTokenPolicy?: string;
  /** Only users of the permission sets and profiles may use the app (false: all users may self-authorize). */
  adminApproved?: boolean;
  /** Permission set API names whose users may use the app. */
  permissionSets?: string[];
  /** Profile names whose users may use the app. */
  profiles?: string[];
  /**
   * Whether the app has the OAuth plugin. Default: true, except for a SAML app that names no OAuth field (SAML-only,
   * no consumer secret). OAuth settings an existing app has are never removed.
   */
  oauth?: boolean;
  saml?: AppSamlSpec;
};

/** The flags of `app create` that describe the app (the rest are run options: see apps-apply.ts). */
export type AppSpecFlags = {
  name: string;
  label?: string;
  type?: 'external-client-app' | 'connected-app';
  scopes?: string;
  'callback-url'?: URL;
  'client-credentials-user'?: string;
  certificate?: string;
  'refresh-token-policy'?: string;
  'admin-approved'?: boolean;
  'permission-sets'?: string;
  profiles?: string;
  'contact-email'?: string;
  description?: string;
  saml: boolean;
  'acs-url'?: URL;
  'entity-id'?: string;
  'subject-type'?: string;
  'name-id-format'?: string;
  'signing-algorithm'?: string;
  'idp-cert'?: string;
  'secret-file'?: string;
  'show-secret'?: boolean;
};

const csvList = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

const SAML_FLAGS = ['acs-url', 'entity-id', 'subject-type', 'name-id-format', 'signing-algorithm', 'idp-cert'] as const;

const samlSpecFromFlags = (flags: AppSpecFlags): AppSamlSpec | undefined => {
  const stray = SAML_FLAGS.filter((f) => flags[f] !== undefined);
  if (!flags.saml && stray.length) throw messages.createError('error.SamlFlagsWithoutSaml', [stray.map((f) => `--${f}`).join(', ')]);
  if (!flags.saml) return undefined;
  return {
    acsUrl: flags['acs-url']?.toString(),
    entityId: flags['entity-id'],
    subjectType: flags['subject-type'] as SamlSubjectType | undefined,
    nameIdFormat: flags['name-id-format'],
    signingAlgorithm: flags['signing-algorithm'] as SamlSigningAlgorithm | undefined,
    idpCert: flags['idp-cert'],
  };
};

/** Keeps the keys whose value is defined, so a spec holds only what the flags said. */
const given = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * The spec the flags describe. Pure: the certificate stays a path (read by `planApp`). With --saml, asking for a
 * secret (--secret-file, --show-secret) means the app has OAuth too, as any OAuth flag does.
 */
export const appSpecFromFlags = (flags: AppSpecFlags): AppSpec => {
  const saml = samlSpecFromFlags(flags);
  const secretAsked = flags['secret-file'] !== undefined || flags['show-secret'] === true;
  return given<AppSpec>({
    name: flags.name,
    label: flags.label,
    type: flags.type,
    contactEmail: flags['contact-email'],
    description: flags.description,
    scopes: csvList(flags.scopes),
    callbackUrl: flags['callback-url']?.toString(),
    clientCredentialsUser: flags['client-credentials-user'],
    certificate: flags.certificate,
    refreshTokenPolicy: flags['refresh-token-policy'],
    adminApproved: flags['admin-approved'],
    permissionSets: csvList(flags['permission-sets']),
    profiles: csvList(flags.profiles),
    oauth: saml && secretAsked ? true : undefined,
    saml: saml && given(saml),
  });
};

/** Spec fields that configure the OAuth plugin: a SAML app that names none of them is SAML-only. */
const OAUTH_FIELDS = ['scopes', 'callbackUrl', 'clientCredentialsUser', 'certificate', 'refreshTokenPolicy', 'adminApproved', 'permissionSets', 'profiles'] as const;

/** Whether the spec wants the OAuth plugin (see AppSpec.oauth). */
export const specWantsOauth = (spec: AppSpec): boolean => spec.oauth ?? (!spec.saml || OAUTH_FIELDS.some((f) => spec[f] !== undefined));

const parseScopes = (scopes: string[] | undefined): string[] | undefined => {
  if (scopes === undefined) return undefined;
  try {
    return scopesToMetadata(scopes);
  } catch (e) {
    throw messages.createError('error.BadScope', [e instanceof Error ? e.message : String(e)]);
  }
};

const parsePolicy = (value: string | undefined): RefreshTokenPolicy | undefined => {
  if (value === undefined) return undefined;
  const policy = parseRefreshTokenPolicy(value);
  if (!policy) throw messages.createError('error.BadRefreshPolicy', [value]);
  return policy;
};

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/;

/** The PEM certificate given as text or as a file's path. */
const readCertificate = async (certificate: string | undefined): Promise<string | undefined> => {
  if (!certificate) return undefined;
  const inline = certificate.trim().startsWith('-----BEGIN');
  const pem = inline ? certificate.trim() : (await readFile(certificate, 'utf8')).trim();
  if (!PEM_CERTIFICATE.test(pem)) throw messages.createError('error.BadCertificate', [inline ? 'The certificate' : certificate]);
  return pem;
};

/** The SAML half of the desired app (without the certificate, resolved against the org later). */
const samlDesired = (saml: AppSamlSpec | undefined): Omit<SamlDesired, 'certificate'> | undefined => {
  if (!saml) return undefined;
  const missing = [saml.acsUrl ? undefined : '--acs-url', saml.entityId ? undefined : '--entity-id'].filter((f): f is string => Boolean(f));
  if (missing.length) throw messages.createError('error.SamlIncomplete', [missing.join(' and ')]);
  const nameIdFormat = saml.nameIdFormat === undefined ? undefined : parseNameIdFormat(saml.nameIdFormat);
  if (saml.nameIdFormat !== undefined && !nameIdFormat) throw messages.createError('error.BadNameIdFormat', [saml.nameIdFormat]);
  return { acsUrl: saml.acsUrl!, entityId: saml.entityId!, subjectType: saml.subjectType, nameIdFormat, signingAlgorithm: saml.signingAlgorithm };
};

export const isValidAppName = (name: string): boolean => /^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(name) && !name.includes('__') && !name.endsWith('_');

/** The desired app of a spec, validated (name, scopes, certificate, refresh token policy, SAML); no org call. */
export const desiredFromSpec = async (spec: AppSpec): Promise<EcaDesired> => {
  if (!isValidAppName(spec.name)) throw messages.createError('error.BadName', [spec.name]);
  return {
    name: spec.name,
    label: spec.label,
    contactEmail: spec.contactEmail,
    description: spec.description,
    scopes: parseScopes(spec.scopes),
    callbackUrl: spec.callbackUrl,
    certificate: await readCertificate(spec.certificate),
    clientCredentialsUser: spec.clientCredentialsUser,
    adminApproved: spec.adminApproved,
    permissionSets: spec.permissionSets,
    profiles: spec.profiles,
    refreshTokenPolicy: parsePolicy(spec.refreshTokenPolicy),
    oauth: specWantsOauth(spec),
    saml: samlDesired(spec.saml),
  };
};

/** A planned app: its changes (never a secret) and what applying and reporting them needs. */
export type PlannedApp = {
  name: string;
  type: OAuthAppType;
  /** The app exists in the org (an External Client App: with its OAuth settings). */
  exists: boolean;
  /** The app has (or gets) the OAuth plugin. */
  oauth: boolean;
  /** The app had its OAuth credentials before this run. */
  hadOauth: boolean;
  /** Applying the plan deploys a new consumer secret (made by applyApp, never here). */
  newSecret: boolean;
  /** The app's consumer key: the one it has, or the one generated for it; undefined without OAuth. */
  consumerKey?: string;
  /** The client credentials flow is (or is about to be) on. */
  clientCredentials: boolean;
  /** The SAML service provider, with the API name of the signing certificate. */
  saml?: { acsUrl: string; entityId: string; certificate?: string };
  changes: Change[];
  /** What the person running the plan should know (the identity provider is off, ...). */
  warnings: string[];
};

export type PlanAppOptions = {
  /** The plan is written as files (--output-dir): no secret. */
  forFiles?: boolean;
  /** Shows each read under the command's spinner; without it, reads are silent. */
  cmd?: SfCommand<unknown>;
  /** What the same plan sets first: certificates and permission sets it creates, the identity provider turned on. */
  planned?: { certificates?: PlannedCertificate[]; permissionSets?: string[]; identityProviderEnabled?: boolean };
};

/** Runs a read of the org, under the command's spinner when there is one; org errors become SfErrors with actions. */
const reading = <T>(cmd: SfCommand<unknown> | undefined, label: string, fn: () => Promise<T>): Promise<T> => progressOf(cmd, messages).step(label, fn);

type Current = { isEca: boolean; eca?: EcaCurrent; connected?: ConnectedAppCurrent };

const checkType = (name: string, { isEca, eca, connected }: Current): void => {
  if (isEca && connected && !eca) throw messages.createError('error.TypeMismatch', [name, 'connected app', 'External Client App'], ['connected-app']);
  if (!isEca && eca && !connected) throw messages.createError('error.TypeMismatch', [name, 'External Client App', 'connected app'], ['external-client-app']);
};

/** The API name of the certificate that signs the app's SAML assertions; a warning when the identity provider is off. */
const samlCertificate = async (client: OrgClient, nameOrLabel: string | undefined, opts: PlanAppOptions, warnings: string[]): Promise<string | undefined> => {
  const { certs, idp } = await reading(opts.cmd, 'Reading certificates and the identity provider', async () => ({
    certs: nameOrLabel ? await readCertificates(client) : [],
    idp: await readIdentityProvider(client),
  }));
  let certificate: string | undefined;
  if (nameOrLabel) {
    const match = matchNameOrLabel(withPlannedCertificates(certs, opts.planned?.certificates), nameOrLabel);
    if ('ambiguous' in match) throw messages.createError('error.AmbiguousCert', [nameOrLabel, match.ambiguous.map((c) => c.name).join(', ')]);
    if (!('found' in match)) throw messages.createError('error.UnknownCert', [nameOrLabel], [nameOrLabel]);
    certificate = match.found.name;
  }
  if (!(opts.planned?.identityProviderEnabled ?? idp.enableIdentityProvider)) warnings.push(messages.getMessage('warning.IdpOff', [certificate ?? nameOrLabel ?? '<certificate>']));
  return certificate;
};

/** What the spec names, resolved against the org: the SAML signing certificate, a new connected app's contact email. */
const resolveDesired = async (
  client: OrgClient,
  wanted: EcaDesired,
  idpCert: string | undefined,
  current: Current,
  o: { opts: PlanAppOptions; warnings: string[] }
): Promise<EcaDesired> => {
  const { opts, warnings } = o;
  const desired = wanted.saml ? { ...wanted, saml: { ...wanted.saml, certificate: await samlCertificate(client, idpCert, opts, warnings) } } : wanted;
  return current.isEca ? desired : reading(opts.cmd, 'Reading your email', () => withDefaultContactEmail(client, desired, current.connected));
};

/** Whether the app (as it was before this run) has its OAuth credentials already. */
const hasOauth = ({ isEca, eca, connected }: Current): boolean =>
  isEca ? Boolean(eca?.global) : typeof connected?.content.oauthConfig === 'object' && connected.content.oauthConfig !== null;

const existingKey = ({ eca, connected }: Current): string | undefined => {
  const fromEca = eca?.global?.content.consumerKey;
  const fromCa = (connected?.content.oauthConfig as Record<string, unknown> | undefined)?.consumerKey;
  return typeof fromEca === 'string' ? fromEca : typeof fromCa === 'string' ? fromCa : undefined;
};

const clientCredentialsOn = (desired: EcaDesired, { isEca, eca, connected }: Current): boolean => {
  if (desired.clientCredentialsUser) return true;
  if (isEca) return eca ? describeExternalClientApp(eca).flows.clientCredentials : false;
  return connected ? describeConnectedApp(connected).flows.clientCredentials : false;
};

/** The pure part: the changes and what applying them needs, from the org's app and the resolved desired app. */
const planFor = (current: Current, desired: EcaDesired, opts: PlanAppOptions & { keySeed: string }, warnings: string[]): PlannedApp => {
  const { isEca, eca, connected } = current;
  const hadOauth = hasOauth(current);
  const oauth = isEca ? wantsOauth(eca, desired) : desired.oauth !== false || hadOauth;
  const forFiles = Boolean(opts.forFiles);
  const newSecret = oauth && !hadOauth && !forFiles;
  // Files of two runs are the same; an app created in the org gets a fresh key.
  const generated = forFiles ? stableConsumerKey(opts.keySeed) : generateConsumerKey();
  const planOpts = { consumerKey: generated, newSecret, forFiles };
  return {
    name: desired.name,
    type: isEca ? 'ExternalClientApplication' : 'ConnectedApp',
    exists: isEca ? Boolean(eca?.global) : Boolean(connected),
    oauth,
    hadOauth,
    newSecret,
    consumerKey: oauth ? existingKey(current) ?? generated : undefined,
    clientCredentials: clientCredentialsOn(desired, current),
    ...(desired.saml ? { saml: { acsUrl: desired.saml.acsUrl, entityId: desired.saml.entityId, certificate: desired.saml.certificate } } : {}),
    changes: isEca ? planExternalClientApp(eca, desired, planOpts) : [planConnectedApp(connected, desired, planOpts)],
    warnings,
  };
};

/**
 * The users and permission sets the spec names exist (those the same plan creates count): the org would take the
 * names as they are and the app would not work, with nothing to say why.
 */
const checkNames = async (client: OrgClient, spec: AppSpec, opts: PlanAppOptions): Promise<void> => {
  const planned = new Set((opts.planned?.permissionSets ?? []).map((n) => n.toLowerCase()));
  const wanted = (spec.permissionSets ?? []).filter((n) => !planned.has(n.toLowerCase()));
  const runAs = spec.clientCredentialsUser;
  if (!wanted.length && !runAs) return;
  const { users, sets } = await reading(opts.cmd, 'Checking the users and permission sets the app names', async () => ({
    users: runAs ? await client.query<{ Username: string; IsActive: boolean }>(`SELECT Username, IsActive FROM User WHERE Username = ${soqlString(runAs)}`) : [],
    sets: wanted.length
      ? await client.query<{ Name: string }>(`SELECT Name FROM PermissionSet WHERE Name IN (${soqlList(wanted)}) AND IsOwnedByProfile = false`)
      : [],
  }));
  if (runAs && !users.length) throw messages.createError('error.UnknownRunAsUser', [runAs, spec.name]);
  if (runAs && users[0].IsActive === false) throw messages.createError('error.InactiveRunAsUser', [runAs, spec.name]);
  const known = new Set(sets.map((r) => r.Name.toLowerCase()));
  const missing = wanted.filter((n) => !known.has(n.toLowerCase()));
  if (missing.length) throw messages.createError('error.UnknownPermissionSets', [missing.join(', '), spec.name]);
};

/**
 * Validates the spec, reads the app from the org, resolves what the spec names and plans the changes. Reads only:
 * nothing is written, and no secret is made.
 */
export const planApp = async (client: OrgClient, spec: AppSpec, opts: PlanAppOptions = {}): Promise<PlannedApp> => {
  const isEca = (spec.type ?? 'external-client-app') === 'external-client-app';
  const wanted = await desiredFromSpec(spec);
  const current: Current = await reading(opts.cmd, `Reading the app ${spec.name}`, async () => ({
    isEca,
    eca: await readExternalClientApp(client, spec.name),
    connected: (await readConnectedApps(client, [spec.name]))[0],
  }));
  checkType(spec.name, current);
  await checkNames(client, spec, opts);
  const warnings: string[] = [];
  const desired = await resolveDesired(client, wanted, spec.saml?.idpCert, current, { opts, warnings });
  return planFor(current, desired, { ...opts, keySeed: `${client.conn.instanceUrl}|${spec.name}` }, warnings);
};
