import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { applyPlan } from '../../../provision/apply.js';
import { OrgClient } from '../../../provision/client.js';
import { actionFor, carryOut, dryRunFlag, renderPlan, step, summarize, type PlanResult } from '../../../provision/command.js';
import { hasChanges } from '../../../provision/plan.js';
import { planExternalClientAppDelete, readExternalClientApp } from '../../../provision/resources/external-client-app.js';
import { readConnectedApps } from '../../../provision/resources/connected-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.delete');

export type AppDeleteResult = PlanResult;

export default class AppDelete extends SfCommand<AppDeleteResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), required: true }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<AppDeleteResult> {
    const { flags } = await this.parse(AppDelete);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const current = await step(this, `Reading the app ${flags.name}`, messages, async () => {
      const eca = await readExternalClientApp(client, flags.name);
      if (!eca && (await readConnectedApps(client, [flags.name])).length) throw messages.createError('error.ConnectedAppDelete', [flags.name], [flags.name]);
      return eca;
    });
    const changes = planExternalClientAppDelete(current, flags.name);
    if (flags['dry-run'] || !hasChanges(changes)) return carryOut(this, client, changes, { dryRun: flags['dry-run'] });
    this.spinner.start('Deleting');
    // Children before the app, one per call; after a failed deletion the rest are not sent (DEPENDENCY_FAILED).
    const done = await applyPlan(client, changes);
    const failed = done.find((c) => c.status === 'failed');
    this.spinner.stop(failed ? 'failed' : 'done');
    renderPlan(this, done);
    if (failed) throw messages.createError('error.DeleteFailed', [failed.resource, failed.name, failed.error?.message ?? ''], [actionFor(failed.error?.code)]);
    this.logSuccess(`Deleted ${done.filter((c) => c.status === 'applied').length} component(s).`);
    return { dryRun: false, changed: true, changes: summarize(done) };
  }
}
