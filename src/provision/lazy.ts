/*
 * Heavy libraries are loaded where they are used, not when a command module loads: oclif imports a command's module
 * for `--help` too, and every library imported at the top of a module in its import graph is paid for there
 * (see `npm run bench -- startup` and test/lib/startup-imports.test.ts).
 *
 * Async code uses `await import('...')`. Synchronous functions that need a library (parseXml, sourceLayout, ...)
 * use `lazy`: the library is required on the first call and kept. Types still come from `import type`.
 */
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** A function that loads `id` on its first call (synchronously, with require) and returns the same module after. */
export const lazy = <T>(id: string): (() => T) => {
  let loaded: T | undefined;
  return (): T => (loaded ??= requireFromHere(id) as T);
};
