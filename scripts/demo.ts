/*
 * npm run demo: starts an emulated org with a realistic seed, logs in to it the way `sf org login access-token`
 * does (under a throw-away HOME), and walks through the Salesforce side of a JumpCloud SAML setup with the real
 * commands through bin/run.js: certificate, SAML on, configuration from JumpCloud's IdP metadata, SP metadata
 * written for JumpCloud, JIT off (JumpCloud provisions users through SCIM), the login-page button, State/Country
 * integration values aligned to ISO codes, and a second run that changes nothing.
 *
 * The configuration matches users by their Salesforce username (identity type Username), as JumpCloud's Salesforce
 * guide says for SCIM provisioning: its SCIM integration never fills the Federation ID, so identity type Federation ID
 * would lock out every user it creates.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrgEmulator } from '../test/emulator/server.js';
import { isolatedEnv, loginWithAccessToken, ROOT, useHome } from '../test/helpers/harness.js';

const step = (text: string): void => {
  process.stdout.write(`\n=== ${text}\n`);
};

const run = (args: string[], env: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    process.stdout.write(`$ sf ${args.join(' ')}\n`);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { env, stdio: 'inherit' });
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
  const metadata = join(ROOT, 'test', 'fixtures', 'saml', 'jumpcloud.xml');
  const org = ['--target-org', 'demo'];
  // JumpCloud's SCIM never fills User.FederationIdentifier: match its assertions to the Salesforce username.
  const jumpcloud = ['--name', 'JumpCloud', '--idp-metadata', metadata, '--identity-type', 'Username', '--request-signing-cert', 'JumpCloud SAML'];
  const steps: Array<[string, string[]]> = [
    ['Identity setup of the org before', ['provision', 'status', ...org]],
    ['1. A self-signed certificate for signing SAML requests', ['provision', 'cert', 'create', '--label', 'JumpCloud SAML', ...org]],
    ['2. SAML single sign-on on (already on in this org: no change)', ['provision', 'sso', 'enable', ...org]],
    ['3. The plan for the JumpCloud configuration, from its IdP metadata, users matched by username (dry run)', ['provision', 'sso', 'configure', ...jumpcloud, '--dry-run', ...org]],
    ['4. ... applied', ['provision', 'sso', 'configure', ...jumpcloud, ...org]],
    ['5. The SP metadata to upload to JumpCloud', ['provision', 'sso', 'sp-metadata', '--name', 'JumpCloud', '--output-file', join(out, 'jumpcloud-sp-metadata.xml'), ...org]],
    ['6. JIT off: JumpCloud creates users through SCIM', ['provision', 'jit', 'disable', '--name', 'JumpCloud', ...org]],
    ['7. The JumpCloud button on the login page', ['provision', 'login-page', 'add', '--sso', 'JumpCloud', ...org]],
    ['8. State/Country integration values set to the ISO codes SCIM sends', ['provision', 'picklists', 'align', '--integration-values', 'iso', '--countries', 'US,CA,GB,DE,FR', ...org]],
    ['9. The same configuration again: nothing to change', ['provision', 'sso', 'configure', ...jumpcloud, ...org]],
    ['Identity setup of the org after', ['provision', 'status', ...org]],
  ];
  for (const [title, args] of steps) {
    step(title);
    // eslint-disable-next-line no-await-in-loop
    const code = await run(args, env);
    if (code !== 0) {
      exitCode = code;
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
