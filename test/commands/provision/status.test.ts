import { join } from 'node:path';
import { expect } from 'chai';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import sinon from 'sinon';
import ProvisionStatus from '../../../src/commands/provision/status.js';
import { ROOT, setupTestOrg, type TestOrg } from '../../helpers/harness.js';
import type { ProvisionStatusResult } from '../../../src/commands/provision/status.js';

describe('sf provision status', function () {
  this.timeout(120_000);
  let t: TestOrg;

  before(async () => {
    t = await setupTestOrg({ seed: join(ROOT, 'test', 'emulator', 'seeds', 'demo.json'), alias: 'demo' });
  });
  after(async () => {
    await t?.close();
  });

  it('summarises the identity setup (in-process, through the command class)', async () => {
    const sandbox = sinon.createSandbox();
    const ux = stubSfCommandUx(sandbox);
    try {
      const result = await ProvisionStatus.run(['--target-org', 'demo']);
      expect(result.org).to.include({ name: 'Acme Corporation', edition: 'Enterprise Edition', instanceUrl: t.emu.instanceUrl });
      expect(result.sso.samlEnabled).to.equal(true);
      expect(result.samlConfigs).to.have.length(1);
      expect(result.samlConfigs[0]).to.include({ name: 'Okta', identityMapping: 'FederationId', identityLocation: 'SubjectNameId', jitEnabled: true });
      expect(result.certificates.map((c) => c.name)).to.deep.equal(['Okta_Legacy_Signing']);
      expect(result.certificates[0].daysLeft).to.be.within(15, 17);
      expect(result.apps).to.deep.equal([{ name: 'PingOne_Provisioning', type: 'ExternalClientApplication' }]);
      expect(result.picklists.stateCountryEnabled).to.equal(true);
      expect(result.api.dailyMax).to.equal(100_000);
      expect(result.warnings).to.have.length(1);
      expect(result.warnings[0]).to.contain('Okta Legacy Signing');
      expect(ux.warn.callCount).to.equal(1);
      expect(ux.table.callCount).to.be.greaterThan(2);
    } finally {
      sandbox.restore();
    }
  });

  it('reads through REST, Tooling and Metadata and changes nothing', async () => {
    const before = { ...t.emu.counters };
    const stateBefore = JSON.stringify(t.emu.store.records('User'));
    const r = await t.runJson<ProvisionStatusResult>(['provision', 'status', '--target-org', 'demo']);
    expect(r.code).to.equal(0);
    expect(r.json.status).to.equal(0);
    expect(r.json.result.samlConfigs[0].name).to.equal('Okta');
    expect(t.emu.counters.rest).to.be.greaterThan(before.rest);
    expect(t.emu.counters.tooling).to.be.greaterThan(before.tooling);
    expect(t.emu.counters.metadata).to.be.greaterThan(before.metadata);
    expect(JSON.stringify(t.emu.store.records('User'))).to.equal(stateBefore);
    // The daily allocation it reports is the emulator's own count.
    expect(r.json.result.api.dailyRemaining).to.equal(r.json.result.api.dailyMax - r.json.result.api.dailyUsed);
  });

  it('prints a human-readable summary as a subprocess (bin/run.js)', async () => {
    const r = await t.run(['provision', 'status', '--target-org', 'demo', '--expiry-warning-days', '5']);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('SAML single sign-on enabled');
    expect(r.stdout).to.contain('Okta_Legacy_Signing');
    expect(r.stdout).to.contain('PingOne_Provisioning');
    expect(r.stderr).not.to.contain('expires in');
  });

  it('explains an expired session with the fix, exit code 1', async () => {
    t.emu.oauth.expireAll();
    try {
      const r = await t.runJson(['provision', 'status', '--target-org', 'demo']);
      expect(r.code).to.equal(1);
      expect(r.json.status).to.equal(1);
      expect(`${r.json.message ?? ''} ${(r.json.actions ?? []).join(' ')}`).to.match(/log ?in/i);
    } finally {
      // Later tests in this file log in afresh.
    }
  });
});
