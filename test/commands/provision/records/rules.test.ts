/*
 * More of `records sync`'s rules against the emulated org: a deleted Lead whose email comes back is created again,
 * --clear-empty clears what the source left empty (and only with it), JSON Lines input, malformed CSV named by line
 * before any write, a run refused when the org has fewer API requests left than it needs (unless --force), and a
 * process killed in the middle of its writes whose second run converges.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import RecordsSync from '../../../../src/commands/provision/records/sync.js';
import { OrgClient } from '../../../../src/provision/client.js';
import { runSync } from '../../../../src/provision/records/sync.js';
import { runAndKillAfterWrites, setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

describe('provision records sync: more rules', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'records-rules-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const sync = (path: string, ...extra: string[]): ReturnType<typeof runCommand<typeof RecordsSync>> =>
    runCommand(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', path, '--result-file', join(dir, `${Math.random()}.csv`), ...extra]);
  const lead = (email: string): Record<string, unknown> | undefined => t.emu.store.records('Lead').find((l) => l.Email === email);

  it('creates a new Lead for a deleted Lead whose email comes back', async () => {
    const old = t.emu.store.create('Lead', { LastName: 'Back', Company: 'C', Email: 'back@rules.test' });
    t.emu.store.delete('Lead', old);
    const r = await sync(await file('back.csv', 'Email,LastName,Company\nback@rules.test,Back,C\n'));
    expect(r.result.counts).to.include({ create: 1, succeeded: 1 });
    expect(lead('back@rules.test')?.Id).to.not.equal(old);
  });

  it('--clear-empty clears fields the source leaves empty; without it they are kept', async () => {
    t.emu.store.create('Lead', { LastName: 'Clear', Company: 'C', Email: 'clear@rules.test', Title: 'Keep me?' });
    const path = await file('clear.csv', 'Email,LastName,Company,Title\nclear@rules.test,Clear,C,\n');
    expect((await sync(path)).result.counts.none).to.equal(1);
    expect(lead('clear@rules.test')?.Title).to.equal('Keep me?');
    expect((await sync(path, '--clear-empty')).result.counts.update).to.equal(1);
    expect(lead('clear@rules.test')?.Title ?? null).to.equal(null);
  });

  it('reads JSON Lines with a map', async () => {
    const path = await file('people.jsonl', '{"mail":"jl1@rules.test","sn":"One","org":"JL"}\n\n{"mail":"jl2@rules.test","sn":"Two","org":"JL"}\n');
    const r = await sync(path, '--map', 'Email=mail,LastName=sn,Company=org');
    expect(r.result.counts.create).to.equal(2);
    expect(lead('jl2@rules.test')).to.include({ LastName: 'Two', Company: 'JL' });
  });

  it('names the line of malformed CSV and changes nothing', async () => {
    const before = orgFingerprint(t.emu);
    const e = await runCommandError(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', await file('bad.csv', 'Email,LastName,Company\na@rules.test,"Unclosed,C\nb@rules.test,B,C\n')]);
    expect(e.name).to.equal('InputError');
    expect(e.message).to.match(/cannot be read near line \d+/);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('refuses a run that needs more API requests than the org has left today, unless --force', async () => {
    const path = await file('limits.csv', 'Email,LastName,Company\nlimits@rules.test,L,C\n');
    t.emu.dailyApiUsed = t.emu.dailyApiMax - 3;
    try {
      const e = await runCommandError(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', path]);
      expect(e.message).to.match(/needs about \d+ API requests and the org has \d+ left today/);
      t.emu.dailyApiUsed = t.emu.dailyApiMax - 30;
      const forced = await sync(path, '--force');
      expect(forced.result.counts.create).to.equal(1);
    } finally {
      t.emu.dailyApiUsed = 0;
    }
  });

  it('a process killed in the middle of its writes: the next run converges, with no duplicate', async () => {
    const n = 4000;
    const rows = ['Email,LastName,Company'];
    for (let i = 0; i < n; i++) rows.push(`killed${i}@rules.test,K${i},C`);
    const path = await file('killed.csv', `${rows.join('\n')}\n`);
    t.emu.latencyMs = 20;
    await runAndKillAfterWrites(t, ['provision', 'records', 'sync', '--target-org', t.alias, '--object', 'Lead', '--file', path, '--bulk-threshold', '100000', '--result-file', join(dir, 'killed-result.csv')], 5, dir);
    t.emu.latencyMs = 0;
    const made = t.emu.store.records('Lead').filter((l) => String(l.Email).startsWith('killed')).length;
    expect(made, 'killed part-way').to.be.greaterThan(0).and.lessThan(n);
    const again = await runSync(new OrgClient(t.org.getConnection()), { object: 'Lead', file: path }, { dryRun: false });
    expect(again.counts.failed).to.equal(0);
    const emails = t.emu.store.records('Lead').filter((l) => String(l.Email).startsWith('killed')).map((l) => String(l.Email));
    expect(emails).to.have.length(n);
    expect(new Set(emails).size).to.equal(n);
  });

  it('--resume-job: an interrupted run\'s job is settled first (an unclosed one aborted), and nothing is sent twice', async () => {
    const path = await file('resume.csv', 'Email,LastName,Company\nresume1@rules.test,R1,C\nresume2@rules.test,R2,C\n');
    const conn = t.org.getConnection();
    // The interrupted run: one job uploaded and closed (it ran), one uploaded but never closed.
    const ran = conn.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await ran.open();
    await ran.uploadData('Email,LastName,Company\nresume1@rules.test,R1,C\n');
    await ran.close();
    const open = conn.bulk2.createJob({ object: 'Lead', operation: 'insert' });
    await open.open();
    await open.uploadData('Email,LastName,Company\nresume2@rules.test,R2,C\n');
    for (const job of [ran.id, open.id]) {
      // eslint-disable-next-line no-await-in-loop
      await runCommand(RecordsSync, ['--target-org', t.username, '--object', 'Lead', '--file', path, '--resume-job', job, '--result-file', join(dir, `${job}.csv`)]);
    }
    expect((await conn.bulk2.job('ingest', { id: open.id }).check()).state).to.equal('Aborted');
    for (const email of ['resume1@rules.test', 'resume2@rules.test']) {
      expect(t.emu.store.records('Lead').filter((l) => l.Email === email), email).to.have.length(1);
    }
  });

  it('--map-file, and --deprovision-missing --remove-action delete with --allow delete', async () => {
    const gone = t.emu.store.create('Lead', { LastName: 'Gone', Company: 'C', Email: 'gone@mapfile.test' });
    const path = await file('mapfile.csv', 'mail,sn,org\nkept@mapfile.test,Kept,C\n');
    const mapFile = await file('map.txt', '# Lead field = column\nEmail=mail\nLastName=sn\nCompany=org\n');
    // The file is the complete set: every other Lead of the org with an email is removed (this test runs last).
    const r = await sync(path, '--map-file', mapFile, '--deprovision-missing', '--remove-action', 'delete', '--allow', 'create,update,delete', '--dry-run');
    expect(r.result.counts.create).to.equal(1);
    expect(r.result.counts.delete).to.be.greaterThan(0);
    const run = await sync(path, '--map-file', mapFile, '--deprovision-missing', '--remove-action', 'delete', '--allow', 'create,update,delete');
    expect(run.exitCode).to.equal(0);
    expect(t.emu.store.get('Lead', gone)).to.equal(undefined);
    expect(lead('kept@mapfile.test')).to.include({ LastName: 'Kept' });
  });
});
