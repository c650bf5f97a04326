import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { runExport, type ExportFormat, type ExportResult } from '../../../provision/users/export.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.export');

export type UsersExportResult = ExportResult;

export default class UsersExport extends SfCommand<UsersExportResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    fields: Flags.string({ summary: messages.getMessage('flags.fields.summary'), multiple: true, delimiter: ',' }),
    since: Flags.string({ summary: messages.getMessage('flags.since.summary'), exactlyOne: ['since', 'state-file'] }),
    'state-file': Flags.file({ summary: messages.getMessage('flags.state-file.summary'), exactlyOne: ['since', 'state-file'] }),
    format: Flags.option({ summary: messages.getMessage('flags.format.summary'), options: ['csv', 'jsonl'] as const, default: 'csv' })(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
    'include-inactive': Flags.boolean({ summary: messages.getMessage('flags.include-inactive.summary'), default: false }),
  };

  public async run(): Promise<UsersExportResult> {
    const { flags } = await this.parse(UsersExport);
    const format: ExportFormat = flags.format;
    const outputFile = flags['output-file'] ?? `users-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    this.spinner.start(messages.getMessage('info.exporting', [flags.since ? `changed since ${flags.since}` : `(state: ${flags['state-file'] ?? ''})`]));
    let result: ExportResult;
    try {
      result = await runExport(
        client,
        {
          format,
          outputFile,
          includeInactive: flags['include-inactive'],
          ...(flags.fields ? { fields: flags.fields } : {}),
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags['state-file'] ? { stateFile: flags['state-file'] } : {}),
        },
        { onProgress: (n) => (this.spinner.status = messages.getMessage('info.progress', [String(n)])) }
      );
      this.spinner.stop();
    } catch (e) {
      this.spinner.stop('failed');
      throw e;
    }
    this.logSuccess(messages.getMessage('info.done', [String(result.count), result.outputFile, String(result.inactive)]));
    if (result.mark) this.log(messages.getMessage('info.mark', [result.mark, result.stateFile ? ` (saved in ${result.stateFile})` : '']));
    else this.log(messages.getMessage('info.noMark'));
    return result;
  }
}
