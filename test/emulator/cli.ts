/*
 * npm run emulator -- --port <n> [--seed <file.json>] [--latency-ms <n>] [--fault-rate <0..1>] [--verbose]
 * Runs an emulated org in the foreground; once ready prints exactly one JSON line to stdout:
 * {"instanceUrl": ..., "accessToken": ..., "username": ..., "orgId": ...}
 */
import { parseArgs } from 'node:util';
import { OrgEmulator } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    'latency-ms': { type: 'string', default: '0' },
    'fault-rate': { type: 'string', default: '0' },
    'fault-seed': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const num = (name: string, value: string | undefined, min: number, max: number): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number from ${min} to ${max}\n`);
    process.exit(2);
  }
  return n;
};

const emu = await OrgEmulator.start({
  port: num('port', values.port, 0, 65535),
  host: values.host,
  seed: values.seed,
  latencyMs: num('latency-ms', values['latency-ms'], 0, 60_000),
  faultRate: num('fault-rate', values['fault-rate'], 0, 1),
  faultSeed: values['fault-seed'] ? num('fault-seed', values['fault-seed'], 0, 2 ** 32) : undefined,
  onRequest: values.verbose ? (e): void => void process.stderr.write(`${e.status} ${e.method} ${e.path}${decodeURIComponent(e.search.replace(/\+/g, ' '))} (${e.api})\n`) : undefined,
});

process.stdout.write(
  `${JSON.stringify({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, username: emu.adminUsername, orgId: emu.orgId })}\n`
);

const shutdown = (): void => {
  void emu.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
