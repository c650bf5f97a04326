import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import IdpEnable from '../../../../src/commands/provision/idp/enable.js';
import IdpDisable from '../../../../src/commands/provision/idp/disable.js';
import IdpMetadata from '../../../../src/commands/provision/idp/metadata.js';
import { attr, childrenNamed, descendants, firstChild, NS, parseXml } from '../../../../src/provision/xml.js';
import { putComponent } from '../../../emulator/metadata/soap.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

const idp = (t: TestOrg): Record<string, unknown> => t.emu.components.get('IdentityProviderSettings')?.get('IdentityProvider')?.content ?? {};

/** The org's certificate as base64 DER (its body is the PEM Salesforce keeps). */
const certDer = (t: TestOrg, name: string): string =>
  (t.emu.components.get('Certificate')?.get(name)?.body?.toString('utf8') ?? '').replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

const addCert = (t: TestOrg, name: string, label: string): Promise<unknown> =>
  putComponent(t.emu.metadataContext, 'Certificate', name, { caSigned: false, keySize: 2048, masterLabel: label, privateKeyExportable: false });

describe('sf provision idp enable | disable | metadata', function () {
  this.timeout(120_000);
  let t: TestOrg;

  beforeEach(async () => {
    t = await setupTestOrg();
    await addCert(t, 'IdP_Signing', 'IdP Signing');
  });
  afterEach(async () => {
    await t?.close();
  });

  it('plans without changing the org under --dry-run', async () => {
    const before = orgFingerprint(t.emu);
    const { result, exitCode } = await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing', '--dry-run']);
    expect(exitCode).to.equal(0);
    expect(result).to.deep.include({ dryRun: true, changed: true });
    expect(result.changes[0]).to.deep.include({ resource: 'IdentityProviderSettings', name: 'IdentityProvider', action: 'update', status: 'planned' });
    expect(result.changes[0].fields).to.deep.include({ field: 'enableIdentityProvider', from: false, to: true });
    expect(orgFingerprint(t.emu)).to.equal(before);
    expect(idp(t).enableIdentityProvider).to.equal(false);
  });

  it('enables with a certificate named by its label, and a second run changes nothing', async () => {
    const first = await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP Signing']);
    expect(first.exitCode).to.equal(0);
    expect(first.result.changes[0].status).to.equal('applied');
    expect(first.result.certificate).to.deep.include({ name: 'IdP_Signing', label: 'IdP Signing' });
    expect(idp(t)).to.include({ certificateName: 'IdP_Signing', enableIdentityProvider: true });
    expect(first.output).to.contain('sf provision idp metadata');

    const after = orgFingerprint(t.emu);
    const second = await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
    expect(second.result.changed).to.equal(false);
    expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
    expect(second.output).to.contain('No changes');
    expect(orgFingerprint(t.emu)).to.equal(after);
  });

  it('warns when the identity provider moves to another certificate', async () => {
    await addCert(t, 'IdP_Signing_2027', 'IdP Signing 2027');
    await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
    const { result, ux } = await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing_2027']);
    expect(result.changes[0].fields).to.deep.equal([{ field: 'certificateName', from: 'IdP_Signing', to: 'IdP_Signing_2027' }]);
    expect(ux.warn.args.flat().join('\n')).to.contain('signs with IdP_Signing today');
    expect(idp(t).certificateName).to.equal('IdP_Signing_2027');
  });

  it('disables keeping the certificate; a second run and a dry run change nothing', async () => {
    await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
    const before = orgFingerprint(t.emu);
    const dry = await runCommand(IdpDisable, ['--target-org', 'emu', '--dry-run']);
    expect(dry.result.changes[0]).to.deep.include({ action: 'update', status: 'planned' });
    expect(orgFingerprint(t.emu)).to.equal(before);

    const off = await runCommand(IdpDisable, ['--target-org', 'emu']);
    expect(off.result.changes[0].fields).to.deep.equal([{ field: 'enableIdentityProvider', from: true, to: false }]);
    expect(idp(t)).to.include({ certificateName: 'IdP_Signing', enableIdentityProvider: false });
    const again = await runCommand(IdpDisable, ['--target-org', 'emu']);
    expect(again.result.changed).to.equal(false);
  });

  it('writes settings/IdentityProvider.settings-meta.xml that validates, for enable and disable, and leaves the org alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'provision-idp-'));
    try {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP Signing', '--output-dir', dir]);
      expect(result.files).to.deep.equal([join('settings', 'IdentityProvider.settings-meta.xml')]);
      expect(result.changes[0].status).to.equal('written');
      expect(orgFingerprint(t.emu)).to.equal(before);
      const xml = await readFile(join(dir, 'settings', 'IdentityProvider.settings-meta.xml'), 'utf8');
      expect(xml).to.match(/<IdentityProviderSettings xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">/);
      expect(xml.indexOf('<certificateName>IdP_Signing</certificateName>')).to.be.greaterThan(-1);
      expect(xml.indexOf('<certificateName>')).to.be.lessThan(xml.indexOf('<enableIdentityProvider>true</enableIdentityProvider>'));
      const { components, errors } = await validateSourceDir(dir);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['Settings:IdentityProvider']);

      await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
      const enabled = orgFingerprint(t.emu);
      await runCommand(IdpDisable, ['--target-org', 'emu', '--output-dir', dir]);
      expect(orgFingerprint(t.emu)).to.equal(enabled);
      const offXml = await readFile(join(dir, 'settings', 'IdentityProvider.settings-meta.xml'), 'utf8');
      expect(offXml).to.contain('<enableIdentityProvider>false</enableIdentityProvider>');
      expect(offXml).to.contain('<certificateName>IdP_Signing</certificateName>');
      expect((await validateSourceDir(dir)).errors).to.deep.equal([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the certificates when --cert names none, and says when there are none', async () => {
    await addCert(t, 'Other', 'Other');
    const err = await runCommandError(IdpEnable, ['--target-org', 'emu', '--cert', 'Nope']);
    expect(err.name).to.equal('UnknownCertError');
    expect(err.message).to.contain('Certificates in the org: IdP_Signing (IdP Signing), Other.');
    expect(err.actions?.join('\n')).to.contain('sf provision cert create');

    const conn = t.org.getConnection();
    for (const name of ['IdP_Signing', 'Other']) {
      // eslint-disable-next-line no-await-in-loop
      await conn.metadata.delete('Certificate', name);
    }
    const none = await runCommandError(IdpEnable, ['--target-org', 'emu', '--cert', 'Nope']);
    expect(none.name).to.equal('NoCertsError');
  });

  it('refuses a label several certificates share', async () => {
    await addCert(t, 'Signing_A', 'Signing');
    await addCert(t, 'Signing_B', 'Signing');
    const err = await runCommandError(IdpEnable, ['--target-org', 'emu', '--cert', 'Signing']);
    expect(err.name).to.equal('AmbiguousCertError');
    expect(err.message).to.contain('Signing_A, Signing_B');
  });

  it('metadata: says how to turn the identity provider on when it is off', async () => {
    const err = await runCommandError(IdpMetadata, ['--target-org', 'emu']);
    expect(err.name).to.equal('IdpNotEnabledError');
    expect(err.actions?.join('\n')).to.contain('sf provision idp enable');
  });

  it('metadata: entity ID, both single sign-on bindings and the org’s certificate, parsed back safely', async () => {
    await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
    const { result, output } = await runCommand(IdpMetadata, ['--target-org', 'emu']);
    const root = parseXml(result.xml);
    expect(root.name).to.equal('EntityDescriptor');
    expect(root.ns).to.equal(NS.md);
    expect(attr(root, 'entityID')).to.equal(t.emu.instanceUrl);
    const desc = firstChild(root, 'IDPSSODescriptor', NS.md);
    expect(attr(desc, 'protocolSupportEnumeration')).to.contain('urn:oasis:names:tc:SAML:2.0:protocol');
    const sso = childrenNamed(desc, 'SingleSignOnService', NS.md).map((s) => [attr(s, 'Binding'), attr(s, 'Location')]);
    expect(sso).to.deep.equal([
      [BINDING_POST, `${t.emu.instanceUrl}/idp/endpoint/HttpPost`],
      [BINDING_REDIRECT, `${t.emu.instanceUrl}/idp/endpoint/HttpRedirect`],
    ]);
    const key = firstChild(desc, 'KeyDescriptor', NS.md);
    expect(attr(key, 'use')).to.equal('signing');
    const x509 = descendants(key, 'X509Certificate', NS.ds);
    expect(x509).to.have.length(1);
    expect(x509[0].text.replace(/\s+/g, '')).to.equal(certDer(t, 'IdP_Signing'));
    expect(result).to.deep.include({ entityId: t.emu.instanceUrl, ssoPostUrl: `${t.emu.instanceUrl}/idp/endpoint/HttpPost` });
    expect(result.certificate.name).to.equal('IdP_Signing');
    expect(result.outputFile).to.equal(undefined);
    expect(output).to.contain('<md:EntityDescriptor');
  });

  it('metadata: --output-file writes the same document', async () => {
    await runCommand(IdpEnable, ['--target-org', 'emu', '--cert', 'IdP_Signing']);
    const dir = await mkdtemp(join(tmpdir(), 'provision-idp-md-'));
    try {
      const file = join(dir, 'nested', 'idp.xml');
      const { result, output } = await runCommand(IdpMetadata, ['--target-org', 'emu', '--output-file', file]);
      expect(result.outputFile).to.equal(file);
      const written = await readFile(file, 'utf8');
      expect(written).to.equal(result.xml);
      expect(attr(parseXml(written), 'entityID')).to.equal(t.emu.instanceUrl);
      expect(output).to.contain(`Wrote the identity-provider metadata (entity ID ${t.emu.instanceUrl}, signing certificate IdP_Signing) to ${file}`);
      expect(output).not.to.contain('<md:EntityDescriptor');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs as a subprocess with --json (bin/run.js)', async () => {
    const on = await t.runJson<{ changed: boolean }>(['provision', 'idp', 'enable', '--target-org', 'emu', '--cert', 'IdP_Signing']);
    expect(on.code).to.equal(0);
    expect(on.json.result.changed).to.equal(true);
    expect(idp(t).enableIdentityProvider).to.equal(true);
    const md = await t.runJson<{ entityId: string; xml: string }>(['provision', 'idp', 'metadata', '--target-org', 'emu']);
    expect(md.code).to.equal(0);
    expect(md.json.result.entityId).to.equal(t.emu.instanceUrl);
    expect(attr(parseXml(md.json.result.xml), 'entityID')).to.equal(t.emu.instanceUrl);
    const off = await t.runJson<{ changed: boolean }>(['provision', 'idp', 'disable', '--target-org', 'emu']);
    expect(off.code).to.equal(0);
    expect(idp(t).enableIdentityProvider).to.equal(false);
  });
});
