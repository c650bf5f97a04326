/* eslint-disable camelcase */
/*
 * sf provision connection test | token, against the emulated org: a working External Client App with the client
 * credentials flow, one test per failure cause, and proof that neither the secret nor the access token is ever
 * in what the commands print, return or throw.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import ConnectionTest from '../../../../src/commands/provision/connection/test.js';
import ConnectionToken from '../../../../src/commands/provision/connection/token.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { runCommand, runCommandError, type Ux } from '../../../helpers/plan.js';

const SECRET_VAR = 'PROVISION_TEST_CLIENT_SECRET';
const REFRESH_VAR = 'PROVISION_TEST_REFRESH_TOKEN';

type AppOptions = {
  ccEnabled?: boolean;
  runAs?: string;
  scopes?: string;
  adminApproved?: boolean;
  permissionSets?: string;
  profiles?: string;
  /** ExtlClntAppOauthConfigurablePolicies.ipRelaxationPolicyType (Enforce, Bypass, ...). */
  ipRelaxation?: string;
};

/** Every access token the emulator has issued (to prove none of them leaks). */
const issuedTokens = (t: TestOrg): string[] => [...(t.emu.oauth as unknown as { sessions: Map<string, unknown> }).sessions.keys()];

/** Everything a command showed: the stubbed UX calls, its result and its error. */
const captured = (...parts: unknown[]): string =>
  parts
    .map((p) => {
      if (p instanceof Error) return JSON.stringify({ message: p.message, name: p.name, actions: (p as Error & { actions?: string[] }).actions, data: (p as Error & { data?: unknown }).data, stack: p.stack });
      if (p && typeof p === 'object' && 'log' in p) {
        const ux = p as Ux;
        return JSON.stringify(Object.entries(ux).map(([k, stub]) => [k, (stub as { args?: unknown[] }).args ?? []]));
      }
      return JSON.stringify(p);
    })
    .join('\n');

describe('sf provision connection test | token', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let n = 0;
  const secret = 'Sec' + 'r3t'.repeat(20);

  /** A new External Client App with its own consumer key; the secret is the same for all. */
  const createApp = async (opts: AppOptions = {}): Promise<string> => {
    n += 1;
    const name = `Broker_App_${n}`;
    const key = `3MVG9broker${n}${'K'.repeat(40)}`;
    const ctx = t.emu.metadataContext;
    await putComponent(ctx, 'ExternalClientApplication', name, { distributionState: 'Local', isProtected: false, label: name });
    await putComponent(ctx, 'ExtlClntAppOauthSettings', `${name}_oauth`, { commaSeparatedOauthScopes: opts.scopes ?? 'Api,RefreshToken', externalClientApplication: name, label: `${name}_oauth` });
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', `${name}_glbloauth`, {
      callbackUrl: 'https://localhost/cb',
      consumerKey: key,
      consumerSecret: secret,
      externalClientApplication: name,
      isClientCredentialsFlowEnabled: opts.ccEnabled ?? true,
      label: `${name}_glbloauth`,
    });
    // Keys in WSDL order.
    const policy: Record<string, unknown> = {};
    if (opts.runAs !== '') policy.clientCredentialsFlowUser = opts.runAs ?? 'integration@acme.example.com';
    if (opts.permissionSets) policy.commaSeparatedPermissionSet = opts.permissionSets;
    if (opts.profiles) policy.commaSeparatedProfile = opts.profiles;
    policy.externalClientApplication = name;
    if (opts.ipRelaxation) policy.ipRelaxationPolicyType = opts.ipRelaxation;
    Object.assign(policy, {
      isClientCredentialsFlowEnabled: opts.ccEnabled ?? true,
      label: `${name}_oauthPlcy`,
      permittedUsersPolicyType: opts.adminApproved ? 'AdminApprovedPreAuthorized' : 'AllSelfAuthorized',
    });
    await putComponent(ctx, 'ExtlClntAppOauthConfigurablePolicies', `${name}_oauthPlcy`, policy);
    return key;
  };

  const args = (key: string, extra: string[] = []): string[] => ['--domain', t.emu.instanceUrl, '--client-id', key, '--client-secret-env', SECRET_VAR, ...extra];

  /** Runs `connection test` expecting a failure; checks the cause, the fix and that no secret leaked. */
  const expectFailure = async (argv: string[], cause: string, fix: RegExp, extraSecrets: string[] = []): Promise<Error & { actions?: string[] }> => {
    const err = await runCommandError(ConnectionTest, argv);
    expect(err.name, err.message).to.equal(cause);
    expect((err.actions ?? []).join('\n')).to.match(fix);
    const text = captured(err);
    for (const s of [secret, ...extraSecrets, ...issuedTokens(t)]) expect(text).to.not.contain(s);
    return err;
  };

  const user = (username: string): { Id: string; ProfileId: string } => t.emu.store.find('User', (u) => u.Username === username) as unknown as { Id: string; ProfileId: string };

  before(async () => {
    t = await setupTestOrg();
    process.env[SECRET_VAR] = secret;
  });
  after(async () => {
    delete process.env[SECRET_VAR];
    delete process.env[REFRESH_VAR];
    await t?.close();
  });

  it('reports identity, scopes, edition and remaining API calls for a working client credentials app', async () => {
    const key = await createApp();
    const usedBefore = t.emu.dailyApiUsed;
    const { result, ux } = await runCommand(ConnectionTest, args(key));
    const integ = user('integration@acme.example.com');
    expect(result).to.deep.include({ success: true, grantType: 'client_credentials', domain: t.emu.instanceUrl, instanceUrl: t.emu.instanceUrl, edition: 'Developer Edition', orgName: 'Acme Corporation', isSandbox: false, apiVersion: '66.0' });
    expect(result.identity).to.deep.include({ username: 'integration@acme.example.com', userId: integ.Id, orgId: t.emu.orgId });
    expect(result.scopes).to.deep.equal(['api']);
    expect(result.dailyApiRequests.max).to.equal(15_000);
    // The limits call itself and the Organization query count: two API requests; then one describe each of Lead,
    // Contact and User for the default access survey.
    expect(t.emu.dailyApiUsed - usedBefore).to.equal(5);
    expect(result.dailyApiRequests.remaining).to.equal(15_000 - usedBefore - 1);
    const text = captured(ux, result);
    expect(text).to.contain('integration@acme.example.com');
    expect(text).to.contain('Developer Edition');
    expect(issuedTokens(t).length).to.be.greaterThan(0);
    for (const s of [secret, ...issuedTokens(t)]) expect(text).to.not.contain(s);
  });

  it('tests a refresh token (refresh_token grant) and reports the user it belongs to', async () => {
    const key = await createApp();
    const refresh = t.emu.oauth.issueRefreshToken(t.emu.adminUserId, key);
    process.env[REFRESH_VAR] = refresh;
    try {
      const { result, ux } = await runCommand(ConnectionTest, [...args(key), '--refresh-token-env', REFRESH_VAR, '--api-version', '65.0']);
      expect(result.grantType).to.equal('refresh_token');
      expect(result.apiVersion).to.equal('65.0');
      expect(result.identity.username).to.equal('admin@acme.example.com');
      expect(result.scopes).to.include('api');
      const text = captured(ux, result);
      for (const s of [secret, refresh, ...issuedTokens(t)]) expect(text).to.not.contain(s);
    } finally {
      delete process.env[REFRESH_VAR];
    }
  });

  it('invalid client ID', async () => {
    await expectFailure(args('3MVG9unknown' + 'X'.repeat(40)), 'InvalidClientId', /Consumer Key/);
  });

  it('invalid client secret', async () => {
    const key = await createApp();
    process.env[SECRET_VAR] = 'wrong-' + secret;
    try {
      await expectFailure(args(key), 'InvalidClientSecret', /--client-secret-env/, ['wrong-' + secret]);
    } finally {
      process.env[SECRET_VAR] = secret;
    }
  });

  it('client credentials flow not enabled for the app', async () => {
    const key = await createApp({ ccEnabled: false });
    const err = await expectFailure(args(key), 'ClientCredentialsNotConfigured', /sf provision app create --name <app> --client-credentials-user <username>/);
    expect(err.message).to.contain('no client credentials user enabled');
  });

  it('run-as user missing', async () => {
    const key = await createApp({ runAs: '' });
    await expectFailure(args(key), 'ClientCredentialsNotConfigured', /Run As/);
  });

  it('user not pre-authorised for an admin-approved app (refresh token of a user without the app permission set)', async () => {
    const key = await createApp({ adminApproved: true, permissionSets: 'Integration_API' });
    const sam = user('sam.sales@acme.example.com');
    const refresh = t.emu.oauth.issueRefreshToken(sam.Id, key);
    process.env[REFRESH_VAR] = refresh;
    try {
      await expectFailure([...args(key), '--refresh-token-env', REFRESH_VAR], 'NotPreAuthorized', /sf provision permset assign --name <permission set> --users <username>/, [refresh]);
    } finally {
      delete process.env[REFRESH_VAR];
    }
  });

  it('expired or revoked refresh token', async () => {
    const key = await createApp();
    const refresh = t.emu.oauth.issueRefreshToken(t.emu.adminUserId, key);
    t.emu.oauth.revokeRefreshToken(refresh);
    process.env[REFRESH_VAR] = refresh;
    try {
      await expectFailure([...args(key), '--refresh-token-env', REFRESH_VAR], 'ExpiredRefreshToken', /Authorize the app again/, [refresh]);
    } finally {
      delete process.env[REFRESH_VAR];
    }
  });

  it('API disabled for the run-as user', async () => {
    const key = await createApp();
    const profileId = user('integration@acme.example.com').ProfileId;
    const before = t.emu.store.get('Profile', profileId)!.PermissionsApiEnabled;
    t.emu.store.patchSystem('Profile', profileId, { PermissionsApiEnabled: false });
    try {
      await expectFailure(args(key), 'ApiDisabledForUser', /API Enabled/);
    } finally {
      t.emu.store.patchSystem('Profile', profileId, { PermissionsApiEnabled: before });
    }
  });

  it('edition without API access', async () => {
    const key = await createApp();
    t.emu.flags.apiEnabled = false;
    try {
      await expectFailure(args(key), 'ApiDisabledForOrg', /edition with API access/);
    } finally {
      t.emu.flags.apiEnabled = true;
    }
  });

  it('inactive run-as user', async () => {
    const key = await createApp();
    const integ = user('integration@acme.example.com');
    t.emu.store.patchSystem('User', integ.Id, { IsActive: false });
    try {
      await expectFailure(args(key), 'InactiveUser', /IsActive=true/);
    } finally {
      t.emu.store.patchSystem('User', integ.Id, { IsActive: true });
    }
  });

  it('frozen run-as user', async () => {
    const key = await createApp();
    const integ = user('integration@acme.example.com');
    const login = t.emu.store.find('UserLogin', (l) => l.UserId === integ.Id)!;
    t.emu.store.patchSystem('UserLogin', login.Id, { IsFrozen: true });
    try {
      await expectFailure(args(key), 'FrozenUser', /Unfreeze/);
    } finally {
      t.emu.store.patchSystem('UserLogin', login.Id, { IsFrozen: false });
    }
  });

  it('IP restricted: the run-as user\'s profile has login IP ranges that leave out the caller; relaxing them in the app policy fixes it', async () => {
    const key = await createApp();
    const relaxed = await createApp({ ipRelaxation: 'Bypass' });
    t.emu.flags.loginIpRanges = [{ start: '203.0.113.0', end: '203.0.113.255' }];
    try {
      const err = await expectFailure(args(key), 'IpRestricted', /Login IP Ranges/);
      expect(err.message).to.contain('ip restricted');
      expect((err.actions ?? []).join('\n')).to.match(/Relax IP restrictions.*ipRelaxationPolicyType Bypass/);
      expect((err as Error & { data?: { cause?: string; error?: string } }).data).to.deep.include({ cause: 'IpRestricted', error: 'invalid_grant' });
      const tokenErr = await runCommandError(ConnectionToken, args(key));
      expect(tokenErr.name).to.equal('IpRestricted');
      const { result } = await runCommand(ConnectionTest, args(relaxed));
      expect(result.identity.username).to.equal('integration@acme.example.com');
    } finally {
      delete t.emu.flags.loginIpRanges;
    }
    expect((await runCommand(ConnectionTest, args(key))).result.success).to.equal(true);
  });

  it('refuses http for anything but the loopback address, and missing or unset secrets', async () => {
    await expectFailure(['--domain', 'http://acme.my.salesforce.com', '--client-id', 'x', '--client-secret-env', SECRET_VAR], 'InvalidDomain', /My Domain/);
    const none = await runCommandError(ConnectionTest, ['--domain', t.emu.instanceUrl, '--client-id', 'x']);
    expect(none.name).to.equal('NoCredentialsError');
    const unset = await runCommandError(ConnectionTest, ['--domain', t.emu.instanceUrl, '--client-id', 'x', '--client-secret-env', 'PROVISION_TEST_NOT_SET']);
    expect(unset.message).to.contain('PROVISION_TEST_NOT_SET');
    expect(unset.name).to.equal('EnvNotSetError');
  });

  it('says the endpoint is unreachable when nothing answers', async () => {
    await expectFailure(['--domain', 'http://127.0.0.1:9', '--client-id', 'x', '--client-secret-env', SECRET_VAR], 'Unreachable', /reach/);
  });

  it('token: prints only the access token, which works against the API', async () => {
    const key = await createApp();
    const { result, ux } = await runCommand(ConnectionToken, args(key));
    const lines = ux.log.args.map((a) => String(a[0]));
    expect(lines).to.have.length(1);
    const token = lines[0];
    expect(token).to.match(/^00D\w+!/);
    expect(result).to.deep.include({ accessToken: token, instanceUrl: t.emu.instanceUrl, grantType: 'client_credentials', scope: ['api'] });
    const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await res.json()) as { preferred_username: string }).preferred_username).to.equal('integration@acme.example.com');
    expect(captured(ux, result)).to.not.contain(secret);
  });

  it('token --output-file: writes the token with mode 0600 and prints and returns nothing secret', async () => {
    const key = await createApp();
    const dir = await mkdtemp(join(tmpdir(), 'conn-token-'));
    try {
      const file = join(dir, 'token.txt');
      const { result, ux } = await runCommand(ConnectionToken, [...args(key), '--output-file', file]);
      const token = (await readFile(file, 'utf8')).trim();
      expect(token).to.match(/^00D\w+!/);
      expect(issuedTokens(t)).to.include(token);
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect(result.accessToken).to.equal(undefined);
      expect(result.outputFile).to.equal(file);
      const text = captured(ux, result);
      expect(text).to.not.contain(token);
      expect(text).to.not.contain(secret);
      // An existing file that others could read is narrowed to 0600 before the new token goes in.
      const again = await runCommand(ConnectionToken, [...args(key), '--output-file', file]);
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
      expect(captured(again.ux, again.result)).to.not.contain((await readFile(file, 'utf8')).trim());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('token: failures carry the cause and the fix', async () => {
    const key = await createApp({ runAs: '' });
    const err = await runCommandError(ConnectionToken, args(key));
    expect(err.name).to.equal('ClientCredentialsNotConfigured');
    expect(captured(err)).to.not.contain(secret);
  });

  it('runs as a subprocess: secret passed through the environment, never in stdout, stderr or --json', async () => {
    const key = await createApp();
    const env = { [SECRET_VAR]: secret };
    const ok = await t.runJson<{ identity: { username: string }; scopes: string[]; edition: string; dailyApiRequests: { remaining: number } }>(
      ['provision', 'connection', 'test', ...args(key)],
      { env }
    );
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.json.result.identity.username).to.equal('integration@acme.example.com');
    expect(ok.json.result.edition).to.equal('Developer Edition');

    const human = await t.run(['provision', 'connection', 'test', ...args(key)], { env });
    expect(human.code, human.stderr).to.equal(0);
    expect(human.stdout).to.contain('integration@acme.example.com');

    const printed = await t.run(['provision', 'connection', 'token', ...args(key)], { env });
    expect(printed.code, printed.stderr).to.equal(0);
    const token = printed.stdout.trim();
    expect(token).to.match(/^00D\w+!\S+$/);

    const bad = await t.runJson(['provision', 'connection', 'test', ...args(key)], { env: { [SECRET_VAR]: 'wrong-' + secret } });
    expect(bad.code).to.equal(1);
    expect(bad.json.name).to.equal('InvalidClientSecret');
    expect(bad.json.actions?.join(' ')).to.contain('--client-secret-env');

    const everything = [ok, human, bad].map((r) => r.stdout + r.stderr).join('\n') + printed.stderr;
    for (const s of [secret, 'wrong-' + secret, ...issuedTokens(t)]) expect(everything).to.not.contain(s);
    // The token command's stdout is the token and nothing else.
    expect(printed.stdout).to.equal(`${token}\n`);
  });
});
