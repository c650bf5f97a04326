#!/usr/bin/env node

// Development runner: commands straight from src/ (oclif registers tsx itself in development mode), the
// devPlugins (help, command-snapshot), and no oclif.manifest.json, whose flags may be older than the source.
// The shebang names no loader: tsx fails to parse a file whose shebang contains "--import".
// eslint-disable-next-line node/shebang
async function main() {
  const { execute } = await import('@oclif/core');
  await execute({ development: true, dir: import.meta.url, loadOptions: { ignoreManifest: true } });
}

await main();
