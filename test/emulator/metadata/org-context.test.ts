/*
 * An OrgEmulator builds a new metadata context object for every request. What the org keeps between requests
 * (deploy and retrieve jobs, the private keys of the certificates it generated) must survive that: a deploy is
 * started by one request and polled by others, as "sf project deploy start" does.
 */
import { expect } from 'chai';
import JSZip from 'jszip';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from '../server.js';
import { getCertificatePrivateKey } from './components.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

describe('emulator: org state across requests (OrgEmulator)', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  let conn: Connection;

  before(async () => {
    emu = await OrgEmulator.start();
    conn = new Connection({ instanceUrl: emu.instanceUrl, accessToken: emu.accessToken, version: '66.0' });
    conn.metadata.pollInterval = 50;
  });
  after(() => emu.stop());

  it('finds a deploy started by one request when later requests poll it, and keeps the generated key', async () => {
    expect(emu.metadataContext).to.not.equal(emu.metadataContext);
    const zip = new JSZip();
    zip.file('package.xml', `<?xml version="1.0" encoding="UTF-8"?><Package ${NS}><types><members>Polled</members><name>Certificate</name></types><version>66.0</version></Package>`);
    zip.file('certs/Polled.crt', '');
    zip.file(
      'certs/Polled.crt-meta.xml',
      `<?xml version="1.0" encoding="UTF-8"?><Certificate ${NS}><caSigned>false</caSigned><keySize>2048</keySize><masterLabel>Polled</masterLabel></Certificate>`
    );
    const buf = await zip.generateAsync({ type: 'nodebuffer' });
    const result = (await conn.metadata.deploy(buf, { singlePackage: true, rollbackOnError: true }).complete(true)) as unknown as { status: string };
    expect(result.status).to.equal('Succeeded');
    expect(emu.components.get('Certificate')?.has('Polled')).to.equal(true);
    expect(getCertificatePrivateKey(emu.metadataContext, 'Polled')?.asymmetricKeyType).to.equal('rsa');
  });

  it('keeps the key of a certificate created through createMetadata for later requests', async () => {
    const res = (await (conn.metadata as unknown as { create: (t: string, m: unknown) => Promise<{ success: boolean | string }> }).create('Certificate', {
      fullName: 'Crud',
      caSigned: false,
      masterLabel: 'Crud',
    }));
    expect(String(res.success)).to.equal('true');
    expect(getCertificatePrivateKey(emu.metadataContext, 'Crud')?.asymmetricKeyType).to.equal('rsa');
  });
});
