import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { exchangeToken, type GrantType } from '../../../provision/connection.js';
import { connectionFlags, tokenRequestFromFlags } from '../../../provision/connection-flags.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.token');

export type ConnectionTokenResult = {
  /** Only when the token was printed to stdout (no --output-file). */
  accessToken?: string;
  /** Absolute path of the file the token was written to (with --output-file). */
  outputFile?: string;
  instanceUrl: string;
  grantType: GrantType;
  scope: string[];
  tokenType: string;
  issuedAt?: string;
  /** Seconds; absent when Salesforce does not send expires_in. */
  expiresIn?: number;
};

/** Writes the token to a file that only its owner can read: the mode is set before any byte is written. */
const writeSecretFile = async (path: string, content: string): Promise<void> => {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
};

export default class ConnectionToken extends SfCommand<ConnectionTokenResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    ...connectionFlags,
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
  };

  public async run(): Promise<ConnectionTokenResult> {
    const { flags } = await this.parse(ConnectionToken);
    const grant = await exchangeToken(tokenRequestFromFlags(flags));
    const result: ConnectionTokenResult = {
      instanceUrl: grant.instanceUrl,
      grantType: grant.grantType,
      scope: grant.scopes,
      tokenType: grant.tokenType,
      issuedAt: grant.issuedAt,
      expiresIn: grant.expiresIn,
    };
    if (flags['output-file']) {
      const file = resolve(flags['output-file']);
      await writeSecretFile(file, `${grant.accessToken}\n`);
      this.logToStderr(messages.getMessage('info.written', [flags['client-id'], grant.scopes.join(' '), file]));
      return { ...result, outputFile: file };
    }
    // The token broker reads stdout: the token alone, one line (suppressed under --json, where the result carries it).
    this.log(grant.accessToken);
    return { accessToken: grant.accessToken, ...result };
  }
}
