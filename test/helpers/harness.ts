/*
 * Test harness: an emulated org, an isolated HOME per test, a login done exactly as `sf org login access-token`
 * does it (AuthInfo.create with accessTokenOptions, then save and alias), and two ways to run a command:
 * in-process through its class, and as a subprocess through bin/run.js (NUT style).
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthInfo, ConfigAggregator, Org, StateAggregator } from '@salesforce/core';
import { OrgEmulator, type EmulatorOptions } from '../emulator/server.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Environment of a CLI run that touches nothing outside its HOME. */
export const isolatedEnv = (home: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('SF_') && !e[0].startsWith('SFDX_'))),
  HOME: home,
  USERPROFILE: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  XDG_DATA_HOME: join(home, '.local', 'share'),
  XDG_CACHE_HOME: join(home, '.cache'),
  SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
  SF_DISABLE_TELEMETRY: 'true',
  SF_DISABLE_LOG_FILE: 'true',
  SF_AUTOUPDATE_DISABLE: 'true',
  SF_SKIP_NEW_VERSION_CHECK: 'true',
  SF_HIDE_RELEASE_NOTES: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
  ...extra,
});

export type TestOrg = {
  emu: OrgEmulator;
  home: string;
  username: string;
  alias: string;
  /** An authenticated Org object (in-process). */
  org: Org;
  /** Runs bin/run.js with the isolated HOME. */
  run(args: string[], opts?: { env?: Record<string, string>; input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Runs bin/run.js with --json and parses the answer. */
  runJson<T = unknown>(args: string[], opts?: { env?: Record<string, string> }): Promise<JsonRunResult<T>>;
  close(): Promise<void>;
};

export type RunResult = { code: number | null; stdout: string; stderr: string };
export type JsonRunResult<T> = RunResult & { json: { status: number; result: T; warnings?: string[]; name?: string; message?: string; actions?: string[]; exitCode?: number } };

const previousEnv: Record<string, string | undefined> = {};

/** Points this process at an isolated HOME, so @salesforce/core reads and writes auth files there. */
export const useHome = async (home: string): Promise<void> => {
  for (const [k, v] of Object.entries(isolatedEnv(home))) {
    if (!(k in previousEnv)) previousEnv[k] = process.env[k];
    process.env[k] = v;
  }
  StateAggregator.clearInstance();
  await ConfigAggregator.clearInstance();
};

export const restoreHome = async (): Promise<void> => {
  for (const [k, v] of Object.entries(previousEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    delete previousEnv[k];
  }
  StateAggregator.clearInstance();
  await ConfigAggregator.clearInstance();
};

/** What `sf org login access-token --instance-url URL --alias A` does: validate the token against the org, save, alias. */
export const loginWithAccessToken = async (instanceUrl: string, accessToken: string, alias: string): Promise<string> => {
  const authInfo = await AuthInfo.create({ accessTokenOptions: { accessToken, instanceUrl, loginUrl: instanceUrl } });
  await authInfo.save();
  await authInfo.handleAliasAndDefaultSettings({ alias, setDefault: false, setDefaultDevHub: false });
  return authInfo.getUsername();
};

export const runBin = (args: string[], env: Record<string, string>, opts: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> =>
  new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: env.HOME ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });

/** Starts an emulated org, logs in to it under a fresh HOME and returns handles for the test. */
export const setupTestOrg = async (opts: EmulatorOptions & { alias?: string } = {}): Promise<TestOrg> => {
  const emu = await OrgEmulator.start(opts);
  const home = await mkdtemp(join(tmpdir(), 'provision-test-'));
  const alias = opts.alias ?? 'emu';
  await useHome(home);
  const username = await loginWithAccessToken(emu.instanceUrl, emu.accessToken, alias);
  const org = await Org.create({ aliasOrUsername: username });
  const env = isolatedEnv(home);
  return {
    emu,
    home,
    username,
    alias,
    org,
    run: (args, o = {}): Promise<RunResult> => runBin(args, { ...env, ...(o.env ?? {}) }, o),
    runJson: async <T>(args: string[], o: { env?: Record<string, string> } = {}): Promise<JsonRunResult<T>> => {
      const r = await runBin([...args, '--json'], { ...env, ...(o.env ?? {}) });
      let parsed: JsonRunResult<T>['json'];
      try {
        parsed = JSON.parse(r.stdout) as JsonRunResult<T>['json'];
      } catch {
        throw new Error(`Not JSON (exit ${String(r.code)}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      }
      return { ...r, json: parsed };
    },
    close: async (): Promise<void> => {
      await emu.stop();
      await restoreHome();
      await rm(home, { recursive: true, force: true });
    },
  };
};

/** A loopback port nothing listens on right now (for callback servers under test). */
export const freePort = async (): Promise<number> => {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise((done) => s.close(done));
  return port;
};

/**
 * Runs `bin/run.js` with `args` against the test org and kills it (SIGKILL, as a crashed pipeline would) once the
 * emulator has counted `writes` more writing calls; resolves when the process is gone (or ended by itself first).
 */
export const runAndKillAfterWrites = async (t: TestOrg, args: string[], writes: number, cwd: string): Promise<void> => {
  const start = t.emu.counters.writes;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd, env: isolatedEnv(t.home), stdio: 'ignore' });
  const closed = new Promise((resolveClose) => child.on('close', resolveClose));
  await new Promise<void>((resolveKill) => {
    const timer = setInterval(() => {
      if (t.emu.counters.writes - start >= writes) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolveKill();
      }
    }, 2);
    child.on('exit', () => {
      clearInterval(timer);
      resolveKill();
    });
  });
  await closed;
};
