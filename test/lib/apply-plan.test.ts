import { expect } from 'chai';
import sinon from 'sinon';
import { applyPlan, DEPENDENCY_FAILED, orderChanges, REFERENCE_UNRESOLVED, type ApplyEvent } from '../../src/provision/apply.js';
import { OrgClient } from '../../src/provision/client.js';
import { carryOut, PARTIAL_SUCCESS } from '../../src/provision/command.js';
import { planPermissionSetSpec } from '../../src/provision/permission-sets.js';
import { dependenciesOf, displayValue, planRows, refTo, type Change } from '../../src/provision/plan.js';
import { loadSeed } from '../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { certificateChange, fakeCommand } from '../helpers/library.js';

const record = (sobject: string, name: string, values: Record<string, unknown>, extra: Partial<Change> = {}): Change => ({
  resource: sobject,
  name,
  action: 'create',
  fields: Object.entries(values).map(([field, to]) => ({ field, to })),
  status: 'planned',
  record: { sobject, operation: 'create', values },
  ...extra,
});

const permissionSet = (name: string, content: Record<string, unknown> = {}): Change => ({
  resource: 'PermissionSet',
  name,
  action: 'create',
  fields: [{ field: 'label', to: name }],
  status: 'planned',
  metadata: { type: 'PermissionSet', fullName: name, content: { fullName: name, ...content, hasActivationRequired: false, label: name } },
});

describe('references between changes (pure)', () => {
  it('derives dependencies from references in record values and metadata content, and from dependsOn', () => {
    const contact = record('Contact', 'Ada', { LastName: 'Lovelace', AccountId: refTo('Account', 'Acme') }, { dependsOn: ['Lead:Other'] });
    expect(dependenciesOf(contact)).to.deep.equal(['Account:Acme', 'Lead:Other']);
    const nested = permissionSet('X', { deep: [{ id: refTo('Certificate', 'C') }] });
    expect(dependenciesOf(nested)).to.deep.equal(['Certificate:C']);
  });

  it('orders by references, otherwise in plan order; unchanged changes are not sent', () => {
    const contact = record('Contact', 'Ada', { LastName: 'Lovelace', AccountId: refTo('Account', 'Acme') });
    const account = record('Account', 'Acme', { Name: 'Acme' });
    const lead = record('Lead', 'Lee', { LastName: 'Lee', Company: 'Acme' });
    const unchanged: Change = { resource: 'PermissionSet', name: 'Old', action: 'none', fields: [], status: 'unchanged' };
    const access = record('SetupEntityAccess', 'Old → App', { ParentId: refTo('PermissionSet', 'Old'), SetupEntityId: 'x' });
    const { waves, refused } = orderChanges([contact, account, lead, unchanged, access]);
    expect(waves).to.deep.equal([[account, lead, access], [contact]]);
    expect(refused.size).to.equal(0);
  });

  it('refuses a reference to nothing in the plan and a cycle', () => {
    const orphan = record('Contact', 'Orphan', { LastName: 'O', AccountId: refTo('Account', 'Nowhere') });
    const a = record('Account', 'A', { Name: 'A' }, { dependsOn: ['Account:B'] });
    const b = record('Account', 'B', { Name: 'B' }, { dependsOn: ['Account:A'] });
    const { refused } = orderChanges([orphan, a, b]);
    expect(refused.get(orphan)).to.deep.include({ code: REFERENCE_UNRESOLVED });
    expect(refused.get(orphan)?.message).to.contain('Account Nowhere');
    expect([...refused.keys()].filter((c) => c === a || c === b)).to.have.length(1);
  });

  it('shows a reference in a plan as the value it stands for', () => {
    expect(displayValue(refTo('PermissionSet', 'Lead_Sync'))).to.equal('(id of PermissionSet Lead_Sync)');
    const rows = planRows([record('SetupEntityAccess', 'Lead_Sync → App', { ParentId: refTo('PermissionSet', 'Lead_Sync') })]);
    expect(rows[0]).to.include({ field: 'ParentId', to: '(id of PermissionSet Lead_Sync)' });
  });
});

describe('applyPlan: one ordered pass', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    const base = await loadSeed();
    const metadata = [{ type: 'ConnectedApp', fullName: 'Sync_App', content: { contactEmail: 'a@acme.example.com', label: 'Sync App' } }];
    t = await setupTestOrg({ seed: { ...base, metadata: [...(base.metadata ?? []), ...metadata] } });
    client = new OrgClient(t.org.getConnection(), { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
  });
  after(async () => {
    await t?.close();
  });
  afterEach(() => {
    process.exitCode = undefined;
    t.emu.clearFaults();
  });

  /** Records of the sObject in the org (what was not sent left none behind). */
  const posts = (sobject: string): number => t.emu.store.records(sobject).length;
  const collectionCalls = (from: number, method: string): number =>
    t.emu.requests.slice(from).filter((r) => r.method === method && r.path.endsWith('/composite/sobjects')).length;
  const appId = (): string => t.emu.store.records('ConnectedApplication').find((a) => a.Name === 'Sync_App')!.Id;

  it('creates a record first and puts its id into the record that refers to it; reports progress', async () => {
    const contact = record('Contact', 'Ada', { LastName: 'Lovelace', AccountId: refTo('Account', 'Ref_Acme') });
    const account = record('Account', 'Ref_Acme', { Name: 'Ref_Acme' });
    const events: ApplyEvent[] = [];
    const done = await applyPlan(client, [contact, account], { onProgress: (e) => events.push(e) });
    expect(done.map((c) => [c.name, c.status])).to.deep.equal([
      ['Ada', 'applied'],
      ['Ref_Acme', 'applied'],
    ]);
    const acme = t.emu.store.records('Account').find((a) => a.Name === 'Ref_Acme')!;
    expect(t.emu.store.records('Contact').filter((c) => c.LastName === 'Lovelace' && c.AccountId === acme.Id)).to.have.length(1);
    expect(done[0].record?.values?.AccountId).to.equal(acme.Id);
    expect(done[0].fields).to.deep.include({ field: 'AccountId', to: acme.Id });
    expect(events.map((e) => e.type)).to.deep.equal(['start', 'change', 'change', 'end']);
    expect(events[0]).to.deep.equal({ type: 'start', total: 2 });
    expect(events.filter((e): e is Extract<ApplyEvent, { type: 'change' }> => e.type === 'change').map((e) => [e.change.name, e.done])).to.deep.equal([
      ['Ref_Acme', 1],
      ['Ada', 2],
    ]);
    expect(events[3]).to.deep.equal({ type: 'end', applied: 2, failed: 0 });
  });

  it('sends 450 record creates in 3 sObject Collections calls; a refused record fails alone; a later wave gets an id from the last batch', async () => {
    const names = Array.from({ length: 450 }, (_, i) => `Batch_${String(i).padStart(3, '0')}`);
    // Batch_123 has no Name: the org refuses it, and only it.
    const accounts = names.map((n) => record('Account', n, n === 'Batch_123' ? { Description: n } : { Name: n }));
    const late = record('Contact', 'Late', { LastName: 'Late', AccountId: refTo('Account', 'Batch_420') });
    const orphan = record('Contact', 'Orphan', { LastName: 'Orphan', AccountId: refTo('Account', 'Batch_123') });
    const start = t.emu.requests.length;
    const done = await applyPlan(client, [late, ...accounts, orphan]);
    // 200 + 200 + 50 Accounts, then one call for the Contact whose Account was created; no per-record REST call.
    expect(collectionCalls(start, 'POST')).to.equal(4);
    expect(t.emu.requests.slice(start).filter((r) => r.method === 'POST' && /\/sobjects\/(Account|Contact)$/.test(r.path))).to.have.length(0);
    const byName = new Map(done.map((c) => [c.name, c]));
    expect(done.filter((c) => c.resource === 'Account' && c.status === 'applied')).to.have.length(449);
    expect(byName.get('Batch_123')).to.deep.include({ status: 'failed' });
    expect(byName.get('Batch_123')?.error?.code).to.equal('REQUIRED_FIELD_MISSING');
    expect(byName.get('Orphan')?.error).to.deep.equal({ code: DEPENDENCY_FAILED, message: 'Not sent: it needs Account Batch_123, which failed.' });
    const batch420 = t.emu.store.records('Account').find((a) => a.Name === 'Batch_420')!;
    expect(byName.get('Late')).to.deep.include({ status: 'applied' });
    expect(t.emu.store.records('Contact').filter((c) => c.LastName === 'Late' && c.AccountId === batch420.Id)).to.have.length(1);
    expect(t.emu.store.records('Contact').filter((c) => c.LastName === 'Orphan')).to.have.length(0);
    expect(t.emu.store.records('Account').filter((a) => String(a.Name).startsWith('Batch_'))).to.have.length(449);

    // Deletes go the same way: 449 in 3 calls, and an id the org no longer has fails alone.
    const ids = t.emu.store.records('Account').filter((a) => String(a.Name).startsWith('Batch_')).map((a) => String(a.Id));
    const del = (id: string, name: string): Change => ({ resource: 'Account', name, action: 'delete', fields: [], status: 'planned', record: { sobject: 'Account', operation: 'delete', id } });
    const deletes = ids.map((id, i) => del(id, `Del_${i}`));
    deletes.splice(300, 0, del(String(batch420.Id).replace(/.{3}$/, 'zzz'), 'Del_Missing'));
    const from = t.emu.requests.length;
    const gone = await applyPlan(client, deletes);
    expect(collectionCalls(from, 'DELETE')).to.equal(3);
    expect(gone.filter((c) => c.status === 'applied')).to.have.length(449);
    expect(gone.find((c) => c.name === 'Del_Missing')).to.deep.include({ status: 'failed' });
    expect(t.emu.store.records('Account').filter((a) => String(a.Name).startsWith('Batch_'))).to.have.length(0);
  });

  it('a change that depends on a key several changes share waits for all of them, and is not sent when any failed', async () => {
    const first = record('Account', 'Twin', { Name: 'Twin_1' });
    const second = record('Account', 'Twin', { Description: 'no name' });
    const after = record('Contact', 'Twin_Contact', { LastName: 'Twin_Contact' }, { dependsOn: ['Account:Twin'] });
    expect(orderChanges([after, first, second]).waves).to.deep.equal([[first, second], [after]]);
    const done = await applyPlan(client, [after, first, second]);
    expect(done.map((c) => c.status)).to.deep.equal(['failed', 'applied', 'failed']);
    expect(done[0].error).to.deep.equal({ code: DEPENDENCY_FAILED, message: 'Not sent: it needs Account Twin, which failed.' });
    expect(t.emu.store.records('Contact').filter((c) => c.LastName === 'Twin_Contact')).to.have.length(0);
  });

  it('creates a permission set, then its connected app access with the new id (the plan permset create makes)', async () => {
    const changes = await planPermissionSetSpec(client, { name: 'Ref_Sync', apiEnabled: true, app: 'Sync_App' });
    expect(changes[1].record?.values?.ParentId).to.deep.equal(refTo('PermissionSet', 'Ref_Sync'));
    const before = t.emu.counters.metadata;
    const done = await applyPlan(client, changes);
    expect(done.map((c) => c.status)).to.deep.equal(['applied', 'applied']);
    const ps = t.emu.store.records('PermissionSet').find((p) => p.Name === 'Ref_Sync')!;
    expect(t.emu.store.records('SetupEntityAccess').filter((s) => s.ParentId === ps.Id && s.SetupEntityId === appId())).to.have.length(1);
    expect(done[1].fields).to.deep.include({ field: 'ParentId', to: ps.Id });
    // One create and one listMetadata for the id.
    expect(t.emu.counters.metadata - before).to.equal(2);
  });

  it('puts a component\'s id, as the org lists it, into metadata content that refers to it', async () => {
    const described = permissionSet('Ref_Described', { description: refTo('Certificate', 'Ref_Cert') });
    const done = await applyPlan(client, [described, certificateChange('Ref_Cert', 2048)]);
    expect(done.map((c) => c.status)).to.deep.equal(['applied', 'applied']);
    const certId = t.emu.components.get('Certificate')!.get('Ref_Cert')!.id;
    expect(t.emu.components.get('PermissionSet')!.get('Ref_Described')!.content.description).to.equal(certId);
    expect(done[0].metadata?.content.description).to.equal(certId);
  });

  it('does not send what depends on a failed change, and still applies what does not', async () => {
    const access = record('SetupEntityAccess', 'Bad_Set → Sync_App', { ParentId: refTo('PermissionSet', 'Bad_Set'), SetupEntityId: appId() });
    const contact = record('Contact', 'Grace', { LastName: 'Hopper', AccountId: refTo('Account', 'Ref_Navy') });
    const changes = [permissionSet('Bad_Set', { noSuchElement: 'x' }), access, record('Account', 'Ref_Navy', { Name: 'Ref_Navy' }), contact, certificateChange('Bad_Cert', 1024)];
    const accessPosts = posts('SetupEntityAccess');
    const done = await applyPlan(client, changes);
    expect(done.map((c) => [c.name, c.status])).to.deep.equal([
      ['Bad_Set', 'failed'],
      ['Bad_Set → Sync_App', 'failed'],
      ['Ref_Navy', 'applied'],
      ['Grace', 'applied'],
      ['Bad_Cert', 'failed'],
    ]);
    expect(done[1].error).to.deep.equal({ code: DEPENDENCY_FAILED, message: 'Not sent: it needs PermissionSet Bad_Set, which failed.' });
    expect(posts('SetupEntityAccess')).to.equal(accessPosts);
    expect(done[1].record?.values?.ParentId).to.deep.equal(refTo('PermissionSet', 'Bad_Set'));
  });

  it('carryOut: exit 68 when a dependency failed and an independent change applied; exit 1 naming the cause when all failed', async () => {
    const cmd = fakeCommand();
    const access = record('SetupEntityAccess', 'Worse_Set → Sync_App', { ParentId: refTo('PermissionSet', 'Worse_Set'), SetupEntityId: appId() });
    const result = await carryOut(cmd, client, [permissionSet('Worse_Set', { noSuchElement: 'x' }), access, record('Account', 'Ref_Partial', { Name: 'Ref_Partial' })], {
      dryRun: false,
    });
    expect(process.exitCode).to.equal(PARTIAL_SUCCESS);
    expect(result.changes.map((c) => c.status)).to.deep.equal(['failed', 'failed', 'applied']);
    expect(result.changes[1]).to.not.have.property('record');
    expect(cmd.lines.join('\n')).to.match(/2 of 3 change\(s\) failed/).and.to.contain('which failed. This change was not sent because a change it needs failed.');
    process.exitCode = undefined;

    const accessPosts = posts('SetupEntityAccess');
    const again = record('SetupEntityAccess', 'Worst_Set → Sync_App', { ParentId: refTo('PermissionSet', 'Worst_Set'), SetupEntityId: appId() });
    try {
      await carryOut(fakeCommand(), client, [permissionSet('Worst_Set', { noSuchElement: 'x' }), again], { dryRun: false });
      expect.fail('carryOut should have thrown');
    } catch (e) {
      expect((e as Error).message).to.contain('PermissionSet Worst_Set');
    }
    expect(posts('SetupEntityAccess')).to.equal(accessPosts);
  });

  it('deletes metadata in plan order, one per call, and does not send the deletions after a failed one', async () => {
    expect((await applyPlan(client, [certificateChange('Del_Keep', 2048), certificateChange('Del_Gone', 2048)])).map((c) => c.status)).to.deep.equal(['applied', 'applied']);
    const del = (name: string): Change => ({ resource: 'Certificate', name, action: 'delete', fields: [], status: 'planned' });
    const done = await applyPlan(client, [del('Del_Gone'), del('Del_Missing'), del('Del_Keep'), record('Account', 'Ref_Del', { Name: 'Ref_Del' })]);
    expect(done.map((c) => c.status)).to.deep.equal(['applied', 'failed', 'failed', 'applied']);
    expect(done[2].error).to.deep.equal({ code: DEPENDENCY_FAILED, message: 'Not sent: the deletion of Certificate Del_Missing before it failed.' });
    expect(t.emu.components.get('Certificate')?.has('Del_Keep')).to.equal(true);
    expect(t.emu.components.get('Certificate')?.has('Del_Gone')).to.equal(false);
  });

  it('--output-dir refuses metadata that takes a value from a change not made yet', async () => {
    const policies = permissionSet('Files_Set', { description: refTo('Certificate', 'Files_Cert') });
    try {
      await carryOut(fakeCommand(), client, [certificateChange('Files_Cert', 2048), policies], { dryRun: false, outputDir: 'never-written' });
      expect.fail('carryOut should have thrown');
    } catch (e) {
      expect((e as Error).name).to.equal('ReferenceNotFilesError');
      expect((e as Error).message).to.contain('PermissionSet Files_Set takes (id of Certificate Files_Cert)');
    }
  });

  it('dry run shows the reference and sends nothing; --json has no dependsOn', async () => {
    const cmd = fakeCommand();
    const calls = t.emu.counters.total;
    const access = record('SetupEntityAccess', 'Dry_Set → Sync_App', { ParentId: refTo('PermissionSet', 'Dry_Set'), SetupEntityId: appId() }, { dependsOn: ['PermissionSet:Dry_Set'] });
    const result = await carryOut(cmd, client, [permissionSet('Dry_Set'), access], { dryRun: true });
    expect(result.changes.map((c) => c.status)).to.deep.equal(['planned', 'planned']);
    expect(result.changes[1]).to.not.have.property('dependsOn');
    const rows = (cmd.table as sinon.SinonStub).firstCall.args[0] as { data: Array<Record<string, string>> };
    expect(rows.data).to.deep.include({ action: 'create', resource: 'SetupEntityAccess', name: 'Dry_Set → Sync_App', status: 'planned', field: 'ParentId', from: '', to: '(id of PermissionSet Dry_Set)' });
    expect(t.emu.counters.total).to.equal(calls);
  });
});
