import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { exchangeToken, probeConnection, type GrantType, type Identity } from '../../../provision/connection.js';
import { connectionFlags, tokenRequestFromFlags } from '../../../provision/connection-flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.test');

export type ConnectionTestResult = {
  success: true;
  domain: string;
  instanceUrl: string;
  grantType: GrantType;
  apiVersion: string;
  identity: Identity;
  scopes: string[];
  edition: string;
  orgName: string;
  isSandbox: boolean;
  dailyApiRequests: { max: number; remaining: number };
};

export default class ConnectionTest extends SfCommand<ConnectionTestResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...connectionFlags,
    'api-version': Flags.orgApiVersion({ summary: messages.getMessage('flags.api-version.summary') }),
  };

  public async run(): Promise<ConnectionTestResult> {
    const { flags } = await this.parse(ConnectionTest);
    const request = tokenRequestFromFlags(flags);
    const { domain, clientId, clientSecret, refreshToken } = request;

    this.spinner.start('Requesting an access token');
    let grant;
    try {
      grant = await exchangeToken(request);
    } catch (e) {
      this.spinner.stop('failed');
      throw e;
    }
    this.spinner.stop();
    this.spinner.start('Calling the API with the token');
    let probe;
    try {
      probe = await probeConnection(grant, { apiVersion: flags['api-version'], clientId, clientSecret, refreshToken });
    } catch (e) {
      this.spinner.stop('failed');
      throw e;
    }
    this.spinner.stop();

    const result: ConnectionTestResult = {
      success: true,
      domain,
      instanceUrl: grant.instanceUrl,
      grantType: grant.grantType,
      apiVersion: probe.apiVersion,
      identity: probe.identity,
      scopes: grant.scopes,
      edition: probe.edition,
      orgName: probe.orgName,
      isSandbox: probe.isSandbox,
      dailyApiRequests: probe.dailyApiRequests,
    };
    this.logSuccess(messages.getMessage('info.success', [clientId, domain, grant.grantType]));
    this.table({
      title: messages.getMessage('info.title'),
      data: [
        { field: 'Username', value: result.identity.username },
        { field: 'User ID', value: result.identity.userId },
        { field: 'Org ID', value: result.identity.orgId },
        { field: 'Org', value: `${result.orgName}${result.isSandbox ? ' (sandbox)' : ''}` },
        { field: 'Edition', value: result.edition },
        { field: 'Instance URL', value: result.instanceUrl },
        { field: 'Scopes', value: result.scopes.join(' ') },
        { field: 'Daily API requests left', value: `${result.dailyApiRequests.remaining} of ${result.dailyApiRequests.max}` },
        { field: 'API version', value: result.apiVersion },
      ],
      columns: [
        { key: 'field', name: 'Field' },
        { key: 'value', name: 'Value' },
      ],
    });
    return result;
  }
}
