import { readFile, rm } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { writeSourceFiles } from '../../../provision/metadata.js';
import { carryOut, dryRunFlag, outputDirFlag, renderPlan, step, summarize, type PlanResult } from '../../../provision/command.js';
import { hasChanges, type Change } from '../../../provision/plan.js';
import { generateConsumerKey, generateConsumerSecret, writeSecretFile } from '../../../provision/secrets.js';
import { parseRefreshTokenPolicy, scopesToMetadata, type RefreshTokenPolicy } from '../../../provision/resources/oauth-app.js';
import {
  describeExternalClientApp,
  parseNameIdFormat,
  planExternalClientApp,
  readExternalClientApp,
  SAML_SIGNING_ALGORITHMS,
  SAML_SUBJECT_TYPES,
  wantsOauth,
  withSecret,
  type EcaCurrent,
  type EcaDesired,
  type SamlDesired,
} from '../../../provision/resources/external-client-app.js';
import {
  describeConnectedApp,
  planConnectedApp,
  readConnectedApps,
  withConnectedAppSecret,
  withDefaultContactEmail,
  type ConnectedAppCurrent,
} from '../../../provision/resources/connected-app.js';
import { matchNameOrLabel } from '../../../provision/resources/values.js';
import { readCertificates } from '../../../provision/resources/certificate.js';
import { readIdentityProvider } from '../../../provision/resources/identity-provider.js';
import { exchangeToken, normalizeDomain, type OAuthCause } from '../../../provision/connection.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.create');
const shared = Messages.loadMessages('plugin-provision', 'provision.shared');

export type AppCreateResult = PlanResult & {
  name: string;
  type: 'ExternalClientApplication' | 'ConnectedApp';
  /** The app's consumer key (client_id): not a secret. */
  consumerKey?: string;
  /** True when a new consumer secret was deployed. */
  secretCreated: boolean;
  /** Where the new secret was written. */
  secretFile?: string;
  /** The new secret: only with --show-secret. */
  consumerSecret?: string;
  /** With --saml: Salesforce as identity provider for the app's service provider. */
  saml?: { acsUrl: string; entityId: string; certificate?: string };
  /** With --wait: whether the org issued a token with the new credentials in time. */
  ready?: boolean;
};

const csvList = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

type CreateFlags = {
  name: string;
  label?: string;
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
  wait?: number;
  'secret-file'?: string;
  'show-secret': boolean;
};

/** Flags that configure the OAuth plugin: with --saml and none of them, the app is SAML-only (no consumer secret). */
const OAUTH_FLAGS = [
  'scopes', 'callback-url', 'client-credentials-user', 'certificate', 'refresh-token-policy', 'admin-approved', 'permission-sets', 'profiles', 'secret-file',
] as const;

const samlOnly = (flags: CreateFlags): boolean => flags.saml && !OAUTH_FLAGS.some((f) => flags[f] !== undefined) && !flags['show-secret'];

/** The SAML half of the desired app (without the certificate, resolved against the org later). */
const SAML_FLAGS = ['acs-url', 'entity-id', 'subject-type', 'name-id-format', 'signing-algorithm', 'idp-cert'] as const;

const samlFromFlags = (flags: CreateFlags): Omit<SamlDesired, 'certificate'> | undefined => {
  const stray = SAML_FLAGS.filter((f) => flags[f] !== undefined);
  if (!flags.saml && stray.length) throw messages.createError('error.SamlFlagsWithoutSaml', [stray.map((f) => `--${f}`).join(', ')]);
  if (!flags.saml) return undefined;
  const missing = [flags['acs-url'] ? undefined : '--acs-url', flags['entity-id'] ? undefined : '--entity-id'].filter((f): f is string => Boolean(f));
  if (missing.length) throw messages.createError('error.SamlIncomplete', [missing.join(' and ')]);
  const nameIdFormat = flags['name-id-format'] === undefined ? undefined : parseNameIdFormat(flags['name-id-format']);
  if (flags['name-id-format'] !== undefined && !nameIdFormat) throw messages.createError('error.BadNameIdFormat', [flags['name-id-format']]);
  return {
    acsUrl: flags['acs-url']!.toString(),
    entityId: flags['entity-id']!,
    subjectType: flags['subject-type'] as SamlDesired['subjectType'],
    nameIdFormat,
    signingAlgorithm: flags['signing-algorithm'] as SamlDesired['signingAlgorithm'],
  };
};

const parseScopes = (value: string | undefined): string[] | undefined => {
  if (value === undefined) return undefined;
  try {
    return scopesToMetadata(csvList(value) ?? []);
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

const readCertificate = async (file: string | undefined): Promise<string | undefined> => {
  if (!file) return undefined;
  const pem = (await readFile(file, 'utf8')).trim();
  if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(pem)) throw messages.createError('error.BadCertificate', [file]);
  return pem;
};

/** The desired app from the flags, validated (names, scopes, refresh token policy, certificate). */
const desiredFromFlags = async (flags: CreateFlags): Promise<EcaDesired> => {
  const name = flags.name;
  if (flags.wait !== undefined && (flags.wait < 0 || flags.wait > 60)) throw messages.createError('error.BadWait', [String(flags.wait)]);
  if (!/^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(name) || name.includes('__') || name.endsWith('_')) throw messages.createError('error.BadName', [name]);
  return {
    name,
    label: flags.label,
    contactEmail: flags['contact-email'],
    description: flags.description,
    scopes: parseScopes(flags.scopes),
    callbackUrl: flags['callback-url']?.toString(),
    certificate: await readCertificate(flags.certificate),
    clientCredentialsUser: flags['client-credentials-user'],
    adminApproved: flags['admin-approved'],
    permissionSets: csvList(flags['permission-sets']),
    profiles: csvList(flags.profiles),
    refreshTokenPolicy: parsePolicy(flags['refresh-token-policy']),
    oauth: !samlOnly(flags),
    saml: samlFromFlags(flags),
  };
};

/** OAuth answers that a just-created app gives while it propagates: worth another try with --wait. */
const PROPAGATING: OAuthCause[] = ['InvalidClientId', 'InvalidClientSecret', 'ClientCredentialsNotConfigured', 'Unreachable'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes the new secret to a new 0600 file before the org gets it: a file that cannot be created stops the run. */
const saveSecret = async (file: string | undefined, secret: string | undefined): Promise<string | undefined> => {
  if (!secret || !file) return undefined;
  try {
    await writeSecretFile(file, secret);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw messages.createError('error.SecretFileExists', [file]);
    throw e;
  }
  return file;
};

/** Whether the app (as it was before this run) has its OAuth credentials already. */
const hasOauth = (isEca: boolean, eca: EcaCurrent | undefined, connected: ConnectedAppCurrent | undefined): boolean =>
  isEca ? Boolean(eca?.global) : typeof connected?.content.oauthConfig === 'object' && connected.content.oauthConfig !== null;

/** Whether the app's client credentials flow is (or is about to be) on. */
const clientCredentialsOn = (desired: EcaDesired, isEca: boolean, eca: EcaCurrent | undefined, connected: ConnectedAppCurrent | undefined): boolean => {
  if (desired.clientCredentialsUser) return true;
  if (isEca) return eca ? describeExternalClientApp(eca).flows.clientCredentials : false;
  return connected ? describeConnectedApp(connected).flows.clientCredentials : false;
};

/** Why --wait cannot get a token, or undefined when it can. */
const cannotWait = (o: { oauth: boolean; clientCredentials: boolean; secret?: string }): 'noOauth' | 'noClientCredentials' | 'noSecret' | undefined =>
  !o.oauth ? 'noOauth' : !o.clientCredentials ? 'noClientCredentials' : !o.secret ? 'noSecret' : undefined;

const wantsOauthCa = (desired: EcaDesired, connected: ConnectedAppCurrent | undefined): boolean => desired.oauth !== false || hasOauth(false, undefined, connected);

/** The plan with the secret in the component that takes it, for the Metadata API call only. */
const withAnySecret = (plan: Change[], secret: string | undefined, isEca: boolean): Change[] =>
  !secret ? plan : isEca ? withSecret(plan, secret) : withConnectedAppSecret(plan, secret);

const existingKey = (eca: EcaCurrent | undefined, connected: ConnectedAppCurrent | undefined): string | undefined => {
  const fromEca = eca?.global?.content.consumerKey;
  const fromCa = (connected?.content.oauthConfig as Record<string, unknown> | undefined)?.consumerKey;
  return typeof fromEca === 'string' ? fromEca : typeof fromCa === 'string' ? fromCa : undefined;
};

const checkType = (name: string, isEca: boolean, eca: EcaCurrent | undefined, connected: ConnectedAppCurrent | undefined): void => {
  if (isEca && connected && !eca) throw messages.createError('error.TypeMismatch', [name, 'connected app', 'External Client App'], ['connected-app']);
  if (!isEca && eca && !connected) throw messages.createError('error.TypeMismatch', [name, 'External Client App', 'connected app'], ['external-client-app']);
};

/** The org's refusal of a new connected app (Spring '26), as an error that recommends an External Client App. */
const connectedAppRefusal = (name: string, e: unknown): unknown => {
  if (!(e instanceof Error) || !/connected app/i.test(e.message) || !/creat/i.test(e.message)) return e;
  const reason = e.message.replace(/^The org refused the change to ConnectedApp \S+: /, '');
  return messages.createError('error.ConnectedAppRefused', [name, reason]);
};

const appExists = (isEca: boolean, eca: EcaCurrent | undefined, connected: ConnectedAppCurrent | undefined): boolean =>
  isEca ? Boolean(eca?.global) : Boolean(connected);

export default class AppCreate extends SfCommand<AppCreateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), required: true }),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary') }),
    type: Flags.option({ summary: messages.getMessage('flags.type.summary'), options: ['external-client-app', 'connected-app'] as const, default: 'external-client-app' })(),
    scopes: Flags.string({ summary: messages.getMessage('flags.scopes.summary') }),
    'callback-url': Flags.url({ summary: messages.getMessage('flags.callback-url.summary') }),
    'client-credentials-user': Flags.string({ summary: messages.getMessage('flags.client-credentials-user.summary') }),
    certificate: Flags.file({ summary: messages.getMessage('flags.certificate.summary'), exists: true }),
    'refresh-token-policy': Flags.string({ summary: messages.getMessage('flags.refresh-token-policy.summary') }),
    'admin-approved': Flags.boolean({ summary: messages.getMessage('flags.admin-approved.summary'), allowNo: true }),
    'permission-sets': Flags.string({ summary: messages.getMessage('flags.permission-sets.summary') }),
    profiles: Flags.string({ summary: messages.getMessage('flags.profiles.summary') }),
    'contact-email': Flags.string({ summary: messages.getMessage('flags.contact-email.summary') }),
    description: Flags.string({ summary: messages.getMessage('flags.description.summary') }),
    'secret-file': Flags.file({ summary: messages.getMessage('flags.secret-file.summary'), exclusive: ['output-dir'] }),
    'show-secret': Flags.boolean({ summary: messages.getMessage('flags.show-secret.summary'), default: false, exclusive: ['output-dir'] }),
    saml: Flags.boolean({ summary: messages.getMessage('flags.saml.summary'), default: false }),
    'acs-url': Flags.url({ summary: messages.getMessage('flags.acs-url.summary') }),
    'entity-id': Flags.string({ summary: messages.getMessage('flags.entity-id.summary') }),
    'subject-type': Flags.option({ summary: messages.getMessage('flags.subject-type.summary'), options: SAML_SUBJECT_TYPES.filter((t) => t !== 'CustomAttribute') })(),
    'name-id-format': Flags.string({ summary: messages.getMessage('flags.name-id-format.summary') }),
    'signing-algorithm': Flags.option({ summary: messages.getMessage('flags.signing-algorithm.summary'), options: SAML_SIGNING_ALGORITHMS })(),
    'idp-cert': Flags.string({ summary: messages.getMessage('flags.idp-cert.summary') }),
    wait: Flags.integer({ summary: messages.getMessage('flags.wait.summary'), exclusive: ['output-dir', 'dry-run'] }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<AppCreateResult> {
    const { flags } = await this.parse(AppCreate);
    const name = flags.name;
    const wanted = await desiredFromFlags(flags);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const isEca = flags.type === 'external-client-app';

    const { eca, connected } = await step(this, `Reading the app ${name}`, messages, async () => ({
      eca: await readExternalClientApp(client, name),
      connected: (await readConnectedApps(client, [name]))[0],
    }));
    checkType(name, isEca, eca, connected);
    const desired = await this.withContactEmail(client, await this.resolveSaml(client, wanted, flags['idp-cert']), isEca, connected);
    const exists = appExists(isEca, eca, connected);
    const oauth = isEca ? wantsOauth(eca, desired) : wantsOauthCa(desired, connected);
    const forFiles = Boolean(flags['output-dir']);
    const dryRun = flags['dry-run'];
    const newSecret = oauth && !hasOauth(isEca, eca, connected) && !forFiles;
    this.checkSecretFlags(flags, { newSecret, dryRun, had: hasOauth(isEca, eca, connected) });

    const consumerKey = generateConsumerKey();
    const opts = { consumerKey, newSecret, forFiles };
    const plan: Change[] = isEca ? planExternalClientApp(eca, desired, opts) : [planConnectedApp(connected, desired, opts)];
    const secret = newSecret && !dryRun ? generateConsumerSecret() : undefined;
    const secretFile = await saveSecret(flags['secret-file'], secret);
    const toApply = withAnySecret(plan, secret, isEca);

    let result: PlanResult;
    try {
      result = forFiles && isEca ? await this.writeFiles(plan, flags['output-dir']!) : await carryOut(this, client, toApply, { dryRun, outputDir: flags['output-dir'] });
    } catch (e) {
      // The org did not take the secret: a file holding it would only mislead.
      if (secretFile) await rm(secretFile, { force: true });
      throw !isEca && !connected ? connectedAppRefusal(name, e) : e;
    }
    const key = oauth ? existingKey(eca, connected) ?? consumerKey : undefined;
    const done = await this.finish(result, { name, isEca, dryRun, exists, secret, secretFile, showSecret: flags['show-secret'], key });
    const out = desired.saml ? { ...done, saml: { acsUrl: desired.saml.acsUrl, entityId: desired.saml.entityId, certificate: desired.saml.certificate } } : done;
    if (flags.wait === undefined || dryRun || forFiles) return out;
    const clientCredentials = clientCredentialsOn(desired, isEca, eca, connected);
    const ready = await this.waitIfPossible(out, { oauth, clientCredentials, secret, key, minutes: flags.wait, instanceUrl: client.conn.instanceUrl });
    return ready ? { ...out, ready } : out;
  }

  /** --wait: polls when a token can be had with what this run knows (a new secret, client credentials on); else says why not. */
  private async waitIfPossible(
    out: AppCreateResult,
    o: { oauth: boolean; clientCredentials: boolean; secret?: string; key?: string; minutes: number; instanceUrl: string }
  ): Promise<boolean> {
    const why = cannotWait({ oauth: o.oauth, clientCredentials: o.clientCredentials, secret: out.secretCreated ? o.secret : undefined });
    if (why) {
      this.warn(messages.getMessage(`warning.cannotWait.${why}`, [out.name]));
      return false;
    }
    await this.waitForToken({ name: out.name, minutes: o.minutes, domain: normalizeDomain(o.instanceUrl), clientId: o.key!, secret: o.secret!, secretFile: out.secretFile });
    return true;
  }

  /** A new secret must go somewhere; secret flags on an app that keeps its secret only get a warning. */
  private checkSecretFlags(flags: CreateFlags & { name: string }, o: { newSecret: boolean; dryRun: boolean; had: boolean }): void {
    const secretWanted = Boolean(flags['secret-file']) || flags['show-secret'];
    if (o.newSecret && !o.dryRun && !secretWanted) throw messages.createError('error.SecretNowhere');
    if (!o.newSecret && secretWanted && o.had) this.warn(messages.getMessage('warning.secretKept', [flags.name, flags.name]));
  }

  /** A connected app needs a contact email: by default, the running user's. */
  private async withContactEmail(client: OrgClient, desired: EcaDesired, isEca: boolean, connected: ConnectedAppCurrent | undefined): Promise<EcaDesired> {
    return isEca ? desired : step(this, 'Reading your email', messages, () => withDefaultContactEmail(client, desired, connected));
  }

  /** Puts the signing certificate's API name into the desired SAML configuration. */
  private async resolveSaml(client: OrgClient, desired: EcaDesired, idpCert: string | undefined): Promise<EcaDesired> {
    return desired.saml ? { ...desired, saml: { ...desired.saml, certificate: await this.samlCertificate(client, idpCert) } } : desired;
  }

  /** The API name of the certificate that signs the app's SAML assertions; warns when the identity provider is off. */
  private async samlCertificate(client: OrgClient, nameOrLabel: string | undefined): Promise<string | undefined> {
    const { certs, idp } = await step(this, 'Reading certificates and the identity provider', messages, async () => ({
      certs: nameOrLabel ? await readCertificates(client) : [],
      idp: await readIdentityProvider(client),
    }));
    let certificate: string | undefined;
    if (nameOrLabel) {
      const match = matchNameOrLabel(certs, nameOrLabel);
      if ('ambiguous' in match) throw messages.createError('error.AmbiguousCert', [nameOrLabel, match.ambiguous.map((c) => c.name).join(', ')]);
      if (!('found' in match)) throw messages.createError('error.UnknownCert', [nameOrLabel], [nameOrLabel]);
      certificate = match.found.name;
    }
    if (!idp.enableIdentityProvider) this.warn(messages.getMessage('warning.IdpOff', [certificate ?? nameOrLabel ?? '<certificate>']));
    return certificate;
  }

  /**
   * --wait: asks the org's token endpoint for a client credentials token with the new key and secret until one comes
   * back (the token is dropped at once, never shown) or the time is up. A refusal that propagation does not explain
   * (user, API access, scopes) stops at once with its own cause and fix.
   */
  private async waitForToken(o: { name: string; minutes: number; domain: string; clientId: string; secret: string; secretFile?: string }): Promise<void> {
    const deadline = Date.now() + o.minutes * 60_000;
    this.spinner.start(messages.getMessage('info.waiting', [o.name]));
    for (let attempt = 0; ; attempt++) {
      try {
        // eslint-disable-next-line no-await-in-loop
        await exchangeToken({ domain: o.domain, clientId: o.clientId, clientSecret: o.secret });
        this.spinner.stop('ready');
        this.logSuccess(messages.getMessage('info.ready', [o.name]));
        return;
      } catch (e) {
        const cause = (e as { name?: string }).name as OAuthCause | undefined;
        if (!cause || !PROPAGATING.includes(cause)) {
          this.spinner.stop('failed');
          throw e;
        }
        const pause = Math.min(1000 * 2 ** attempt, 15_000);
        if (Date.now() + pause > deadline) {
          this.spinner.stop('timed out');
          throw messages.createError('error.WaitTimedOut', [o.name, String(o.minutes), cause], [o.secretFile ?? '<secret file>', o.domain, o.clientId]);
        }
        // eslint-disable-next-line no-await-in-loop
        await sleep(pause);
      }
    }
  }

  /** Says where the secret went (only once the org has it) and builds the result. */
  private async finish(
    result: PlanResult,
    o: { name: string; isEca: boolean; dryRun: boolean; exists: boolean; secret?: string; secretFile?: string; showSecret: boolean; key?: string }
  ): Promise<AppCreateResult> {
    const applied = Boolean(o.secret) && result.changes.some((c) => c.status === 'applied' && c.fields.some((f) => f.field.endsWith('consumerSecret')));
    if (o.secretFile && !applied) await rm(o.secretFile, { force: true });
    if (!o.dryRun && o.key) this.log(messages.getMessage('info.consumerKey', [o.key]));
    const shown = applied && o.showSecret ? o.secret : undefined;
    const savedTo = applied ? o.secretFile : undefined;
    if (savedTo) this.logSuccess(messages.getMessage('info.secretFile', [savedTo]));
    if (shown) this.log(messages.getMessage('info.secret', [shown]));
    return {
      ...result,
      name: o.name,
      type: o.isEca ? 'ExternalClientApplication' : 'ConnectedApp',
      consumerKey: o.dryRun && !o.exists ? undefined : o.key,
      secretCreated: applied,
      ...(savedTo ? { secretFile: savedTo } : {}),
      ...(shown ? { consumerSecret: shown } : {}),
    };
  }

  /** --output-dir for External Client Apps: the components without their secret, as source-format files. */
  private async writeFiles(changes: Change[], outputDir: string): Promise<PlanResult> {
    const files = await writeSourceFiles(outputDir, changes.filter((c) => c.metadata).map((c) => c.metadata!));
    const written = changes.map((c): Change => (c.metadata ? { ...c, status: 'written' } : c));
    renderPlan(this, written);
    this.logSuccess(shared.getMessage('info.written', [String(files.length), outputDir, outputDir]));
    return { dryRun: false, changed: hasChanges(changes), changes: summarize(written), outputDir, files };
  }
}
