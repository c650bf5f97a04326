/*
 * Turns what the org answered into an SfError that says what went wrong and how to fix it.
 * Commands pass their own messages bundle; each known error code maps to `error.<Name>` with its actions.
 */
import { SfError, type Messages } from '@salesforce/core';
import { errorCodeOf } from './client.js';

const KNOWN: Record<string, string> = {
  INVALID_SESSION_ID: 'InvalidSession',
  API_DISABLED_FOR_ORG: 'ApiDisabled',
  API_CURRENTLY_DISABLED: 'ApiDisabled',
};

export const toSfError = (e: unknown, messages: Messages<string>): SfError => {
  if (e instanceof SfError && e.actions?.length) return e as SfError;
  const code = errorCodeOf(e) ?? 'UNKNOWN';
  const message = e instanceof Error ? e.message : String(e);
  const key = KNOWN[code];
  if (key) {
    try {
      return messages.createError(`error.${key}`, [message], [], undefined, e instanceof Error ? e : undefined);
    } catch {
      // This command's messages have no entry for the code: fall through to the plain error.
    }
  }
  return SfError.wrap(e instanceof Error ? e : new Error(message));
};
