import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { jitEnableSpec, planJitSpec } from '../../../provision/jit.js';
import type { ProvisioningConflict } from '../../../provision/resources/jit.js';
import { myDomainUrlOf, orgSpecificFileWarning } from '../../../provision/sso-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.jit.enable');

export type JitEnableResult = PlanResult & {
  /** OAuth apps that look like API/SCIM provisioning (a conflict with JIT). */
  provisioningApps: ProvisioningConflict[];
  warnings: string[];
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
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const { changes, provisioningApps, warnings } = await planJitSpec(client, jitEnableSpec(flags), this);

    for (const w of warnings) this.warn(w);
    const result = await carryOut(this, client, changes, { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning(changes, flags['output-dir'], myDomainUrlOf(conn.instanceUrl));
    if (orgSpecific) {
      this.warn(orgSpecific);
      warnings.push(orgSpecific);
    }
    return { ...result, provisioningApps, warnings };
  }
}
