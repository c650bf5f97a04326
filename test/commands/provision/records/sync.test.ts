/*
 * `records sync` against the emulated org: create and update matched by email (case-insensitively), a second run that
 * writes nothing, every record in the result file, input errors with row and column before any write, several
 * records for one email reported and left alone, a converted Lead's Contact kept in step, people who left the source
 * disabled (a portal user's Contact never deleted), Ory's JSON export with nested traits, the Bulk API 2.0 path, and
 * --dry-run.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import RecordsSync from '../../../../src/commands/provision/records/sync.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

describe('provision records sync', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'records-sync-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const csv = async (name: string, rows: string[]): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, `${rows.join('\n')}\n`);
    return path;
  };
  const leads = (): Array<Record<string, unknown>> => t.emu.store.records('Lead');
  const lead = (email: string): Record<string, unknown> | undefined => leads().find((l) => String(l.Email).toLowerCase() === email.toLowerCase());
  const sync = (file: string, ...extra: string[]): ReturnType<typeof runCommand<typeof RecordsSync>> =>
    runCommand(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', file, '--result-file', join(dir, `${Date.now()}-${Math.random()}.csv`), ...extra]);

  it('creates and updates Leads matched by email (any case); a second run writes nothing; every record in the result file', async () => {
    t.emu.store.create('Lead', { LastName: 'Known', Company: 'Acme', Email: 'known@people.test', Title: 'Old' });
    t.emu.store.create('Lead', { LastName: 'Same', Company: 'Acme', Email: 'same@people.test', Title: 'Keeps' });
    const file = await csv('people.csv', [
      'Email,LastName,Company,Title',
      'KNOWN@people.test,Known,Acme,New',
      'same@people.test,Same,Acme,Keeps',
      'new1@people.test,New1,Acme,',
      'new2@people.test,New2,Acme,Dev',
    ]);
    const first = await sync(file);
    expect(first.exitCode).to.equal(0);
    expect(first.result.counts).to.include({ create: 2, update: 1, none: 1, succeeded: 3, failed: 0 });
    expect(lead('known@people.test')?.Title).to.equal('New');
    expect(lead('new2@people.test')).to.include({ LastName: 'New2', Title: 'Dev' });
    const rows = (await readFile(first.result.resultFile!, 'utf8')).trim().split('\n');
    expect(rows[0]).to.equal('key,row,action,object,id,status,code,message');
    expect(rows).to.have.length(5);

    const writes = t.emu.counters.writes;
    const second = await sync(file);
    expect(second.result.counts).to.include({ none: 4, create: 0, update: 0 });
    expect(t.emu.counters.writes).to.equal(writes);
  });

  it('refuses bad input before any write, naming rows and columns', async () => {
    const before = orgFingerprint(t.emu);
    const dup = await csv('dup.csv', ['Email,LastName,Company', 'a@dup.test,A,C', 'not-an-email,B,C', 'A@DUP.test,C,C', ',D,C']);
    const e = await runCommandError(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', dup, '--result-file', join(dir, 'r.csv')]);
    expect(e.name).to.equal('InputError');
    expect(e.message).to.contain('row 2, column Email: "not-an-email" is not an email address');
    expect(e.message).to.contain('row 3, column Email: a@dup.test is also on row 1');
    expect(e.message).to.contain('row 4, column Email: no Email');
    const unknown = await csv('unknown.csv', ['Email,LastName,Company,Shoe_Size__c', 'a@x.test,A,C,42']);
    const u = await runCommandError(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', unknown]);
    expect(u.message).to.contain('Lead has no field Shoe_Size__c');
    const empty = await csv('empty.csv', ['Email,LastName,Company']);
    expect((await runCommandError(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', empty])).message).to.contain('no data rows');
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('reports several records for one email and leaves them alone (exit 68 when others succeed)', async () => {
    t.emu.store.create('Lead', { LastName: 'Twin1', Company: 'C', Email: 'twin@people.test' });
    t.emu.store.create('Lead', { LastName: 'Twin2', Company: 'C', Email: 'Twin@people.test' });
    const file = await csv('twins.csv', ['Email,LastName,Company', 'twin@people.test,Twin,C', 'single@people.test,Single,C']);
    const r = await sync(file);
    expect(r.exitCode).to.equal(68);
    const twin = r.result.problems.find((p) => p.key === 'twin@people.test');
    expect(twin).to.include({ status: 'failed', code: 'AMBIGUOUS_MATCH', row: 1 });
    expect(lead('single@people.test')).to.not.equal(undefined);
    expect(leads().filter((l) => String(l.Email).toLowerCase() === 'twin@people.test').map((l) => l.LastName).sort()).to.deep.equal(['Twin1', 'Twin2']);
  });

  it('keeps a converted Lead\'s Contact in step instead of the Lead', async () => {
    const contactId = t.emu.store.create('Contact', { LastName: 'Conv', Email: 'conv@people.test', Title: 'Before' });
    const leadId = t.emu.store.create('Lead', { LastName: 'Conv', Company: 'C', Email: 'conv@people.test', Title: 'Before' });
    t.emu.store.patchSystem('Lead', leadId, { IsConverted: true, ConvertedContactId: contactId });
    const file = await csv('conv.csv', ['Email,LastName,Company,Title', 'conv@people.test,Conv,C,After']);
    const r = await sync(file);
    expect(r.exitCode).to.equal(0);
    expect(r.result.counts).to.include({ update: 1, succeeded: 1 });
    expect(t.emu.store.get('Contact', contactId)?.Title).to.equal('After');
    expect(t.emu.store.get('Lead', leadId)?.Title).to.equal('Before');
  });

  it('--deprovision-missing --remove-action disable: people who left are disabled, not deleted', async () => {
    const file = await csv('complete.csv', ['Email,LastName,Company', 'stay@people.test,Stay,C']);
    const gone = t.emu.store.create('Lead', { LastName: 'Gone', Company: 'C', Email: 'gone@people.test', Status: 'Open - Not Contacted' });
    const plan = await sync(file, '--deprovision-missing', '--remove-action', 'disable', '--disable-field', 'Status=Closed - Not Converted', '--allow', 'create,update,disable', '--dry-run');
    expect(plan.result.counts.disable).to.be.greaterThan(0);
    expect(t.emu.store.get('Lead', gone)?.Status).to.equal('Open - Not Contacted');
    const r = await sync(file, '--deprovision-missing', '--remove-action', 'disable', '--disable-field', 'Status=Closed - Not Converted', '--allow', 'create,update,disable');
    expect(t.emu.store.get('Lead', gone)?.Status).to.equal('Closed - Not Converted');
    expect(r.result.counts.delete).to.equal(0);
  });

  it('never deletes a portal user\'s Contact: skipped with the reason, or disabled when a disable field is given', async () => {
    const contactId = t.emu.store.create('Contact', { LastName: 'Portal', Email: 'portal@people.test' });
    const profile = t.emu.store.find('Profile', (p) => p.Name === 'Customer Community User') ?? t.emu.store.find('Profile', () => true);
    t.emu.store.createSystem('User', { Username: 'portal@people.test', LastName: 'Portal', Email: 'portal@people.test', Alias: 'portal', ContactId: contactId, ProfileId: profile?.Id, IsActive: true });
    const file = await csv('contacts.csv', ['Email,LastName', 'kept@people.test,Kept']);
    const base = ['--target-org', t.username, '--object', 'Contact', '--file', file, '--deprovision-missing', '--remove-action', 'delete', '--allow', 'create,update,delete', '--dry-run'];
    const r = await runCommand(RecordsSync, [...base, '--result-file', join(dir, 'c.csv')]);
    const portal = r.result.problems.find((p) => p.key === 'portal@people.test');
    expect(portal).to.include({ action: 'skip', code: 'DELETE_FAILED' });
    const disabled = await runCommand(RecordsSync, [...base, '--disable-field', 'Title=Left', '--allow', 'create,update,delete,disable', '--result-file', join(dir, 'd.csv')]);
    expect(disabled.result.problems.find((p) => p.key === 'portal@people.test')).to.equal(undefined);
    expect(disabled.result.counts.disable).to.equal(1);
  });

  it('reads Ory\'s JSON export with nested traits', async () => {
    const path = join(dir, 'identities.json');
    await writeFile(path, JSON.stringify([{ id: '1', traits: { email: 'ory1@people.test', name: { first: 'Ory', last: 'One' }, company: 'Ory' } }]));
    const r = await sync(path, '--map', 'Email=traits.email,FirstName=traits.name.first,LastName=traits.name.last,Company=traits.company');
    expect(r.result.counts.create).to.equal(1);
    expect(lead('ory1@people.test')).to.include({ FirstName: 'Ory', LastName: 'One', Company: 'Ory' });
  });

  it('writes through Bulk API 2.0 above the threshold, with the same outcome', async () => {
    const rows = ['Email,LastName,Company'];
    for (let i = 0; i < 30; i++) rows.push(`bulk${i}@people.test,Bulk${i},C`);
    rows.push('known@people.test,Known,Bulk Co');
    const file = await csv('bulk.csv', rows);
    const r = await sync(file, '--bulk-threshold', '10');
    expect(r.result.estimate.writing).to.equal('bulk');
    expect(r.result.counts).to.include({ create: 30, update: 1, succeeded: 31, failed: 0 });
    expect(lead('bulk29@people.test')).to.not.equal(undefined);
    expect(lead('known@people.test')?.Company).to.equal('Bulk Co');
    const again = await sync(file, '--bulk-threshold', '10');
    expect(again.result.counts.none).to.equal(31);
  });

  it('reports a duplicate rule\'s refusal per record; --allow-duplicates saves past an alerting rule', async () => {
    // Matched on Phone, the person is new; the org's duplicate rule (Email) sees a duplicate of an existing Lead.
    t.emu.store.create('Lead', { LastName: 'Orig', Company: 'C', Email: 'dupe@people.test', Phone: '111' });
    const file = await csv('dupes.csv', ['Phone,Email,LastName,Company', '222,dupe@people.test,Copy,C', '333,fresh-dupe@people.test,Fresh,C']);
    t.emu.flags.duplicateRules = 'alert';
    try {
      const blocked = await sync(file, '--match', 'Phone');
      expect(blocked.exitCode).to.equal(68);
      expect(blocked.result.problems[0]).to.include({ key: '222', status: 'failed', code: 'DUPLICATES_DETECTED' });
      const saved = await sync(file, '--match', 'Phone', '--allow-duplicates');
      expect(saved.exitCode).to.equal(0);
      expect(saved.result.counts).to.include({ create: 1, none: 1 });
      expect(leads().filter((l) => l.Email === 'dupe@people.test')).to.have.length(2);
    } finally {
      t.emu.flags.duplicateRules = undefined;
    }
  });
});
