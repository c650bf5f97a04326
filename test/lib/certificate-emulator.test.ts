/* The emulator's Certificate rules (test/emulator/metadata/components.ts), driven through jsforce as the plugin does. */
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { startEmulator, TOKEN, type Emulator } from '../emulator/metadata/harness.js';

type SaveError = { statusCode: string; message: string; fields?: string | string[] };
type SaveResult = { success: boolean | string; fullName: string; errors?: SaveError | SaveError[] };
type Loose = Record<'create' | 'update', (type: string, metadata: unknown) => Promise<unknown>>;
const loose = (c: Connection): Loose => c.metadata as unknown as Loose;
const firstError = (r: SaveResult): SaveError => (Array.isArray(r.errors) ? r.errors[0] : r.errors) as SaveError;
const ok = (r: SaveResult): boolean => r.success === true || r.success === 'true';

describe('emulator: Certificate rules', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let conn: Connection;

  before(async () => {
    emu = await startEmulator();
    conn = new Connection({ instanceUrl: emu.url, accessToken: TOKEN, version: '66.0' });
  });
  after(() => emu.close());

  /** Fields in the WSDL's order (the SOAP binding rejects others). */
  const ORDER = ['fullName', 'caSigned', 'expirationDate', 'keySize', 'masterLabel', 'privateKeyExportable'];
  const inOrder = (fields: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(ORDER.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
  const create = async (fullName: string, extra: Record<string, unknown> = {}): Promise<SaveResult> =>
    (await loose(conn).create('Certificate', inOrder({ fullName, caSigned: false, masterLabel: fullName.slice(0, 64), ...extra }))) as SaveResult;

  it('refuses a Unique Name that breaks Setup’s rule, with its message', async () => {
    for (const bad of ['1Cert', 'Jump_Cloud_', 'Jump__Cloud', 'Jump-Cloud', '_Cert']) {
      // eslint-disable-next-line no-await-in-loop
      const r = await create(bad, { masterLabel: 'Bad' });
      expect(ok(r), bad).to.equal(false);
      expect(firstError(r).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
      expect(firstError(r).message).to.match(/^The Certificate Unique Name can only contain underscores and alphanumeric characters\. It must be unique, begin with a letter/);
    }
    const long = await create('a'.repeat(81), { masterLabel: 'Long' });
    expect(firstError(long).statusCode).to.equal('STRING_TOO_LONG');
    expect(ok(await create('a'.repeat(80), { masterLabel: 'Eighty' }))).to.equal(true);
  });

  it('refuses a label of more than 64 characters', async () => {
    const r = await create('Long_Label', { masterLabel: 'L'.repeat(65) });
    expect(ok(r)).to.equal(false);
    expect(firstError(r)).to.deep.include({ statusCode: 'STRING_TOO_LONG' });
    expect(firstError(r).message).to.contain('max length=64');
    expect(ok(await create('Label_64', { masterLabel: 'L'.repeat(64) }))).to.equal(true);
  });

  it('lets two certificates share a label (only the Unique Name must be unique, case-insensitively)', async () => {
    expect(ok(await create('Shared_A', { masterLabel: 'Shared' }))).to.equal(true);
    expect(ok(await create('Shared_B', { masterLabel: 'Shared' }))).to.equal(true);
    const dup = await create('shared_a', { masterLabel: 'Other' });
    expect(firstError(dup).statusCode).to.equal('DUPLICATE_DEVELOPER_NAME');
  });

  it('gives a 4096-bit certificate two years and an exportable key by default, as Salesforce documents', async () => {
    expect(ok(await create('Big_Default', { keySize: 4096 }))).to.equal(true);
    const read = (await conn.metadata.read('Certificate', 'Big_Default')) as unknown as Record<string, unknown>;
    const x = new X509Certificate(Buffer.from(String(read.content), 'base64'));
    const days = (new Date(x.validTo).getTime() - Date.now()) / 86_400_000;
    expect(days).to.be.within(729, 731);
    expect(String(read.privateKeyExportable)).to.equal('true');
    expect(ok(await create('Not_Exportable', { privateKeyExportable: false }))).to.equal(true);
    const kept = (await conn.metadata.read('Certificate', 'Not_Exportable')) as unknown as Record<string, unknown>;
    expect(String(kept.privateKeyExportable)).to.equal('false');
  });

  it('refuses to change the key size or type of a saved certificate, and keeps its key and expiry on other updates', async () => {
    expect(ok(await create('Fixed_Key', { keySize: 2048, masterLabel: 'Fixed' }))).to.equal(true);
    const before = emu.ctx.components.get('Certificate')?.get('Fixed_Key');
    const bigger = (await loose(conn).update('Certificate', inOrder({ fullName: 'Fixed_Key', caSigned: false, keySize: 4096, masterLabel: 'Fixed' }))) as SaveResult;
    expect(ok(bigger)).to.equal(false);
    expect(firstError(bigger).statusCode).to.equal('FIELD_INTEGRITY_EXCEPTION');
    expect(firstError(bigger).message).to.contain("can't change the key size");
    const ca = (await loose(conn).update('Certificate', { fullName: 'Fixed_Key', caSigned: true, masterLabel: 'Fixed' })) as SaveResult;
    expect(firstError(ca).message).to.contain("can't change the type");
    const relabel = (await loose(conn).update('Certificate', { fullName: 'Fixed_Key', caSigned: false, masterLabel: 'Fixed again' })) as SaveResult;
    expect(ok(relabel)).to.equal(true);
    const after = emu.ctx.components.get('Certificate')?.get('Fixed_Key');
    expect(after?.content).to.include({ masterLabel: 'Fixed again', expirationDate: before?.content.expirationDate });
    expect(Number(after?.content.keySize)).to.equal(2048);
    expect(after?.body?.equals(before?.body ?? Buffer.alloc(0))).to.equal(true);
  });
});
