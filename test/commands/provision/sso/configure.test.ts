import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import SsoConfigure from '../../../../src/commands/provision/sso/configure.js';
import { putComponent } from '../../../emulator/metadata/components.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { orgFingerprint, runCommand, runCommandError, validateSourceDir } from '../../../helpers/plan.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'saml');
const fixture = (name: string): string => join(FIXTURES, name);
type Expected = Record<string, { subject: string; notAfter: string; sha256Fingerprint: string }>;
const expected = async (): Promise<Expected> => JSON.parse(await readFile(fixture('expected.json'), 'utf8')) as Expected;
/** The SHA-256 fingerprint of a stored validationCert (base64 DER). */
const fpOf = (b64: unknown): string => new X509Certificate(Buffer.from(String(b64), 'base64')).fingerprint256.toUpperCase();
const derOfPem = async (file: string): Promise<string> => new X509Certificate(await readFile(file)).raw.toString('base64');

const saml = (t: TestOrg, name: string): Record<string, unknown> | undefined => t.emu.components.get('SamlSsoConfig')?.get(name)?.content;
const myDomain = (t: TestOrg): string => t.emu.instanceUrl.replace(/\/+$/, '');

/** A PEM file holding the first (expired) signing certificate of all-expired.xml. */
const expiredPem = async (dir: string): Promise<string> => {
  const xml = await readFile(fixture('all-expired.xml'), 'utf8');
  const b64 = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(xml)?.[1].replace(/\s+/g, '') ?? '';
  const file = join(dir, 'expired.pem');
  await writeFile(file, new X509Certificate(Buffer.from(b64, 'base64')).toString());
  return file;
};

/** What each vendor's metadata must give: the issuer, the login URL (POST binding) and the certificate chosen. */
const VENDORS = [
  { file: 'jumpcloud.xml', name: 'JumpCloud', issuer: 'JumpCloud', loginUrl: 'https://sso.jumpcloud.com/saml2/salesforce-acme', cert: 'jumpcloud' },
  {
    file: 'okta.xml',
    name: 'Okta',
    issuer: 'http://www.okta.com/exk1abcd2EFGH3ijk4l5',
    loginUrl: 'https://acme.okta.com/app/salesforce/exk1abcd2EFGH3ijk4l5/sso/saml',
    cert: 'okta',
  },
  {
    file: 'entra.xml',
    name: 'Entra',
    issuer: 'https://sts.windows.net/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/',
    loginUrl: 'https://login.microsoftonline.com/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/saml2',
    cert: 'entraLater',
  },
  { file: 'adfs.xml', name: 'ADFS', issuer: 'http://adfs.acme.example/adfs/services/trust', loginUrl: 'https://adfs.acme.example/adfs/ls/', cert: 'adfsSigning' },
  {
    file: 'pingone.xml',
    name: 'PingOne',
    issuer: 'https://auth.pingone.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    loginUrl: 'https://auth.pingone.com/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/saml20/idp/sso',
    cert: 'pingone',
  },
  { file: 'keycloak.xml', name: 'Keycloak', issuer: 'https://id.acme.example/realms/acme', loginUrl: 'https://id.acme.example/realms/acme/protocol/saml', cert: 'keycloak' },
];

describe('sf provision sso configure', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let tmp: string;

  beforeEach(async () => {
    t = await setupTestOrg();
    tmp = await mkdtemp(join(tmpdir(), 'provision-saml-'));
  });
  afterEach(async () => {
    await t?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  describe('from vendor metadata', () => {
    for (const v of VENDORS) {
      it(`${v.name}: issuer, login URL and the chosen certificate; a second run changes nothing`, async () => {
        const argv = ['--target-org', 'emu', '--name', v.name, '--idp-metadata', fixture(v.file)];
        const first = await runCommand(SsoConfigure, argv);
        expect(first.exitCode).to.equal(0);
        expect(first.result.changes[0]).to.deep.include({ resource: 'SamlSsoConfig', name: v.name, action: 'create', status: 'applied' });
        const content = saml(t, v.name);
        expect(content).to.include({
          issuer: v.issuer,
          loginUrl: v.loginUrl,
          name: v.name,
          identityMapping: 'FederationId',
          identityLocation: 'SubjectNameId',
          samlVersion: 'SAML2_0',
          samlEntityId: myDomain(t),
          redirectBinding: false,
        });
        const want = (await expected())[v.cert];
        expect(fpOf(content?.validationCert)).to.equal(want.sha256Fingerprint);
        expect(String(content?.validationCert)).not.to.match(/BEGIN|\s/);
        expect(first.result.identityProvider?.certificate?.sha256Fingerprint).to.equal(want.sha256Fingerprint);
        // The plan shows the certificate as a fingerprint with its expiry, never the blob.
        const certRow = first.result.changes[0].fields.find((f) => f.field === 'validationCert');
        expect(certRow?.to).to.equal(`SHA-256 ${want.sha256Fingerprint.slice(0, 23)}… (expires ${want.notAfter.slice(0, 10)})`);

        const before = orgFingerprint(t.emu);
        const second = await runCommand(SsoConfigure, argv);
        expect(second.result.changed).to.equal(false);
        expect(second.result.changes[0]).to.deep.include({ action: 'none', status: 'unchanged', fields: [] });
        expect(orgFingerprint(t.emu)).to.equal(before);
      });
    }

    it('warns about the expired and the other valid certificates of Entra ID metadata', async () => {
      const { ux } = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Entra', '--idp-metadata', fixture('entra.xml')]);
      const warnings = ux.warn.args.map((a) => String(a[0]));
      expect(warnings.some((w) => /expired/i.test(w))).to.equal(true);
      expect(warnings.some((w) => w.includes('2 valid signing certificates'))).to.equal(true);
    });

    it('takes the Redirect URL with --binding redirect, and falls back to the only binding the metadata has', async () => {
      const first = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--binding', 'redirect']);
      expect(first.exitCode).to.equal(0);
      expect(saml(t, 'Okta')).to.include({ redirectBinding: true, loginUrl: 'https://acme.okta.com/app/salesforce/exk1abcd2EFGH3ijk4l5/sso/saml' });

      const text = await readFile(fixture('jumpcloud.xml'), 'utf8');
      const redirectOnly = join(tmp, 'redirect-only.xml');
      await writeFile(redirectOnly, text.replace(/\s*<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*\/>/, ''));
      const fallback = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'JC', '--idp-metadata', redirectOnly]);
      expect(saml(t, 'JC')).to.include({ redirectBinding: true });
      expect(fallback.ux.warn.args.map((a) => String(a[0])).join('\n')).to.match(/no single sign-on URL for the post binding; using the redirect binding/);

      const before = orgFingerprint(t.emu);
      const e = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'JC2', '--idp-metadata', redirectOnly, '--binding', 'post']);
      expect(e.name).to.equal('NoSsoUrlForBindingError');
      expect(e.actions?.[0]).to.contain('--binding redirect');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });
  });

  describe('from flags', () => {
    it('creates a configuration from --issuer, --login-url and --idp-cert, with label, identity and binding', async () => {
      const argv = [
        '--target-org', 'emu', '--name', 'Acme_IdP', '--label', 'Acme IdP', '--issuer', 'https://idp.acme.example/saml',
        '--login-url', 'https://idp.acme.example/saml/sso', '--idp-cert', fixture('idp-cert.pem'), '--identity-type', 'Username',
        '--identity-location', 'Attribute', '--attribute-name', 'email', '--binding', 'redirect', '--entity-id', 'https://acme.my.salesforce.com',
        '--logout-url', 'https://idp.acme.example/logout',
      ];
      const { result, exitCode } = await runCommand(SsoConfigure, argv);
      expect(exitCode).to.equal(0);
      expect(result.changes[0].action).to.equal('create');
      const content = saml(t, 'Acme_IdP');
      expect(content).to.deep.equal({
        fullName: 'Acme_IdP',
        attributeName: 'email',
        identityLocation: 'Attribute',
        identityMapping: 'Username',
        issuer: 'https://idp.acme.example/saml',
        loginUrl: 'https://idp.acme.example/saml/sso',
        logoutUrl: 'https://idp.acme.example/logout',
        name: 'Acme IdP',
        redirectBinding: true,
        samlEntityId: 'https://acme.my.salesforce.com',
        samlVersion: 'SAML2_0',
        validationCert: await derOfPem(fixture('idp-cert.pem')),
      });
      expect(Object.keys(content ?? {})).to.deep.equal(Object.keys(content ?? {}).sort((a, b) => (a === 'fullName' ? -1 : b === 'fullName' ? 1 : a.localeCompare(b))));
      const again = await runCommand(SsoConfigure, argv);
      expect(again.result.changed).to.equal(false);
    });

    it('updates only the fields given and keeps the rest (JIT, logout URL, attribute settings)', async () => {
      await putComponent(t.emu.metadataContext, 'SamlSsoConfig', 'Legacy', {
        attributeName: 'uid',
        attributeNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
        errorUrl: 'https://acme.example/sso-error',
        identityLocation: 'Attribute',
        identityMapping: 'FederationId',
        issuer: 'https://legacy.example/idp',
        loginUrl: 'https://legacy.example/sso',
        logoutUrl: 'https://legacy.example/bye',
        name: 'Legacy IdP',
        redirectBinding: false,
        samlEntityId: 'https://acme.my.salesforce.com',
        samlVersion: 'SAML2_0',
        userProvisioning: true,
        validationCert: await derOfPem(fixture('idp-cert.pem')),
      });
      const before = { ...saml(t, 'Legacy') };
      const { result } = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Legacy', '--binding', 'redirect', '--label', 'Legacy SSO']);
      expect(result.changes[0].action).to.equal('update');
      expect(result.changes[0].fields).to.deep.equal([
        { field: 'name', from: 'Legacy IdP', to: 'Legacy SSO' },
        { field: 'redirectBinding', from: false, to: true },
      ]);
      expect(saml(t, 'Legacy')).to.deep.equal({ ...before, name: 'Legacy SSO', redirectBinding: true });

      // A rotated certificate shows as fingerprints; everything else stays.
      const rotated = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Legacy', '--idp-cert', fixture('idp-cert-rotated.pem')]);
      const exp = await expected();
      expect(rotated.result.changes[0].fields).to.deep.equal([
        {
          field: 'validationCert',
          from: `SHA-256 ${exp.idpCert.sha256Fingerprint.slice(0, 23)}… (expires 2030-01-01)`,
          to: `SHA-256 ${exp.idpCertRotated.sha256Fingerprint.slice(0, 23)}… (expires 2031-01-01)`,
        },
      ]);
      expect(rotated.result.changes[0].note).to.contain(exp.idpCertRotated.sha256Fingerprint);
      expect(saml(t, 'Legacy')).to.deep.equal({ ...before, name: 'Legacy SSO', redirectBinding: true, validationCert: await derOfPem(fixture('idp-cert-rotated.pem')) });

      // Moving to the Subject's NameID clears the attribute settings, which no longer apply.
      const moved = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Legacy', '--identity-location', 'SubjectNameId']);
      expect(moved.result.changes[0].fields.map((f) => f.field)).to.deep.equal(['attributeName', 'attributeNameIdFormat', 'identityLocation']);
      expect(saml(t, 'Legacy')).not.to.have.any.keys('attributeName', 'attributeNameIdFormat');
      expect(saml(t, 'Legacy')).to.include({ userProvisioning: true, errorUrl: 'https://acme.example/sso-error', identityLocation: 'SubjectNameId' });
    });

    it('resolves certificate labels to the org ids (request signing: 15-character id; decryption: API name)', async () => {
      await putComponent(t.emu.metadataContext, 'Certificate', 'SSO_Signing', { caSigned: false, keySize: 2048, masterLabel: 'SSO Signing', privateKeyExportable: false });
      await putComponent(t.emu.metadataContext, 'Certificate', 'Assertion_Decryption', { caSigned: false, keySize: 2048, masterLabel: 'Assertion Decryption', privateKeyExportable: false });
      const signingId = t.emu.components.get('Certificate')?.get('SSO_Signing')?.id ?? '';
      const argv = ['--target-org', 'emu', '--name', 'JumpCloud', '--idp-metadata', fixture('jumpcloud.xml'), '--request-signing-cert', 'SSO Signing', '--decryption-cert', 'assertion decryption'];
      const { result } = await runCommand(SsoConfigure, argv);
      expect(result.changes[0].status).to.equal('applied');
      expect(saml(t, 'JumpCloud')).to.include({ requestSigningCertId: signingId.slice(0, 15), decryptionCertificate: 'Assertion_Decryption' });
      const again = await runCommand(SsoConfigure, [...argv.slice(0, 6), '--request-signing-cert', 'SSO_Signing']);
      expect(again.result.changed).to.equal(false);

      const e = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'JumpCloud', '--request-signing-cert', 'Nope']);
      expect(e.name).to.equal('UnknownCertificateError');
      expect(e.message).to.contain('"Nope"').and.to.contain('SSO_Signing (SSO Signing)').and.to.contain('Assertion_Decryption');
      expect(e.actions?.join(' ')).to.match(/sf provision cert create/);
    });

    it('previews under --dry-run without changing the org', async () => {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--dry-run']);
      expect(result).to.deep.include({ dryRun: true, changed: true });
      expect(result.changes[0]).to.deep.include({ action: 'create', status: 'planned' });
      expect(orgFingerprint(t.emu)).to.equal(before);
      expect(saml(t, 'Okta')).to.equal(undefined);
    });

    it('writes samlssoconfigs/<name>.samlssoconfig-meta.xml that validates, and leaves the org alone', async () => {
      const before = orgFingerprint(t.emu);
      const { result } = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--output-dir', tmp]);
      expect(result.files).to.deep.equal([join('samlssoconfigs', 'Okta.samlssoconfig-meta.xml')]);
      expect(result.changes[0].status).to.equal('written');
      expect(orgFingerprint(t.emu)).to.equal(before);
      const xml = await readFile(join(tmp, 'samlssoconfigs', 'Okta.samlssoconfig-meta.xml'), 'utf8');
      expect(xml).to.contain('<issuer>http://www.okta.com/exk1abcd2EFGH3ijk4l5</issuer>');
      expect(xml).not.to.contain('BEGIN CERTIFICATE');
      const { components, errors } = await validateSourceDir(tmp);
      expect(errors).to.deep.equal([]);
      expect(components).to.deep.equal(['SamlSsoConfig:Okta']);
    });

    it('warns when the written file holds this org\'s ids or its My Domain as entity ID, and not otherwise', async () => {
      await putComponent(t.emu.metadataContext, 'Certificate', 'SSO_Signing', { caSigned: false, keySize: 2048, masterLabel: 'SSO Signing', privateKeyExportable: false });
      const signed = await runCommand(SsoConfigure, [
        '--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--request-signing-cert', 'SSO Signing', '--output-dir', tmp,
      ]);
      const [warning] = signed.ux.warn.args.map((a) => String(a[0])).filter((w) => w.includes('this org'));
      expect(warning).to.match(/^The file for Okta holds this org's ids or addresses: requestSigningCertId 0P1\w{12} \(the request-signing certificate\), /);
      expect(warning).to.contain(`samlEntityId ${myDomain(t)} (this org's My Domain URL)`);
      expect(warning).to.contain('Deploy it to this org only, or generate it against each target org');

      const portable = await runCommand(SsoConfigure, [
        '--target-org', 'emu', '--name', 'Entra', '--idp-metadata', fixture('okta.xml'), '--entity-id', 'https://saml.salesforce.com', '--output-dir', tmp,
      ]);
      expect(portable.ux.warn.args.map((a) => String(a[0])).filter((w) => w.includes('this org'))).to.deep.equal([]);
      // Applied to the org (no file): nothing to warn about.
      const applied = await runCommand(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml')]);
      expect(applied.ux.warn.args.map((a) => String(a[0])).filter((w) => w.includes('this org'))).to.deep.equal([]);
    });
  });

  describe('users the identity type would lock out', () => {
    const fedWarnings = (ux: { warn: { args: unknown[][] } }): string[] => ux.warn.args.map((a) => String(a[0])).filter((w) => w.includes('Federation ID'));
    const jumpcloud = ['--target-org', 'emu', '--name', 'JumpCloud', '--idp-metadata', fixture('jumpcloud.xml')];

    it('warns with the count and the fix when identity type Federation ID meets active users without one, in --dry-run too', async () => {
      // The default org: the admin and the integration user have no Federation ID, Sam Sales has one.
      const dry = await runCommand(SsoConfigure, [...jumpcloud, '--dry-run']);
      expect(dry.result.dryRun).to.equal(true);
      const [warning, ...rest] = fedWarnings(dry.ux);
      expect(rest).to.deep.equal([]);
      expect(warning).to.match(/^2 active users have no Federation ID, so the SAML configuration JumpCloud \(identity type Federation ID\)/);
      expect(warning).to.contain('sf data update bulk --sobject User');
      expect(warning).to.contain('--identity-type Username');
      const applied = await runCommand(SsoConfigure, jumpcloud);
      expect(fedWarnings(applied.ux)).to.deep.equal([warning]);
      // Unchanged configurations are checked too: the users are still locked out.
      t.emu.store.patchSystem('User', t.emu.adminUserId, { FederationIdentifier: 'ada@acme.example.com' });
      const again = await runCommand(SsoConfigure, jumpcloud);
      expect(again.result.changed).to.equal(false);
      expect(fedWarnings(again.ux)[0]).to.match(/^1 active user has no Federation ID/);
    });

    it('says nothing when every active user has a Federation ID (inactive ones do not count), or with identity type Username', async () => {
      for (const u of t.emu.store.records('User')) if (u.IsActive && !u.FederationIdentifier) t.emu.store.patchSystem('User', String(u.Id), { IsActive: false });
      t.emu.store.patchSystem('User', t.emu.adminUserId, { IsActive: true, FederationIdentifier: 'ada@acme.example.com' });
      const none = await runCommand(SsoConfigure, [...jumpcloud, '--dry-run']);
      expect(fedWarnings(none.ux)).to.deep.equal([]);
      t.emu.store.patchSystem('User', t.emu.adminUserId, { FederationIdentifier: null });
      const byUsername = await runCommand(SsoConfigure, [...jumpcloud, '--identity-type', 'Username']);
      expect(byUsername.result.changes[0]).to.deep.include({ action: 'create', status: 'applied' });
      expect(saml(t, 'JumpCloud')?.identityMapping).to.equal('Username');
      expect(fedWarnings(byUsername.ux)).to.deep.equal([]);
    });
  });

  describe('errors', () => {
    const hostile: Array<[string, RegExp]> = [
      ['billion-laughs.xml', /DTD|entit/i],
      ['dtd.xml', /DTD/],
      ['two-roots.xml', /root/],
      ['not-xml.txt', /web address|not XML/],
      ['no-certificate.xml', /no signing certificate/],
      ['no-idp-descriptor.xml', /service provider/],
      ['all-expired.xml', /expired/],
    ];
    for (const [file, pattern] of hostile) {
      it(`refuses ${file} with a clean error and its fix`, async () => {
        const before = orgFingerprint(t.emu);
        const e = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'Bad', '--idp-metadata', fixture(file)]);
        expect(e.name).to.equal('InvalidIdpMetadataError');
        expect(e.exitCode).to.equal(1);
        expect(e.message).to.contain(fixture(file)).and.to.match(pattern);
        expect(e.actions?.length).to.be.greaterThan(0);
        expect(orgFingerprint(t.emu)).to.equal(before);
      });
    }

    it('refuses a metadata file of more than 5 MB before reading it', async () => {
      const big = join(tmp, 'big.xml');
      await writeFile(big, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${' '.repeat(6 * 1024 * 1024)}</md:EntityDescriptor>`);
      const e = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'Big', '--idp-metadata', big]);
      expect(e.name).to.equal('FileTooLargeError');
      expect(e.actions?.[0]).to.match(/right file/);
    });

    it('refuses a private key as --idp-cert without echoing it', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const keyFile = join(tmp, 'key.pem');
      await writeFile(keyFile, pem);
      const e = await runCommandError(SsoConfigure, [
        '--target-org', 'emu', '--name', 'Key', '--issuer', 'https://idp.example', '--login-url', 'https://idp.example/sso', '--idp-cert', keyFile,
      ]);
      expect(e.name).to.equal('InvalidCertificateFileError');
      expect(e.message).to.match(/private key/);
      const body = pem.split('\n')[1];
      expect(e.message).not.to.contain(body);
      expect(JSON.stringify(e.actions)).not.to.contain(body);
    });

    it('refuses an expired --idp-cert, as it refuses metadata with only expired certificates', async () => {
      const before = orgFingerprint(t.emu);
      const file = await expiredPem(tmp);
      const e = await runCommandError(SsoConfigure, [
        '--target-org', 'emu', '--name', 'Old', '--issuer', 'https://idp.example', '--login-url', 'https://idp.example/sso', '--idp-cert', file,
      ]);
      expect(e.name).to.equal('ExpiredCertificateError');
      expect(e.message).to.equal(`The certificate in ${file} (CN=Old IdP Signing 2020, O=Acme) expired on 2021-01-01: Salesforce would refuse every login signed with it.`);
      expect(e.actions?.[0]).to.contain('current signing certificate').and.to.contain('identity provider');
      expect(orgFingerprint(t.emu)).to.equal(before);
    });

    it('refuses values longer than Salesforce takes before calling the org to change anything, naming the flag', async () => {
      const before = orgFingerprint(t.emu);
      const base = ['--target-org', 'emu', '--name', 'Long', '--idp-metadata', fixture('okta.xml')];
      const url = await runCommandError(SsoConfigure, [...base, '--login-url', `https://idp.example/${'a'.repeat(1490)}`]);
      expect(url.name).to.equal('ValueTooLongError');
      expect(url.message).to.equal('Identity Provider Login URL has 1510 characters; Salesforce takes at most 1500.');
      expect(url.actions?.[0]).to.equal('Give a shorter value with --login-url (or the single sign-on URL in --idp-metadata) (at most 1500 characters), then run the command again.');
      const label = await runCommandError(SsoConfigure, [...base, '--label', 'L'.repeat(81)]);
      expect(label.message).to.equal('Label has 81 characters; Salesforce takes at most 80.');
      expect(label.actions?.[0]).to.contain('--label');
      const entity = await runCommandError(SsoConfigure, [...base, '--entity-id', `https://sp.example/${'e'.repeat(240)}`]);
      expect(entity.message).to.match(/^Entity ID has 259 characters; Salesforce takes at most 255\.$/);
      expect(entity.actions?.[0]).to.contain('--entity-id');
      const name = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'N'.repeat(81), '--idp-metadata', fixture('okta.xml')]);
      // The command checks the API name itself first; its fix gives the 80-character limit.
      expect(name.name).to.equal('InvalidNameError');
      expect(name.actions?.[0]).to.contain('at most 80 characters');
      // At the limits the org takes them.
      const ok = await runCommand(SsoConfigure, [...base, '--label', 'L'.repeat(80), '--login-url', `https://idp.example/${'a'.repeat(1480)}`]);
      expect(ok.result.changes[0].status).to.equal('applied');
      expect(orgFingerprint(t.emu)).not.to.equal(before);
    });

    it('needs --issuer, --login-url and --idp-cert for a new configuration without metadata', async () => {
      const e = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'New', '--issuer', 'https://idp.example']);
      expect(e.name).to.equal('MissingFieldsError');
      expect(e.message).to.contain('--login-url, --idp-cert');
      expect(e.actions?.[0]).to.contain('--idp-metadata');
    });

    it('allows --attribute-name only with identity location Attribute, and requires it there', async () => {
      const base = ['--target-org', 'emu', '--name', 'Attr', '--idp-metadata', fixture('okta.xml')];
      const e1 = await runCommandError(SsoConfigure, [...base, '--attribute-name', 'email']);
      expect(e1.name).to.equal('AttributeNameWithoutAttributeError');
      expect(e1.actions?.[0]).to.contain('--identity-location Attribute');
      const e2 = await runCommandError(SsoConfigure, [...base, '--identity-location', 'Attribute']);
      expect(e2.name).to.equal('AttributeNameRequiredError');
      expect(e2.actions?.[0]).to.contain('--attribute-name');
      expect(saml(t, 'Attr')).to.equal(undefined);
    });

    it('refuses an invalid API name and a login URL that is not a URL', async () => {
      const e1 = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'bad name', '--idp-metadata', fixture('okta.xml')]);
      expect(e1.name).to.equal('InvalidNameError');
      const e2 = await runCommandError(SsoConfigure, ['--target-org', 'emu', '--name', 'Okta', '--idp-metadata', fixture('okta.xml'), '--login-url', 'acme.okta.com/sso']);
      expect(e2.name).to.equal('InvalidUrlError');
      expect(e2.message).to.contain('--login-url');
    });
  });

  it('runs as a subprocess with --json: the metadata warnings are in the JSON warnings (bin/run.js)', async () => {
    const r = await t.runJson<{ changed: boolean; identityProvider: { entityId: string } }>([
      'provision', 'sso', 'configure', '--target-org', 'emu', '--name', 'Entra', '--idp-metadata', fixture('entra.xml'),
    ]);
    expect(r.code).to.equal(0);
    expect(r.json.result.changed).to.equal(true);
    expect(r.json.result.identityProvider.entityId).to.equal('https://sts.windows.net/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/');
    expect((r.json.warnings ?? []).some((w) => /expired/i.test(w))).to.equal(true);
    expect((r.json.warnings ?? []).filter((w) => w.includes('Federation ID'))).to.have.length(1);
    expect(saml(t, 'Entra')?.issuer).to.equal('https://sts.windows.net/6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f/');

    const bad = await t.runJson(['provision', 'sso', 'configure', '--target-org', 'emu', '--name', 'Bad', '--idp-metadata', fixture('billion-laughs.xml')]);
    expect(bad.code).to.equal(1);
    expect(bad.json.name).to.equal('InvalidIdpMetadataError');
    expect(bad.json.actions?.length).to.be.greaterThan(0);
  });
});
