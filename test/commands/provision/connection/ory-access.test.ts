/* eslint-disable camelcase */
/*
 * The Ory setup from scratch, as an admin does it, against the emulated org that enforces permissions: an External
 * Client App with the client credentials flow running as the API-only integration user; `connection test --object
 * Lead:create` fails and prints the fix; the printed fix commands are run as they are (permset assign gives the user the
 * Salesforce API Integration permission set licence first); the test then passes, and the
 * integration's own token creates a Lead while a Contact is still refused.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import AppCreate from '../../../../src/commands/provision/app/create.js';
import ConnectionTest, { type ConnectionTestResult } from '../../../../src/commands/provision/connection/test.js';
import PermsetAssign from '../../../../src/commands/provision/permset/assign.js';
import PermsetCreate from '../../../../src/commands/provision/permset/create.js';
import { setupTestOrg, type TestOrg } from '../../../helpers/harness.js';
import { runCommand, runCommandError } from '../../../helpers/plan.js';

const SECRET_VAR = 'ORY_ACCESS_TEST_SECRET';
const RUN_AS = 'integration@acme.example.com';

describe('Ory from scratch: connection test proves the integration can create Leads', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  let key = '';

  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'ory-access-'));
  });
  after(async () => {
    delete process.env[SECRET_VAR];
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const testArgs = (...extra: string[]): string[] => ['--domain', t.emu.instanceUrl, '--client-id', key, '--client-secret-env', SECRET_VAR, '--permission-set', 'Ory_Leads', ...extra];

  /** A token of the integration itself (client credentials), as Ory's broker gets it. */
  const integrationToken = async (): Promise<string> => {
    const res = await fetch(`${t.emu.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: key, client_secret: process.env[SECRET_VAR]! }),
    });
    expect(res.status).to.equal(200);
    return String(((await res.json()) as { access_token: string }).access_token);
  };

  const post = async (token: string, object: string, body: Record<string, unknown>): Promise<{ status: number; body: unknown }> => {
    const res = await fetch(`${t.emu.instanceUrl}/services/data/v66.0/sobjects/${object}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  it('1. app create: client credentials running as the API-only integration user', async () => {
    const secretFile = join(dir, 'ory.secret');
    const { result } = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Ory_Sync', '--scopes', 'api', '--client-credentials-user', RUN_AS, '--contact-email', 'ops@acme.test', '--secret-file', secretFile]);
    key = (result as unknown as { consumerKey: string }).consumerKey;
    expect(key).to.match(/^\w{20,}/);
    process.env[SECRET_VAR] = (await readFile(secretFile, 'utf8')).trim();
  });

  it('2. before any permission set: the token is refused on Lead and Contact, and the default survey says so', async () => {
    const token = await integrationToken();
    const lead = await post(token, 'Lead', { LastName: 'Early', Company: 'Ory', Email: 'early@ory.example.com' });
    expect(lead.status).to.be.within(400, 404);
    const { result } = await runCommand(ConnectionTest, testArgs());
    expect(result.access.required).to.equal(false);
    expect(result.access.lines.filter((l) => l.granted)).to.deep.equal([]);
    expect(result.access.lines.map((l) => l.target)).to.include.members(['Lead', 'Contact', 'User']);
  });

  const NEEDS = ['--object', 'Lead:create', '--field', 'Lead.Email:edit'];

  it('3. connection test --object Lead:create --field Lead.Email:edit fails with exit 1, the table and the exact fix', async () => {
    const err = await runCommandError(ConnectionTest, testArgs(...NEEDS));
    expect(err.name).to.equal('MissingAccess');
    expect(err.exitCode).to.equal(1);
    const data = (err as Error & { data?: ConnectionTestResult }).data!;
    expect(data.success).to.equal(false);
    expect(data.identity.username).to.equal(RUN_AS);
    expect(data.access.missing).to.deep.equal([
      { kind: 'object', target: 'Lead', access: 'create', granted: false, reason: 'Lead is not visible to the user (no Read)' },
      { kind: 'field', target: 'Lead.Email', access: 'edit', granted: false, reason: 'Lead is not visible to the user (no Read)' },
    ]);
    expect(err.actions).to.deep.equal([
      'sf provision permset create --target-org <admin org> --name Ory_Leads --object Lead:create --field Lead.Email:edit',
      `sf provision permset assign --target-org <admin org> --name Ory_Leads --users ${RUN_AS}`,
    ]);

    // The same through the CLI with --json: exit 1, and the whole report in the answer.
    const cli = await t.runJson<unknown>(['provision', 'connection', 'test', ...testArgs(...NEEDS)], { env: { [SECRET_VAR]: process.env[SECRET_VAR]! } });
    expect(cli.code).to.equal(1);
    expect(cli.json.name).to.equal('MissingAccess');
    expect(cli.json.actions?.[0]).to.contain('--object Lead:create');
    expect(JSON.stringify(cli.json)).to.contain('"missing"');
    expect(cli.stdout + cli.stderr).to.not.contain(process.env[SECRET_VAR]);
  });

  it('4. the printed fix, run as printed, grants it: the test passes and the token creates a Lead, not a Contact', async () => {
    const err = await runCommandError(ConnectionTest, testArgs(...NEEDS));
    const [create, assign] = (err.actions ?? []).map((a) => a.replace('<admin org>', 'emu').split(' ').slice(4));
    await runCommand(PermsetCreate, create);
    const assigned = await runCommand(PermsetAssign, assign);
    // The run-as user is on the Salesforce Integration user licence: the Salesforce API Integration permission set
    // licence is assigned first, in the same run, or a real org refuses the permission set ("The user license doesn't
    // allow the permission: Read Leads").
    expect(assigned.result.users.map((u) => [u.action, u.status, u.licence])).to.deep.equal([
      ['assign-licence', 'applied', 'Salesforce API Integration'],
      ['assign', 'applied', undefined],
    ]);

    const { result } = await runCommand(ConnectionTest, testArgs('--object', 'Lead:create,read', '--field', 'Lead.Email:edit'));
    expect(result.success).to.equal(true);
    expect(result.access.missing).to.deep.equal([]);
    expect(result.access.lines.map((l) => `${l.target}:${l.access}:${String(l.granted)}`)).to.deep.equal(['Lead:read:true', 'Lead:create:true', 'Lead.Email:edit:true']);

    const token = await integrationToken();
    const lead = await post(token, 'Lead', { LastName: 'Lovelace', Company: 'Ory', Email: 'ada@ory.example.com' });
    expect(lead.status).to.equal(201);
    const contact = await post(token, 'Contact', { LastName: 'Lovelace', Email: 'ada@ory.example.com' });
    expect(contact.status).to.be.within(400, 404);
    expect(JSON.stringify(contact.body)).to.match(/NOT_FOUND|INVALID_TYPE|INSUFFICIENT_ACCESS/);

    const err2 = await runCommandError(ConnectionTest, testArgs('--object', 'Contact:create'));
    expect(err2.name).to.equal('MissingAccess');
    // Field-level security is its own grant: Lead.Phone was not asked for, so it is hidden from the token's user.
    const phone = await post(token, 'Lead', { LastName: 'Hopper', Company: 'Ory', Phone: '+1 555 0100' });
    expect(phone.status).to.equal(400);
    expect(JSON.stringify(phone.body)).to.contain('INVALID_FIELD').and.contain("No such column 'Phone'");
  });
});
