/*
 * End to end: the JWT bearer flow with a key pair from `provision cert generate` and an External Client App from
 * `provision app create --certificate`, against the emulator's token endpoint (which verifies the signature with the
 * app's certificate and enforces admin pre-authorisation).
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import AppCreate from '../../../../src/commands/provision/app/create.js';
import CertGenerate from '../../../../src/commands/provision/cert/generate.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { runCommand } from '../../../helpers/plan.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT bearer assertion signed RS256 with the PEM private key. */
const assertion = (claims: Record<string, unknown>, privateKeyPem: string): string => {
  const unsigned = `${b64url({ alg: 'RS256' })}.${b64url(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKeyPem).toString('base64url');
  return `${unsigned}.${signature}`;
};

type TokenResponse = { status: number; body: Record<string, string> };

describe('JWT bearer flow: cert generate → app create --certificate → token', function () {
  this.timeout(120_000);
  let t: TestOrg;
  let dir: string;

  beforeEach(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'provision-jwt-'));
  });
  afterEach(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const token = async (jwt: string): Promise<TokenResponse> => {
    const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
        ['assertion', jwt],
      ]),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };

  it('a JWT signed with the generated key gets a working access token; another key, an unapproved user and a wrong audience do not', async () => {
    const cert = await runCommand(CertGenerate, ['--output-dir', dir]);
    expect(cert.result.certificateFile).to.equal(join(dir, 'server.crt'));
    const privateKey = await readFile(cert.result.keyFile, 'utf8');
    expect(JSON.stringify(cert.result)).not.to.contain('PRIVATE KEY');

    const app = await runCommand(AppCreate, [
      '--target-org', 'emu',
      '--name', 'Jwt_App',
      '--certificate', join(dir, 'server.crt'),
      '--scopes', 'api',
      '--contact-email', 'a@b.c',
      '--secret-file', join(dir, 's.secret'),
      // Salesforce issues JWT bearer tokens only to pre-approved users: admin-approved, the user's profile on the app.
      '--admin-approved',
      '--profiles', 'System Administrator',
    ]);
    expect(app.exitCode).to.equal(0);
    const consumerKey = app.result.consumerKey!;
    expect(consumerKey).to.match(/^3MVG/);
    // The app stores the PEM certificate (ExtlClntAppGlobalOauthSettings.certificate enables the JWT bearer flow).
    const globals = [...t.emu.components.get('ExtlClntAppGlobalOauthSettings')!.values()].find((c) => c.content.externalClientApplication === 'Jwt_App')!;
    expect(String(globals.content.certificate).trim()).to.equal((await readFile(join(dir, 'server.crt'), 'utf8')).trim());

    const claims = { iss: consumerKey, sub: t.emu.adminUsername, aud: t.emu.instanceUrl, exp: Math.floor(Date.now() / 1000) + 180 };
    const ok = await token(assertion(claims, privateKey));
    expect(ok.status).to.equal(200);
    expect(ok.body.token_type).to.equal('Bearer');
    expect(ok.body.instance_url).to.equal(t.emu.instanceUrl);
    expect(ok.body).not.to.have.property('refresh_token');
    const limits = await fetch(`${t.emu.instanceUrl}/services/data/v66.0/limits`, { headers: { Authorization: `Bearer ${ok.body.access_token}` } });
    expect(limits.status).to.equal(200);
    expect(((await limits.json()) as Record<string, unknown>).DailyApiRequests).to.be.an('object');
    // The login URL is an accepted audience too.
    expect((await token(assertion({ ...claims, aud: 'https://login.salesforce.com' }, privateKey))).status).to.equal(200);

    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged = await token(assertion(claims, otherKey));
    expect(forged.status).to.equal(400);
    expect(forged.body.error).to.equal('invalid_grant');
    expect(forged.body.error_description).to.equal('invalid assertion');
    // A user whose profile is not on the admin-approved app is refused.
    const sam = await token(assertion({ ...claims, sub: 'sam.sales@acme.example.com' }, privateKey));
    expect(sam.status).to.equal(400);
    expect(sam.body.error).to.equal('invalid_app_access');
    expect((await token(assertion({ ...claims, aud: 'https://evil.example.com' }, privateKey))).body.error_description).to.equal('audience is invalid');
    expect((await token(assertion({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, privateKey))).body.error).to.equal('invalid_grant');
  });
});
