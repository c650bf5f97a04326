import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import type { Change } from '../../../provision/plan.js';
import { planJit, planLegacyJitSetting } from '../../../provision/resources/jit.js';
import { readSamlConfigOrNames } from '../../../provision/resources/saml-config.js';
import { readSsoSettingsRaw } from '../../../provision/resources/sso-settings.js';
import { unknownConfigError } from '../../../provision/sso-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.jit.disable');

export type JitDisableResult = PlanResult;

export default class JitDisable extends SfCommand<JitDisableResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary'), required: true }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<JitDisableResult> {
    const { flags } = await this.parse(JitDisable);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { target, sso } = await step(this, `Reading the SAML configuration ${flags.name}`, messages, async () => ({
      target: await readSamlConfigOrNames(client, flags.name),
      sso: await readSsoSettingsRaw(client),
    }));
    if (!target.config) throw unknownConfigError(messages, flags.name, target.names);
    const changes: Change[] = [planJit(target.config, { enabled: false })];
    const legacy = planLegacyJitSetting(sso, false);
    if (legacy) changes.push(legacy);
    return carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
  }
}
