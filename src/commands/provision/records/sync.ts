import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { dryRunFlag } from '../../../provision/command.js';
import { inputError, syncSpecFromFlags } from '../../../provision/records/spec.js';
import { DEFAULT_BULK_THRESHOLD, type SyncResult } from '../../../provision/records/sync.js';
import { runSyncAndShow } from '../../../formatters/records.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.records.sync');

export type RecordsSyncResult = SyncResult;

export default class RecordsSync extends SfCommand<RecordsSyncResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    object: Flags.option({ summary: messages.getMessage('flags.object.summary'), char: 's', required: true, options: ['Lead', 'Contact'] as const })(),
    file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', required: true, exists: true }),
    map: Flags.string({ summary: messages.getMessage('flags.map.summary'), exclusive: ['map-file'] }),
    'map-file': Flags.file({ summary: messages.getMessage('flags.map-file.summary'), exists: true, exclusive: ['map'] }),
    match: Flags.string({ summary: messages.getMessage('flags.match.summary'), default: 'Email' }),
    allow: Flags.option({ summary: messages.getMessage('flags.allow.summary'), options: ['create', 'update', 'delete', 'disable'] as const, multiple: true, delimiter: ',' })(),
    'remove-action': Flags.option({ summary: messages.getMessage('flags.remove-action.summary'), options: ['delete', 'disable', 'none'] as const, default: 'none' })(),
    'disable-field': Flags.string({ summary: messages.getMessage('flags.disable-field.summary') }),
    'deprovision-missing': Flags.boolean({ summary: messages.getMessage('flags.deprovision-missing.summary'), default: false }),
    'clear-empty': Flags.boolean({ summary: messages.getMessage('flags.clear-empty.summary'), default: false }),
    'allow-duplicates': Flags.boolean({ summary: messages.getMessage('flags.allow-duplicates.summary'), default: false }),
    'bulk-threshold': Flags.integer({ summary: messages.getMessage('flags.bulk-threshold.summary'), min: 1, default: DEFAULT_BULK_THRESHOLD }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), default: false }),
    'result-file': Flags.file({ summary: messages.getMessage('flags.result-file.summary') }),
    'resume-job': Flags.salesforceId({ summary: messages.getMessage('flags.resume-job.summary'), startsWith: '750', length: 'both' }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<RecordsSyncResult> {
    const { flags } = await this.parse(RecordsSync);
    const spec = await syncSpecFromFlags(flags);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const resultFile = flags['result-file'] ?? `${spec.object.toLowerCase()}-sync-${new Date().toISOString().replace(/[:.]/g, '-')}.csv`;
    try {
      return await runSyncAndShow(this, client, spec, { dryRun: flags['dry-run'], resultFile });
    } catch (e) {
      throw inputError(e);
    }
  }
}
