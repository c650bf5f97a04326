/*
 * The committed contracts hold for real output: the --json answers of commands run through bin/run.js against the
 * emulated org validate against schemas/<command>.json (generated from the result types by schema:generate, kept in
 * step with the source by `npm run test:contracts`). Schemas say additionalProperties: false, so a field the type
 * does not declare fails here as well as a missing or mistyped one.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv, type ValidateFunction } from 'ajv';
import AppCreate from '../src/commands/provision/app/create.js';
import PermsetCreate from '../src/commands/provision/permset/create.js';
import { ROOT, setupTestOrg, type JsonRunResult, type TestOrg } from './helpers/harness.js';
import { runCommand } from './helpers/plan.js';

const SCHEMAS = join(ROOT, 'schemas');
const SECRET_VAR = 'CONTRACTS_TEST_CLIENT_SECRET';
const RUN_AS = 'integration@acme.example.com';

/** schema:generate's file name for a command id: "-" becomes "__", ":" becomes "-". */
const schemaFile = (id: string): string => `${id.replaceAll('-', '__').replaceAll(':', '-')}.json`;

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();
const validatorFor = (id: string): ValidateFunction => {
  let v = validators.get(id);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, schemaFile(id)), 'utf8')) as object);
    validators.set(id, v);
  }
  return v;
};

/** Fails with every violation, the schema file and the value when `value` does not match the command's schema. */
const expectMatchesSchema = (id: string, value: unknown): void => {
  const validate = validatorFor(id);
  if (!validate(value)) {
    expect.fail(
      `${id}: the --json result does not match schemas/${schemaFile(id)}:\n${ajv.errorsText(validate.errors, { separator: '\n' })}\n${JSON.stringify(value, null, 2)}`
    );
  }
};

describe('contracts: command-snapshot.json and schemas/', () => {
  it('has one schema per command in the snapshot, each a valid JSON Schema', () => {
    const snapshot = JSON.parse(readFileSync(join(ROOT, 'command-snapshot.json'), 'utf8')) as Array<{ command: string; plugin: string }>;
    expect(snapshot.length).to.be.greaterThan(30);
    expect(new Set(snapshot.map((c) => c.plugin))).to.deep.equal(new Set(['plugin-provision']));
    expect(readdirSync(SCHEMAS).sort()).to.deep.equal(snapshot.map((c) => schemaFile(c.command)).sort());
    for (const { command } of snapshot) expect(validatorFor(command), command).to.be.a('function');
  });
});

describe('contracts: real --json output matches schemas/ (bin/run.js against the emulated org)', function () {
  this.timeout(180_000);
  let t: TestOrg;
  let dir: string;
  let env: Record<string, string>;
  let clientId = '';
  let assigned: unknown;

  before(async () => {
    t = await setupTestOrg();
    dir = await mkdtemp(join(tmpdir(), 'provision-contracts-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the command with --json through bin/run.js and checks the exit code it should end with. */
  const runJson = async (argv: string[], code: number): Promise<JsonRunResult<unknown>> => {
    const r = await t.runJson<unknown>(['provision', ...argv], { env });
    expect(r.code, `${argv.join(' ')}\n${r.stdout}${r.stderr}`).to.equal(code);
    return r;
  };

  const connectionTest = (...extra: string[]): string[] => ['connection', 'test', '--domain', t.emu.instanceUrl, '--client-id', clientId, '--client-secret-env', SECRET_VAR, ...extra];

  it('provision status', async () => {
    const r = await runJson(['status', '--target-org', 'emu'], 0);
    expectMatchesSchema('provision:status', r.json.result);
  });

  it('provision plan and apply --json: the JumpCloud example (plan exits 2 with --detailed-exitcode, apply 0)', async () => {
    const file = join(ROOT, 'examples', 'jumpcloud', 'provision.yaml');
    const plan = await runJson(['plan', '--file', file, '--target-org', 'emu', '--detailed-exitcode'], 2);
    expect((plan.json.result as { changed: boolean }).changed).to.equal(true);
    expectMatchesSchema('provision:plan', plan.json.result);
    const apply = await runJson(['apply', '--file', file, '--target-org', 'emu'], 0);
    expectMatchesSchema('provision:apply', apply.json.result);
    // MultiStageOutput stays quiet with --json: stdout is the JSON alone.
    expect(apply.stdout.trim().startsWith('{')).to.equal(true);
  });

  it('provision records sync and records convert --json', async () => {
    const file = join(dir, 'people.csv');
    await writeFile(file, 'Email,LastName,Company\ncontract1@people.test,One,C\ncontract2@people.test,Two,C\n');
    const sync = await runJson(['records', 'sync', '--target-org', 'emu', '--object', 'Lead', '--file', file, '--result-file', join(dir, 'sync.csv')], 0);
    expect((sync.json.result as { counts: { create: number } }).counts.create).to.equal(2);
    expectMatchesSchema('provision:records:sync', sync.json.result);
    const convert = await runJson(['records', 'convert', '--target-org', 'emu', '--emails', 'contract1@people.test'], 0);
    expectMatchesSchema('provision:records:convert', convert.json.result);
  });

  it('provision users sync, freeze, set-federation-id and export --json', async () => {
    const users = join(ROOT, 'examples', 'jumpcloud', 'jumpcloud-users.json');
    const sync = await runJson(['users', 'sync', '--target-org', 'emu', '--file', users], 0);
    expect((sync.json.result as { rows: number }).rows).to.equal(3);
    expectMatchesSchema('provision:users:sync', sync.json.result);
    const freeze = await runJson(['users', 'freeze', '--target-org', 'emu', '--users', 'ada.lovelace@acme-jc.example.com'], 0);
    expectMatchesSchema('provision:users:freeze', freeze.json.result);
    const fed = await runJson(['users', 'set-federation-id', '--target-org', 'emu', '--from', 'email', '--only-missing', '--dry-run'], 0);
    expectMatchesSchema('provision:users:set-federation-id', fed.json.result);
    const exp = await runJson(['users', 'export', '--target-org', 'emu', '--state-file', join(dir, 'export-state.json'), '--output-file', join(dir, 'users.csv')], 0);
    expectMatchesSchema('provision:users:export', exp.json.result);
  });

  it('provision app create --dry-run', async () => {
    const r = await runJson(['app', 'create', '--target-org', 'emu', '--name', 'Contract_Sync', '--scopes', 'api', '--client-credentials-user', RUN_AS, '--contact-email', 'ops@acme.test', '--dry-run'], 0);
    expect((r.json.result as { dryRun: boolean }).dryRun).to.equal(true);
    expectMatchesSchema('provision:app:create', r.json.result);
  });

  it('provision connection test --object: the MissingAccess error carries a whole result in its data', async () => {
    const secretFile = join(dir, 'contract-sync.secret');
    const created = await runCommand(AppCreate, ['--target-org', 'emu', '--name', 'Contract_Sync', '--scopes', 'api', '--client-credentials-user', RUN_AS, '--contact-email', 'ops@acme.test', '--secret-file', secretFile]);
    clientId = (created.result as { consumerKey?: string }).consumerKey ?? '';
    expect(clientId).to.match(/^\w{20,}/);
    env = { [SECRET_VAR]: (await readFile(secretFile, 'utf8')).trim() };

    const r = await runJson(connectionTest('--object', 'Lead:create'), 1);
    expect(r.json.name).to.equal('MissingAccess');
    const data = (r.json as { data?: { success?: boolean } }).data;
    expect(data?.success).to.equal(false);
    expectMatchesSchema('provision:connection:test', data);
  });

  it('provision permset assign (with the permission set licence it needs)', async () => {
    await runCommand(PermsetCreate, ['--target-org', 'emu', '--name', 'Contract_Leads', '--object', 'Lead:create,read']);
    const r = await runJson(['permset', 'assign', '--target-org', 'emu', '--name', 'Contract_Leads', '--users', RUN_AS], 0);
    expect((r.json.result as { users: Array<{ status: string }> }).users.map((u) => u.status)).to.deep.equal(['applied', 'applied']);
    expectMatchesSchema('provision:permset:assign', r.json.result);
    assigned = r.json.result;
  });

  it('provision connection test --object: success', async () => {
    const r = await runJson(connectionTest('--object', 'Lead:create'), 0);
    expect((r.json.result as { success: boolean }).success).to.equal(true);
    expectMatchesSchema('provision:connection:test', r.json.result);
  });

  it('a result with a field its type does not declare, or a mistyped one, fails the check', () => {
    const result = assigned as { users: Array<Record<string, unknown>> };
    expect(result.users.length).to.be.greaterThan(0);
    expect(() => expectMatchesSchema('provision:permset:assign', { ...result, undeclared: 1 })).to.throw(/must NOT have additional properties/);
    expect(() => expectMatchesSchema('provision:permset:assign', { ...result, users: [{ ...result.users[0], status: 42 }] })).to.throw(/users\/0\/status/);
  });
});
