/*
 * Start-up guard (issue 8): loading a command module must not load a heavy library. oclif imports a command's module
 * for `--help` (and to run it), so a heavy library imported at the top of any module in its import graph slows
 * every invocation. Heavy libraries are loaded where they are used (src/provision/lazy.ts).
 *
 * Not a timing test: one node process imports every built command module (from oclif.manifest.json, as oclif does)
 * under a module.registerHooks resolve hook that records every module resolved (import and require) and who asked
 * for it, and the test asserts that no heavy package is among them. The timings are `npm run bench -- startup`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Packages a command module must not load. (csv-stringify, xml2js and the like are not listed: @salesforce/core and
 * jsforce load them for every SfCommand, this plugin's or not.)
 */
const HEAVY_PACKAGES = [
  '@salesforce/source-deploy-retrieve',
  '@peculiar/x509',
  'reflect-metadata',
  'fast-xml-parser',
  'csv-parse',
  '@oclif/multi-stage-output',
  'jszip',
];

/** Imports each module given in argv and prints [resolved URL, URL of the module that asked for it] pairs as JSON. */
const RECORDER = `
import { registerHooks } from 'node:module';
const parents = new Map();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    if (!parents.has(result.url)) parents.set(result.url, context.parentURL);
    return result;
  },
});
for (const url of process.argv.slice(1)) await import(url);
process.stdout.write(JSON.stringify([...parents]));
`;

const packageOf = (url: string): string | undefined => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];

describe('start-up: command modules load no heavy library', () => {
  it('imports every command module without loading any of the heavy packages', function () {
    this.timeout(120_000);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, { relativePath?: string[] }>;
    };
    const modules = Object.entries(manifest.commands).map(([id, c]) => {
      expect(c.relativePath, `${id} has no relativePath in oclif.manifest.json (npm run build)`).to.be.an('array');
      return pathToFileURL(join(ROOT, ...(c.relativePath ?? []))).href;
    });
    expect(modules.length).to.be.greaterThan(0);

    const run = spawnSync(process.execPath, ['--input-type=module', '-e', RECORDER, ...modules], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    const parents = new Map(JSON.parse(run.stdout) as Array<[string, string | undefined]>);
    expect([...parents.keys()].some((url) => packageOf(url) === '@salesforce/sf-plugins-core'), 'the recorder saw the imports').to.equal(true);

    const commandModules = new Set(modules);
    /** How a module was reached: the chain of importers from a command module, one link per package. */
    const chain = (url: string): string => {
      const links = [url];
      for (let parent = parents.get(url); parent !== undefined && links.length < 100; parent = parents.get(parent)) {
        links.push(parent);
        if (commandModules.has(parent)) break;
      }
      const names = links.reverse().map((u) => packageOf(u) ?? (u.startsWith('file:') ? fileURLToPath(u).replace(`${ROOT}/`, '') : u));
      return names.filter((name, i) => name !== names[i - 1]).join(' -> ');
    };
    const heavy = new Map<string, string>();
    for (const url of parents.keys()) {
      const pkg = packageOf(url);
      if (pkg !== undefined && HEAVY_PACKAGES.includes(pkg) && !heavy.has(pkg)) heavy.set(pkg, chain(url));
    }
    expect(
      [...heavy].map(([pkg, how]) => `${pkg}: ${how}`),
      'heavy packages loaded with the command modules; import them where they are used (src/provision/lazy.ts)'
    ).to.deep.equal([]);
  });
});
