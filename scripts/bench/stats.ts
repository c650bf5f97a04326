/*
 * Shared helpers for the benchmark scenarios: timing a subprocess, medians, the machine description and markdown
 * tables.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** Median of the values (the mean of the middle two for an even count); NaN for none. */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export class RunFailedError extends Error {
  public constructor(public readonly command: string, public readonly status: number | null, public readonly stderr: string) {
    super(`${command} exited with ${String(status)}:\n${stderr}`);
    this.name = 'RunFailedError';
  }
}

/** Marker line the CPU_TIME_HOOK writes to stderr at exit. */
const CPU_MARKER = '@@bench-cpu-ms ';

/**
 * A node `--import` module (a data: URL) that reports the process's own CPU time (user + system, all threads) on
 * stderr at exit. CPU time is less disturbed than wall-clock time by other work on a shared machine.
 */
export const CPU_TIME_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\n${CPU_MARKER}'+((u.user+u.system)/1000).toFixed(1)+'\\n')})`;

export type Timing = {
  /** Wall-clock milliseconds from spawn to exit. */
  wallMs: number;
  /** CPU milliseconds the child reported (when it ran with CPU_TIME_HOOK). */
  cpuMs?: number;
};

/** Runs a program to its end and times it; throws when it fails. */
export const timeRun = (file: string, args: readonly string[], options: SpawnSyncOptions = {}): Timing => {
  const start = performance.now();
  const result = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...options });
  const wallMs = performance.now() - start;
  if (result.error) throw result.error;
  const stderr = String(result.stderr ?? '');
  if (result.status !== 0) throw new RunFailedError([file, ...args].join(' '), result.status, stderr);
  const cpu = stderr.split('\n').find((line) => line.startsWith(CPU_MARKER));
  return cpu === undefined ? { wallMs } : { wallMs, cpuMs: Number(cpu.slice(CPU_MARKER.length)) };
};

/** A deterministic shuffle (mulberry32), so a run's order can be repeated. */
export const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d_2b_79_f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
};

/** One line about the machine: CPU, cores, memory, OS, node, and the load average now. */
export const machine = (): string => {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, node ${process.version}; load average ${load}`;
};

/** A markdown table; columns after the first are right-aligned. */
export const markdownTable = (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string => {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(rule), ...rows.map(line)].join('\n');
};
