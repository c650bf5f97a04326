/*
 * `records sync` benchmark: API calls, wall time and memory of one `runSync` against the org emulator with a fixed
 * latency per call (50 ms by default), next to the per-event way (one lookup and one write per record).
 *
 *   npm run bench -- records [--sizes 1000,10000,100000] [--memory-rows 1000000] [--latency 50] [--sample 100]
 *                            [--check] [--out tmp/bench/records.json]
 *
 * Calls and time, for each size N: a fresh emulator; N/2 Leads put straight into its store (no API calls) with
 * Title "Old title"; a CSV of N people (Email, FirstName, LastName, Company, Title "New title"): the N/2 already there
 * (updates) and N/2 new (creates). One runSync in a child process (records-child.ts, the built plugin in lib/), so
 * the emulator's own work runs on the other core and the child's memory is the sync's. Every request the emulator
 * counted during the run is put in a phase (describe, limits, COUNT query, IN-list query, Collections create/update,
 * bulk query job, bulk ingest job: create/upload/close/status/results), which the table's notes and the JSON give.
 *
 * The minimum for the API used (planning queries: the describe that checks the map against the object's fields, which
 * the issue requires, and, where the run chose between IN lists and a bulk query, the COUNT() that the choice needs):
 *   - Collections path: 1 describe + the IN-list queries the N keys need (the engine's own inLists(), URLs under 11,000
 *     characters) + ceil(N/200) Collections calls.
 *   - Bulk path: per ingest job (one insert, one update) open + upload + close + one status check + the three result
 *     sets (successful, failed, unprocessed) = 7; for planning by one bulk query job, create + one status check + its
 *     result pages (at least 1); by IN lists, as above. Extra status checks (polls) are over the minimum.
 *   Anything else the engine makes (a second describe, /limits, extra polls) is over the minimum.
 *
 * Per-event way: calls = 2N (a lookup query and a create or update per record). Its time is measured on a sample
 * (--sample records, half existing, against the same emulator after the run, one call at a time) and extrapolated to
 * N; the table also gives 2N x latency.
 *
 * Memory: a CSV of --memory-rows people, all new (so all creates through one Bulk API 2.0 insert job), through the
 * same child; its peak RSS (process.resourceUsage().maxRSS, node and tsx included) is the figure. The emulator, which
 * holds every record and the whole upload, is in the parent and not counted. 1,000,000 rows by default (about 80 s
 * on 2 cores; --memory-rows 0 skips it). The whole default run takes about 3 minutes.
 *
 * --check exits 1 when a goal is missed: calls / minimum <= 1.1, per-event calls / run calls >= 50, peak RSS < 300 MB.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Connection as JsforceConnection } from '@jsforce/jsforce-node';
import { OrgEmulator, type RequestLogEntry } from '../../test/emulator/server.js';
import type { inLists as inListsType } from '../../src/provision/records/sync.js';
import { machine, markdownTable } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'scripts', 'bench', 'records-child.ts');
const API_VERSION = '66.0';
const MB = 1024 * 1024;

export const description = 'records sync: API calls vs the minimum (goal <= 1.1x) and vs one call per record (goal >= 50x fewer), peak memory of a large bulk sync (goal < 300 MB)';

const GOALS = { callsRatio: 1.1, perEventFactor: 50, peakRssMb: 300 };

type ChildOutput = {
  result: {
    rows: number;
    counts: Record<string, number>;
    estimate: { planning: string; planningCalls: number; writing: string; writeCalls: number };
    apiCalls: number;
  };
  problems: unknown[];
  clientCalls: number;
  retries: number;
  wallMs: number;
  maxRssBytes: number;
  sampledPeakRssBytes: number;
  baselineRssBytes: number;
};

type SizeResult = {
  n: number;
  planning: string;
  writing: string;
  emulatorCalls: number;
  clientCalls: number;
  byPhase: Record<string, number>;
  minimum: number;
  minimumHow: string;
  callsRatio: number;
  wallMs: number;
  counts: Record<string, number>;
  verified: { created: number; updated: number; leads: number };
  perEvent: { calls: number; sampleRecords: number; sampleCalls: number; sampleMs: number; extrapolatedMs: number; fromLatencyMs: number; factor: number };
  maxRssMb: number;
};

type MemoryResult = { rows: number; wallMs: number; emulatorCalls: number; clientCalls: number; byPhase: Record<string, number>; maxRssMb: number; sampledPeakRssMb: number; baselineRssMb: number; created: number; emulatorRssMb: number };

const email = (prefix: string, i: number): string => `${prefix}${String(i).padStart(7, '0')}@bench.example.com`;

/** Writes the CSV by streaming (backpressure respected), so the parent does not hold the file either. */
const writeCsv = async (file: string, n: number, prefix: string): Promise<void> => {
  const out = createWriteStream(file);
  const write = (s: string): Promise<void> | undefined => (out.write(s) ? undefined : new Promise((r) => out.once('drain', () => r())));
  await write('Email,FirstName,LastName,Company,Title\n');
  for (let i = 0; i < n; i++) {
    const wait = write(`${email(prefix, i)},First${i},Last${i},Company ${i % 1000},New title\n`);
    // eslint-disable-next-line no-await-in-loop
    if (wait) await wait;
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
};

/** Leads put straight into the emulator's store (no API call): the ones the sync will update. */
const seedLeads = (emu: OrgEmulator, prefix: string, from: number, to: number): void => {
  for (let i = from; i < to; i++) {
    emu.store.createSystem('Lead', { Email: email(prefix, i), FirstName: `First${i}`, LastName: `Last${i}`, Company: `Company ${i % 1000}`, Title: 'Old title' });
  }
};

const startEmulator = async (latencyMs: number): Promise<OrgEmulator> => {
  const emu = await OrgEmulator.start({ latencyMs });
  emu.dailyApiMax = 1_000_000_000;
  return emu;
};

const ingestPhase = (e: RequestLogEntry, p: string): string => {
  if (p === '/jobs/ingest') return e.method === 'POST' ? 'ingest: create job' : 'ingest: list jobs';
  if (p.endsWith('/batches')) return 'ingest: upload';
  if (/\/(successfulResults|failedResults|unprocessedrecords)$/.test(p)) return 'ingest: result sets';
  return e.method === 'PATCH' ? 'ingest: close' : 'ingest: status check';
};

const bulkQueryPhase = (p: string): string => {
  if (p === '/jobs/query') return 'bulk query: create job';
  if (p.endsWith('/results')) return 'bulk query: result pages';
  return 'bulk query: status check';
};

const queryPhase = (e: RequestLogEntry): string => {
  const q = new URLSearchParams(e.search).get('q') ?? '';
  if (/SELECT\s+COUNT\(\)/i.test(q)) return 'COUNT() query (planning choice)';
  if (/\sIN\s*\(/i.test(q)) return /FROM\s+Contact/i.test(q) ? 'IN-list query (Contacts)' : 'IN-list query';
  return 'other query';
};

/** The phase of a counted request (see the header). */
const phaseOf = (e: RequestLogEntry): string | undefined => {
  if (e.api === 'other' || e.api === 'oauth') return undefined;
  const p = e.path.replace(/^\/services\/data\/v\d+\.\d/, '').replace(/\/$/, '');
  if (/^\/sobjects\/\w+\/describe$/.test(p)) return 'describe';
  if (p === '/limits') return 'limits';
  if (p === '/query') return queryPhase(e);
  if (p.startsWith('/query/')) return 'queryMore';
  if (p === '/composite/sobjects') return `Collections ${e.method === 'POST' ? 'create' : e.method === 'PATCH' ? 'update' : 'delete'}`;
  if (p.startsWith('/jobs/ingest')) return ingestPhase(e, p);
  if (p.startsWith('/jobs/query')) return bulkQueryPhase(p);
  return `${e.method} ${p}`;
};

const phases = (entries: RequestLogEntry[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const e of entries) {
    const ph = phaseOf(e);
    if (ph) out[ph] = (out[ph] ?? 0) + 1;
  }
  return out;
};

/** The minimum calls for the API the run used, and how it was counted. */
const minimumOf = (n: number, keys: string[], planning: string, writing: string, byPhase: Record<string, number>, inLists: typeof inListsType): { minimum: number; how: string } => {
  const inCalls = inLists(keys).length;
  let planMin: number;
  let planHow: string;
  if (planning === 'bulk-query') {
    const pages = Math.max(1, byPhase['bulk query: result pages'] ?? 0);
    planMin = 1 + 1 + 2 + pages;
    planHow = `describe + COUNT() + bulk query job (create + 1 status + ${pages} result page(s)) = ${planMin}`;
  } else {
    planMin = 1 + inCalls;
    planHow = `describe + ${inCalls} IN-list queries`;
  }
  if (writing === 'bulk') {
    const jobs = byPhase['ingest: create job'] ?? 2;
    return { minimum: planMin + 7 * jobs, how: `${planHow} + ${jobs} ingest job(s) x 7 (open, upload, close, 1 status, 3 result sets)` };
  }
  return { minimum: planMin + Math.ceil(n / 200), how: `${planHow} + ceil(${n}/200) = ${Math.ceil(n / 200)} Collections calls` };
};

const runChild = (input: Record<string, unknown>): Promise<ChildOutput> =>
  new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(input)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`records-child exited with ${String(code)}:\n${stderr}`));
      else resolveRun(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as ChildOutput);
    });
  });

/** The per-event way on a sample: per record, a lookup query, then a create or an update, one call at a time. */
const perEventSample = async (emu: OrgEmulator, records: number): Promise<{ calls: number; ms: number }> => {
  seedLeads(emu, 'event', 0, Math.floor(records / 2));
  const conn = new JsforceConnection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: API_VERSION });
  const before = emu.counters.total;
  const start = performance.now();
  for (let i = 0; i < records; i++) {
    const e = email('event', i);
    // eslint-disable-next-line no-await-in-loop
    const found = await conn.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Email = '${e}'`);
    const values = { Email: e, FirstName: `First${i}`, LastName: `Last${i}`, Company: `Company ${i % 1000}`, Title: 'New title' };
    // eslint-disable-next-line no-await-in-loop
    if (found.records.length) await conn.sobject('Lead').update({ Id: found.records[0].Id, ...values });
    // eslint-disable-next-line no-await-in-loop
    else await conn.sobject('Lead').create(values);
  }
  return { calls: emu.counters.total - before, ms: performance.now() - start };
};

const measureSize = async (n: number, latencyMs: number, sample: number, dir: string, inLists: typeof inListsType): Promise<SizeResult> => {
  const prefix = `p${n}-`;
  const file = join(dir, `people-${n}.csv`);
  await writeCsv(file, n, prefix);
  const emu = await startEmulator(latencyMs);
  try {
    const existing = Math.floor(n / 2);
    seedLeads(emu, prefix, 0, existing);
    const firstRequest = emu.requests.length;
    const totalBefore = emu.counters.total;
    process.stderr.write(`records: ${n} rows (${existing} existing), sync...\n`);
    const out = await runChild({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, file });
    const emulatorCalls = emu.counters.total - totalBefore;
    const byPhase = phases(emu.requests.slice(firstRequest));
    const leads = emu.store.records('Lead').filter((r) => String(r.Email).startsWith(prefix));
    const verified = {
      leads: leads.length,
      created: leads.filter((r) => r.Title === 'New title' && Number(String(r.Email).slice(prefix.length, prefix.length + 7)) >= existing).length,
      updated: leads.filter((r) => r.Title === 'New title' && Number(String(r.Email).slice(prefix.length, prefix.length + 7)) < existing).length,
    };
    const keys = Array.from({ length: n }, (_, i) => email(prefix, i));
    const { minimum, how } = minimumOf(n, keys, out.result.estimate.planning, out.result.estimate.writing, byPhase, inLists);
    process.stderr.write(`records: ${n} rows done in ${(out.wallMs / 1000).toFixed(1)} s, ${emulatorCalls} calls; per-event sample of ${sample}...\n`);
    const s = await perEventSample(emu, sample);
    const perEventCalls = 2 * n;
    return {
      n,
      planning: out.result.estimate.planning,
      writing: out.result.estimate.writing,
      emulatorCalls,
      clientCalls: out.clientCalls,
      byPhase,
      minimum,
      minimumHow: how,
      callsRatio: emulatorCalls / minimum,
      wallMs: out.wallMs,
      counts: out.result.counts,
      verified,
      perEvent: {
        calls: perEventCalls,
        sampleRecords: sample,
        sampleCalls: s.calls,
        sampleMs: s.ms,
        extrapolatedMs: (s.ms / sample) * n,
        fromLatencyMs: perEventCalls * latencyMs,
        factor: perEventCalls / emulatorCalls,
      },
      maxRssMb: out.maxRssBytes / MB,
    };
  } finally {
    await emu.stop();
    await rm(file, { force: true });
  }
};

const measureMemory = async (rows: number, latencyMs: number, dir: string): Promise<MemoryResult> => {
  const file = join(dir, `people-mem-${rows}.csv`);
  process.stderr.write(`records: memory run, writing a CSV of ${rows} rows...\n`);
  await writeCsv(file, rows, 'm-');
  const emu = await startEmulator(latencyMs);
  try {
    const firstRequest = emu.requests.length;
    const totalBefore = emu.counters.total;
    process.stderr.write(`records: memory run, sync of ${rows} new Leads through Bulk API 2.0...\n`);
    const out = await runChild({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, file });
    return {
      rows,
      wallMs: out.wallMs,
      emulatorCalls: emu.counters.total - totalBefore,
      clientCalls: out.clientCalls,
      byPhase: phases(emu.requests.slice(firstRequest)),
      maxRssMb: out.maxRssBytes / MB,
      sampledPeakRssMb: out.sampledPeakRssBytes / MB,
      baselineRssMb: out.baselineRssBytes / MB,
      created: out.result.counts.succeeded,
      emulatorRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await emu.stop();
    await rm(file, { force: true });
  }
};

const fmtInt = (v: number): string => Math.round(v).toLocaleString('en-US');
const fmtS = (ms: number): string => (ms >= 100_000 ? `${fmtInt(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);
const fmtDuration = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 120_000 ? `${(ms / 60_000).toFixed(0)} min` : fmtS(ms));

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1000,10000,100000' },
      'memory-rows': { type: 'string' },
      latency: { type: 'string', default: '50' },
      sample: { type: 'string', default: '100' },
      check: { type: 'boolean', default: false },
      out: { type: 'string', default: join('tmp', 'bench', 'records.json') },
    },
    strict: true,
  });
  const sizes = values.sizes.split(',').filter(Boolean).map(Number);
  const latencyMs = Number(values.latency);
  const sample = Number(values.sample);
  const memoryRows = Number(values['memory-rows'] ?? 1_000_000);
  if (sizes.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--sizes must be integers of 2 or more, not ${values.sizes}`);
  if (!(latencyMs >= 0) || !Number.isInteger(sample) || sample < 2 || !Number.isInteger(memoryRows) || memoryRows < 0) throw new Error('bad --latency, --sample or --memory-rows');

  const { inLists } = (await import(pathToFileURL(join(ROOT, 'lib', 'provision', 'records', 'sync.js')).href)) as { inLists: typeof inListsType };
  const dir = await mkdtemp(join(tmpdir(), 'provision-bench-records-'));
  const before = machine();
  const started = new Date();
  const results: SizeResult[] = [];
  let memory: MemoryResult | undefined;
  try {
    // eslint-disable-next-line no-await-in-loop
    for (const n of sizes) results.push(await measureSize(n, latencyMs, sample, dir, inLists));
    if (memoryRows > 0) memory = await measureMemory(memoryRows, latencyMs, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const misses: string[] = [];
  const table = markdownTable(
    ['Leads (half updates)', 'path (planning / writes)', 'API calls (client)', 'minimum', 'ratio (≤ 1.1)', 'wall time', 'per-event calls (2N)', 'per-event time (sample → N; 2N × latency)', 'fewer calls (≥ 50×)', 'child peak RSS'],
    results.map((r) => {
      if (r.callsRatio > GOALS.callsRatio) misses.push(`${fmtInt(r.n)} Leads: ${r.emulatorCalls} calls for a minimum of ${r.minimum} (${r.callsRatio.toFixed(2)}x)`);
      if (r.perEvent.factor < GOALS.perEventFactor) misses.push(`${fmtInt(r.n)} Leads: only ${r.perEvent.factor.toFixed(0)}x fewer calls than per-event`);
      return [
        fmtInt(r.n),
        `${r.planning} / ${r.writing}`,
        `${fmtInt(r.emulatorCalls)} (${fmtInt(r.clientCalls)})`,
        fmtInt(r.minimum),
        r.callsRatio.toFixed(2),
        fmtS(r.wallMs),
        fmtInt(r.perEvent.calls),
        `${fmtDuration(r.perEvent.extrapolatedMs)}; ${fmtDuration(r.perEvent.fromLatencyMs)}`,
        `${fmtInt(r.perEvent.factor)}×`,
        `${r.maxRssMb.toFixed(0)} MB`,
      ];
    })
  );
  const phaseLines = results.map(
    (r) =>
      `- ${fmtInt(r.n)}: ${Object.entries(r.byPhase)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. Minimum: ${r.minimumHow}. Outcome: ${r.counts.create} created, ${r.counts.update} updated, ${r.counts.failed} failed (store: ${r.verified.created} created, ${r.verified.updated} updated).`
  );
  let memoryTable = '';
  if (memory) {
    if (memory.maxRssMb >= GOALS.peakRssMb) misses.push(`${fmtInt(memory.rows)}-row bulk sync: peak RSS ${memory.maxRssMb.toFixed(0)} MB`);
    memoryTable = markdownTable(
      ['new Leads (bulk insert)', 'peak RSS (maxRSS) (< 300 MB)', 'RSS before the sync', 'sampled peak', 'wall time', 'API calls (client)', 'created'],
      [
        [
          fmtInt(memory.rows),
          `${memory.maxRssMb.toFixed(0)} MB`,
          `${memory.baselineRssMb.toFixed(0)} MB`,
          `${memory.sampledPeakRssMb.toFixed(0)} MB`,
          fmtS(memory.wallMs),
          `${fmtInt(memory.emulatorCalls)} (${fmtInt(memory.clientCalls)})`,
          fmtInt(memory.created),
        ],
      ]
    );
  }
  const after = machine();
  process.stdout.write(
    [
      `Machine: ${before}`,
      `After: load average ${after.replace(/.*load average /, '')}`,
      `Date: ${started.toISOString()}; emulator latency ${latencyMs} ms per call; runSync in a child process (lib/), the emulator in this one.`,
      '',
      table,
      '',
      'Calls by phase (emulator counters):',
      ...phaseLines,
      '',
      ...(memory ? [memoryTable, '', `Memory: the child's maxRSS (node + tsx + the sync); the emulator (parent, holding the records and the upload; its maxRSS over the whole benchmark) reached ${memory.emulatorRssMb.toFixed(0)} MB and is not counted. Calls by phase: ${Object.entries(memory.byPhase).map(([k, v]) => `${k} ${v}`).join(', ')}.`, ''] : []),
      misses.length ? `Goals missed:\n${misses.map((m) => `- ${m}`).join('\n')}` : 'All goals met.',
      '',
    ].join('\n')
  );
  const outFile = resolve(ROOT, values.out);
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, `${JSON.stringify({ date: started.toISOString(), machine: before, latencyMs, goals: GOALS, sizes: results, memory, misses }, undefined, 2)}\n`);
  process.stderr.write(`records: results in ${outFile}\n`);
  return values.check && misses.length ? 1 : 0;
}
