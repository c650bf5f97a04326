/*
 * records sync under faults: with 5% of calls failing transiently (lock contention, a busy server, the
 * concurrent-request limit, and answers lost after the org carried the call out), a 10,000-record sync ends with the
 * org's Leads exactly as the file says: none lost, none duplicated. Through sObject Collections and through Bulk API
 * 2.0. And a run stopped part-way (the process killed) converges when run again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OrgClient } from '../../../../src/provision/client.js';
import { runSync } from '../../../../src/provision/records/sync.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';

const N = 10_000;

/** Half the people are in the org with an old title (updates), half are new (creates). */
const seedAndFile = async (t: TestOrg, dir: string, name: string): Promise<string> => {
  const rows = ['Email,LastName,Company,Title'];
  for (let i = 0; i < N; i++) {
    const email = `${name}${i}@reliable.test`;
    if (i % 2 === 0) t.emu.store.create('Lead', { LastName: `P${i}`, Company: 'Old', Email: email, Title: 'Old' });
    rows.push(`${email},P${i},New Co,T${i}`);
  }
  const file = join(dir, `${name}.csv`);
  await writeFile(file, `${rows.join('\n')}\n`);
  return file;
};

/** The org's Leads of the run are exactly the file: one per email, with the file's values. */
const expectExactly = (t: TestOrg, name: string): void => {
  const mine = t.emu.store.records('Lead').filter((l) => String(l.Email).startsWith(name) && String(l.Email).endsWith('@reliable.test'));
  const byEmail = new Map<string, Array<Record<string, unknown>>>();
  for (const l of mine) byEmail.set(String(l.Email), [...(byEmail.get(String(l.Email)) ?? []), l]);
  const dupes = [...byEmail.values()].filter((v) => v.length > 1).length;
  expect(dupes, 'duplicated').to.equal(0);
  expect(byEmail.size, 'lost').to.equal(N);
  const wrong = mine.filter((l) => l.Company !== 'New Co' || l.Title !== `T${String(l.LastName).slice(1)}`).length;
  expect(wrong, 'with other values than the file').to.equal(0);
};

describe('records sync under faults', function () {
  this.timeout(600_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'records-reliable-'));
  });
  after(async () => {
    t.emu.faultRate = 0;
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [path, threshold] of [
    ['collections', 1_000_000],
    ['bulk', 1000],
  ] as const) {
    it(`10,000 records through ${path} with 5% of calls failing: exactly the file, nothing lost or duplicated`, async () => {
      const file = await seedAndFile(t, dir, path);
      t.emu.faultRate = 0.05;
      t.emu.faultDropAfterCommit = true;
      if (path === 'bulk') {
        // A bulk run makes few calls: the upload's answer lost after the data was stored, and a busy server at close.
        t.emu.injectFault({ kind: 'DROP_AFTER_COMMIT', api: 'bulk', method: 'PUT', times: 1 });
        t.emu.injectFault({ kind: 'SERVER_UNAVAILABLE', api: 'bulk', method: 'PATCH', times: 1 });
      }
      try {
        const client = new OrgClient(t.org.getConnection(), { attempts: 8, baseDelayMs: 5, maxDelayMs: 50 });
        const r = await runSync(client, { object: 'Lead', file, bulkThreshold: threshold }, { dryRun: false });
        expect(r.counts.failed, JSON.stringify(r.problems.slice(0, 3))).to.equal(0);
        expect(r.counts).to.include({ create: N / 2, update: N / 2 });
        expect(client.retries, 'calls failed and were tried again').to.be.greaterThan(0);
      } finally {
        t.emu.faultRate = 0;
        t.emu.faultDropAfterCommit = false;
        t.emu.clearFaults();
      }
      expectExactly(t, path);
    });
  }

  it('a run stopped part-way converges when run again', async () => {
    const file = await seedAndFile(t, dir, 'killed');
    const client = new OrgClient(t.org.getConnection());
    // Stop after about a third of the writes: the session is cut, as a killed process leaves it.
    const stop = { after: Math.floor(N / 200 / 3) };
    t.emu.injectFault({ kind: 'INVALID_SESSION_ID', api: 'rest', path: /composite\/sobjects/, after: stop.after, times: 1_000_000 });
    const cut = await runSync(client, { object: 'Lead', file, bulkThreshold: 1_000_000 }, { dryRun: false }).catch((e: Error) => e);
    t.emu.clearFaults();
    const partial = cut instanceof Error ? undefined : cut;
    expect(partial === undefined || partial.counts.failed > 0, 'the first run did not finish').to.equal(true);
    const again = await runSync(new OrgClient(t.org.getConnection()), { object: 'Lead', file, bulkThreshold: 1_000_000 }, { dryRun: false });
    expect(again.counts.failed).to.equal(0);
    expectExactly(t, 'killed');
    const third = await runSync(new OrgClient(t.org.getConnection()), { object: 'Lead', file }, { dryRun: true });
    expect(third.counts.none).to.equal(N);
  });
});
