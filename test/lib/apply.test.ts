import { expect } from 'chai';
import { OrgClient } from '../../src/provision/client.js';
import { carryOut, PARTIAL_SUCCESS } from '../../src/provision/command.js';
import { applyMetadataChanges } from '../../src/provision/metadata.js';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { certificateChange, fakeCommand } from '../helpers/library.js';

describe('applying a plan', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let client: OrgClient;

  before(async () => {
    t = await setupTestOrg();
    client = new OrgClient(t.org.getConnection(), { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 });
  });
  after(async () => {
    await t?.close();
  });
  afterEach(() => {
    process.exitCode = undefined;
    t.emu.clearFaults();
  });

  it('reports each component of one Metadata API call on its own', async () => {
    const done = await applyMetadataChanges(client, [certificateChange('Good_Cert', 2048), certificateChange('Bad_Cert', 1024)]);
    expect(done.map((c) => c.status)).to.deep.equal(['applied', 'failed']);
    expect(done[1].error).to.deep.include({ code: 'FIELD_INTEGRITY_EXCEPTION' });
    expect(t.emu.components.get('Certificate')?.has('Good_Cert')).to.equal(true);
  });

  it('exits 68 when some changes failed and others were applied', async () => {
    const cmd = fakeCommand();
    const result = await carryOut(cmd, client, [certificateChange('Second_Good', 2048), certificateChange('Second_Bad', 512)], { dryRun: false });
    expect(process.exitCode).to.equal(PARTIAL_SUCCESS);
    expect(result.changes.map((c) => c.status)).to.deep.equal(['applied', 'failed']);
    expect(result.changes[0]).to.not.have.property('metadata');
    expect(cmd.lines.join('\n')).to.match(/1 of 2 change\(s\) failed/);
  });

  it('throws with the org message and a fix when every change failed', async () => {
    const cmd = fakeCommand();
    try {
      await carryOut(cmd, client, [certificateChange('Only_Bad', 1000)], { dryRun: false });
      expect.fail('carryOut should have thrown');
    } catch (e) {
      const err = e as Error & { actions?: string[] };
      expect(err.message).to.contain('Certificate Only_Bad').and.to.contain('key size');
      expect(err.actions?.[0]).to.contain('Check the value');
    }
  });

  it('retries a locked row and then applies', async () => {
    t.emu.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', api: 'metadata', times: 1 });
    const done = await applyMetadataChanges(client, [certificateChange('After_Lock', 2048)]);
    expect(done[0].status).to.equal('applied');
    expect(client.retries).to.be.greaterThan(0);
  });
});
