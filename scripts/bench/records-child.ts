/*
 * Child process of the `records` benchmark: one `runSync` against an emulated org that lives in the parent process,
 * so this process's memory high-water mark is the sync's alone (plus node and tsx), not the emulator's.
 *
 *   node --import tsx scripts/bench/records-child.ts '<json: { instanceUrl, accessToken, file, bulkThreshold? }>'
 *
 * Uses the built plugin (lib/, as `npm run bench` builds it). Prints one JSON line on stdout: the SyncResult (without
 * its problems list), client.calls, the wall time of runSync, and memory (process.resourceUsage().maxRSS, the RSS
 * sampled every 25 ms, and the RSS before the sync started).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection as JsforceConnection } from '@jsforce/jsforce-node';
import type { OrgClient as OrgClientType } from '../../src/provision/client.js';
import type { runSync as runSyncType } from '../../src/provision/records/sync.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const API_VERSION = '66.0';

type ChildInput = { instanceUrl: string; accessToken: string; file: string; bulkThreshold?: number };

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const lib = (p: string): string => pathToFileURL(join(ROOT, 'lib', p)).href;
const { OrgClient } = (await import(lib('provision/client.js'))) as { OrgClient: typeof OrgClientType };
const { runSync } = (await import(lib('provision/records/sync.js'))) as { runSync: typeof runSyncType };

// A plain jsforce Connection with the one @salesforce/core Connection method the client uses (getApiVersion): no
// login, no auth files, no extra calls.
const conn = new JsforceConnection({ instanceUrl: input.instanceUrl, accessToken: input.accessToken, version: API_VERSION });
Object.assign(conn, { getApiVersion: (): string => API_VERSION });
const client = new OrgClient(conn as unknown as ConstructorParameters<typeof OrgClient>[0]);

const rss = (): number => process.memoryUsage.rss();
const baselineRss = rss();
let sampledPeakRss = baselineRss;
const sampler = setInterval(() => {
  sampledPeakRss = Math.max(sampledPeakRss, rss());
}, 25);

const start = performance.now();
const result = await runSync(
  client,
  { object: 'Lead', file: input.file, ...(input.bulkThreshold !== undefined ? { bulkThreshold: input.bulkThreshold } : {}) },
  { dryRun: false }
);
const wallMs = performance.now() - start;
clearInterval(sampler);
sampledPeakRss = Math.max(sampledPeakRss, rss());

const { problems, ...rest } = result;
process.stdout.write(
  `${JSON.stringify({
    result: rest,
    problems: problems.slice(0, 5),
    clientCalls: client.calls,
    retries: client.retries,
    wallMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    sampledPeakRssBytes: sampledPeakRss,
    baselineRssBytes: baselineRss,
  })}\n`
);
