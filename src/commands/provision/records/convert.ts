import { readFile } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { dryRunFlag, PARTIAL_SUCCESS } from '../../../provision/command.js';
import { ConvertInputError, parseEmailsFile, runConvert, type ConvertResult } from '../../../provision/records/convert.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.records.convert');

export type RecordsConvertResult = ConvertResult;

export default class RecordsConvert extends SfCommand<RecordsConvertResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    emails: Flags.string({ summary: messages.getMessage('flags.emails.summary'), char: 'e', multiple: true, delimiter: ',', exactlyOne: ['emails', 'file'] }),
    file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', exists: true, exactlyOne: ['emails', 'file'] }),
    'converted-status': Flags.string({ summary: messages.getMessage('flags.converted-status.summary') }),
    'account-id': Flags.salesforceId({ summary: messages.getMessage('flags.account-id.summary'), startsWith: '001', length: 'both', exclusive: ['create-account'] }),
    'create-account': Flags.boolean({ summary: messages.getMessage('flags.create-account.summary'), default: false, exclusive: ['account-id'] }),
    opportunity: Flags.boolean({ summary: messages.getMessage('flags.opportunity.summary'), default: true, allowNo: true }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<RecordsConvertResult> {
    const { flags } = await this.parse(RecordsConvert);
    const emails = flags.file ? parseEmailsFile(await readFile(flags.file, 'utf8')) : flags.emails ?? [];
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    this.spinner.start(messages.getMessage(flags['dry-run'] ? 'info.planning' : 'info.converting', [String(emails.length)]));
    let r: ConvertResult;
    try {
      r = await runConvert(client, { emails, convertedStatus: flags['converted-status'], accountId: flags['account-id'], createOpportunity: flags.opportunity }, flags['dry-run']);
      this.spinner.stop();
    } catch (e) {
      this.spinner.stop('failed');
      throw e instanceof ConvertInputError ? messages.createError('error.Input', [e.message]) : e;
    }
    this.table({
      title: messages.getMessage('info.title', [r.convertedStatus]),
      data: r.outcomes.map((o) => ({ email: o.email, status: o.status, contact: o.contactId ?? '', account: o.accountId ?? '', detail: `${o.code ? `${o.code}: ` : ''}${o.message ?? ''}` })),
      columns: ['email', 'status', 'contact', 'account', 'detail'],
    });
    if (r.dryRun) this.log(messages.getMessage('info.dryRun'));
    const { converted, failed } = r.counts;
    if (failed && !converted && !r.dryRun) throw messages.createError('error.AllFailed', [String(failed)]);
    if (failed) process.exitCode = PARTIAL_SUCCESS;
    return r;
  }
}
