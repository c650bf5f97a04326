import { expect } from 'chai';
import { OrgClient, chunk, isTransient } from '../../src/provision/client.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';

describe('OrgClient', function () {
  this.timeout(60_000);
  let t: TestOrg;
  const fast = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

  before(async () => {
    t = await setupTestOrg();
  });
  after(async () => {
    await t?.close();
  });
  afterEach(() => t.emu.clearFaults());

  it('classifies transient errors: lock, unavailable, concurrency limit; not the spent daily allocation', () => {
    expect(isTransient({ errorCode: 'UNABLE_TO_LOCK_ROW' })).to.equal(true);
    expect(isTransient({ errorCode: 'SERVER_UNAVAILABLE' })).to.equal(true);
    expect(isTransient({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' })).to.equal(true);
    expect(isTransient({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' })).to.equal(false);
    expect(isTransient({ errorCode: 'DUPLICATE_USERNAME' })).to.equal(false);
    expect(isTransient({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' })).to.equal(false);
  });

  it('retries a locked row and succeeds', async () => {
    const client = new OrgClient(t.org.getConnection(), fast);
    t.emu.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', api: 'rest', times: 2 });
    const rows = await client.query<{ Id: string }>('SELECT Id FROM User');
    expect(rows.length).to.equal(3);
    expect(client.retries).to.equal(2);
  });

  it('gives up after its attempts and surfaces the error code', async () => {
    const client = new OrgClient(t.org.getConnection(), fast);
    t.emu.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', api: 'rest', times: 10 });
    try {
      await client.query('SELECT Id FROM User');
      expect.fail('should fail');
    } catch (e) {
      expect((e as { errorCode?: string }).errorCode).to.equal('UNABLE_TO_LOCK_ROW');
    }
    expect(client.retries).to.equal(fast.attempts - 1);
  });

  it('does not retry a spent daily allocation', async () => {
    const client = new OrgClient(t.org.getConnection(), fast);
    const used = t.emu.dailyApiUsed;
    t.emu.dailyApiUsed = t.emu.dailyApiMax;
    try {
      await client.limits();
      expect.fail('should fail');
    } catch (e) {
      expect((e as { errorCode?: string }).errorCode).to.equal('REQUEST_LIMIT_EXCEEDED');
    } finally {
      t.emu.dailyApiUsed = used;
    }
    expect(client.retries).to.equal(0);
  });

  it('follows query pages and reports API usage from Sforce-Limit-Info', async () => {
    for (let i = 0; i < 4500; i++) t.emu.store.createSystem('Lead', { LastName: `Q${i}`, Company: 'Paged' });
    const client = new OrgClient(t.org.getConnection(), fast);
    const rows = await client.query("SELECT Id FROM Lead WHERE Company = 'Paged'");
    expect(rows.length).to.equal(4500);
    expect(client.calls).to.equal(3);
    expect(client.apiUsage?.max).to.equal(t.emu.dailyApiMax);
    expect(client.apiUsage?.used).to.equal(t.emu.dailyApiUsed);
  });

  it('reads metadata in batches of ten and lists three types per call', async () => {
    const client = new OrgClient(t.org.getConnection(), fast);
    const before = t.emu.counters.metadata;
    const names = Array.from({ length: 12 }, (_, i) => `Missing_${i}`);
    expect(await client.readMetadata('SamlSsoConfig', names)).to.deep.equal([]);
    expect(t.emu.counters.metadata - before).to.equal(2);
    await client.listMetadata(['SamlSsoConfig', 'Certificate', 'ConnectedApp', 'ExternalClientApplication']);
    expect(t.emu.counters.metadata - before).to.equal(4);
    expect(chunk([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
  });
});
