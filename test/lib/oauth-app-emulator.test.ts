import { expect } from 'chai';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';

/** Emulator rules for OAuth consumer credentials (write-only through the Metadata API). */
describe('emulator: OAuth consumer secrets are write-only', function () {
  this.timeout(60_000);
  let t: TestOrg;
  beforeEach(async () => {
    t = await setupTestOrg();
  });
  afterEach(async () => {
    await t?.close();
  });

  it('readMetadata leaves out the consumer secret, and an update without key or secret keeps them', async () => {
    const conn = t.org.getConnection();
    const md = conn.metadata as unknown as {
      create(type: string, m: object): Promise<{ success: boolean | string }>;
      update(type: string, m: object): Promise<{ success: boolean | string }>;
      read(type: string, name: string): Promise<Record<string, unknown>>;
    };
    expect(String((await md.create('ExternalClientApplication', { fullName: 'E1', contactEmail: 'a@b.c', distributionState: 'Local', label: 'E1' })).success)).to.equal('true');
    const created = await md.create('ExtlClntAppGlobalOauthSettings', {
      fullName: 'E1_glbloauth',
      callbackUrl: 'https://x/cb',
      consumerKey: 'KEY1234567890',
      consumerSecret: 'SECRET1234',
      externalClientApplication: 'E1',
      label: 'g',
    });
    expect(created).to.deep.include({ success: true });
    const read = await md.read('ExtlClntAppGlobalOauthSettings', 'E1_glbloauth');
    expect(read.consumerKey).to.equal('KEY1234567890');
    expect(read).not.to.have.property('consumerSecret');
    const upd = await md.update('ExtlClntAppGlobalOauthSettings', { fullName: 'E1_glbloauth', callbackUrl: 'https://y/cb', externalClientApplication: 'E1', label: 'g' });
    expect(String(upd.success)).to.equal('true');
    const stored = t.emu.components.get('ExtlClntAppGlobalOauthSettings')?.get('E1_glbloauth')?.content;
    expect(stored).to.include({ callbackUrl: 'https://y/cb', consumerKey: 'KEY1234567890', consumerSecret: 'SECRET1234' });
  });

  it('does the same for a connected app\'s oauthConfig', async () => {
    t.emu.flags.connectedAppCreationAllowed = true;
    const conn = t.org.getConnection();
    const md = conn.metadata as unknown as {
      create(type: string, m: object): Promise<{ success: boolean | string }>;
      update(type: string, m: object): Promise<{ success: boolean | string }>;
      read(type: string, name: string): Promise<Record<string, unknown>>;
    };
    const res = await md.create('ConnectedApp', { fullName: 'C1', contactEmail: 'a@b.c', label: 'C1', oauthConfig: { callbackUrl: 'https://x/cb', consumerKey: 'CK12345678', consumerSecret: 'CS1234', scopes: ['Api'] } });
    expect(res).to.deep.include({ success: true });
    const read = await md.read('ConnectedApp', 'C1');
    expect(read.oauthConfig).to.include({ consumerKey: 'CK12345678' }).and.not.to.have.property('consumerSecret');
    await md.update('ConnectedApp', { fullName: 'C1', contactEmail: 'a@b.c', label: 'C2', oauthConfig: { callbackUrl: 'https://x/cb', scopes: ['Api'] } });
    const stored = t.emu.components.get('ConnectedApp')?.get('C1')?.content.oauthConfig;
    expect(stored).to.include({ consumerKey: 'CK12345678', consumerSecret: 'CS1234' });
  });
});
