import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import type { Change } from '../../../provision/plan.js';
import {
  implementsSamlJitHandler,
  pickApexClass,
  planJit,
  planLegacyJitSetting,
  provisioningConflicts,
  readApexClasses,
  readProvisioningAppFacts,
  readUserByUsername,
  type ProvisioningConflict,
} from '../../../provision/resources/jit.js';
import { readSamlConfigOrNames } from '../../../provision/resources/saml-config.js';
import { readSsoSettingsRaw } from '../../../provision/resources/sso-settings.js';
import { myDomainUrlOf, orgSpecificFileWarning, unknownConfigError } from '../../../provision/sso-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.jit.enable');

export type JitEnableResult = PlanResult & {
  /** OAuth apps that look like API/SCIM provisioning (a conflict with JIT). */
  provisioningApps: ProvisioningConflict[];
  warnings: string[];
};

const APP_KIND: Record<ProvisioningConflict['type'], string> = {
  ExternalClientApplication: 'External Client App',
  ConnectedApp: 'connected app',
};

export default class JitEnable extends SfCommand<JitEnableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true }),
    handler: Flags.string({ summary: messages.getMessage('flags.handler.summary'), description: messages.getMessage('flags.handler.description') }),
    'execution-user': Flags.string({ summary: messages.getMessage('flags.execution-user.summary') }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<JitEnableResult> {
    const { flags } = await this.parse(JitEnable);
    if (flags.handler && !flags['execution-user']) throw messages.createError('error.HandlerWithoutUser');
    if (flags['execution-user'] && !flags.handler) throw messages.createError('error.UserWithoutHandler');
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const warnings: string[] = [];

    const { target, sso } = await step(this, `Reading the SAML configuration ${flags.name}`, messages, async () => ({
      target: await readSamlConfigOrNames(client, flags.name),
      sso: await readSsoSettingsRaw(client),
    }));
    if (!target.config) throw unknownConfigError(messages, flags.name, target.names);

    const handler = flags.handler && flags['execution-user'] ? await this.resolveHandler(client, flags.handler, flags['execution-user'], warnings) : undefined;
    const provisioningApps = await this.findProvisioningApps(client, target.config.fullName, warnings);
    if (sso.enableSamlLogin === false) warnings.push(messages.getMessage('warning.SamlDisabled'));

    const changes: Change[] = [planJit(target.config, { enabled: true, ...handler })];
    const legacy = planLegacyJitSetting(sso, true);
    if (legacy) changes.push(legacy);

    for (const w of warnings) this.warn(w);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning(changes, flags['output-dir'], myDomainUrlOf(conn.instanceUrl));
    if (orgSpecific) {
      this.warn(orgSpecific);
      warnings.push(orgSpecific);
    }
    return { ...result, provisioningApps, warnings };
  }

  /** The Apex handler's and the execution user's ids; errors when either is unusable, a warning for a doubtful class. */
  private async resolveHandler(
    client: OrgClient,
    handlerName: string,
    username: string,
    warnings: string[]
  ): Promise<{ handlerId: string; executionUserId: string }> {
    const { classes, user } = await step(this, 'Looking up the Apex handler and its execution user', messages, async () => ({
      classes: await readApexClasses(client, handlerName),
      user: await readUserByUsername(client, username),
    }));
    const handler = pickApexClass(classes);
    if (classes.length === 0) throw messages.createError('error.HandlerNotFound', [handlerName]);
    if (!handler) {
      const namespaces = classes.map((c) => c.namespace ?? '(none)');
      throw messages.createError('error.HandlerAmbiguous', [handlerName, namespaces.join(', ')], [`${classes[0].namespace ?? ''}.${classes[0].name}`]);
    }
    if (!user) throw messages.createError('error.UserNotFound', [username]);
    if (!user.isActive) throw messages.createError('error.UserInactive', [user.username]);
    if (!user.manageUsers) throw messages.createError('error.UserCannotManageUsers', [user.username]);
    if (implementsSamlJitHandler(handler.body) === false) warnings.push(messages.getMessage('warning.NotAJitHandler', [handlerName, handler.name]));
    return { handlerId: handler.id, executionUserId: user.id };
  }

  /** OAuth apps that look like API/SCIM provisioning, each with a warning; a failed check is a warning too. */
  private async findProvisioningApps(client: OrgClient, configName: string, warnings: string[]): Promise<ProvisioningConflict[]> {
    let apps: ProvisioningConflict[];
    try {
      apps = provisioningConflicts(await step(this, 'Looking for API/SCIM provisioning apps', messages, () => readProvisioningAppFacts(client)));
    } catch (e) {
      warnings.push(messages.getMessage('warning.ScimCheckFailed', [e instanceof Error ? e.message : String(e)]));
      return [];
    }
    for (const app of apps) {
      const label = app.label && app.label !== app.name ? ` (${app.label})` : '';
      warnings.push(messages.getMessage('warning.ScimConflict', [APP_KIND[app.type], app.name, label, app.reason, configName]));
    }
    return apps;
  }
}
