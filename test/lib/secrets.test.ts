import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { generateConsumerKey, generateConsumerSecret, randomBase62, writeSecretFile } from '../../src/provision/secrets.js';

describe('secrets', () => {
  it('generates Salesforce-shaped, distinct credentials', () => {
    const k = generateConsumerKey();
    expect(k).to.match(/^3MVG[0-9A-Za-z]{81}$/);
    expect(generateConsumerKey()).not.to.equal(k);
    expect(generateConsumerSecret()).to.match(/^[0-9A-F]{64}$/);
    expect(randomBase62(300)).to.have.length(300);
  });

  it('writes a new 0600 file and never overwrites one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secret-'));
    try {
      const f = join(dir, 's');
      await writeSecretFile(f, 'ABC');
      expect(await readFile(f, 'utf8')).to.equal('ABC\n');
      expect((await stat(f)).mode & 0o777).to.equal(0o600);
      await writeFile(join(dir, 'x'), 'keep');
      let code: string | undefined;
      try {
        await writeSecretFile(join(dir, 'x'), 'NEW');
      } catch (e) {
        code = (e as NodeJS.ErrnoException).code;
      }
      expect(code).to.equal('EEXIST');
      expect(await readFile(join(dir, 'x'), 'utf8')).to.equal('keep');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
