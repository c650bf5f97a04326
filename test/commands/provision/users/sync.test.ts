/*
 * `users sync` against the emulated org with a JumpCloud SCIM export: users created with the Standard User profile and
 * the org's defaults (an alias of 8 characters at most, unique), updated without their profile, locale or language
 * overwritten, suspended ones deactivated (never deleted); a changed email reported as pending; a username another
 * org holds (DUPLICATE_USERNAME) reported with its fix; the licence's seats counted before the run; State/Country
 * refused by the picklists reported with the `picklists align` fix; bad input refused before any change; a second run
 * writes nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import UsersSync from '../../../../src/commands/provision/users/sync.js';
import { OrgClient } from '../../../../src/provision/client.js';
import { runUserSync } from '../../../../src/provision/users/sync.js';
import { ENTERPRISE } from '../../../../src/provision/users/mapping.js';
import { runAndKillAfterWrites, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

type Scim = Record<string, unknown>;
const scim = (user: string, o: { first?: string; last?: string; active?: boolean; title?: string; email?: string; locale?: string; region?: string } = {}): Scim => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  userName: user,
  name: { givenName: o.first ?? 'Ada', familyName: o.last ?? 'Lovelace' },
  displayName: `${o.first ?? 'Ada'} ${o.last ?? 'Lovelace'}`,
  emails: [{ value: o.email ?? user, type: 'work', primary: true }],
  active: o.active ?? true,
  title: o.title ?? 'Engineer',
  locale: o.locale ?? 'en_GB',
  preferredLanguage: 'en_US',
  addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield', region: o.region ?? 'CA', postalCode: '90210', country: 'US' }],
  phoneNumbers: [{ type: 'work', value: '+1 555 0100' }],
  [ENTERPRISE]: { employeeNumber: 'E1', department: 'R&D', organization: 'Acme' },
});

describe('provision users sync (JumpCloud SCIM)', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'users-sync-'));
    // Seats for the users these tests make (the seed's org has a handful).
    t.emu.store.find('UserLicense', (l) => l.Name === 'Salesforce')!.TotalLicenses = 10_000;
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, users: Scim[]): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], Resources: users }));
    return path;
  };
  const user = (username: string): Record<string, unknown> | undefined => t.emu.store.records('User').find((u) => u.Username === username);
  const sync = (path: string, ...extra: string[]): ReturnType<typeof runCommand<typeof UsersSync>> => runCommand(UsersSync, ['--target-org', t.username, '--file', path, ...extra]);

  it('creates users with the Standard User profile and the org defaults; a second run writes nothing', async () => {
    const path = await file('jc.json', [scim('ada.lovelace@jc.test'), scim('grace.hopper@jc.test', { first: 'Grace', last: 'Hopper' })]);
    const dry = await sync(path, '--dry-run');
    expect(dry.result.counts.create).to.equal(2);
    expect(user('ada.lovelace@jc.test')).to.equal(undefined);
    const r = await sync(path);
    expect(r.exitCode).to.equal(0);
    expect(r.result.counts).to.include({ create: 2, succeeded: 2 });
    const ada = user('ada.lovelace@jc.test')!;
    const standard = t.emu.store.find('Profile', (p) => p.Name === 'Standard User');
    expect(ada).to.include({ FirstName: 'Ada', LastName: 'Lovelace', Title: 'Engineer', EmailEncodingKey: 'UTF-8', LocaleSidKey: 'en_GB', Department: 'R&D', CompanyName: 'Acme', EmployeeNumber: 'E1', City: 'Springfield', IsActive: true });
    expect(ada.ProfileId).to.equal(standard?.Id);
    expect(String(ada.Alias).length).to.be.at.most(8);
    expect(ada.Alias).to.not.equal(user('grace.hopper@jc.test')?.Alias);
    const writes = t.emu.counters.writes;
    expect((await sync(path)).result.counts.none).to.equal(2);
    expect(t.emu.counters.writes).to.equal(writes);
  });

  it('updates without overwriting profile or locale, reports a changed email as pending, deactivates a suspended user', async () => {
    const admin = t.emu.store.find('Profile', (p) => p.Name === 'System Administrator')!;
    const ada = user('ada.lovelace@jc.test')!;
    t.emu.store.patchSystem('User', String(ada.Id), { ProfileId: admin.Id });
    const path = await file('jc2.json', [
      scim('ada.lovelace@jc.test', { title: 'Countess', locale: 'fr_FR', email: 'ada@new.jc.test' }),
      scim('grace.hopper@jc.test', { first: 'Grace', last: 'Hopper', active: false }),
    ]);
    const r = await sync(path);
    expect(r.exitCode).to.equal(0);
    const after = user('ada.lovelace@jc.test')!;
    expect(after).to.include({ Title: 'Countess', LocaleSidKey: 'en_GB', ProfileId: admin.Id });
    expect(after.Email).to.equal('ada.lovelace@jc.test');
    expect(r.result.outcomes.find((o) => o.key === 'ada.lovelace@jc.test')?.message).to.contain('only once the user confirms it');
    expect(user('grace.hopper@jc.test')?.IsActive).to.equal(false);
    expect(r.result.counts.deactivate).to.equal(1);
  });

  it('reports a username taken in another org with the fix, and State/Country refused by the picklists', async () => {
    t.emu.store.refreshAuthOptions();
    const taken = 'admin@acme.example.com'.replace('admin', 'taken.elsewhere');
    (t.emu.store as unknown as { foreignUsernames: Set<string> }).foreignUsernames?.add(taken);
    const path = await file('jc3.json', [scim(taken, { first: 'Tak', last: 'En' }), scim('fine@jc.test', { first: 'Fi', last: 'Ne' })]);
    const r = await sync(path);
    expect(r.exitCode).to.equal(68);
    const dup = r.result.outcomes.find((o) => o.key === taken)!;
    expect(dup).to.include({ status: 'failed', code: 'DUPLICATE_USERNAME' });
    expect(dup.message).to.contain('unique across all Salesforce orgs');

    t.emu.flags.stateCountryPicklistsEnabled = true;
    try {
      const atlantis = await file('jc-atlantis.json', [scim('atlantis@jc.test', { first: 'At', last: 'Lantis', region: 'Atlantis' })]);
      const refused = await runCommandError(UsersSync, ['--target-org', t.username, '--file', atlantis]);
      expect(refused.message).to.contain('FIELD_INTEGRITY_EXCEPTION');
      expect(refused.message).to.contain('sf provision picklists align');
    } finally {
      t.emu.flags.stateCountryPicklistsEnabled = false;
    }
  });

  it('counts licence seats before the run and refuses a plan that needs more than the org has left', async () => {
    const licence = t.emu.store.find('UserLicense', (l) => l.Name === 'Salesforce')!;
    const total = licence.TotalLicenses;
    licence.TotalLicenses = Number(licence.UsedLicenses);
    try {
      const path = await file('jc4.json', [scim('no.seat@jc.test', { first: 'No', last: 'Seat' })]);
      const e = await runCommandError(UsersSync, ['--target-org', t.username, '--file', path]);
      expect(e.message).to.match(/needs 1 seat\(s\) of the Salesforce user licence; the org has 0 left/);
      const forced = await runCommandError(UsersSync, ['--target-org', t.username, '--file', path, '--force']);
      expect(forced.name).to.equal('AllFailedError');
      expect(forced.message).to.contain('LICENSE_LIMIT_EXCEEDED');
    } finally {
      licence.TotalLicenses = total;
    }
  });

  it('refuses bad input before any change: usernames not in email form, a key twice, a CSV without a mapping', async () => {
    const before = orgFingerprint(t.emu);
    const bad = await file('bad.json', [scim('not-an-email'), scim('twice@jc.test'), scim('TWICE@jc.test')]);
    const e = await runCommandError(UsersSync, ['--target-org', t.username, '--file', bad]);
    expect(e.message).to.contain('row 1: the username "not-an-email" is not in the form of an email address');
    expect(e.message).to.contain('row 3: twice@jc.test is also on row 2');
    const csv = join(dir, 'users.csv');
    await writeFile(csv, 'Username,LastName\nx@jc.test,X\n');
    expect((await runCommandError(UsersSync, ['--target-org', t.username, '--file', csv])).message).to.contain('needs --mapping');
    const map = join(dir, 'bad.map');
    await writeFile(map, 'Username=Username\nLastName=LastName\nShoe_Size__c=LastName\n');
    expect((await runCommandError(UsersSync, ['--target-org', t.username, '--file', csv, '--mapping', map])).message).to.contain('User has no field you can write: Shoe_Size__c');
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "Resources": [ { "userName": "a@jc.test" ');
    expect((await runCommandError(UsersSync, ['--target-org', t.username, '--file', broken])).message).to.contain('is not JSON');
    const nokey = await file('nokey.json', [{ ...scim('k@jc.test'), userName: undefined }]);
    expect((await runCommandError(UsersSync, ['--target-org', t.username, '--file', nokey])).message).to.contain('row 1: no Username');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('a CSV with a mapping file; 5,000 users with 5% of calls failing end exactly as the file says', async () => {
    const rows = ['user,first,last,mail'];
    for (let i = 0; i < 5000; i++) rows.push(`bulk${i}@jc.test,B,User${i},bulk${i}@jc.test`);
    const csv = join(dir, 'many.csv');
    await writeFile(csv, `${rows.join('\n')}\n`);
    const map = join(dir, 'users.map');
    await writeFile(map, 'Username=user\nFirstName=first\nLastName=last\nEmail=mail\n');
    t.emu.faultRate = 0.05;
    t.emu.faultDropAfterCommit = true;
    try {
      const client = new OrgClient(t.org.getConnection(), { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 });
      const { parseMap } = await import('../../../../src/provision/records/input.js');
      const { readFile } = await import('node:fs/promises');
      const r = await runUserSync(client, { file: csv, mapping: parseMap(await readFile(map, 'utf8')), force: true }, { dryRun: false });
      expect(r.counts.failed, JSON.stringify(r.outcomes.filter((o) => o.status === 'failed').slice(0, 3))).to.equal(0);
    } finally {
      t.emu.faultRate = 0;
      t.emu.faultDropAfterCommit = false;
    }
    const made = t.emu.store.records('User').filter((u) => String(u.Username).startsWith('bulk'));
    expect(made).to.have.length(5000);
    expect(new Set(made.map((u) => u.Username)).size).to.equal(5000);
  });

  it('a process killed in the middle of its writes: the next run converges, with no duplicate', async () => {
    const n = 1200;
    const users = Array.from({ length: n }, (_, i) => scim(`killed${i}@jc.test`, { first: 'K', last: `Killed${i}` }));
    const path = await file('killed.json', users);
    t.emu.latencyMs = 20;
    await runAndKillAfterWrites(t, ['provision', 'users', 'sync', '--target-org', t.alias, '--file', path], 2, dir);
    t.emu.latencyMs = 0;
    const part = t.emu.store.records('User').filter((u) => String(u.Username).startsWith('killed')).length;
    expect(part, 'killed part-way').to.be.greaterThan(0).and.lessThan(n);
    const again = await runUserSync(new OrgClient(t.org.getConnection()), { file: path }, { dryRun: false });
    expect(again.counts.failed).to.equal(0);
    const names = t.emu.store.records('User').filter((u) => String(u.Username).startsWith('killed')).map((u) => String(u.Username));
    expect(names).to.have.length(n);
    expect(new Set(names).size).to.equal(n);
  });

  it('--match email, --permission-sets for new users, --allow without deactivate, --deactivate-missing of the profile', async () => {
    const ps = t.emu.store.create('PermissionSet', { Name: 'JC_Users', Label: 'JC Users' });
    const path = await file('jc5.json', [scim('match.me@jc.test', { first: 'Ma', last: 'Tch' })]);
    const created = await sync(path, '--match', 'email', '--permission-sets', 'JC_Users');
    expect(created.result.counts.create).to.equal(1);
    const id = user('match.me@jc.test')!.Id;
    expect(t.emu.store.find('PermissionSetAssignment', (a) => a.AssigneeId === id && a.PermissionSetId === ps)).to.not.equal(undefined);
    // Matched by email: a new username for the same person is an update of the username, not a second user.
    const renamed = await file('jc6.json', [{ ...scim('match.me@jc.test', { first: 'Ma', last: 'Tch' }), userName: 'renamed@jc.test' }]);
    const r = await sync(renamed, '--match', 'email');
    expect(r.result.counts.update).to.equal(1);
    expect(t.emu.store.get('User', String(id))?.Username).to.equal('renamed@jc.test');

    // The file as the complete set of the Standard User profile: who is not in it is deactivated, if allowed.
    const only = await file('jc7.json', [scim('renamed@jc.test', { first: 'Ma', last: 'Tch', email: 'match.me@jc.test' })]);
    const refused = await sync(only, '--deactivate-missing', '--allow', 'create,update', '--dry-run');
    expect(refused.result.counts.deactivate).to.equal(0);
    expect(refused.result.outcomes.some((o) => o.code === 'NOT_ALLOWED')).to.equal(true);
    const done = await sync(only, '--deactivate-missing');
    expect(done.result.counts.deactivate).to.be.greaterThan(0);
    const standard = t.emu.store.find('Profile', (p) => p.Name === 'Standard User');
    const stillActive = t.emu.store.records('User').filter((u) => u.IsActive === true && u.ProfileId === standard?.Id).map((u) => u.Username);
    expect(stillActive).to.deep.equal(['renamed@jc.test']);
    expect(t.emu.store.records('User').find((u) => u.Username === t.emu.adminUsername)?.IsActive).to.equal(true);
  });
});
