import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import JSZip from 'jszip';
import { Connection } from '@jsforce/jsforce-node';
import { generateSelfSigned } from './components.js';
import { derBase64, makeCtx, startEmulator, TOKEN, type Emulator } from './harness.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const pkg = (types: Record<string, string[]>): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Package ${NS}>${Object.entries(types)
    .map(([n, ms]) => `<types>${ms.map((m) => `<members>${m}</members>`).join('')}<name>${n}</name></types>`)
    .join('')}<version>66.0</version></Package>`;
const certMeta = (label: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Certificate ${NS}>\n    <caSigned>false</caSigned>\n    <keySize>2048</keySize>\n    <masterLabel>${label}</masterLabel>\n    <privateKeyExportable>false</privateKeyExportable>\n</Certificate>\n`;
const samlXml = (name: string, validationCert: string, opts: { swap?: boolean; decryption?: string } = {}): string => {
  const loc = '    <identityLocation>SubjectNameId</identityLocation>\n';
  const map = '    <identityMapping>FederationId</identityMapping>\n';
  const iss = '    <issuer>http://www.okta.com/exk1</issuer>\n';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<SamlSsoConfig ${NS}>\n` +
    (opts.decryption ? `    <decryptionCertificate>${opts.decryption}</decryptionCertificate>\n` : '') +
    (opts.swap ? iss + loc + map : loc + map + iss) +
    `    <name>${name}</name>\n    <samlEntityId>https://acme.my.salesforce.com</samlEntityId>\n    <samlVersion>SAML2_0</samlVersion>\n    <validationCert>${validationCert}</validationCert>\n</SamlSsoConfig>\n`
  );
};

type DeployMessage = { fullName: string; componentType: string; problem?: string; fileName: string; lineNumber?: string | number; created?: boolean | string };
type DeployResult = {
  status: string;
  success: boolean;
  numberComponentErrors: number;
  numberComponentsDeployed: number;
  numberComponentsTotal: number;
  details: { componentFailures?: DeployMessage | DeployMessage[]; componentSuccesses?: DeployMessage | DeployMessage[] };
};
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe('Metadata API deploy/retrieve', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let conn: Connection;
  let idpCert: string;

  before(async () => {
    emu = await startEmulator(makeCtx());
    conn = new Connection({ instanceUrl: emu.url, accessToken: TOKEN, version: '66.0' });
    conn.metadata.pollInterval = 50;
    idpCert = derBase64((await generateSelfSigned('00Dother', 'okta', 2048, new Date(Date.now() + 86400_000))).pem);
  });
  after(() => emu.close());

  async function deployZip(files: Record<string, string>, options: Record<string, unknown> = {}): Promise<DeployResult> {
    const zip = new JSZip();
    for (const [p, c] of Object.entries(files)) zip.file(p, c);
    const buf = await zip.generateAsync({ type: 'nodebuffer' });
    return (await conn.metadata.deploy(buf, { rollbackOnError: true, singlePackage: true, ...options }).complete(true)) as unknown as DeployResult;
  }

  it('checkOnly validates without writing; a real deploy generates the certificate', async () => {
    const files = {
      'package.xml': pkg({ Certificate: ['Idp'], SamlSsoConfig: ['Okta'], Settings: ['Security'] }),
      'certs/Idp.crt': '',
      'certs/Idp.crt-meta.xml': certMeta('IdP'),
      'samlssoconfigs/Okta.samlssoconfig': samlXml('Okta', idpCert, { decryption: 'Idp' }),
      'settings/Security.settings': `<?xml version="1.0" encoding="UTF-8"?><SecuritySettings ${NS}><singleSignOnSettings><enableSamlLogin>true</enableSamlLogin></singleSignOnSettings></SecuritySettings>`,
    };
    const check = await deployZip(files, { checkOnly: true });
    expect(check.status).to.equal('Succeeded');
    expect(emu.ctx.components.get('Certificate')?.has('Idp') ?? false).to.equal(false);
    const res = await deployZip(files);
    expect(res.status).to.equal('Succeeded');
    expect(res.numberComponentsDeployed).to.equal(3);
    const names = arr(res.details.componentSuccesses).map((s) => `${s.componentType}:${s.fullName}`);
    expect(names).to.include.members(['Certificate:Idp', 'SamlSsoConfig:Okta', 'Settings:Security', ':package.xml']);
    const cert = emu.ctx.components.get('Certificate')?.get('Idp');
    expect(new X509Certificate(cert?.body as Buffer).publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const sec = emu.ctx.components.get('SecuritySettings')?.get('Security')?.content as { singleSignOnSettings: Record<string, boolean>; enableRequireHttpsConnection: boolean };
    expect(sec.singleSignOnSettings.enableSamlLogin).to.equal(true);
    expect(sec.singleSignOnSettings.enableMultipleSamlConfigs).to.equal(true);
    expect(sec.enableRequireHttpsConnection).to.equal(true);
  });

  it('rolls back everything on a failure: element out of sequence with line number', async () => {
    const res = await deployZip({
      'package.xml': pkg({ Certificate: ['Other'], SamlSsoConfig: ['Late'] }),
      'certs/Other.crt': '',
      'certs/Other.crt-meta.xml': certMeta('Other'),
      'samlssoconfigs/Late.samlssoconfig': samlXml('Late', idpCert, { swap: true }),
    });
    expect(res.status).to.equal('Failed');
    expect(res.success).to.equal(false);
    const f = arr(res.details.componentFailures);
    expect(f).to.have.length(1);
    expect(f[0]).to.include({ fullName: 'Late', componentType: 'SamlSsoConfig', fileName: 'samlssoconfigs/Late.samlssoconfig' });
    expect(f[0].problem).to.equal('Error parsing file: Element {http://soap.sforce.com/2006/04/metadata}identityLocation invalid at this location in type SamlSsoConfig');
    expect(Number(f[0].lineNumber)).to.equal(4);
    expect(emu.ctx.components.get('Certificate')?.has('Other')).to.equal(false);
  });

  it('rollbackOnError=false keeps the successes (SucceededPartial); missing members and required fields reported', async () => {
    const res = await deployZip(
      {
        'package.xml': pkg({ Certificate: ['Partial'], SamlSsoConfig: ['NoFile', 'NoIssuer'] }),
        'certs/Partial.crt': '',
        'certs/Partial.crt-meta.xml': certMeta('Partial'),
        'samlssoconfigs/NoIssuer.samlssoconfig': samlXml('NoIssuer', idpCert).replace(/ {4}<issuer>.*\n/, ''),
      },
      { rollbackOnError: false }
    );
    expect(res.status).to.equal('SucceededPartial');
    const problems = arr(res.details.componentFailures).map((f) => f.problem);
    expect(problems).to.include("An object 'NoFile' of type SamlSsoConfig was named in package.xml, but was not found in zipped directory");
    expect(problems).to.include('Required field is missing: issuer');
    expect(emu.ctx.components.get('Certificate')?.has('Partial')).to.equal(true);
  });

  it('applies destructiveChanges and refuses connected-app creation in a deploy', async () => {
    const res = await deployZip({
      'package.xml': pkg({ ConnectedApp: ['NewApp'] }),
      'connectedApps/NewApp.connectedApp': `<?xml version="1.0" encoding="UTF-8"?><ConnectedApp ${NS}><contactEmail>a@b.c</contactEmail><label>New</label></ConnectedApp>`,
    });
    expect(res.status).to.equal('Failed');
    expect(arr(res.details.componentFailures)[0].problem).to.match(/connected app/i);
    const del = await deployZip({ 'package.xml': pkg({}), 'destructiveChanges.xml': pkg({ Certificate: ['Partial'] }) });
    expect(del.status).to.equal('Succeeded');
    expect(emu.ctx.components.get('Certificate')?.has('Partial')).to.equal(false);
    expect(emu.ctx.changes).to.deep.include({ type: 'Certificate', fullName: 'Partial', deleted: true });
  });

  it('retrieves with wildcard and names, reports missing members, returns the certificate without key', async () => {
    const res = (await conn.metadata
      .retrieve({ apiVersion: '66.0', singlePackage: true, unpackaged: { types: [{ members: ['*'], name: 'Certificate' }, { members: ['Okta', 'Nope'], name: 'SamlSsoConfig' }, { members: ['Security'], name: 'Settings' }], version: '66.0' } } as never)
      .complete()) as unknown as { zipFile: string; messages: { problem: string } | Array<{ problem: string }>; fileProperties: Array<{ fileName: string }> };
    expect(arr(res.messages).map((m) => m.problem)).to.deep.equal(["Entity of type 'SamlSsoConfig' named 'Nope' cannot be found"]);
    const zip = await JSZip.loadAsync(Buffer.from(res.zipFile, 'base64'));
    const names = Object.keys(zip.files);
    expect(names).to.include.members(['package.xml', 'certs/Idp.crt', 'certs/Idp.crt-meta.xml', 'samlssoconfigs/Okta.samlssoconfig', 'settings/Security.settings']);
    const crt = await zip.file('certs/Idp.crt')?.async('string');
    expect(crt).to.match(/^-----BEGIN CERTIFICATE-----/);
    for (const f of Object.values(zip.files).filter((x) => !x.dir)) expect(await f.async('string')).not.to.include('PRIVATE KEY');
    const saml = await zip.file('samlssoconfigs/Okta.samlssoconfig')?.async('string');
    expect(saml).to.match(/<SamlSsoConfig xmlns="http:\/\/soap.sforce.com\/2006\/04\/metadata">\n {4}<decryptionCertificate>Idp<\/decryptionCertificate>/);
  });

  describe('through source-deploy-retrieve', () => {
    // eslint-disable-next-line @typescript-eslint/consistent-type-imports
    let sdr: typeof import('@salesforce/source-deploy-retrieve');
    // eslint-disable-next-line @typescript-eslint/consistent-type-imports
    let core: typeof import('@salesforce/core');
    let coreConn: InstanceType<typeof core.Connection>;
    let project: string;

    before(async () => {
      const home = mkdtempSync(join(tmpdir(), 'mdapi-home-'));
      process.env.HOME = home;
      process.env.SF_USE_GENERIC_UNIX_KEYCHAIN = 'true';
      process.env.SF_DISABLE_LOG_FILE = 'true';
      process.env.SF_DISABLE_TELEMETRY = 'true';
      core = await import('@salesforce/core');
      sdr = await import('@salesforce/source-deploy-retrieve');
      const authInfo = await core.AuthInfo.create({ username: TOKEN, accessTokenOptions: { accessToken: TOKEN, instanceUrl: emu.url, loginUrl: emu.url } });
      coreConn = await core.Connection.create({ authInfo, connectionOptions: { version: '66.0' } });
      project = mkdtempSync(join(tmpdir(), 'mdapi-src-'));
      const dir = (p: string): string => {
        mkdirSync(join(project, p), { recursive: true });
        return join(project, p);
      };
      writeFileSync(join(dir('certs'), 'SdrCert.crt'), '');
      writeFileSync(join(dir('certs'), 'SdrCert.crt-meta.xml'), certMeta('SDR cert'));
      writeFileSync(join(dir('externalClientApps'), 'SdrApp.eca-meta.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<ExternalClientApplication ${NS}>\n    <contactEmail>ops@acme.test</contactEmail>\n    <distributionState>Local</distributionState>\n    <isProtected>false</isProtected>\n    <label>SDR App</label>\n</ExternalClientApplication>\n`);
      writeFileSync(
        join(dir('extlClntAppGlobalOauthSets'), 'SdrApp_glbloauth.ecaGlblOauth-meta.xml'),
        `<?xml version="1.0" encoding="UTF-8"?>\n<ExtlClntAppGlobalOauthSettings ${NS}>\n    <callbackUrl>https://localhost/cb</callbackUrl>\n    <externalClientApplication>SdrApp</externalClientApplication>\n    <isClientCredentialsFlowEnabled>true</isClientCredentialsFlowEnabled>\n    <label>SdrApp</label>\n</ExtlClntAppGlobalOauthSettings>\n`
      );
      writeFileSync(join(dir('samlssoconfigs'), 'SdrSaml.samlssoconfig-meta.xml'), samlXml('SdrSaml', idpCert, { decryption: 'SdrCert' }));
    });

    it('deploys source-format files and retrieves them back', async () => {
      const cs = await sdr.ComponentSet.fromSource(project);
      const deploy = await cs.deploy({ usernameOrConnection: coreConn });
      const result = await deploy.pollStatus();
      expect(result.response.status, JSON.stringify(result.response.details)).to.equal('Succeeded');
      expect(result.getFileResponses().filter((f) => f.state === 'Failed')).to.deep.equal([]);
      expect(emu.ctx.components.get('ExtlClntAppGlobalOauthSettings')?.has('SdrApp_glbloauth')).to.equal(true);

      const out = mkdtempSync(join(tmpdir(), 'mdapi-out-'));
      const rcs = new sdr.ComponentSet([
        { fullName: 'SdrCert', type: 'Certificate' },
        { fullName: 'SdrSaml', type: 'SamlSsoConfig' },
        { fullName: 'Security', type: 'Settings' },
      ]);
      const retrieve = await rcs.retrieve({ usernameOrConnection: coreConn, output: out, merge: false });
      const rres = await retrieve.pollStatus();
      expect(rres.response.status).to.equal('Succeeded');
      const files = rres.getFileResponses().map((f) => f.filePath ?? '');
      const crt = files.find((f) => f.endsWith('SdrCert.crt'));
      expect(crt, files.join(',')).to.not.equal(undefined);
      expect(readFileSync(crt as string, 'utf8')).to.match(/^-----BEGIN CERTIFICATE-----/);
      expect(files.some((f) => f.endsWith('Security.settings-meta.xml'))).to.equal(true);
      expect(existsSync(out) && readdirSync(out).length).to.be.greaterThan(0);
    });

    it('reports an element out of sequence as a failed file response', async () => {
      const bad = mkdtempSync(join(tmpdir(), 'mdapi-bad-'));
      mkdirSync(join(bad, 'samlssoconfigs'));
      writeFileSync(join(bad, 'samlssoconfigs', 'Swapped.samlssoconfig-meta.xml'), samlXml('Swapped', idpCert, { swap: true }));
      const cs = await sdr.ComponentSet.fromSource(bad);
      const result = await (await cs.deploy({ usernameOrConnection: coreConn })).pollStatus();
      expect(result.response.status).to.equal('Failed');
      const failed = result.getFileResponses().filter((f) => f.state === 'Failed');
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({ fullName: 'Swapped', type: 'SamlSsoConfig' });
      expect((failed[0] as { error?: string }).error).to.include('invalid at this location in type SamlSsoConfig');
    });
  });
});
