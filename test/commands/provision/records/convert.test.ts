/*
 * `records convert` against the emulated org (convertLead through the Partner SOAP API): Leads found by email and
 * converted into Contacts, Accounts and (unless --no-opportunity) Opportunities; a second run says they are converted
 * already; unknown emails and several Leads for one email are reported, never guessed; --dry-run converts nothing; a
 * lost answer is read back, and no Lead is converted twice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import RecordsConvert from '../../../../src/commands/provision/records/convert.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

describe('provision records convert', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let dir: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'records-convert-'));
    for (const n of ['ada', 'grace', 'alan', 'twin', 'twin2']) {
      t.emu.store.create('Lead', { LastName: n, Company: `${n} Co`, Email: `${n.replace('2', '')}@convert.test` });
    }
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const lead = (email: string): Record<string, unknown> | undefined => t.emu.store.records('Lead').find((l) => l.Email === email);

  it('--dry-run converts nothing and says what it would do', async () => {
    const before = orgFingerprint(t.emu);
    const { result } = await runCommand(RecordsConvert, ['--target-org', t.username, '--emails', 'ada@convert.test,nobody@convert.test', '--dry-run']);
    expect(result.outcomes.map((o) => `${o.email}:${o.status}`)).to.deep.equal(['ada@convert.test:planned', 'nobody@convert.test:skipped']);
    expect(orgFingerprint(t.emu)).to.equal(before);
  });

  it('converts by email, reports what it cannot convert, and a second run finds them converted', async () => {
    const file = join(dir, 'promoted.csv');
    await writeFile(file, 'Email,Name\nada@convert.test,Ada\nGRACE@convert.test,Grace\ntwin@convert.test,Twin\nnobody@convert.test,No\n');
    const first = await runCommand(RecordsConvert, ['--target-org', t.username, '--file', file, '--no-opportunity']);
    expect(first.exitCode).to.equal(68);
    const by = Object.fromEntries(first.result.outcomes.map((o) => [o.email, o]));
    expect(by['ada@convert.test']).to.include({ status: 'converted' });
    expect(by['grace@convert.test'].status).to.equal('converted');
    expect(by['twin@convert.test']).to.include({ status: 'failed', code: 'AMBIGUOUS_MATCH' });
    expect(by['nobody@convert.test']).to.include({ status: 'skipped', code: 'NOT_FOUND' });
    const ada = lead('ada@convert.test')!;
    expect(ada.IsConverted).to.equal(true);
    expect(t.emu.store.get('Contact', String(ada.ConvertedContactId))).to.include({ Email: 'ada@convert.test' });
    expect(ada.ConvertedOpportunityId ?? null).to.equal(null);

    const again = await runCommand(RecordsConvert, ['--target-org', t.username, '--emails', 'ada@convert.test']);
    expect(again.result.outcomes[0]).to.include({ status: 'unchanged', contactId: ada.ConvertedContactId });
  });

  it('a lost answer is read back: the Lead is converted once', async () => {
    t.emu.injectFault({ kind: 'DROP_AFTER_COMMIT', api: 'soap', times: 1 });
    const r = await runCommand(RecordsConvert, ['--target-org', t.username, '--emails', 'alan@convert.test']);
    expect(r.result.outcomes[0]).to.include({ status: 'converted' });
    expect(t.emu.store.records('Contact').filter((c) => c.Email === 'alan@convert.test')).to.have.length(1);
  });

  it('refuses a status that is not a converted one, and bad emails, before converting anything', async () => {
    const e = await runCommandError(RecordsConvert, ['--target-org', t.username, '--emails', 'twin@convert.test', '--converted-status', 'Open - Not Contacted']);
    expect(e.message).to.contain('is not a converted Lead status');
    const bad = await runCommandError(RecordsConvert, ['--target-org', t.username, '--emails', 'not-an-email']);
    expect(bad.message).to.contain('Not email addresses: not-an-email');
  });

  it('--account-id converts into that Account', async () => {
    const account = t.emu.store.create('Account', { Name: 'Existing Co' });
    t.emu.store.create('Lead', { LastName: 'Into', Company: 'Other', Email: 'into@convert.test' });
    const r = await runCommand(RecordsConvert, ['--target-org', t.username, '--emails', 'into@convert.test', '--account-id', account, '--no-opportunity']);
    expect(r.result.outcomes[0].accountId?.slice(0, 15)).to.equal(account.slice(0, 15));
    expect(t.emu.store.records('Account').filter((a) => a.Name === 'Other')).to.have.length(0);
  });
});
