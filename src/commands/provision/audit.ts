import { writeFile } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../provision/client.js';
import { failsOn, runAudit, UnknownCheckError, type AuditResult } from '../../provision/audit/run.js';
import { displayAudit, toJunit, toMarkdown, toSarif } from '../../formatters/audit.js';
import { renderPlan } from '../../formatters/plan.js';
import { fixFindings, type AuditFixes } from '../../provision/audit/fix.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.audit');

export type ProvisionAuditResult = AuditResult & { fixes?: AuditFixes };

export default class ProvisionAudit extends SfCommand<ProvisionAuditResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    checks: Flags.string({ summary: messages.getMessage('flags.checks.summary'), multiple: true, delimiter: ',' }),
    exclude: Flags.string({ summary: messages.getMessage('flags.exclude.summary'), multiple: true, delimiter: ',' }),
    format: Flags.option({ summary: messages.getMessage('flags.format.summary'), options: ['human', 'json', 'sarif', 'junit', 'markdown'] as const, default: 'human' })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
    'fail-on': Flags.option({ summary: messages.getMessage('flags.fail-on.summary'), options: ['error', 'warning', 'never'] as const, default: 'error' })(),
    'expiry-days': Flags.integer({ summary: messages.getMessage('flags.expiry-days.summary'), min: 0, max: 3650, default: 30 }),
    fix: Flags.boolean({ summary: messages.getMessage('flags.fix.summary'), default: false }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false, dependsOn: ['fix'] }),
  };

  public async run(): Promise<ProvisionAuditResult> {
    const { flags } = await this.parse(ProvisionAudit);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    this.spinner.start(messages.getMessage('info.reading'));
    let result: AuditResult;
    try {
      result = await runAudit(client, { checks: flags.checks, exclude: flags.exclude, expiryDays: flags['expiry-days'] });
      this.spinner.stop();
    } catch (e) {
      this.spinner.stop('failed');
      throw e instanceof UnknownCheckError ? messages.createError('error.UnknownCheck', [e.message]) : e;
    }
    const text =
      flags.format === 'sarif'
        ? `${JSON.stringify(toSarif(result, this.config.pjson.version), null, 2)}\n`
        : flags.format === 'junit'
        ? toJunit(result)
        : flags.format === 'markdown'
        ? toMarkdown(result)
        : flags.format === 'json'
        ? `${JSON.stringify(result, null, 2)}\n`
        : undefined;
    if (flags['output-file'] && text !== undefined) {
      await writeFile(flags['output-file'], text);
      this.logSuccess(messages.getMessage('info.written', [flags.format, flags['output-file']]));
    }
    if (!this.jsonEnabled()) {
      if (text === undefined) displayAudit(this, result);
      else if (!flags['output-file']) this.log(text.trimEnd());
    }
    if (flags.fix) {
      const fixes = await fixFindings(client, result.findings, flags['dry-run']);
      if (!this.jsonEnabled()) {
        renderPlan(this, fixes.changes);
        this.log(messages.getMessage(fixes.dryRun ? 'info.fixPlanned' : 'info.fixed', [fixes.fixed.join(', ') || messages.getMessage('info.nothingToFix')]));
      }
      return { ...result, fixes };
    }
    if (failsOn(result, flags['fail-on'])) process.exitCode = 1;
    return result;
  }
}
