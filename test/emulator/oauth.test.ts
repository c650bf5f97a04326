/* The token endpoint: refresh-token and JWT bearer grants, user checks, and the shell entry point of the emulator. */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createSign, generateKeyPairSync, webcrypto } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import * as x509 from '@peculiar/x509';
import { ROOT } from '../helpers/harness.js';
import { OrgEmulator } from './server.js';
import { putComponent } from './metadata/soap.js';

type TokenAnswer = { status: number; body: Record<string, string> };

describe('emulator: OAuth grants and the emulator CLI', function () {
  this.timeout(60_000);
  let emu: OrgEmulator;
  const key = '3MVG9jwt' + 'B'.repeat(40);
  const secret = 'S'.repeat(64);
  let privateKeyPem: string;

  const token = async (params: Record<string, string>): Promise<TokenAnswer> => {
    const res = await fetch(`${emu.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const jwt = (claims: Record<string, unknown>, pem = privateKeyPem): string => {
    const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(pem, 'base64url')}`;
  };

  before(async () => {
    emu = await OrgEmulator.start();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const keys = {
      privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']),
    } as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
    const cert = await x509.X509CertificateGenerator.createSelfSigned({ name: 'CN=jwt-test', keys, signingAlgorithm: alg, notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000) });
    const ctx = emu.metadataContext;
    await putComponent(ctx, 'ExternalClientApplication', 'Jwt_App', { distributionState: 'Local', isProtected: false, label: 'Jwt App' });
    await putComponent(ctx, 'ExtlClntAppOauthSettings', 'Jwt_App_oauth', { commaSeparatedOauthScopes: 'Api,RefreshToken', externalClientApplication: 'Jwt_App', label: 'Jwt_App_oauth' });
    await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', 'Jwt_App_glbloauth', {
      callbackUrl: 'https://localhost/cb',
      certificate: cert.toString('pem'),
      consumerKey: key,
      consumerSecret: secret,
      externalClientApplication: 'Jwt_App',
      isClientCredentialsFlowEnabled: false,
      label: 'Jwt_App_glbloauth',
    });
  });
  after(async () => {
    await emu.stop();
  });

  it('JWT bearer: a signed assertion for a user gives a token; bad signature, audience and expiry do not', async () => {
    const claims = { iss: key, sub: 'admin@acme.example.com', aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 300 };
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    // Users self-authorize this app: until the user has approved it once, JWT bearer is refused.
    const unapproved = await token({ grant_type: grant, assertion: jwt(claims) });
    expect(unapproved.status).to.equal(400);
    expect(unapproved.body).to.deep.include({ error: 'invalid_grant', error_description: "user hasn't approved this consumer" });
    emu.oauth.issueRefreshToken(emu.adminUserId, key);
    const ok = await token({ grant_type: grant, assertion: jwt(claims) });
    expect(ok.status).to.equal(200);
    expect(ok.body.instance_url).to.equal(emu.instanceUrl);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect((await token({ grant_type: grant, assertion: jwt(claims, other) })).body.error_description).to.equal('invalid assertion');
    expect((await token({ grant_type: grant, assertion: jwt({ ...claims, aud: 'https://evil.example.com' }) })).body.error_description).to.equal('audience is invalid');
    expect((await token({ grant_type: grant, assertion: jwt({ ...claims, exp: 1000 }) })).body.error_description).to.equal('expired authorization code');
    expect((await token({ grant_type: grant, assertion: jwt({ ...claims, sub: 'nobody@acme.example.com' }) })).body.error).to.equal('invalid_grant');
  });

  it('refresh token: exchanged for an access token while valid; revoked ones are refused', async () => {
    const refresh = emu.oauth.issueRefreshToken(emu.adminUserId, key);
    const ok = await token({ grant_type: 'refresh_token', client_id: key, client_secret: secret, refresh_token: refresh });
    expect(ok.status).to.equal(200);
    expect(ok.body.access_token).to.match(/^00D\w+!/);
    emu.oauth.revokeRefreshToken(refresh);
    const revoked = await token({ grant_type: 'refresh_token', client_id: key, client_secret: secret, refresh_token: refresh });
    expect(revoked).to.deep.equal({ status: 400, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } });
  });

  it('client credentials: refused when the app does not enable the flow; unknown grants are unsupported', async () => {
    const cc = await token({ grant_type: 'client_credentials', client_id: key, client_secret: secret });
    expect(cc).to.deep.equal({ status: 400, body: { error: 'invalid_grant', error_description: 'no client credentials user enabled' } });
    expect((await token({ grant_type: 'password', client_id: key })).body.error).to.equal('unsupported_grant_type');
  });

  it('a frozen or API-disabled user gets no token', async () => {
    const grant = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    const claims = { iss: key, sub: 'sam.sales@acme.example.com', aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 300 };
    const sam = emu.store.find('User', (u) => u.Username === 'sam.sales@acme.example.com')!;
    emu.oauth.issueRefreshToken(String(sam.Id), key); // Sam approved the app once
    expect((await token({ grant_type: grant, assertion: jwt(claims) })).status).to.equal(200);
    const login = emu.store.find('UserLogin', (l) => l.UserId === sam.Id)!;
    emu.store.patchSystem('UserLogin', login.Id, { IsFrozen: true });
    expect((await token({ grant_type: grant, assertion: jwt(claims) })).body.error_description).to.equal('user is frozen');
    emu.store.patchSystem('UserLogin', login.Id, { IsFrozen: false });
    const profile = emu.store.get('Profile', String(sam.ProfileId))!;
    emu.store.patchSystem('Profile', profile.Id, { PermissionsApiEnabled: false });
    expect((await token({ grant_type: grant, assertion: jwt(claims) })).body.error_description).to.equal('API is disabled for this user');
    emu.store.patchSystem('Profile', profile.Id, { PermissionsApiEnabled: true });
  });

  it('login IP ranges: refused with invalid_grant "ip restricted" from outside them unless the app relaxes IP restrictions', async () => {
    const ctx = emu.metadataContext;
    /** An ECA with the client credentials flow (run as the integration user) and the given IP relaxation policy. */
    const eca = async (name: string, ipRelaxation?: string): Promise<string> => {
      const ecaKey = `3MVG9ip${name}${'I'.repeat(40)}`;
      await putComponent(ctx, 'ExternalClientApplication', name, { distributionState: 'Local', isProtected: false, label: name });
      await putComponent(ctx, 'ExtlClntAppOauthSettings', `${name}_oauth`, { commaSeparatedOauthScopes: 'Api,RefreshToken', externalClientApplication: name, label: `${name}_oauth` });
      await putComponent(ctx, 'ExtlClntAppGlobalOauthSettings', `${name}_glbloauth`, {
        callbackUrl: 'https://localhost/cb',
        consumerKey: ecaKey,
        consumerSecret: secret,
        externalClientApplication: name,
        isClientCredentialsFlowEnabled: true,
        label: `${name}_glbloauth`,
      });
      await putComponent(ctx, 'ExtlClntAppOauthConfigurablePolicies', `${name}_oauthPlcy`, {
        clientCredentialsFlowUser: 'integration@acme.example.com',
        externalClientApplication: name,
        ...(ipRelaxation ? { ipRelaxationPolicyType: ipRelaxation } : {}),
        isClientCredentialsFlowEnabled: true,
        label: `${name}_oauthPlcy`,
        permittedUsersPolicyType: 'AllSelfAuthorized',
      });
      return ecaKey;
    };
    const enforce = await eca('IpEnforce');
    const bypass = await eca('IpBypass', 'Bypass');
    const relaxRefresh = await eca('IpRelaxRefresh', 'Enforce_RelaxRefresh');
    const connectedKey = '3MVG9ipConnected' + 'C'.repeat(40);
    await putComponent(ctx, 'ConnectedApp', 'Ip_Connected', {
      contactEmail: 'admin@acme.example.com',
      label: 'Ip Connected',
      oauthConfig: { callbackUrl: 'https://localhost/cb', consumerKey: connectedKey, consumerSecret: secret, isClientCredentialEnabled: true, oauthClientCredentialUser: 'integration@acme.example.com', scopes: ['Api'] },
      oauthPolicy: { ipRelaxation: 'BYPASS', refreshTokenPolicy: 'infinite' },
    });
    const cc = async (clientId: string): Promise<TokenAnswer> => token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
    const refresh = async (clientId: string): Promise<TokenAnswer> =>
      token({ grant_type: 'refresh_token', client_id: clientId, client_secret: secret, refresh_token: emu.oauth.issueRefreshToken(emu.adminUserId, clientId) });
    const restricted = { status: 400, body: { error: 'invalid_grant', error_description: 'ip restricted' } };

    try {
      // No ranges: no restriction.
      expect((await cc(enforce)).status).to.equal(200);
      // Ranges that leave out 127.0.0.1 (where the requests come from).
      emu.flags.loginIpRanges = [{ start: '10.0.0.0', end: '10.255.255.255' }];
      expect(await cc(enforce)).to.deep.equal(restricted);
      expect(await refresh(enforce)).to.deep.equal(restricted);
      // Relax IP restrictions (ECA Bypass, connected app BYPASS): allowed for both grants.
      expect((await cc(bypass)).status).to.equal(200);
      expect((await refresh(bypass)).status).to.equal(200);
      expect((await cc(connectedKey)).status).to.equal(200);
      // Enforce_RelaxRefresh: enforced for client credentials, relaxed for refresh tokens.
      expect(await cc(relaxRefresh)).to.deep.equal(restricted);
      expect((await refresh(relaxRefresh)).status).to.equal(200);
      // A range that holds the address lets it in; ranges of another profile do not apply.
      emu.flags.loginIpRanges = [{ start: '10.0.0.0', end: '10.255.255.255' }, { start: '127.0.0.1', end: '127.0.0.1' }];
      expect((await cc(enforce)).status).to.equal(200);
      emu.flags.loginIpRanges = [{ start: '10.0.0.0', end: '10.255.255.255', profile: 'Standard User' }];
      expect((await cc(enforce)).status).to.equal(200);
      const integration = emu.store.find('User', (u) => u.Username === 'integration@acme.example.com')!;
      const profileName = String(emu.store.get('Profile', String(integration.ProfileId))!.Name);
      emu.flags.loginIpRanges = [{ start: '10.0.0.0', end: '10.255.255.255', profile: profileName }];
      expect(await cc(enforce)).to.deep.equal(restricted);
    } finally {
      delete emu.flags.loginIpRanges;
    }
  });

  it('describe answers with the field properties the plugin relies on', async () => {
    const res = await fetch(`${emu.instanceUrl}/services/data/v66.0/sobjects/User/describe`, { headers: { Authorization: `Bearer ${emu.accessToken}` } });
    const body = (await res.json()) as { name: string; fields: Array<{ name: string; length: number; nillable: boolean; type: string }> };
    expect(body.name).to.equal('User');
    expect(body.fields.find((f) => f.name === 'Alias')).to.include({ length: 8, nillable: false });
    expect(body.fields.find((f) => f.name === 'CountryCode'), 'no CountryCode while picklists are off').to.equal(undefined);
  });

  it('runs from the shell and prints exactly one JSON line once ready', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'emulator', 'cli.ts'), '--port', '0', '--latency-ms', '5'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`exited ${String(code)}`)));
    });
    try {
      expect(line.trim().split('\n')).to.have.length(1);
      const info = JSON.parse(line) as { instanceUrl: string; accessToken: string; username: string; orgId: string };
      expect(info.accessToken).to.match(/^00D\w{12,15}!/);
      expect(info.username).to.equal('admin@acme.example.com');
      const res = await fetch(`${info.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${info.accessToken}` } });
      expect(((await res.json()) as { organization_id: string }).organization_id).to.equal(info.orgId);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('emulator: paths with repeated slashes', () => {
  it('answers //services/data as /services/data (core sends the instance URL with a trailing slash)', async () => {
    const { request } = await import('node:http');
    const emu = await OrgEmulator.start();
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: emu.port, path: '//services//data', method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).to.equal(200);
      const versions = JSON.parse(answer.body) as Array<{ version: string }>;
      expect(versions.at(-1)?.version).to.equal('66.0');
    } finally {
      await emu.stop();
    }
  });
});
