/*
 * Helpers of the library tests that plan from a spec or carry a plan out without a command: a client that must not
 * be used, the error a promise is refused with, a recorded stand-in for the command, and a certificate change.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import type { SfError } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from '../../src/provision/client.js';
import type { Change } from '../../src/provision/plan.js';

/** A client that fails the test when the plan reads the org (checks that must come before any read). */
export const noOrg = new Proxy({}, { get: (): never => expect.fail('the org was read') }) as OrgClient;

/** The error the promise is refused with; fails the test when it is not refused. */
export const refusal = async (p: Promise<unknown>): Promise<SfError> => {
  try {
    await p;
  } catch (e) {
    return e as SfError;
  }
  return expect.fail('no error');
};

/** The parts of a command that carryOut and the library talk to, with what they printed in `lines`. */
export const fakeCommand = (): SfCommand<unknown> & { lines: string[] } => {
  const lines: string[] = [];
  const push = (s: unknown): void => void lines.push(String(s));
  return {
    lines,
    spinner: { start: sinon.stub(), stop: sinon.stub() },
    table: sinon.stub(),
    log: push,
    logSuccess: push,
    warn: push,
  } as unknown as SfCommand<unknown> & { lines: string[] };
};

/** A planned create of a self-signed certificate. */
export const certificateChange = (name: string, keySize: number): Change => ({
  resource: 'Certificate',
  name,
  action: 'create',
  fields: [{ field: 'keySize', to: keySize }],
  status: 'planned',
  metadata: { type: 'Certificate', fullName: name, content: { fullName: name, caSigned: false, keySize, masterLabel: name, privateKeyExportable: false } },
});
