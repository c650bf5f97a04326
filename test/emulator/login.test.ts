/*
 * The login path the real `sf` uses, and the REST, SOAP (Metadata), Bulk 2.0 and OAuth paths through
 * unmodified jsforce and @salesforce/core, against the emulator.
 */
import { expect } from 'chai';
import { AuthInfo } from '@salesforce/core';
import { setupTestOrg, type TestOrg } from '../helpers/harness.js';

describe('emulator: login and API paths through @salesforce/core and jsforce', function () {
  this.timeout(60_000);
  let t: TestOrg;

  before(async () => {
    t = await setupTestOrg();
  });
  after(async () => {
    await t?.close();
  });

  it('answers the five calls of `sf org login access-token` in order and the auth file is saved', async () => {
    const calls = t.emu.requests.slice(0, 5).map((r) => `${r.method} ${r.path} ${r.status}`);
    const userId = t.emu.adminUserId;
    expect(calls).to.deep.equal([
      'GET /services/oauth2/userinfo 200',
      `GET /services/data/v51.0/sobjects/User/${userId} 200`,
      'GET /services/data/v51.0/query 400',
      'GET /services/data 200',
      'GET /services/data/v66.0/query 200',
    ]);
    const auth = await AuthInfo.create({ username: t.username });
    const fields = auth.getFields();
    expect(fields.orgId).to.equal(t.emu.orgId.slice(0, 15) + fields.orgId!.slice(15));
    expect(fields.instanceUrl).to.equal(t.emu.instanceUrl);
    expect(fields.isDevHub).to.equal(false);
  });

  it('answers the SandboxProcess question the real sf asks after login with zero rows (a production org)', async () => {
    const conn = t.org.getConnection();
    const res = await conn.tooling.query(
      `SELECT Id,Status,SandboxName,SandboxInfoId,LicenseType,CreatedDate,CopyProgress,SandboxOrganization,SourceId,Description,EndDate,Features FROM SandboxProcess WHERE SandboxOrganization='${t.emu.orgId}' ORDER BY CreatedDate DESC`
    );
    expect(res.totalSize).to.equal(0);
  });

  it('access tokens have the shape sf requires and ScratchOrgInfo is INVALID_TYPE', async () => {
    expect(t.emu.accessToken).to.match(/^00D\w{12,15}![.\w]*$/);
    const conn = t.org.getConnection();
    try {
      await conn.query('SELECT Id FROM ScratchOrgInfo limit 1');
      expect.fail('should be rejected');
    } catch (e) {
      expect((e as { errorCode?: string }).errorCode).to.equal('INVALID_TYPE');
    }
  });

  it('an unknown or expired token gets INVALID_SESSION_ID', async () => {
    const res = await fetch(`${t.emu.instanceUrl}/services/data/v66.0/query?q=SELECT+Id+FROM+User`, {
      headers: { Authorization: `Bearer ${t.emu.orgId}!AQ0.notavalidtoken` },
    });
    expect(res.status).to.equal(401);
    expect(await res.json()).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);

    const session = t.emu.oauth.issueToken(t.emu.adminUserId);
    t.emu.oauth.expire(session.token);
    const expired = await fetch(`${t.emu.instanceUrl}/services/data/v66.0/limits`, { headers: { Authorization: `Bearer ${session.token}` } });
    expect(expired.status).to.equal(401);
  });

  it('REST: create, read, update, delete and query through jsforce', async () => {
    const conn = t.org.getConnection();
    const created = await conn.sobject('Lead').create({ LastName: 'Lovelace', Company: 'Analytical Engines', Email: 'ada@ae.example.com' });
    expect(created.success).to.equal(true);
    const id = created.id!;
    expect(id).to.match(/^00Q\w{15}$/);
    await conn.sobject('Lead').update({ Id: id, Title: 'Countess' });
    const read = (await conn.sobject('Lead').retrieve(id)) as Record<string, unknown>;
    expect(read.Title).to.equal('Countess');
    expect(read.Name).to.equal('Lovelace');
    expect(String(read.CreatedDate)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const q = await conn.query<{ Id: string; Owner: { Username: string } }>('SELECT Id, Owner.Username FROM Lead WHERE Email = \'ada@ae.example.com\'');
    expect(q.records.map((r) => r.Owner.Username)).to.deep.equal([t.username]);
    await conn.sobject('Lead').destroy(id);
    expect((await conn.query(`SELECT COUNT() FROM Lead WHERE Id = '${id}'`)).totalSize).to.equal(0);
  });

  it('Tooling: Certificate and ApexClass queries', async () => {
    const conn = t.org.getConnection();
    const classes = await conn.tooling.query<{ Name: string }>('SELECT Id, Name FROM ApexClass');
    expect(classes.records.map((r) => r.Name)).to.include('JitHandler');
    const certs = await conn.tooling.query('SELECT Id, DeveloperName, ExpirationDate, KeySize FROM Certificate');
    expect(certs.totalSize).to.equal(0);
  });

  it('Metadata SOAP: a self-signed certificate deployed with createMetadata shows up in Tooling', async () => {
    const conn = t.org.getConnection();
    const res = await conn.metadata.create('Certificate', {
      fullName: 'Login_Test_Cert',
      caSigned: false,
      keySize: 2048,
      masterLabel: 'Login Test Cert',
      privateKeyExportable: false,
    } as never);
    expect((res as unknown as { success: boolean | string }).success).to.be.oneOf([true, 'true']);
    const certs = await conn.tooling.query<{ DeveloperName: string; KeySize: string; ExpirationDate: string }>(
      "SELECT DeveloperName, KeySize, ExpirationDate FROM Certificate WHERE DeveloperName = 'Login_Test_Cert'"
    );
    expect(certs.records).to.have.length(1);
    expect(String(certs.records[0].KeySize)).to.equal('2048');
    expect(Date.parse(certs.records[0].ExpirationDate.replace('+0000', 'Z'))).to.be.greaterThan(Date.now());
  });

  it('Bulk API 2.0: insert with a failing row through jsforce bulk2', async () => {
    const conn = t.org.getConnection();
    const csv = 'FirstName,LastName,Company,Email\nAlan,Turing,Bletchley,alan@bp.example.com\nNo,Company,,nocompany@example.com\n';
    const results = await conn.bulk2.loadAndWaitForResults({ object: 'Lead', operation: 'insert', input: csv, pollInterval: 50, pollTimeout: 20_000 });
    expect(results.successfulResults).to.have.length(1);
    expect(results.failedResults).to.have.length(1);
    expect(String(results.failedResults[0].sf__Error)).to.match(/^REQUIRED_FIELD_MISSING:/);
    expect(t.emu.counters.bulk).to.be.greaterThan(3);
  });

  it('OAuth: the client-credentials flow of an External Client App issues a working token', async () => {
    const conn = t.org.getConnection();
    const key = '3MVG9emu' + 'A'.repeat(40);
    const secret = 'E'.repeat(64);
    const app = 'Ory_Leads';
    const results = await conn.metadata.create('ExternalClientApplication' as 'CustomObject', {
      fullName: app,
      contactEmail: 'it@acme.example.com',
      distributionState: 'Local',
      isProtected: false,
      label: 'Ory Leads',
    } as never);
    expect((results as unknown as { success: boolean | string }).success).to.be.oneOf([true, 'true']);
    await conn.metadata.create('ExtlClntAppOauthSettings' as 'CustomObject', {
      fullName: `${app}_oauth`,
      commaSeparatedOauthScopes: 'Api',
      externalClientApplication: app,
      label: `${app}_oauth`,
    } as never);
    await conn.metadata.create('ExtlClntAppGlobalOauthSettings' as 'CustomObject', {
      fullName: `${app}_glbloauth`,
      callbackUrl: 'https://localhost/callback',
      consumerKey: key,
      consumerSecret: secret,
      externalClientApplication: app,
      isClientCredentialsFlowEnabled: true,
      label: `${app}_glbloauth`,
    } as never);
    await conn.metadata.create('ExtlClntAppOauthConfigurablePolicies' as 'CustomObject', {
      fullName: `${app}_oauthPlcy`,
      clientCredentialsFlowUser: 'integration@acme.example.com',
      externalClientApplication: app,
      isClientCredentialsFlowEnabled: true,
      label: `${app}_oauthPlcy`,
      permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
    } as never);
    const token = async (id: string, s: string): Promise<{ status: number; body: Record<string, string> }> => {
      const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: s }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const ok = await token(key, secret);
    expect(ok.status).to.equal(200);
    expect(ok.body.access_token).to.match(/^00D\w{12,15}!/);
    expect(ok.body.scope).to.equal('api');
    const me = await fetch(`${t.emu.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${ok.body.access_token}` } });
    expect(((await me.json()) as { preferred_username: string }).preferred_username).to.equal('integration@acme.example.com');

    expect((await token(key, 'wrong')).body).to.deep.equal({ error: 'invalid_client', error_description: 'invalid client credentials' });
    expect((await token('nope', secret)).body).to.deep.equal({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    expect(t.emu.counters.oauth).to.be.greaterThan(2);
  });
});
