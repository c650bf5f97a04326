import { resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { authorizeWebServer, type AuthorizeResult } from '../../../provision/authorize.js';
import { OrgClient } from '../../../provision/client.js';
import { connectionFlags } from '../../../provision/connection-flags.js';
import { secretFromEnv } from '../../../provision/connection.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.authorize');

export type ConnectionAuthorizeResult = AuthorizeResult;


/** The default browser, loaded only when it is needed. */
const openBrowser = async (url: string): Promise<void> => {
  const { default: open } = await import('open');
  await open(url);
};

export default class ConnectionAuthorize extends SfCommand<ConnectionAuthorizeResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    domain: connectionFlags.domain,
    'client-id': connectionFlags['client-id'],
    'client-secret-env': connectionFlags['client-secret-env'],
    scopes: Flags.string({ summary: messages.getMessage('flags.scopes.summary'), default: 'api,refresh_token' }),
    'callback-port': Flags.integer({ summary: messages.getMessage('flags.callback-port.summary'), default: 1717, min: 1, max: 65_535 }),
    browser: Flags.boolean({ summary: messages.getMessage('flags.browser.summary'), default: true, allowNo: true }),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary'), required: true }),
    timeout: Flags.duration({ unit: 'minutes', summary: messages.getMessage('flags.timeout.summary'), defaultValue: 5, min: 1 }),
    'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.target-org.summary') }),
    'api-version': Flags.orgApiVersion({ summary: messages.getMessage('flags.api-version.summary') }),
  };

  public async run(): Promise<ConnectionAuthorizeResult> {
    const { flags } = await this.parse(ConnectionAuthorize);
    const admin = flags['target-org'];
    const { result, warnings } = await authorizeWebServer({
      domain: flags.domain,
      clientId: flags['client-id'],
      clientSecret: secretFromEnv(flags['client-secret-env'], '--client-secret-env'),
      scopes: flags.scopes.split(/[\s,]+/).filter(Boolean),
      port: flags['callback-port'],
      timeout: flags.timeout,
      outputFile: resolve(flags['output-file']),
      adminOrg: admin ? { client: new OrgClient(admin.getConnection(flags['api-version'])), name: admin.getUsername() ?? 'the target org' } : undefined,
      onUrl: async (url) => {
        // On stderr even with --json (which silences logToStderr): without the URL nobody can log in.
        process.stderr.write(`${messages.getMessage('info.url', [url])}\n`);
        if (flags.browser) {
          await openBrowser(url).catch((e: unknown) => this.warn(messages.getMessage('warning.BrowserNotOpened', [e instanceof Error ? e.message : String(e)])));
        }
        this.spinner.start(messages.getMessage('info.waiting', [`http://localhost:${flags['callback-port']}/OauthRedirect`]));
      },
    }).finally(() => this.spinner.stop());

    for (const w of warnings) this.warn(w);
    const who = result.username ?? result.userId;
    this.logSuccess(messages.getMessage(result.refreshTokenIssued ? 'info.success' : 'info.successNoRefresh', [flags['client-id'], who, result.outputFile]));
    this.table({
      title: messages.getMessage('info.title'),
      data: [
        { field: 'Username', value: result.username ?? '' },
        { field: 'User ID', value: result.userId },
        { field: 'Org ID', value: result.orgId },
        { field: 'Instance URL', value: result.instanceUrl },
        { field: 'Scopes', value: result.scopes.join(' ') },
        { field: 'Refresh token', value: result.refreshTokenIssued ? 'issued' : 'not issued' },
        ...(result.app ? [{ field: 'App', value: `${result.app.name} (refresh tokens: ${result.app.refreshTokenPolicy})` }] : []),
        { field: 'Token file', value: result.outputFile },
      ],
      columns: [
        { key: 'field', name: 'Field' },
        { key: 'value', name: 'Value' },
      ],
    });
    return result;
  }
}
