/*
 * `sf provision connection test` as one library call: the token exchange, the API probe, and the access check with
 * the integration's own token; and its rendering (tables, notes) apart from running. The run knows nothing of the
 * terminal: it reports its steps through a callback.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { AnyJson } from '@salesforce/ts-types';
import { describeForUser, evaluateAccess, missingAccessError, DEFAULT_SURVEY, type AccessReport, type AccessRequirement } from './access-check.js';
import { exchangeToken, probeConnection, type GrantType, type Identity, type TokenRequest } from './connection.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.connection.test');

export type ConnectionTestResult = {
  success: boolean;
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
  /** What the token's user may do on the objects and fields asked for (or Lead, Contact and User by default). */
  access: AccessReport;
};

export type ConnectionTestOptions = {
  apiVersion?: string;
  /** --object / --field; undefined for the default survey of Lead, Contact and User (reported, never a failure). */
  requirement?: AccessRequirement;
  /** The permission set the fix commands name. */
  permissionSet: string;
};

export type Stage = 'token' | 'probe' | 'access';

/**
 * Runs the test. Throws a classified connection error when the token or the probe fails, and a MissingAccess error
 * (exit 1, the whole result in its data) when access that was asked for is missing.
 */
export const testConnection = async (
  request: TokenRequest,
  opts: ConnectionTestOptions,
  onStage: (stage: Stage, state: 'start' | 'done' | 'failed') => void = (): void => {},
  fetchImpl: typeof fetch = fetch
): Promise<ConnectionTestResult> => {
  const { clientId, clientSecret, refreshToken } = request;
  const stage = async <T>(name: Stage, fn: () => Promise<T>): Promise<T> => {
    onStage(name, 'start');
    try {
      const out = await fn();
      onStage(name, 'done');
      return out;
    } catch (e) {
      onStage(name, 'failed');
      throw e;
    }
  };
  const grant = await stage('token', () => exchangeToken(request, fetchImpl));
  const probe = await stage('probe', () => probeConnection(grant, { apiVersion: opts.apiVersion, clientId, clientSecret, refreshToken }, fetchImpl));
  const requirement = opts.requirement ?? DEFAULT_SURVEY;
  const access = await stage('access', async () =>
    evaluateAccess(requirement, await describeForUser(grant, probe.apiVersion, requirement, { clientId, secrets: [clientSecret, refreshToken] }, fetchImpl), {
      required: opts.requirement !== undefined,
      username: probe.identity.username,
      permissionSet: opts.permissionSet,
    })
  );
  const result: ConnectionTestResult = {
    success: !access.required || access.missing.length === 0,
    domain: request.domain,
    instanceUrl: grant.instanceUrl,
    grantType: grant.grantType,
    apiVersion: probe.apiVersion,
    identity: probe.identity,
    scopes: grant.scopes,
    edition: probe.edition,
    orgName: probe.orgName,
    isSandbox: probe.isSandbox,
    dailyApiRequests: probe.dailyApiRequests,
    access,
  };
  if (!result.success) {
    throw missingAccessError(access, messages.getMessage('error.MissingAccess', [probe.identity.username, String(access.missing.length)]), result as unknown as AnyJson);
  }
  return result;
};

const accessRows = (access: AccessReport): Array<Record<string, string>> =>
  access.lines.map((l) => ({ target: l.target, access: l.access, status: l.granted ? 'granted' : 'missing', reason: l.reason ?? '' }));

/** The access table, for success and for the report shown before a MissingAccess error. */
export const renderAccess = (cmd: SfCommand<unknown>, access: AccessReport): void => {
  cmd.table({
    title: messages.getMessage(access.required ? 'info.access.required' : 'info.access.survey'),
    data: accessRows(access),
    columns: [
      { key: 'target', name: 'Object / field' },
      { key: 'access', name: 'Access' },
      { key: 'status', name: 'Status' },
      { key: 'reason', name: 'Why not' },
    ],
  });
  if (access.missing.length && !access.required) {
    cmd.log(messages.getMessage('info.access.grant'));
    for (const f of access.fix) cmd.log(`  ${f}`);
  }
};

export const renderConnectionTest = (cmd: SfCommand<unknown>, result: ConnectionTestResult, clientId: string): void => {
  cmd.logSuccess(messages.getMessage('info.success', [clientId, result.domain, result.grantType]));
  cmd.table({
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
  renderAccess(cmd, result.access);
};
