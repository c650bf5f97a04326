/*
 * npm run demo: starts an emulated org with a realistic seed, logs in to it the way `sf org login access-token`
 * does (under a throw-away HOME), and sets up the Salesforce side of JumpCloud (SAML single sign-on plus SCIM user
 * provisioning) from its desired-state file, examples/jumpcloud/provision.yaml, with the real commands through
 * bin/run.js: the plan (a diff against the org; --detailed-exitcode exits 2: changes planned), the apply, the SP
 * metadata to upload to JumpCloud, a second apply that changes nothing, and a drift check that exits 0.
 *
 * The file turns SAML on, creates the JumpCloud configuration from JumpCloud's IdP metadata with users matched by
 * their Salesforce username (JumpCloud's SCIM integration never fills the Federation ID, so identity type Federation
 * ID would lock out every user it creates), keeps JIT off (SCIM creates the users), adds the login-page button and
 * aligns the State/Country integration values with the ISO codes SCIM sends.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrgEmulator } from '../test/emulator/server.js';
import { isolatedEnv, loginWithAccessToken, ROOT, useHome } from '../test/helpers/harness.js';

const FILE = 'examples/jumpcloud/provision.yaml';

const step = (text: string): void => {
  process.stdout.write(`\n=== ${text}\n`);
};

const run = (args: string[], env: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    process.stdout.write(`$ sf ${args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ')}\n`);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });

const emu = await OrgEmulator.start({ seed: join(ROOT, 'test', 'emulator', 'seeds', 'demo.json') });
const home = await mkdtemp(join(tmpdir(), 'provision-demo-'));
let exitCode = 0;
try {
  step(`Emulated org "${emu.orgName}" listening at ${emu.instanceUrl}`);
  await useHome(home);
  process.emitWarning = (() => undefined) as typeof process.emitWarning;
  const username = await loginWithAccessToken(emu.instanceUrl, emu.accessToken, 'demo');
  step(`Logged in as ${username} (alias "demo"), as sf org login access-token does`);
  const env = isolatedEnv(home);
  const out = await mkdtemp(join(tmpdir(), 'provision-demo-out-'));
  const org = ['--target-org', 'demo'];
  step(`The desired-state file, ${FILE}`);
  process.stdout.write(await readFile(join(ROOT, FILE), 'utf8'));
  // [title, command, the exit code it should end with]
  const steps: Array<[string, string[], number]> = [
    ['Identity setup of the org before', ['provision', 'status', ...org], 0],
    [
      '1. What the file would change in the org (exit code 2: changes planned)',
      ['provision', 'plan', '--file', FILE, '--detailed-exitcode', ...org],
      2,
    ],
    ['2. ... applied, in one ordered pass', ['provision', 'apply', '--file', FILE, ...org], 0],
    [
      '3. The SP metadata to upload to JumpCloud',
      ['provision', 'sso', 'sp-metadata', '--name', 'JumpCloud', '--output-file', join(out, 'jumpcloud-sp-metadata.xml'), ...org],
      0,
    ],
    ['4. The same file again: nothing to change', ['provision', 'apply', '--file', FILE, ...org], 0],
    [
      '5. A drift check, as a scheduled pipeline runs it (exit code 0: the org matches the file)',
      ['provision', 'plan', '--file', FILE, '--detailed-exitcode', ...org],
      0,
    ],
    ['Identity setup of the org after', ['provision', 'status', ...org], 0],
    [
      "6. An audit of the org it set up (exit code 1: the seed's Okta configuration matches users by Federation ID, and they have none)",
      ['provision', 'audit', ...org],
      1,
    ],
    ['7. The fixes the audit can make itself, planned', ['provision', 'audit', '--fix', '--dry-run', ...org], 0],
    ['8. ... and made', ['provision', 'audit', '--fix', ...org], 0],
    ['9. The audit again (notes at most: exit code 0)', ['provision', 'audit', ...org], 0],
    ['10. Breaking it: SAML single sign-on turned off', ['provision', 'sso', 'disable', ...org], 0],
    ['11. The audit of the broken org, as a pull-request comment (exit code 1)', ['provision', 'audit', '--format', 'markdown', ...org], 1],
    ['12. ... and its fix, planned', ['provision', 'audit', '--fix', '--dry-run', ...org], 0],
  ];
  for (const [title, args, expected] of steps) {
    step(title);
    // eslint-disable-next-line no-await-in-loop
    const code = await run(args, env);
    if (expected !== 0 || code !== 0) process.stdout.write(`(exit code ${code})\n`);
    if (code !== expected) {
      process.stdout.write(`Expected exit code ${expected}: stopping here.\n`);
      exitCode = code || 1;
      break;
    }
  }
  await rm(out, { recursive: true, force: true });
  step(`API calls the emulator counted: ${JSON.stringify(emu.counters)}`);
} finally {
  await emu.stop();
  await rm(home, { recursive: true, force: true });
}
process.exit(exitCode);
