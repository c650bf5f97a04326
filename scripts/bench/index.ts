/*
 * npm run bench [-- <scenario>...] [-- scenario flags]: runs the named benchmark scenarios (all of them when none is
 * named) against the built plugin (npm run bench builds first). Each scenario is a module beside this one that
 * exports `description` and `run(argv): Promise<exitCode>`; add new ones (provisioning throughput, ...) to SCENARIOS.
 *
 *   npm run bench                         # every scenario
 *   npm run bench -- startup --check      # one scenario; exit 1 when a command is over its goal
 */
type Scenario = { description: string; run: (argv: string[]) => Promise<number> };

const SCENARIOS: Record<string, () => Promise<Scenario>> = {
  startup: () => import('./startup.js'),
  records: () => import('./records.js'),
};

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  const list = await Promise.all(Object.entries(SCENARIOS).map(async ([name, load]) => `  ${name}: ${(await load()).description}`));
  process.stdout.write(`npm run bench -- [scenario...] [flags]\n\nScenarios:\n${list.join('\n')}\n`);
  process.exit(0);
}
const named = args.filter((a) => Object.prototype.hasOwnProperty.call(SCENARIOS, a));
const flags = args.filter((a) => !named.includes(a));
let exitCode = 0;
for (const name of named.length > 0 ? named : Object.keys(SCENARIOS)) {
  process.stderr.write(`== bench: ${name}\n`);
  // eslint-disable-next-line no-await-in-loop
  const scenario = await SCENARIOS[name]();
  // eslint-disable-next-line no-await-in-loop
  exitCode = Math.max(exitCode, await scenario.run(flags));
}
process.exitCode = exitCode;
