/*
 * How a library call that reads the org shows what it does: under a command, each read runs under the command's
 * spinner and notes go to its info output; without one (tests, the desired-state file) it runs silently. Either way
 * org errors become SfErrors with the actions of the given messages bundle, as `step` makes them.
 */
import { SfError, type Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import { step } from './command.js';
import { toSfError } from './errors.js';

export type Progress = {
  /** Runs a read-only step: under the command's spinner when there is one. */
  step: <T>(label: string, fn: () => Promise<T>) => Promise<T>;
  /** A note for the admin (the command's info output); dropped without a command. */
  info: (message: string) => void;
};

/** The command's spinner and info output, or silence when there is no command. */
export const progressOf = (cmd: SfCommand<unknown> | undefined, messages: Messages<string>): Progress =>
  cmd
    ? { step: (label, fn) => step(cmd, label, messages, fn), info: (message): void => cmd.info(message) }
    : {
        step: async <T>(_label: string, fn: () => Promise<T>): Promise<T> => {
          try {
            return await fn();
          } catch (e) {
            throw e instanceof SfError ? e : toSfError(e, messages);
          }
        },
        info: (): void => undefined,
      };
