import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import UsersFreeze from '../../../../src/commands/provision/users/freeze.js';
import UsersUnfreeze from '../../../../src/commands/provision/users/unfreeze.js';
import UsersDeactivate from '../../../../src/commands/provision/users/deactivate.js';
import type { UserStatusResult } from '../../../../src/provision/users/status-run.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

const SAM = 'sam.sales@acme.example.com';
const IVY = 'integration@acme.example.com';
const ADMIN = 'admin@acme.example.com';

describe('sf provision users freeze | unfreeze | deactivate', function () {
  this.timeout(120_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  const userOf = (username: string): Record<string, unknown> => t.emu.store.records('User').find((u) => u.Username === username)!;
  const frozen = (username: string): boolean => t.emu.store.find('UserLogin', (l) => l.UserId === userOf(username).Id)?.IsFrozen === true;

  it('freezes users through UserLogin.IsFrozen; a second run changes nothing; unfreeze undoes it', async () => {
    const first = await runCommand(UsersFreeze, ['--target-org', 'emu', '--users', `${SAM},${IVY}`]);
    expect(first.exitCode).to.equal(0);
    expect(first.result.users).to.deep.equal([
      { username: SAM, action: 'freeze', status: 'applied' },
      { username: IVY, action: 'freeze', status: 'applied' },
    ]);
    expect(frozen(SAM) && frozen(IVY)).to.equal(true);
    expect(userOf(SAM).IsActive).to.equal(true);

    const after = orgFingerprint(t.emu);
    const second = await runCommand(UsersFreeze, ['--target-org', 'emu', '--users', `${SAM},${IVY}`]);
    expect(second.result.changed).to.equal(false);
    expect(second.result.users.map((u) => u.action)).to.deep.equal(['none', 'none']);
    expect(orgFingerprint(t.emu)).to.equal(after);

    const thaw = await runCommand(UsersUnfreeze, ['--target-org', 'emu', '--users', SAM]);
    expect(thaw.result.users).to.deep.equal([{ username: SAM, action: 'unfreeze', status: 'applied' }]);
    expect(frozen(SAM)).to.equal(false);
    expect(frozen(IVY)).to.equal(true);
    const again = await runCommand(UsersUnfreeze, ['--target-org', 'emu', '--users', SAM]);
    expect(again.result.changed).to.equal(false);
  });

  it('--dry-run plans and writes nothing', async () => {
    const before = orgFingerprint(t.emu);
    const { result, exitCode } = await runCommand(UsersFreeze, ['--target-org', 'emu', '--users', SAM, '--dry-run']);
    expect(exitCode).to.equal(0);
    expect(result).to.include({ dryRun: true, changed: true });
    expect(result.users).to.deep.equal([{ username: SAM, action: 'freeze', status: 'planned' }]);
    expect(result.changes[0].fields).to.deep.equal([{ field: 'IsFrozen', from: false, to: true }]);
    const deactivate = await runCommand(UsersDeactivate, ['--target-org', 'emu', '--users', SAM, '--dry-run']);
    expect(deactivate.result.users[0]).to.include({ action: 'deactivate', status: 'planned' });
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('deactivates users (IsActive false, never deleted); a second run changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'users-'));
    try {
      const file = join(dir, 'leavers.csv');
      await writeFile(file, `FirstName,Username\nSam,${SAM}\n`);
      const first = await runCommand(UsersDeactivate, ['--target-org', 'emu', '--file', file]);
      expect(first.exitCode).to.equal(0);
      expect(first.result.users).to.deep.equal([{ username: SAM, action: 'deactivate', status: 'applied' }]);
      expect(userOf(SAM).IsActive).to.equal(false);
      const second = await runCommand(UsersDeactivate, ['--target-org', 'emu', '--file', file]);
      expect(second.result.changed).to.equal(false);
      expect(second.result.users[0]).to.include({ action: 'none', status: 'unchanged' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unknown user and goes on with the others: exit code 68', async () => {
    const { result, exitCode, output } = await runCommand(UsersFreeze, ['--target-org', 'emu', '--users', `nobody@acme.example.com,${SAM}`]);
    expect(exitCode).to.equal(68);
    expect(result.users[0]).to.deep.include({ username: 'nobody@acme.example.com', action: 'none', status: 'failed' });
    expect(result.users[0].error?.code).to.equal('USER_NOT_FOUND');
    expect(result.users[1]).to.include({ username: SAM, status: 'applied' });
    expect(output).to.contain('Not found in the org: nobody@acme.example.com');
  });

  it('refuses to deactivate the running user, with a clear message; all failed is an error', async () => {
    const before = orgFingerprint(t.emu);
    const err = await runCommandError(UsersDeactivate, ['--target-org', 'emu', '--users', ADMIN]);
    expect(err.message).to.contain('cannot deactivate itself');
    expect(err.actions?.join(' ')).to.contain('another user');
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(userOf(ADMIN).IsActive).to.equal(true);
  });

  it('needs Manage Users: a clear error for a running user without it', async () => {
    // A user without Manage Users (Standard User) runs the command with its own token.
    const token = t.emu.oauth.issueToken(String(userOf(SAM).Id), ['api']).token;
    const r = await t.runJson<UserStatusResult>(['provision', 'users', 'freeze', '--target-org', token, '--users', IVY], {
      env: { SF_ORG_INSTANCE_URL: t.emu.instanceUrl },
    });
    expect(r.code).to.equal(1);
    expect(r.json.message).to.contain('Manage Users');
    expect(frozen(IVY)).to.equal(false);
  });

  it('--json through bin/run.js: the result lists each user', async () => {
    const r = await t.runJson<UserStatusResult>(['provision', 'users', 'freeze', '--target-org', 'emu', '--users', `${SAM},nobody@acme.example.com`]);
    expect(r.code).to.equal(68);
    expect(r.json.result.operation).to.equal('freeze');
    expect(r.json.result.users.map((u) => [u.username, u.status])).to.deep.equal([
      [SAM, 'applied'],
      ['nobody@acme.example.com', 'failed'],
    ]);
  });
});
