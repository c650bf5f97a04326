/*
 * Flags shared by `sf provision connection test` and `sf provision connection token`, and the one step that turns
 * them into a token request: the domain normalised, the secrets read from the environment variables the flags name.
 */
import { Flags } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { normalizeDomain, secretFromEnv, type TokenRequest } from './connection.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.test');

/** --domain, --client-id, --client-secret-env, --refresh-token-env. */
export const connectionFlags = {
  domain: Flags.string({ summary: messages.getMessage('flags.domain.summary'), required: true }),
  'client-id': Flags.string({ summary: messages.getMessage('flags.client-id.summary'), required: true }),
  'client-secret-env': Flags.string({ summary: messages.getMessage('flags.client-secret-env.summary') }),
  'refresh-token-env': Flags.string({ summary: messages.getMessage('flags.refresh-token-env.summary') }),
};

export type ConnectionFlagValues = {
  domain: string;
  'client-id': string;
  'client-secret-env'?: string;
  'refresh-token-env'?: string;
};

/** The secrets from the environment variables the flags name; at least one of them must be given. */
export const credentialsFromFlags = (
  flags: Pick<ConnectionFlagValues, 'client-secret-env' | 'refresh-token-env'>,
  env: NodeJS.ProcessEnv = process.env
): { clientSecret?: string; refreshToken?: string } => {
  if (!flags['client-secret-env'] && !flags['refresh-token-env']) throw messages.createError('error.NoCredentials');
  return {
    clientSecret: secretFromEnv(flags['client-secret-env'], '--client-secret-env', env),
    refreshToken: secretFromEnv(flags['refresh-token-env'], '--refresh-token-env', env),
  };
};

/** The token request the flags describe (the domain checked first, then the secrets). */
export const tokenRequestFromFlags = (flags: ConnectionFlagValues, env: NodeJS.ProcessEnv = process.env): TokenRequest => {
  const domain = normalizeDomain(flags.domain);
  return { domain, clientId: flags['client-id'], ...credentialsFromFlags(flags, env) };
};
