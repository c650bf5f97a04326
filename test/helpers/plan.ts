/*
 * Helpers for testing commands that plan and apply: run a command class in-process with its UX stubbed, take a
 * fingerprint of the emulated org's state (to prove --dry-run and --output-dir change nothing), and check
 * source-format files against the Metadata API WSDL and source-deploy-retrieve's registry.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import sinon from 'sinon';
import type { OrgEmulator } from '../emulator/server.js';
import { parseXml } from '../emulator/metadata/xml.js';
import { validateComponent } from '../emulator/metadata/validate.js';

export type Ux = ReturnType<typeof stubSfCommandUx>;

/** A command class: its static run parses argv and calls the instance's run. */
type CommandClass = (new (...args: never[]) => { run(): Promise<unknown> }) & { run(argv?: string[]): Promise<unknown> };
type ResultOf<C extends CommandClass> = Awaited<ReturnType<InstanceType<C>['run']>>;

/** Runs a command class in-process; returns its result, the stubbed UX calls and the exit code it set. */
export const runCommand = async <C extends CommandClass>(cmd: C, argv: string[]): Promise<{ result: ResultOf<C>; ux: Ux; exitCode: number; output: string }> => {
  const sandbox = sinon.createSandbox();
  const ux = stubSfCommandUx(sandbox);
  stubSpinner(sandbox);
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const result = (await cmd.run(argv)) as ResultOf<C>;
    const exitCode = typeof process.exitCode === 'number' ? process.exitCode : 0;
    const output = [...ux.log.args, ...ux.logSuccess.args, ...ux.warn.args].map((a) => a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')).join('\n');
    return { result, ux, exitCode, output };
  } finally {
    process.exitCode = before;
    sandbox.restore();
  }
};

/** Runs a command class in-process and returns the error it threw (fails the test when it did not throw). */
export const runCommandError = async (cmd: CommandClass, argv: string[]): Promise<Error & { actions?: string[]; exitCode?: number }> => {
  const sandbox = sinon.createSandbox();
  stubSfCommandUx(sandbox);
  stubSpinner(sandbox);
  const before = process.exitCode;
  try {
    await cmd.run(argv);
  } catch (e) {
    return e as Error & { actions?: string[] };
  } finally {
    process.exitCode = before;
    sandbox.restore();
  }
  throw new Error(`Expected ${argv.join(' ')} to fail`);
};

/** A fingerprint of everything the org holds: metadata components (with bodies) and all records. */
export const orgFingerprint = (emu: OrgEmulator): string => {
  const hash = createHash('sha256');
  for (const [type, map] of [...emu.components.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [name, c] of [...map.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      hash.update(`${type}/${name}:${JSON.stringify(c.content)}:${c.lastModifiedDate}:${c.body?.toString('base64') ?? ''}\n`);
    }
  }
  for (const [table, rows] of [...emu.store.snapshot().tables.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${table}:${JSON.stringify([...rows.values()])}\n`);
  }
  return hash.digest('hex');
};

/** Every file below a folder (none when it does not exist). */
export const filesUnder = async (dir: string): Promise<string[]> => {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
};

/**
 * Checks every `-meta.xml` under `dir` against the WSDL (element names, order, types, required fields) and that
 * source-deploy-retrieve resolves the directory to components. Returns the components as "Type:fullName".
 */
export const validateSourceDir = async (dir: string): Promise<{ components: string[]; errors: string[] }> => {
  const errors: string[] = [];
  for (const file of (await filesUnder(dir)).filter((f) => f.endsWith('-meta.xml'))) {
    const node = parseXml(await readFile(file));
    const type = node.name;
    const problems = validateComponent(type, node, type === 'Certificate' ? ['content'] : []);
    errors.push(...problems.map((p) => `${relative(dir, file)}: ${p.message}`));
  }
  const set = ComponentSet.fromSource(dir);
  const components = set
    .getSourceComponents()
    .toArray()
    .map((c) => `${c.type.name}:${c.fullName}`)
    .sort();
  return { components, errors };
};
