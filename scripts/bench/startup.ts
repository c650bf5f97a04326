/*
 * Start-up benchmark: every command's `--help` through bin/run.js, side by side with a bare SfCommand.
 *
 * The bare command is a one-command oclif plugin built at run time in a temp dir: the same package.json oclif
 * settings, a copy of bin/run.js, an oclif manifest, node_modules linked to this repository's, and one command that
 * does what every command here must do and nothing else (imports SfCommand, Flags and Messages, loads its messages,
 * declares --target-org and --api-version). Because --target-org has a dynamic default, oclif imports the command
 * module for --help, as it does for this plugin's commands that take --target-org; commands without such a flag
 * (cert generate, connection test|token) answer --help from the manifest alone.
 *
 * Runs are interleaved (bare, command 1, bare, command 2, ..., bare) in a shuffled order each round, under a
 * throw-away HOME; each command's ratio is, per round, its time over the mean of the bare runs just before and just
 * after it, and the table gives the medians over the rounds. Ratios cancel most of the noise of a shared machine;
 * the milliseconds do not. CPU time (user + system of the child, reported at its exit by a one-line --import hook
 * given to both sides) is shown beside wall-clock time: other work on the machine disturbs it much less.
 *
 *   npm run bench -- startup [--runs 5] [--filter sso] [--check] [--max-ratio 1.2] [--metric wall|cpu] [--sf <sf bin>]
 *
 * --sf runs everything through a real sf instead (the bare plugin and this one linked into it under the throw-away
 * HOME, with `sf org display --help` as a core command for reference): what a user who linked or installed the plugin
 * pays, sf's own start-up and hooks included.
 *
 * --check exits 1 when a command's median ratio (wall-clock by default, CPU time with --metric cpu) is over
 * --max-ratio.
 */
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CPU_TIME_HOOK, machine, markdownTable, median, shuffled, timeRun, type Timing } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BARE_ID = 'bare';
const BARE_PLUGIN = 'bench-bare';

export const description = "every command's --help against a bare SfCommand loaded the same way (ratio; goal <= 1.2)";

type PackageJson = {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  oclif: Record<string, unknown>;
};

type ManifestCommand = { id: string; hidden?: boolean; hasDynamicHelp?: boolean };

const BARE_COMMAND = `import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('${BARE_PLUGIN}', '${BARE_ID}');

export default class Bare extends SfCommand {
  static summary = messages.getMessage('summary');
  static description = messages.getMessage('description');
  static examples = messages.getMessages('examples');
  static flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
  };

  async run() {
    const { flags } = await this.parse(Bare);
    return { username: flags['target-org'].getUsername() };
  }
}
`;

const BARE_MESSAGES = `# summary

Do nothing: the start-up baseline.

# description

A command with the imports and flags every command needs, and nothing else.

# examples

- Do nothing:

  <%= config.bin %> <%= command.id %> --target-org myorg
`;

/** Writes the bare one-command plugin under `dir` and returns its bin/run.js. */
const writeBarePlugin = async (dir: string): Promise<string> => {
  const pjson = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  const barePjson = {
    name: BARE_PLUGIN,
    version: '0.0.0',
    type: 'module',
    files: ['/lib', '/messages', '/oclif.manifest.json'],
    dependencies: pjson.dependencies,
    devDependencies: pjson.devDependencies,
    oclif: { ...pjson.oclif, commands: './lib/commands', topics: {} },
  };
  await mkdir(join(dir, 'lib', 'commands'), { recursive: true });
  await mkdir(join(dir, 'messages'), { recursive: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(barePjson, undefined, 2));
  await writeFile(join(dir, 'lib', 'commands', `${BARE_ID}.js`), BARE_COMMAND);
  await writeFile(join(dir, 'messages', `${BARE_ID}.md`), BARE_MESSAGES);
  await cp(join(ROOT, 'bin', 'run.js'), join(dir, 'bin', 'run.js'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // The same kind of manifest as this plugin's (npm run build writes it), so neither side globs lib/commands.
  timeRun(process.execPath, [join(ROOT, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], { cwd: dir });
  return join(dir, 'bin', 'run.js');
};

type Scenario = { label: string; run: string; argv: string[]; loadsModule: boolean };

type Sample = { wallMs: number; cpuMs: number; wallRatio: number; cpuRatio: number };

const commandsOf = async (filter: string | undefined): Promise<Scenario[]> => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, ManifestCommand> };
  const runJs = join(ROOT, 'bin', 'run.js');
  return Object.values(manifest.commands)
    .filter((c) => filter === undefined || c.id.includes(filter) || c.id.replace(/:/g, ' ').includes(filter))
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((c) => ({ label: `sf ${c.id.replace(/:/g, ' ')} --help`, run: runJs, argv: [...c.id.split(':'), '--help'], loadsModule: c.hasDynamicHelp === true }));
};

const fmtMs = (ms: number): string => ms.toFixed(0);
const fmtRatio = (r: number): string => r.toFixed(2);

/**
 * Through a real sf: both plugins linked into it (as `sf plugins link` does for a user), so every run pays what a
 * user's does, sf's own start-up and hooks included; `sf org display --help` (a core command) for reference.
 */
const throughSf = async (sfBin: string, env: NodeJS.ProcessEnv, home: string, bareDir: string, bare: Scenario, commands: Scenario[]): Promise<[Scenario, Scenario[]]> => {
  const sf = await realpath(sfBin);
  Object.assign(env, { SF_AUTOUPDATE_DISABLE: 'true', SF_SKIP_NEW_VERSION_CHECK: 'true', SF_DISABLE_TELEMETRY: 'true' });
  for (const plugin of [bareDir, ROOT]) timeRun(process.execPath, [sf, 'plugins', 'link', plugin, '--no-install'], { env, cwd: home });
  const reference: Scenario = { label: 'sf org display --help (core command, reference)', run: sf, argv: ['org', 'display', '--help'], loadsModule: true };
  return [{ ...bare, run: sf }, [reference, ...commands.map((c) => ({ ...c, run: sf }))]];
};

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '5' },
      filter: { type: 'string' },
      check: { type: 'boolean', default: false },
      'max-ratio': { type: 'string', default: '1.2' },
      metric: { type: 'string', default: 'wall' },
      sf: { type: 'string' },
    },
    strict: true,
  });
  const runs = Number(values.runs);
  const maxRatio = Number(values['max-ratio']);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
  if (!(maxRatio > 0)) throw new Error(`--max-ratio must be a positive number, not ${values['max-ratio']}`);
  if (values.metric !== 'wall' && values.metric !== 'cpu') throw new Error(`--metric must be wall or cpu, not ${values.metric}`);
  const checked = values.metric === 'cpu' ? 'cpuRatio' : 'wallRatio';

  let commands = await commandsOf(values.filter);
  if (commands.length === 0) throw new Error(`No command matches --filter ${values.filter ?? ''}`);

  const dir = await mkdtemp(join(tmpdir(), 'provision-bench-'));
  try {
    let bare: Scenario = { label: `bare SfCommand (${BARE_ID} --help)`, run: await writeBarePlugin(join(dir, 'plugin')), argv: [BARE_ID, '--help'], loadsModule: true };
    const home = join(dir, 'home');
    await mkdir(home);
    // The same environment for both sides: a throw-away HOME (no user plugins, no config), production mode.
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USERPROFILE: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), XDG_DATA_HOME: join(home, '.local', 'share') };
    delete env.NODE_ENV;
    delete env.NODE_OPTIONS;
    if (values.sf) [bare, commands] = await throughSf(values.sf, env, home, join(dir, 'plugin'), bare, commands);
    const time = (s: Scenario): Timing => timeRun(process.execPath, ['--import', CPU_TIME_HOOK, s.run, ...s.argv], { env, cwd: home });

    const before = machine();
    process.stderr.write(`startup: ${commands.length} commands, ${runs} rounds, bare plugin in ${dir}\n`);
    // Warm-up (file cache, oclif's cache directories): each once, untimed.
    for (const s of [bare, ...commands]) time(s);

    const bareRuns: Timing[] = [];
    const samples = new Map<string, Sample[]>(commands.map((c) => [c.label, []]));
    for (let round = 1; round <= runs; round++) {
      process.stderr.write(`round ${round}/${runs}\n`);
      let previousBare = time(bare);
      bareRuns.push(previousBare);
      for (const c of shuffled(commands, round)) {
        const t = time(c);
        const nextBare = time(bare);
        bareRuns.push(nextBare);
        samples.get(c.label)?.push({
          wallMs: t.wallMs,
          cpuMs: t.cpuMs ?? Number.NaN,
          wallRatio: t.wallMs / ((previousBare.wallMs + nextBare.wallMs) / 2),
          cpuRatio: (t.cpuMs ?? Number.NaN) / (((previousBare.cpuMs ?? Number.NaN) + (nextBare.cpuMs ?? Number.NaN)) / 2),
        });
        previousBare = nextBare;
      }
    }
    const after = machine();

    const rows = commands.map((c) => {
      const of = (key: keyof Sample): number => median((samples.get(c.label) ?? []).map((x) => x[key]));
      return { c, wallMs: of('wallMs'), wallRatio: of('wallRatio'), cpuMs: of('cpuMs'), cpuRatio: of('cpuRatio') };
    });
    const worst = rows.reduce((w, r) => (r.wallRatio > w.wallRatio ? r : w));
    const worstCpu = rows.reduce((w, r) => (r.cpuRatio > w.cpuRatio ? r : w));
    const table = markdownTable(
      ['command', 'median ms', 'ratio to bare', 'CPU ms', 'CPU ratio', 'module loaded for --help'],
      [
        [bare.label, fmtMs(median(bareRuns.map((t) => t.wallMs))), '1.00', fmtMs(median(bareRuns.map((t) => t.cpuMs ?? Number.NaN))), '1.00', 'yes'],
        ...rows.map((r) => [
          r.c.label,
          fmtMs(r.wallMs),
          fmtRatio(r.wallRatio),
          fmtMs(r.cpuMs),
          fmtRatio(r.cpuRatio),
          r.c.loadsModule ? 'yes' : 'no (manifest only)',
        ]),
      ]
    );
    process.stdout.write(
      [
        `Machine: ${before}`,
        `After: load average ${after.replace(/.*load average /, '')}`,
        `Method: ${values.sf ? `${values.sf} <command> --help (both plugins linked into it)` : 'node bin/run.js <command> --help'}, ${runs} rounds interleaved with a bare SfCommand plugin (bare, command, bare, ...), medians; ratio = time / mean of the adjacent bare runs; CPU = the process's user + system time.`,
        '',
        table,
        '',
        `Worst ratio: ${fmtRatio(worst.wallRatio)} (${worst.c.label}); worst CPU ratio: ${fmtRatio(worstCpu.cpuRatio)} (${worstCpu.c.label}); goal <= ${fmtRatio(maxRatio)}.`,
        '',
      ].join('\n')
    );
    if (values.check && rows.some((r) => r[checked] > maxRatio)) {
      const over = rows.filter((r) => r[checked] > maxRatio).map((r) => r.c.label);
      process.stderr.write(`startup: over ${fmtRatio(maxRatio)} times the bare command (${values.metric} time): ${over.join(', ')}\n`);
      return 1;
    }
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
