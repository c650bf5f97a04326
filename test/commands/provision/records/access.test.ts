/*
 * records sync as the integration user it runs as in production, against the emulated org that enforces permissions:
 * without access to Leads the run stops before any write and says so; with the Ory permission set (Lead create and
 * read, Email edit) the Leads are created; a field the user cannot see (Title, no field-level access) is named as
 * such before any write.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import PermsetAssign from '../../../../src/commands/provision/permset/assign.js';
import PermsetCreate from '../../../../src/commands/provision/permset/create.js';
import { OrgClient } from '../../../../src/provision/client.js';
import { runSync } from '../../../../src/provision/records/sync.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand } from '../../../helpers/plan.js';
import { refusal } from '../../../helpers/library.js';

const RUN_AS = 'integration@acme.example.com';

describe('records sync as the integration user', function () {
  this.timeout(60_000);
  let t: TestOrg;
  let dir: string;
  let file: string;
  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'records-access-'));
    file = join(dir, 'people.csv');
    await writeFile(file, 'Email,LastName,Company,Title\nivy.one@people.test,One,Ory,CTO\n');
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** An OrgClient with a session of the integration user (what its client credentials token gives). */
  const asIntegration = (): OrgClient => {
    const user = t.emu.store.find('User', (u) => u.Username === RUN_AS)!;
    const session = t.emu.oauth.issueToken(String(user.Id));
    const conn = new Connection({ instanceUrl: t.emu.instanceUrl, accessToken: session.token, version: '66.0' });
    return new OrgClient(conn as unknown as ConstructorParameters<typeof OrgClient>[0]);
  };

  it('stops before any write without access to Leads, and writes what the Ory permission set allows', async () => {
    const before = orgFingerprint(t.emu);
    const denied = await refusal(runSync(asIntegration(), { object: 'Lead', file, map: [{ field: 'Email', source: 'Email' }, { field: 'LastName', source: 'LastName' }, { field: 'Company', source: 'Company' }] }, { dryRun: false }));
    expect(denied.message).to.contain('The user this run connects as cannot see Lead');
    expect(orgFingerprint(t.emu)).to.equal(before);

    await runCommand(PermsetCreate, ['--target-org', t.username, '--name', 'Ory_Leads', '--object', 'Lead:create,read', '--field', 'Lead.Email:edit']);
    await runCommand(PermsetAssign, ['--target-org', t.username, '--name', 'Ory_Leads', '--users', RUN_AS]);

    const hidden = await refusal(runSync(asIntegration(), { object: 'Lead', file }, { dryRun: false }));
    expect(hidden.message).to.contain('Lead has no field Title that you can see');

    const ok = await runSync(asIntegration(), { object: 'Lead', file, map: [{ field: 'Email', source: 'Email' }, { field: 'LastName', source: 'LastName' }, { field: 'Company', source: 'Company' }] }, { dryRun: false });
    expect(ok.counts).to.include({ create: 1, succeeded: 1, failed: 0 });
    expect(t.emu.store.find('Lead', (l) => l.Email === 'ivy.one@people.test')).to.include({ LastName: 'One', Company: 'Ory' });
  });
});
