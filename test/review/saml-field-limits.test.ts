/*
 * Review: values longer than the SamlSsoConfig fields hold (Issuer 255, Label 80 characters, per the Salesforce
 * Field Reference) are refused by Salesforce. A hostile or unusual identity-provider metadata file, or a long --label,
 * must end in a clear error with exit code 1 that names the field, and leave the org as it was: never a half-made
 * configuration, never a stack trace. The command checks the limits itself, before it asks the org for anything.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import SsoConfigure from '../../src/commands/provision/sso/configure.js';
import { ROOT, setupTestOrg, type TestOrg } from '../helpers/harness.js';
import { orgFingerprint, runCommandError } from '../helpers/plan.js';

const DEMO = join(ROOT, 'test', 'emulator', 'seeds', 'demo.json');
const JUMPCLOUD = join(ROOT, 'test', 'fixtures', 'saml', 'jumpcloud.xml');

describe('review: SAML configuration values longer than Salesforce stores', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let tmp: string;

  beforeEach(async () => {
    t = await setupTestOrg({ seed: DEMO });
    tmp = await mkdtemp(join(tmpdir(), 'review-limits-'));
  });
  afterEach(async () => {
    await t?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  it('refuses identity-provider metadata whose entity ID (the Issuer) is longer than 255 characters', async () => {
    const longIssuer = `https://idp.example.com/${'a'.repeat(300)}`;
    const xml = (await readFile(JUMPCLOUD, 'utf8')).replace('entityID="JumpCloud"', `entityID="${longIssuer}"`);
    expect(xml).to.contain(longIssuer);
    const file = join(tmp, 'long-issuer.xml');
    await writeFile(file, xml);

    const before = orgFingerprint(t.emu);
    const err = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'LongIssuer', '--idp-metadata', file]);
    expect(err).to.not.be.instanceOf(TypeError);
    expect(err.exitCode).to.equal(1);
    expect(err.name).to.equal('ValueTooLongError');
    expect(err.message).to.equal('Issuer has 324 characters; Salesforce takes at most 255.');
    expect(err.actions?.[0]).to.contain('--idp-metadata');
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(t.emu.components.get('SamlSsoConfig')?.has('LongIssuer') ?? false).to.equal(false);
  });

  it('refuses a --label longer than 80 characters and keeps the configuration as it was', async () => {
    const before = orgFingerprint(t.emu);
    const err = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--label', 'L'.repeat(81)]);
    expect(err.exitCode).to.equal(1);
    expect(err.name).to.equal('ValueTooLongError');
    expect(err.message).to.equal('Label has 81 characters; Salesforce takes at most 80.');
    expect(err.actions?.[0]).to.contain('--label');
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(t.emu.components.get('SamlSsoConfig')?.get('Okta')?.content.name).to.equal('Okta');
  });
});
