import { readFile, rm } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { writeSourceFiles } from '../../../provision/metadata.js';
import { carryOut, dryRunFlag, outputDirFlag, renderPlan, step, summarize, type PlanResult } from '../../../provision/command.js';
import { hasChanges, type Change } from '../../../provision/plan.js';
import { generateConsumerKey, generateConsumerSecret, writeSecretFile } from '../../../provision/secrets.js';
import { parseRefreshTokenPolicy, scopesToMetadata, type RefreshTokenPolicy } from '../../../provision/resources/oauth-app.js';
import { planExternalClientApp, readExternalClientApp, withSecret, type EcaCurrent, type EcaDesired } from '../../../provision/resources/external-client-app.js';
import { planConnectedApp, readConnectedApps, withConnectedAppSecret, type ConnectedAppCurrent } from '../../../provision/resources/connected-app.js';

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
  };
};

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
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<AppCreateResult> {
    const { flags } = await this.parse(AppCreate);
    const name = flags.name;
    const desired = await desiredFromFlags(flags);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const isEca = flags.type === 'external-client-app';

    const { eca, connected } = await step(this, `Reading the app ${name}`, messages, async () => ({
      eca: await readExternalClientApp(client, name),
      connected: (await readConnectedApps(client, [name]))[0],
    }));
    checkType(name, isEca, eca, connected);
    const exists = appExists(isEca, eca, connected);
    const forFiles = Boolean(flags['output-dir']);
    const dryRun = flags['dry-run'];
    const newSecret = !exists && !forFiles;
    const secretWanted = Boolean(flags['secret-file']) || flags['show-secret'];
    if (newSecret && !dryRun && !secretWanted) throw messages.createError('error.SecretNowhere');
    if (!newSecret && secretWanted) this.warn(messages.getMessage('warning.secretKept', [name, name]));

    const consumerKey = generateConsumerKey();
    const opts = { consumerKey, newSecret, forFiles };
    const plan: Change[] = isEca ? planExternalClientApp(eca, desired, opts) : [planConnectedApp(connected, desired, opts)];
    const secret = newSecret && !dryRun ? generateConsumerSecret() : undefined;
    const secretFile = await saveSecret(flags['secret-file'], secret);
    const toApply = !secret ? plan : isEca ? withSecret(plan, secret) : withConnectedAppSecret(plan, secret);

    let result: PlanResult;
    try {
      result = forFiles && isEca ? await this.writeFiles(plan, flags['output-dir']!) : await carryOut(this, client, toApply, { dryRun, outputDir: flags['output-dir'] });
    } catch (e) {
      // The org did not take the secret: a file holding it would only mislead.
      if (secretFile) await rm(secretFile, { force: true });
      throw !isEca && !connected ? connectedAppRefusal(name, e) : e;
    }
    return this.finish(result, { name, isEca, dryRun, exists, secret, secretFile, showSecret: flags['show-secret'], key: existingKey(eca, connected) ?? consumerKey });
  }

  /** Says where the secret went (only once the org has it) and builds the result. */
  private async finish(
    result: PlanResult,
    o: { name: string; isEca: boolean; dryRun: boolean; exists: boolean; secret?: string; secretFile?: string; showSecret: boolean; key: string }
  ): Promise<AppCreateResult> {
    const applied = Boolean(o.secret) && result.changes.some((c) => c.status === 'applied' && c.fields.some((f) => f.field.endsWith('consumerSecret')));
    if (o.secretFile && !applied) await rm(o.secretFile, { force: true });
    if (!o.dryRun) this.log(messages.getMessage('info.consumerKey', [o.key]));
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
