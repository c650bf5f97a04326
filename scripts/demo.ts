/*
 * npm run demo: starts an emulated org with a realistic seed, logs in to it the way
 * `sf org login access-token` does (under a throw-away HOME), runs `sf provision status`
 * through bin/run.js, and stops the emulator.
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
  step('Identity setup of the org');
  exitCode = await run(['provision', 'status', '--target-org', 'demo'], env);
  step(`API calls the emulator counted: ${JSON.stringify(emu.counters)}`);
} finally {
  await emu.stop();
  await rm(home, { recursive: true, force: true });
}
process.exit(exitCode);
