import { createPrivateKey, createSign, createVerify, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import CertGenerate, { type CertGenerateResult } from '../../../../src/commands/provision/cert/generate.js';
import { isolatedEnv, runBin } from '../../../helpers/harness.js';
import { runCommand, runCommandError } from '../../../helpers/plan.js';

const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

/** The key and the certificate belong together: the key signs what the certificate's public key verifies. */
const matches = (keyPem: string, certPem: string): boolean => {
  const cert = new X509Certificate(certPem);
  const key = createPrivateKey(keyPem);
  const signature = createSign('sha256').update('payload').sign(key);
  return cert.checkPrivateKey(key) && createVerify('sha256').update('payload').verify(cert.publicKey, signature);
};

describe('sf provision cert generate', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'provision-gen-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes server.key (0600) and server.crt that belong together; the key is in neither the output nor the result', async () => {
    const out = join(dir, 'jwt');
    const { result, ux, output } = await runCommand(CertGenerate, ['--output-dir', out]);
    expect(result.keyFile).to.equal(join(out, 'server.key'));
    expect(result.certificateFile).to.equal(join(out, 'server.crt'));
    expect(await mode(result.keyFile)).to.equal(0o600);
    expect(await mode(result.certificateFile)).to.equal(0o644);

    const keyPem = await readFile(result.keyFile, 'utf8');
    const certPem = await readFile(result.certificateFile, 'utf8');
    expect(keyPem).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certPem).to.match(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(matches(keyPem, certPem)).to.equal(true);

    const x = new X509Certificate(certPem);
    expect(x.subject).to.equal('CN=plugin-provision');
    expect(x.issuer).to.equal(x.subject);
    expect(x.verify(x.publicKey)).to.equal(true);
    expect(x.ca).to.equal(false);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect((new Date(x.validTo).getTime() - Date.now()) / 86_400_000).to.be.within(364, 365.1);
    expect(result).to.deep.include({
      subject: 'CN=plugin-provision',
      sha256Fingerprint: x.fingerprint256.toUpperCase(),
      notAfter: new Date(x.validTo).toISOString(),
      keySize: 2048,
    });

    const keyBody = keyPem.split('\n')[1];
    const everything = JSON.stringify(result) + output + JSON.stringify(ux.logToStderr.args) + JSON.stringify(ux.table.args);
    expect(everything).not.to.contain('PRIVATE KEY');
    expect(everything).not.to.contain(keyBody);
    expect(output).to.contain(result.sha256Fingerprint);
    expect(output).to.contain('mode 0600');
  });

  it('takes --name, --common-name, --days and --key-size', async () => {
    const { result } = await runCommand(CertGenerate, [
      '--output-dir',
      dir,
      '--name',
      'ci-deploy',
      '--common-name',
      'ci-deploy.acme.example.com, O=Injected',
      '--days',
      '30',
      '--key-size',
      '4096',
    ]);
    expect(result.keyFile).to.equal(join(dir, 'ci-deploy.key'));
    const x = new X509Certificate(await readFile(join(dir, 'ci-deploy.crt')));
    // The common name is one attribute, whatever it contains: no other attribute can be slipped into the subject.
    expect(x.subject.split('\n')).to.have.length(1);
    expect(x.subject).to.match(/^CN=ci-deploy\.acme\.example\.com/);
    expect(x.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(4096);
    expect((new Date(x.validTo).getTime() - Date.now()) / 86_400_000).to.be.within(29, 30.1);
    expect(matches(await readFile(result.keyFile, 'utf8'), await readFile(result.certificateFile, 'utf8'))).to.equal(true);
  });

  it('refuses to overwrite an existing key unless --force, and --force makes a fresh 0600 key', async () => {
    const first = await runCommand(CertGenerate, ['--output-dir', dir]);
    const oldKey = await readFile(first.result.keyFile, 'utf8');
    const err = await runCommandError(CertGenerate, ['--output-dir', dir]);
    expect(err.message).to.equal(`${join(dir, 'server.key')} already exists.`);
    expect(err.actions?.[0]).to.contain('--force');
    expect(await readFile(first.result.keyFile, 'utf8')).to.equal(oldKey);

    // A world-readable leftover key is replaced by a new file with mode 0600, not rewritten in place.
    await chmod(first.result.keyFile, 0o644);
    const forced = await runCommand(CertGenerate, ['--output-dir', dir, '--force']);
    const newKey = await readFile(forced.result.keyFile, 'utf8');
    expect(newKey).not.to.equal(oldKey);
    expect(await mode(forced.result.keyFile)).to.equal(0o600);
    expect(matches(newKey, await readFile(forced.result.certificateFile, 'utf8'))).to.equal(true);
  });

  it('refuses when only the certificate file exists, so a key and certificate never mismatch', async () => {
    await writeFile(join(dir, 'server.crt'), 'old');
    const err = await runCommandError(CertGenerate, ['--output-dir', dir]);
    expect(err.message).to.contain('server.crt already exists');
    expect(await stat(join(dir, 'server.key')).then(() => true, () => false)).to.equal(false);
    expect(await readFile(join(dir, 'server.crt'), 'utf8')).to.equal('old');
  });

  it('refuses a file name with a path in it, and an empty common name', async () => {
    const name = await runCommandError(CertGenerate, ['--output-dir', dir, '--name', '../escape']);
    expect(name.message).to.contain('cannot be used as a file base name');
    const cn = await runCommandError(CertGenerate, ['--output-dir', dir, '--common-name', '  ']);
    expect(cn.message).to.contain('common name is empty');
    const days = await runCommandError(CertGenerate, ['--output-dir', dir, '--days', '0']);
    expect(days.message).to.match(/days/);
  });

  it('needs no org, and --json from bin/run.js holds paths and fingerprint but never the key', async () => {
    const home = await mkdtemp(join(tmpdir(), 'provision-home-'));
    try {
      const out = join(dir, 'keys');
      const r = await runBin(['provision', 'cert', 'generate', '--output-dir', out, '--json'], isolatedEnv(home));
      expect(r.code, r.stderr).to.equal(0);
      const json = JSON.parse(r.stdout) as { status: number; result: CertGenerateResult };
      expect(json.result.keyFile).to.equal(join(out, 'server.key'));
      expect(Object.keys(json.result).sort()).to.deep.equal(
        ['certificateFile', 'issuer', 'keyFile', 'keySize', 'notAfter', 'notBefore', 'serialNumber', 'sha256Fingerprint', 'subject'].sort()
      );
      const keyPem = await readFile(json.result.keyFile, 'utf8');
      expect(r.stdout + r.stderr).not.to.contain('PRIVATE KEY');
      expect(r.stdout + r.stderr).not.to.contain(keyPem.split('\n')[1]);
      expect(await mode(json.result.keyFile)).to.equal(0o600);
      const human = await runBin(['provision', 'cert', 'generate', '--output-dir', out, '--name', 'human'], isolatedEnv(home));
      expect(human.code, human.stderr).to.equal(0);
      const humanKey = await readFile(join(out, 'human.key'), 'utf8');
      expect(human.stdout + human.stderr).not.to.contain(humanKey.split('\n')[1]);
      expect(human.stdout).to.contain('human.crt');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});
