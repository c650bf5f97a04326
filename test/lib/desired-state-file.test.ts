/*
 * Reading a desired-state file without an org: YAML and JSON, the schema's errors with the file, the path in it and
 * the line and column, secrets only ever referred to (an inline one refused and never echoed), ${env:NAME} replaced,
 * paths made relative to the file, and every example of examples/ valid against the shipped schema.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readDesiredState, readSecret } from '../../src/provision/desired-state/file.js';
import { ROOT } from '../helpers/harness.js';
import { refusal } from '../helpers/library.js';

const SECRET = 'Sup3rS3cretValue-that-must-never-be-shown';

describe('desired-state file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'desired-state-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads YAML into specs: paths relative to the file, ${env:NAME} replaced, secrets kept as references', async () => {
    await write('okta.xml', '<md:EntityDescriptor/>');
    const file = await write(
      'ok.yaml',
      [
        'version: 1',
        'samlConfigs:',
        '  - name: Okta',
        '    idpMetadata: okta.xml',
        '    loginPageButton: true',
        'apps:',
        '  - name: Sync',
        '    clientCredentialsUser: ${env:RUN_AS}',
        '    consumerSecret: ${env:SYNC_SECRET}',
        '  - name: Other',
        '    consumerSecret: { file: secrets/other.txt }',
      ].join('\n')
    );
    const state = await readDesiredState(file, { RUN_AS: 'integration@acme.example.com' });
    expect(state.file).to.equal(file);
    expect(state.samlConfigs?.[0]).to.deep.equal({ name: 'Okta', idpMetadata: join(dir, 'okta.xml'), loginPageButton: true });
    expect(state.apps?.[0]).to.deep.equal({ name: 'Sync', clientCredentialsUser: 'integration@acme.example.com', consumerSecret: { env: 'SYNC_SECRET' } });
    expect(state.apps?.[1].consumerSecret).to.deep.equal({ file: join(dir, 'secrets', 'other.txt') });
  });

  it('reads JSON with the same schema', async () => {
    const file = await write('ok.json', JSON.stringify({ version: 1, ssoSettings: { samlEnabled: true }, picklists: { integrationValues: 'iso', countries: ['US'] } }));
    const state = await readDesiredState(file, {});
    expect(state.ssoSettings).to.deep.equal({ samlEnabled: true });
    expect(state.picklists).to.deep.equal({ integrationValues: 'iso', countries: ['US'] });
  });

  const cases: Array<[what: string, text: string, where: string, expected: RegExp]> = [
    ['a misspelt field', 'version: 1\nsamlConfigs:\n  - name: Okta\n    idpMetdata: okta.xml\n', ':4:5 (samlConfigs[0].idpMetdata)', /no field "idpMetdata" here/],
    ['a value outside the enum', 'version: 1\nsamlConfigs:\n  - name: Okta\n    identityType: Email\n', ':4:19 (samlConfigs[0].identityType)', /one of "Username", "FederationId", "UserId"/],
    ['a missing field', 'version: 1\nidentityProvider:\n  enabled: true\n', ':3:3 (identityProvider)', /the field "certificate"/],
    ['a wrong type', 'version: 1\nssoSettings:\n  samlEnabled: "yes"\n', ':3:16 (ssoSettings.samlEnabled)', /expected true or false/],
    ['another version', 'version: 2\n', ':1:10 (version)', /version: 1/],
    ['no version', 'ssoSettings:\n  samlEnabled: true\n', ':1:1 (the top)', /the field "version"/],
    ['both a secret and a secret file', 'version: 1\napps:\n  - name: A\n    consumerSecret: ${env:X}\n    secretFile: a.txt\n', ':3:5 (apps[0])', /either consumerSecret or secretFile/],
  ];
  for (const [what, text, where, expected] of cases) {
    it(`names the file, the path, the line and column of ${what}`, async () => {
      const file = await write('bad.yaml', text);
      const e = await refusal(readDesiredState(file, {}));
      expect(e.name).to.equal('SchemaError');
      expect(e.message).to.contain(`${file}${where}`);
      expect(e.message).to.match(expected);
      expect(e.actions?.join(' ')).to.contain('provision.schema.json');
    });
  }

  it('lists every schema error in the file\'s order, a secret\'s one shape, JIT handler and user together', async () => {
    const file = await write(
      'many.yaml',
      [
        'version: 1',
        'ssoSettings:',
        '  samlEnabled: yes please',
        'samlConfigs:',
        '  - name: Okta',
        '    binding: sideways',
        '    jit: { enabled: true, handler: JitHandler }',
        'apps:',
        '  - name: A',
        '    consumerSecret: { file: a.txt, value: x }',
      ].join('\n')
    );
    const e = await refusal(readDesiredState(file, {}));
    const lines = e.message.split('\n').slice(1);
    expect(lines).to.have.length(4);
    expect(lines[0]).to.contain(':3:16 (ssoSettings.samlEnabled): expected true or false.');
    expect(lines[1]).to.contain(':6:14 (samlConfigs[0].binding): expected one of "post", "redirect".');
    expect(lines[2]).to.contain('(samlConfigs[0].jit): expected the field "executionUser" with "handler".');
    expect(lines[3]).to.contain(':10:21 (apps[0].consumerSecret): expected ${env:NAME} or { file: path }.');
  });

  it('names the place of a file the entries name that is not there', async () => {
    const file = await write('missing.yaml', 'version: 1\nsamlConfigs:\n  - name: Okta\n    idpMetadata: nowhere/okta.xml\n');
    const e = await refusal(readDesiredState(file, {}));
    expect(e.name).to.equal('FileMissingError');
    expect(e.message).to.contain(`${file}:4:18 (samlConfigs[0].idpMetadata): there is no file ${join(dir, 'nowhere', 'okta.xml')}`);
  });

  it('names the line and column of a syntax error and of a key written twice', async () => {
    const syntax = await refusal(readDesiredState(await write('syntax.yaml', 'version: 1\nssoSettings:\n  samlEnabled: [true\n'), {}));
    expect(syntax.name).to.equal('SyntaxError');
    expect(syntax.message).to.match(/syntax\.yaml:\d+:\d+/);
    const twice = await refusal(readDesiredState(await write('twice.yaml', 'version: 1\nversion: 1\n'), {}));
    expect(twice.name).to.equal('SyntaxError');
    expect(twice.message).to.contain('twice.yaml:2:1');
    const json = await refusal(readDesiredState(await write('bad.json', '{ "version": 1,\n  "ssoSettings": { "samlEnabled": true, }\n}'), {}));
    expect(json.name).to.equal('SyntaxError');
    expect(json.message).to.contain('bad.json:2:');
  });

  it('refuses an inline secret with its place in the file, and never echoes it', async () => {
    const file = await write('inline.yaml', `version: 1\napps:\n  - name: Sync\n    consumerSecret: ${SECRET}\n`);
    const e = await refusal(readDesiredState(file, {}));
    expect(e.name).to.equal('InlineSecretError');
    expect(e.message).to.contain(`${file}:4:21 (apps[0].consumerSecret)`);
    expect(JSON.stringify({ message: e.message, actions: e.actions, data: e.data, stack: e.stack })).not.to.contain(SECRET);
    expect(e.actions?.join(' ')).to.contain('${env:NAME}');
  });

  it('refuses ${env:NAME} of a variable that is not set, naming it', async () => {
    const file = await write('env.yaml', 'version: 1\nassignments:\n  - permissionSet: Sync\n    users: ["${env:NOT_SET_HERE}"]\n');
    const e = await refusal(readDesiredState(file, {}));
    expect(e.name).to.equal('EnvUnsetError');
    expect(e.message).to.contain(`${file}:4:13 (assignments[0].users[0])`);
    expect(e.message).to.contain('NOT_SET_HERE');
  });

  it('refuses a file that is not there or far too large', async () => {
    expect((await refusal(readDesiredState(join(dir, 'none.yaml'), {}))).name).to.equal('FileNotFoundError');
    const big = await write('big.yaml', `version: 1\n#${'x'.repeat(1024 * 1024)}\n`);
    expect((await refusal(readDesiredState(big, {}))).name).to.equal('FileTooLargeError');
  });

  it('reads a secret from its variable or the first line of its file; errors never show it', async () => {
    expect(await readSecret({ env: 'S' }, 'Sync', { S: ` ${SECRET}\n` })).to.equal(SECRET);
    const file = await write('secret.txt', `${SECRET}\nignored\n`);
    expect(await readSecret({ file }, 'Sync', {})).to.equal(SECRET);
    const unset = await refusal(readSecret({ env: 'S' }, 'Sync', {}));
    expect(unset.name).to.equal('SecretEnvUnsetError');
    const empty = await refusal(readSecret({ file: await write('empty.txt', '\n') }, 'Sync', {}));
    expect(empty.name).to.equal('SecretFileEmptyError');
  });

  it('accepts every example of examples/', async () => {
    const env = { PINGONE_SYNC_USER: 'u@x.test', PINGONE_CLIENT_SECRET: 's', ORY_INTEGRATION_USER: 'u@x.test', ORY_CLIENT_SECRET: 's' };
    const examples = await readdir(join(ROOT, 'examples'));
    expect(examples).to.include.members(['jumpcloud', 'pingone', 'ory', 'invotra', 'okta', 'entra']);
    for (const name of examples) {
      // eslint-disable-next-line no-await-in-loop
      const state = await readDesiredState(join(ROOT, 'examples', name, 'provision.yaml'), env);
      expect(state.version, name).to.equal(1);
    }
  });
});
