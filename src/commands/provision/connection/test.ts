import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import { AccessSpecError, parseAccessSpecs } from '../../../provision/access-check.js';
import { connectionFlags, tokenRequestFromFlags } from '../../../provision/connection-flags.js';
import { renderAccess, renderConnectionTest, testConnection, type ConnectionTestResult, type Stage } from '../../../provision/connection-test.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.test');

export type { ConnectionTestResult } from '../../../provision/connection-test.js';

const STAGES: Record<Stage, string> = {
  token: 'Requesting an access token',
  probe: 'Calling the API with the token',
  access: 'Checking what the token may do',
};

export default class ConnectionTest extends SfCommand<ConnectionTestResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...connectionFlags,
    object: Flags.string({ summary: messages.getMessage('flags.object.summary'), multiple: true }),
    field: Flags.string({ summary: messages.getMessage('flags.field.summary'), multiple: true }),
    'permission-set': Flags.string({ summary: messages.getMessage('flags.permission-set.summary'), default: 'Integration_Access' }),
    'api-version': Flags.orgApiVersion({ summary: messages.getMessage('flags.api-version.summary') }),
  };

  public async run(): Promise<ConnectionTestResult> {
    const { flags } = await this.parse(ConnectionTest);
    const request = tokenRequestFromFlags(flags);
    let requirement;
    try {
      requirement = (flags.object ?? flags.field) ? parseAccessSpecs(flags.object, flags.field) : undefined;
    } catch (e) {
      if (e instanceof AccessSpecError) throw messages.createError('error.InvalidAccess', [e.kind, e.spec]);
      throw e;
    }
    try {
      const result = await testConnection(request, { apiVersion: flags['api-version'], requirement, permissionSet: flags['permission-set'] }, (stage, state) => {
        if (state === 'start') this.spinner.start(STAGES[stage]);
        else this.spinner.stop(state === 'failed' ? 'failed' : undefined);
      });
      renderConnectionTest(this, result, request.clientId);
      return result;
    } catch (e) {
      if (e instanceof SfError && e.name === 'MissingAccess') renderAccess(this, (e.data as ConnectionTestResult).access);
      throw e;
    }
  }
}
