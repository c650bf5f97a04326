/*
 * Secrets never reach the CLI's log file, even at trace level: run `app create`, `app rotate-secret`,
 * `connection test` and `connection token --output-file` as subprocesses with the sf log file on and
 * SF_LOG_LEVEL=trace, then scan every file the run left under HOME (except the 0600 files the user asked for).
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { filesUnder } from '../helpers/plan.js';

describe('secrets stay out of log files', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  const logEnv = { SF_DISABLE_LOG_FILE: 'false', SF_LOG_LEVEL: 'trace', SFDX_LOG_LEVEL: 'trace' };

  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'provision-secrets-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('app create, rotate-secret, connection test and token log at trace level without the secret or the token', async () => {
    const secretFile = join(dir, 'first.secret');
    const created = await t.runJson<{ consumerKey: string }>(
      ['provision', 'app', 'create', '--target-org', 'emu', '--name', 'Lead_Sync', '--scopes', 'api', '--client-credentials-user', t.emu.adminUsername, '--contact-email', 'ops@acme.test', '--secret-file', secretFile],
      { env: logEnv }
    );
    expect(created.code, created.stderr).to.equal(0);
    const first = (await readFile(secretFile, 'utf8')).trim();
    expect((await stat(secretFile)).mode & 0o777).to.equal(0o600);

    const rotatedFile = join(dir, 'rotated.secret');
    const rotated = await t.run(['provision', 'app', 'rotate-secret', '--target-org', 'emu', '--name', 'Lead_Sync', '--secret-file', rotatedFile], { env: logEnv });
    expect(rotated.code, rotated.stderr).to.equal(0);
    const second = (await readFile(rotatedFile, 'utf8')).trim();
    expect(second).to.not.equal(first);

    const env = { ...logEnv, LEAD_SYNC_SECRET: second };
    const args = ['--domain', t.emu.instanceUrl, '--client-id', created.json.result.consumerKey, '--client-secret-env', 'LEAD_SYNC_SECRET'];
    const tested = await t.run(['provision', 'connection', 'test', ...args], { env });
    expect(tested.code, tested.stderr).to.equal(0);
    const tokenFile = join(dir, 'token');
    const tokened = await t.run(['provision', 'connection', 'token', ...args, '--output-file', tokenFile], { env });
    expect(tokened.code, tokened.stderr).to.equal(0);
    const accessToken = (await readFile(tokenFile, 'utf8')).trim();
    expect(accessToken.length).to.be.greaterThan(20);

    const files = await filesUnder(t.home);
    const logs = files.filter((f) => f.endsWith('.log'));
    expect(logs, 'the runs wrote a log file').to.not.be.empty;
    const printed = [created, rotated, tested, tokened].map((r) => r.stdout + r.stderr).join('\n');
    for (const secret of [first, second, accessToken]) {
      expect(printed).to.not.contain(secret);
      for (const f of files) {
        // eslint-disable-next-line no-await-in-loop
        expect(await readFile(f, 'utf8'), f).to.not.contain(secret);
      }
    }
  });
});
