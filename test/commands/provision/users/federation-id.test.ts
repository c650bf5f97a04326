import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import UsersSetFederationId, { type SetFederationIdResult } from '../../../../src/commands/provision/users/set-federation-id.js';
import { loadSeed, type Seed, type SeedUser } from '../../../emulator/seed.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError } from '../../../helpers/plan.js';

const SAM = 'sam.sales@acme.example.com';
const IVY = 'integration@acme.example.com';
const ADMIN = 'admin@acme.example.com';

/** The default seed plus users, and the org's Federation ID case setting. */
const seedWith = async (users: SeedUser[], caseInsensitive?: boolean): Promise<Seed> => {
  const base = await loadSeed();
  return {
    ...base,
    users: [...(base.users ?? []), ...users],
    ...(caseInsensitive === undefined
      ? {}
      : {
          metadata: [
            ...(base.metadata ?? []),
            {
              type: 'SecuritySettings',
              fullName: 'Security',
              content: {
                singleSignOnSettings: {
                  enableCaseInsensitiveFederationID: caseInsensitive,
                  enableForceDelegatedCallout: false,
                  enableMultipleSamlConfigs: true,
                  enableSamlJitProvisioning: false,
                  enableSamlLogin: true,
                  isLoginWithSalesforceCredentialsDisabled: false,
                },
              },
            },
          ],
        }),
  };
};

describe('sf provision users set-federation-id', function () {
  this.timeout(120_000);
  let t: TestOrg | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const fidOf = (username: string): unknown => t!.emu.store.records('User').find((u) => u.Username === username)?.FederationIdentifier;

  it('from email: a case-only collision is reported and not written, the others are set; a second run changes nothing', async () => {
    // Two users whose emails differ only by case, in an org that matches Federation IDs case-insensitively.
    const seed = await seedWith(
      [
        { username: 'pat.one@acme.example.com', lastName: 'One', email: 'pat@acme.example.com', profile: 'Standard User' },
        { username: 'pat.two@acme.example.com', lastName: 'Two', email: 'PAT@acme.example.com', profile: 'Standard User' },
      ],
      true
    );
    t = await setupTestOrg({ seed });
    const first = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--from', 'email']);
    expect(first.exitCode).to.equal(68);
    expect(first.result).to.include({ caseInsensitive: true, caseSetting: 'org' });
    const byName = new Map(first.result.users.map((u) => [u.username, u]));
    expect(byName.get('pat.one@acme.example.com')).to.deep.include({ status: 'failed', action: 'none' });
    expect(byName.get('pat.one@acme.example.com')?.error?.code).to.equal('FEDERATION_ID_COLLISION');
    expect(byName.get('pat.two@acme.example.com')?.error?.code).to.equal('FEDERATION_ID_COLLISION');
    expect(byName.get(ADMIN)).to.include({ action: 'set', status: 'applied', federationId: ADMIN });
    expect(byName.get(SAM)).to.include({ action: 'none', status: 'unchanged' });
    expect(first.result.collisions).to.deep.equal([{ federationId: 'pat@acme.example.com', users: ['pat.one@acme.example.com', 'pat.two@acme.example.com'], holders: [] }]);
    expect(first.output).to.contain('collides');
    expect(fidOf('pat.one@acme.example.com')).to.equal(null);
    expect(fidOf('pat.two@acme.example.com')).to.equal(null);
    expect(fidOf(ADMIN)).to.equal(ADMIN);
    expect(fidOf(IVY)).to.equal(IVY);

    const after = orgFingerprint(t.emu);
    const second = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--from', 'email', '--users', `${ADMIN},${IVY},${SAM}`]);
    expect(second.exitCode).to.equal(0);
    expect(second.result.changed).to.equal(false);
    expect(orgFingerprint(t.emu)).to.equal(after);
  });

  it('a value another user already holds collides (case-insensitively); case-sensitive orgs keep case-only differences apart', async () => {
    const seed = await seedWith([{ username: 'sam2@acme.example.com', lastName: 'Two', email: 'SAM.SALES@acme.example.com', profile: 'Standard User' }], true);
    t = await setupTestOrg({ seed });
    const err = await runCommandError(UsersSetFederationId, ['--target-org', 'emu', '--from', 'email', '--users', 'sam2@acme.example.com']);
    expect(err.message).to.contain('collides (case-insensitively) with sam.sales@acme.example.com (sam.sales@acme.example.com)');
    expect(fidOf('sam2@acme.example.com')).to.equal(null);
    await t.close();

    t = await setupTestOrg({ seed: await seedWith([{ username: 'sam2@acme.example.com', lastName: 'Two', email: 'SAM.SALES@acme.example.com', profile: 'Standard User' }], false) });
    const r = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--from', 'email', '--users', 'sam2@acme.example.com']);
    expect(r.result.caseInsensitive).to.equal(false);
    expect(r.result.users[0]).to.include({ status: 'applied', federationId: 'SAM.SALES@acme.example.com' });
  });

  it('--only-missing leaves users who have one; --dry-run writes nothing', async () => {
    t = await setupTestOrg();
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--from', 'username', '--users', `${SAM},${IVY}`, '--only-missing', '--dry-run']);
    expect(dry.result).to.include({ dryRun: true, changed: true });
    expect(dry.result.users).to.deep.equal([
      { username: SAM, action: 'none', federationId: SAM, status: 'unchanged' },
      { username: IVY, action: 'set', federationId: IVY, status: 'planned' },
    ]);
    expect(orgFingerprint(t.emu)).to.equal(before);

    t.emu.store.patchSystem('User', String(t.emu.store.records('User').find((u) => u.Username === SAM)!.Id), { FederationIdentifier: 'sam-old' });
    const r = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--from', 'username', '--users', `${SAM},${IVY}`, '--only-missing']);
    expect(r.exitCode).to.equal(0);
    expect(fidOf(SAM)).to.equal('sam-old');
    expect(fidOf(IVY)).to.equal(IVY);
  });

  it('--file maps usernames to Federation IDs; unknown users are reported; --json through bin/run.js', async () => {
    t = await setupTestOrg();
    const dir = await mkdtemp(join(tmpdir(), 'fid-'));
    try {
      const file = join(dir, 'map.csv');
      await writeFile(file, `Username,FederationIdentifier\n${IVY},ivy-0001\n${SAM},"sam-0002"\nnobody@acme.example.com,x-9\n`);
      const r = await t.runJson<SetFederationIdResult>(['provision', 'users', 'set-federation-id', '--target-org', 'emu', '--file', file]);
      expect(r.code).to.equal(68);
      expect(r.json.result.users.map((u) => [u.username, u.status, u.federationId ?? ''])).to.deep.equal([
        [IVY, 'applied', 'ivy-0001'],
        [SAM, 'applied', 'sam-0002'],
        ['nobody@acme.example.com', 'failed', ''],
      ]);
      expect(r.json.result.users[1].previous).to.equal(SAM);
      expect(fidOf(IVY)).to.equal('ivy-0001');
      expect(fidOf(SAM)).to.equal('sam-0002');
      const again = await runCommand(UsersSetFederationId, ['--target-org', 'emu', '--file', file, '--users', `${IVY},${SAM}`]);
      expect(again.result.changed).to.equal(false);
      expect(again.exitCode).to.equal(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('needs Manage Users: a clear error for a running user without it', async () => {
    t = await setupTestOrg();
    const sam = String(t.emu.store.records('User').find((u) => u.Username === SAM)!.Id);
    const token = t.emu.oauth.issueToken(sam, ['api']).token;
    const r = await t.runJson(['provision', 'users', 'set-federation-id', '--target-org', token, '--from', 'email', '--users', IVY], {
      env: { SF_ORG_INSTANCE_URL: t.emu.instanceUrl },
    });
    expect(r.code).to.equal(1);
    expect(r.json.message).to.contain('Manage Users');
    expect(fidOf(IVY)).to.equal(null);
  });
});
