/* eslint-disable camelcase */
/*
 * sf provision connection authorize, end to end against the emulated org: the command runs as a subprocess with
 * --no-browser, the test reads the URL it prints and plays the browser (login form, Allow or Deny, the redirect to the
 * command's callback port), then checks the 0600 token file, that the tokens work, and that neither the tokens nor the
 * secret are anywhere else: stdout, stderr, --json, the sf log file at trace level.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { DEFAULT_USER_PASSWORD } from '../../../emulator/oauth.js';
import { authorizeInBrowser, type Step } from '../../../helpers/browser.js';
import { freePort, isolatedEnv, ROOT, setupTestOrg, type RunResult, type TestOrg } from '../../../helpers/harness.js';
import { filesUnder } from '../../../helpers/plan.js';
import type { AuthorizeResult } from '../../../../src/provision/authorize.js';

const SECRET_VAR = 'PROVISION_AUTHORIZE_SECRET';

type JsonOut = { status: number; result: AuthorizeResult; warnings?: string[]; name?: string; message?: string; actions?: string[] };
type Run = RunResult & { step?: Step; callbackStatus?: number; json?: JsonOut };

describe('sf provision connection authorize', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  let n = 0;
  const secret = 'Auth' + 'S3cr3t'.repeat(10);
  const logEnv = { SF_DISABLE_LOG_FILE: 'false', SF_LOG_LEVEL: 'trace', SFDX_LOG_LEVEL: 'trace', [SECRET_VAR]: secret };

  /** An External Client App whose callback URL is the command's redirect URI on `port`. */
  const createApp = async (port: number, opts: { scopes?: string; refreshPolicy?: string; callbackUrl?: string } = {}): Promise<{ name: string; key: string }> => {
    n += 1;
    const name = `PingOne_${n}`;
    const key = `3MVG9ping${n}${'P'.repeat(40)}`;
    const ctx = t.emu.metadataContext;
    await putComponent(ctx, 'ExternalClientApplication', name, { distributionState: 'Local', isProtected: false, label: name });
    await putComponent(ctx, 'ExtlClntAppOauthSettings', `${name}_oauth`, { commaSeparatedOauthScopes: opts.scopes ?? 'Api,RefreshToken', externalClientApplication: name, label: `${name}_oauth` });
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', `${name}_glbloauth`, {
      callbackUrl: opts.callbackUrl ?? `http://localhost:${port}/OauthRedirect`,
      consumerKey: key,
      consumerSecret: secret,
      externalClientApplication: name,
      label: `${name}_glbloauth`,
    });
    await putComponent(ctx, 'ExtlClntAppOauthConfigurablePolicies', `${name}_oauthPlcy`, {
      externalClientApplication: name,
      label: `${name}_oauthPlcy`,
      permittedUsersPolicyType: 'AllSelfAuthorized',
      refreshTokenPolicyType: opts.refreshPolicy ?? 'Infinite',
    });
    return { name, key };
  };

  /**
   * Runs the command as a subprocess; when `browser` is given, waits for the URL on stderr, logs in as the admin,
   * answers the consent page and follows the redirect to the command's callback server, as a browser would.
   */
  const authorize = async (args: string[], browser?: { decision?: 'allow' | 'deny' }, env: Record<string, string> = logEnv): Promise<Run> => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), 'provision', 'connection', 'authorize', '--no-browser', ...args], {
      cwd: t.home,
      env: isolatedEnv(t.home, env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const url = new Promise<string | undefined>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/services\/oauth2\/authorize\?\S+)\n/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('close', () => resolve(undefined));
    });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const run: Run = { code: null, stdout: '', stderr: '' };
    if (browser) {
      const authorizeUrl = await url;
      if (authorizeUrl) {
        run.step = await authorizeInBrowser(authorizeUrl, { username: t.emu.adminUsername, password: DEFAULT_USER_PASSWORD, decision: browser.decision });
        if (run.step.location?.startsWith('http://localhost:')) {
          const back = await fetch(run.step.location);
          run.callbackStatus = back.status;
          await back.text();
        }
      }
    }
    run.code = await closed;
    clearTimeout(killer);
    run.stdout = stdout;
    run.stderr = stderr;
    if (args.includes('--json')) run.json = JSON.parse(stdout) as JsonOut;
    return run;
  };

  const baseArgs = (key: string, port: number, file: string): string[] => ['--domain', t.emu.instanceUrl, '--client-id', key, '--client-secret-env', SECRET_VAR, '--callback-port', String(port), '--output-file', file];

  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'provision-authorize-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('authorizes in the browser, writes the tokens only to a new 0600 file, and the tokens work', async () => {
    const port = await freePort();
    const { name, key } = await createApp(port);
    const file = join(dir, 'tokens.json');
    const run = await authorize([...baseArgs(key, port, file), '--target-org', 'emu', '--json'], { decision: 'allow' });
    expect(run.code, run.stderr + run.stdout).to.equal(0);
    expect(run.callbackStatus).to.equal(200);
    expect(run.stderr).to.contain('/services/oauth2/authorize?');
    const result = run.json!.result;
    expect(result).to.deep.include({
      domain: t.emu.instanceUrl,
      instanceUrl: t.emu.instanceUrl,
      username: t.emu.adminUsername,
      userId: t.emu.adminUserId,
      orgId: t.emu.orgId,
      refreshTokenIssued: true,
      outputFile: file,
    });
    expect(result.scopes.sort()).to.deep.equal(['api', 'refresh_token']);
    expect(result.app).to.deep.equal({ name, type: 'ExternalClientApplication', refreshTokenPolicy: 'valid until revoked' });
    expect(run.json!.warnings ?? []).to.deep.equal([]);

    expect((await stat(file)).mode & 0o777).to.equal(0o600);
    const tokens = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(tokens).to.include({ domain: t.emu.instanceUrl, client_id: key, instance_url: t.emu.instanceUrl });
    expect(tokens.access_token).to.match(/^00D\w+!/);
    expect(tokens.refresh_token).to.be.a('string');

    // The access token works on the API, and the refresh token gets new access tokens (PingOne's use of it).
    const info = await fetch(`${t.emu.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(((await info.json()) as { preferred_username: string }).preferred_username).to.equal(t.emu.adminUsername);
    const refreshed = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: key, client_secret: secret }),
    });
    expect(refreshed.status).to.equal(200);
    const limits = await fetch(`${t.emu.instanceUrl}/services/data/v66.0/limits`, { headers: { Authorization: `Bearer ${((await refreshed.json()) as { access_token: string }).access_token}` } });
    expect(limits.status).to.equal(200);

    // Nowhere else: not in stdout, stderr, the --json result or any file under HOME (the sf log at trace level).
    const files = await filesUnder(t.home);
    expect(files.filter((f) => f.endsWith('.log')), 'the run wrote a log file').to.not.be.empty;
    for (const s of [tokens.access_token, tokens.refresh_token, secret]) {
      expect(run.stdout + run.stderr).to.not.contain(s);
      for (const f of files) {
        // eslint-disable-next-line no-await-in-loop
        expect(await readFile(f, 'utf8'), f).to.not.contain(s);
      }
    }

    // The file is never overwritten: a second run stops before anyone logs in.
    const again = await authorize([...baseArgs(key, port, file), '--json']);
    expect(again.code).to.equal(1);
    expect(again.json!.name).to.equal('OutputFileExistsError');
    expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal(tokens);
  });

  it('warns, with the fix, when the app does not keep refresh tokens until revoked (--target-org)', async () => {
    const port = await freePort();
    const { name, key } = await createApp(port, { refreshPolicy: 'Zero' });
    const file = join(dir, 'zero.json');
    const run = await authorize([...baseArgs(key, port, file), '--target-org', 'emu'], { decision: 'allow' });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.contain(`The app ${name} expires its refresh tokens (refresh token policy: expire immediately)`);
    expect(run.stderr).to.contain(`sf provision app create --name ${name} --refresh-token-policy infinite --target-org`);
    expect(run.stdout).to.contain(t.emu.adminUsername);
    const tokens = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    for (const s of [tokens.access_token, tokens.refresh_token, secret]) expect(run.stdout + run.stderr).to.not.contain(s);
  });

  it('warns when the refresh_token scope was not asked for, and no refresh token came back', async () => {
    const port = await freePort();
    const { key } = await createApp(port);
    const file = join(dir, 'no-refresh.json');
    const run = await authorize([...baseArgs(key, port, file), '--scopes', 'api', '--json'], { decision: 'allow' });
    expect(run.code, run.stderr).to.equal(0);
    expect(run.json!.result).to.deep.include({ refreshTokenIssued: false, scopes: ['api'] });
    expect((run.json!.warnings ?? []).join('\n')).to.contain('--scopes api,refresh_token');
    const tokens = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    expect(tokens.refresh_token).to.equal(undefined);
  });

  it('the user pressing Deny: AccessDenied with the fix, and no file', async () => {
    const port = await freePort();
    const { key } = await createApp(port);
    const file = join(dir, 'denied.json');
    const run = await authorize([...baseArgs(key, port, file), '--json'], { decision: 'deny' });
    expect(run.code).to.equal(1);
    expect(run.callbackStatus).to.equal(400);
    expect(run.json).to.deep.include({ name: 'AccessDenied' });
    expect(run.json!.actions!.join('\n')).to.contain('press Allow');
    await stat(file).then(
      () => expect.fail('no file expected'),
      () => undefined
    );
  });

  it('the app requires its secret: SecretRequired after the browser came back; a callback URL the app lacks is refused before the browser (--target-org)', async () => {
    const port = await freePort();
    const { key } = await createApp(port);
    const noSecret = await authorize(['--domain', t.emu.instanceUrl, '--client-id', key, '--callback-port', String(port), '--output-file', join(dir, 's.json'), '--json'], { decision: 'allow' });
    expect(noSecret.code).to.equal(1);
    expect(noSecret.json!.name).to.equal('SecretRequired');
    expect(noSecret.json!.actions!.join('\n')).to.contain('--client-secret-env');

    const other = await createApp(port, { callbackUrl: 'https://login.pingone.com/cb' });
    const mismatch = await authorize([...baseArgs(other.key, port, join(dir, 'm.json')), '--target-org', 'emu', '--json']);
    expect(mismatch.code).to.equal(1);
    expect(mismatch.json!.name).to.equal('RedirectUriMismatch');
    expect(mismatch.json!.actions!.join('\n')).to.contain(`--callback-url http://localhost:${port}/OauthRedirect`);
    expect(mismatch.stderr).to.not.contain('/services/oauth2/authorize?');
  });

  it('a port in use and an output folder that does not exist are refused before anything else', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const { key } = await createApp(port);
      const run = await authorize([...baseArgs(key, port, join(dir, 'p.json')), '--json']);
      expect(run.json!.name).to.equal('PortInUseError');
      const missing = await authorize([...baseArgs(key, port, join(dir, 'nope', 'p.json')), '--json']);
      expect(missing.json!.name).to.equal('OutputDirMissingError');
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });
});
