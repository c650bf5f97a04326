import { readFile } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { dryRunFlag } from '../../../provision/command.js';
import { InputError, parseMap } from '../../../provision/records/input.js';
import { runUserSync, type UserSyncResult, type UserSyncSpec } from '../../../provision/users/sync.js';
import { displayUserSync, userSyncExitCode } from '../../../formatters/users.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.users.sync');

export type UsersSyncResult = UserSyncResult;

export default class UsersSync extends SfCommand<UsersSyncResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.file({ summary: messages.getMessage('flags.file.summary'), char: 'f', required: true, exists: true }),
    mapping: Flags.string({ summary: messages.getMessage('flags.mapping.summary') }),
    match: Flags.option({ summary: messages.getMessage('flags.match.summary'), options: ['username', 'email', 'federation-id'] as const, default: 'username' })(),
    allow: Flags.option({ summary: messages.getMessage('flags.allow.summary'), options: ['create', 'update', 'deactivate'] as const, multiple: true, delimiter: ',' })(),
    'deactivate-missing': Flags.boolean({ summary: messages.getMessage('flags.deactivate-missing.summary'), default: false }),
    profile: Flags.string({ summary: messages.getMessage('flags.profile.summary'), default: 'Standard User' }),
    'permission-sets': Flags.string({ summary: messages.getMessage('flags.permission-sets.summary'), multiple: true, delimiter: ',' }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), default: false }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<UsersSyncResult> {
    const { flags } = await this.parse(UsersSync);
    const m = flags.mapping;
    const spec: UserSyncSpec = {
      file: flags.file,
      ...(m === 'jumpcloud' || m === 'scim' ? { mapping: m } : m ? { mapping: parseMap(await readFile(m, 'utf8')) } : {}),
      match: flags.match,
      ...(flags.allow ? { allow: flags.allow } : {}),
      deactivateMissing: flags['deactivate-missing'],
      profile: flags.profile,
      ...(flags['permission-sets'] ? { permissionSets: flags['permission-sets'] } : {}),
      force: flags.force,
    };
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    this.spinner.start(messages.getMessage(flags['dry-run'] ? 'info.planning' : 'info.syncing', [flags.file]));
    let result: UserSyncResult;
    try {
      result = await runUserSync(client, spec, { dryRun: flags['dry-run'] });
      this.spinner.stop();
    } catch (e) {
      this.spinner.stop('failed');
      throw e instanceof InputError ? messages.createError('error.Input', [e.message]) : e;
    }
    if (!this.jsonEnabled()) displayUserSync(this, result);
    process.exitCode = userSyncExitCode(result);
    return result;
  }
}
