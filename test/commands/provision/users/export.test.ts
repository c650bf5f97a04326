/*
 * `users export` against the emulated org: a first run (full, active users only) then a second that returns only
 * what changed in between (an update, a deactivation, a new user), the state file advanced only after a complete
 * run (a fault on the second query page), unknown fields named, CSV and JSON Lines, paging, --include-inactive.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import UsersExport from '../../../../src/commands/provision/users/export.js';
import { OrgClient } from '../../../../src/provision/client.js';
import { buildQuery, readState, runExport, soqlDateTime } from '../../../../src/provision/users/export.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { runCommand, runCommandError } from '../../../helpers/plan.js';

const HOUR = 3_600_000;

describe('provision users export', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let dir: string;
  let clock = 0;
  let n = 0;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'users-export-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Moves the org's clock forward, so later changes have later SystemModstamps than the overlap. */
  const later = (): void => {
    clock += 2 * HOUR;
    const offset = clock;
    t.emu.store.now = (): Date => new Date(Date.now() + offset);
  };
  /** Sets the org's clock to an offset from now. */
  const at = (offset: number): void => {
    clock = offset;
    t.emu.store.now = (): Date => new Date(Date.now() + offset);
  };
  const profileId = (name: string): string => String(t.emu.store.records('Profile').find((p) => p.Name === name)?.Id);
  /** A user through the platform's rules (stamps, licences), or without them (many users: no licence seats). */
  const newUser = (last: string, extra: Record<string, unknown> = {}, system = false): string =>
    (system ? (o: string, f: Record<string, unknown>): string => t.emu.store.createSystem(o, f).Id : (o: string, f: Record<string, unknown>): string => t.emu.store.create(o, f))('User', {
      Username: `${last.toLowerCase()}@export.test`,
      LastName: last,
      Email: `${last.toLowerCase()}@export.test`,
      Alias: last.slice(0, 8).toLowerCase(),
      TimeZoneSidKey: 'Europe/London',
      LocaleSidKey: 'en_GB',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_GB',
      ProfileId: profileId('Standard User'),
      ...extra,
    });
  const file = (ext: string): string => join(dir, `out-${++n}.${ext}`);
  const exportUsers = (...args: string[]): ReturnType<typeof runCommand<typeof UsersExport>> => runCommand(UsersExport, ['--target-org', t.username, ...args]);
  const csvRows = async (path: string): Promise<string[][]> =>
    (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => l.split(','));

  it('builds the documented SOQL: dateTime literal without quotes or milliseconds, ordered by SystemModstamp', () => {
    const since = Date.parse('2025-06-01T10:20:30.456Z');
    expect(soqlDateTime(since)).to.equal('2025-06-01T10:20:30Z');
    expect(buildQuery(['Id', 'IsActive'], since, false)).to.equal('SELECT Id, IsActive FROM User WHERE SystemModstamp > 2025-06-01T10:20:30Z ORDER BY SystemModstamp ASC, Id ASC');
    expect(buildQuery(['Id'], undefined, false)).to.contain('WHERE IsActive = true');
    expect(buildQuery(['Id'], since, true)).to.contain('WHERE (SystemModstamp > 2025-06-01T10:20:30Z OR IsActive = false)');
  });

  it('exports everything first, then only the users changed since (updated, deactivated, new), advancing the state file', async () => {
    // An org whose users were last changed a day ago (seeded users included).
    at(-24 * HOUR);
    for (const u of t.emu.store.records('User')) t.emu.store.patchSystem('User', String(u.Id), {});
    const old = newUser('Dormant', { IsActive: false });
    const keep = newUser('Keeper', { Title: 'Clerk' });
    const change = newUser('Changer', { Title: 'Junior' });
    const leave = newUser('Leaver');
    at(-23 * HOUR);
    t.emu.store.update('User', keep, { Title: 'Head Clerk' });
    const state = join(dir, 'state.json');

    const first = await exportUsers('--state-file', state, '--output-file', file('csv'));
    expect(first.exitCode).to.equal(0);
    expect(first.result.mode).to.equal('full');
    const rows = await csvRows(first.result.outputFile);
    expect(rows[0]).to.deep.equal(['Id', 'Username', 'IsActive', 'SystemModstamp', 'FirstName', 'LastName', 'Email', 'Title', 'Department', 'Phone', 'MobilePhone']);
    const ids = rows.slice(1).map((r) => r[0]);
    expect(ids).to.include.members([keep, change, leave]);
    expect(ids, 'a full export leaves out users already inactive').not.to.include(old);
    expect(rows.slice(1).every((r) => r[2] === 'true')).to.equal(true);
    const saved = await readState(state);
    expect(saved?.mark).to.equal(first.result.mark);
    // The mark: the highest SystemModstamp exported minus the overlap, in whole seconds (org clock).
    expect(Date.parse(first.result.mark!)).to.equal(Math.floor((Date.parse(first.result.highestSystemModstamp!) - 300_000) / 1000) * 1000);

    at(0);
    t.emu.store.update('User', change, { Title: 'Senior' });
    t.emu.store.update('User', leave, { IsActive: false });
    const fresh = newUser('Newcomer', { Department: 'R&D' });

    const second = await exportUsers('--state-file', state, '--output-file', file('csv'));
    // The three changes, and Keeper again: the last user changed before the first run is inside its overlap.
    expect(second.result).to.include({ mode: 'incremental', since: first.result.mark, count: 4, inactive: 1 });
    const changed = (await csvRows(second.result.outputFile)).slice(1);
    expect(changed.map((r) => r[0])).to.have.members([change, leave, fresh, keep]);
    expect(changed.find((r) => r[0] === change)?.[7]).to.equal('Senior');
    expect(changed.find((r) => r[0] === leave)?.[2], 'a deactivation is exported, marked').to.equal('false');
    expect(changed.find((r) => r[0] === fresh)?.[8]).to.equal('R&D');
    expect((await readState(state))?.mark).to.equal(second.result.mark);
    expect(Date.parse(second.result.mark!)).to.be.greaterThan(Date.parse(first.result.mark!));

    // Nothing changed since: only the users inside the overlap (the last 5 minutes before the highest SystemModstamp)
    // come again; the mark stays.
    const third = await exportUsers('--state-file', state, '--output-file', file('csv'), '--json');
    expect(third.result).to.include({ count: 3, mark: second.result.mark });
  });

  it('leaves the state file and the output file alone when the run fails part-way', async () => {
    later();
    for (let i = 0; i < 250; i++) newUser(`Bulk${i}`, {}, true);
    const state = join(dir, 'fault-state.json');
    await writeFile(state, JSON.stringify({ mark: '2000-01-01T00:00:00Z' }));
    const before = await readFile(state, 'utf8');
    const out = file('csv');
    await writeFile(out, 'yesterday\n');
    const client = new OrgClient(t.org.getConnection(), { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 });
    // The second page (queryMore: /query/<locator>) fails more times than the client retries. (A 503 would be retried
    // by jsforce itself as well, for about 20 seconds; a lock error is retried by OrgClient only.)
    t.emu.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', api: 'rest', path: /\/query\/[^/]+$/, times: 10 });
    let failed: Error | undefined;
    try {
      await runExport(client, { stateFile: state, format: 'csv', outputFile: out, pageSize: 200 });
    } catch (e) {
      failed = e as Error;
    }
    t.emu.clearFaults();
    expect(failed?.message).to.match(/The export stopped after 200 user\(s\)/);
    expect(await readFile(state, 'utf8')).to.equal(before);
    expect(await readFile(out, 'utf8')).to.equal('yesterday\n');
    expect(await stat(`${out}.${process.pid}.partial`).catch(() => undefined), 'the partial file is removed').to.equal(undefined);

    const ok = await runExport(client, { stateFile: state, format: 'csv', outputFile: out, pageSize: 200 });
    expect(ok.count).to.be.greaterThan(250);
    expect(ok.apiCalls, 'describe + two or more pages').to.be.greaterThanOrEqual(3);
    expect((await readState(state))?.mark).to.equal(ok.mark);
  });

  it('names unknown fields before querying; canonical spelling; no duplicates of the key fields', async () => {
    const e = await runCommandError(UsersExport, ['--target-org', t.username, '--since', '2020-01-01T00:00:00Z', '--fields', 'FirstName,Shoe_Size__c,Nickname__c', '--output-file', file('csv')]);
    expect(e.message).to.equal('User has no field Shoe_Size__c, Nickname__c.');
    expect(e.actions?.[0]).to.contain('field-level security');
    const ok = await exportUsers('--since', '2020-01-01', '--fields', 'email,Id,department', '--output-file', file('csv'));
    expect(ok.result.fields).to.deep.equal(['Id', 'Username', 'IsActive', 'SystemModstamp', 'Email', 'Department']);
    const bad = await runCommandError(UsersExport, ['--target-org', t.username, '--since', 'yesterday']);
    expect(bad.message).to.contain('--since takes an ISO 8601 timestamp');
  });

  it('writes JSON Lines: one object a line, typed values, nulls kept; --include-inactive adds unchanged inactive users', async () => {
    later();
    const dormant = newUser('Sleeper', { IsActive: false }, true);
    later();
    const mark = new Date(Date.now() + clock - HOUR).toISOString();
    const active = newUser('Awake', { Title: 'Lead' }, true);
    const out = file('jsonl');
    const r = await exportUsers('--since', mark, '--format', 'jsonl', '--output-file', out, '--fields', 'Title,Phone');
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(r.result.count).to.equal(1);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ Id: active, IsActive: true, Title: 'Lead', Phone: null });
    expect(Object.keys(lines[0])).to.deep.equal(['Id', 'Username', 'IsActive', 'SystemModstamp', 'Title', 'Phone']);

    const all = await exportUsers('--since', mark, '--format', 'jsonl', '--output-file', file('jsonl'), '--include-inactive');
    const got = (await readFile(all.result.outputFile, 'utf8')).trim().split('\n').map((l) => (JSON.parse(l) as { Id: string }).Id);
    expect(got).to.include.members([active, dormant]);
  });
});
