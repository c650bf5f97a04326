import { expect } from 'chai';
import { HashIndex } from '../../src/provision/records/hash-index.js';
import { keyHash } from '../../src/provision/records/sync.js';

describe('HashIndex (key hashes to rows, in typed arrays)', () => {
  it('sets, gets, overwrites and deletes, through growth and slot collisions', () => {
    const ix = new HashIndex(4);
    const keys = Array.from({ length: 5000 }, (_, i) => keyHash(`person${i}@example.com`));
    keys.forEach((h, i) => ix.set(h, i + 1));
    expect(ix.size).to.equal(5000);
    expect(keys.every((h, i) => ix.get(h) === i + 1)).to.equal(true);
    ix.set(keys[7], -3);
    expect(ix.get(keys[7])).to.equal(-3);
    for (const h of keys.slice(0, 2500)) ix.delete(h);
    expect(ix.size).to.equal(2500);
    expect(ix.get(keys[0])).to.equal(undefined);
    expect(ix.get(keys[4999])).to.equal(5000);
    // Deleted slots are reused without losing what lies beyond them.
    keys.slice(0, 2500).forEach((h, i) => ix.set(h, i + 1));
    expect(keys.every((h, i) => ix.get(h) === (i < 2500 ? i + 1 : i + 1))).to.equal(true);
    expect(ix.get(keyHash('nobody@example.com'))).to.equal(undefined);
  });

  it('keyHash gives 53-bit integers, the same for the same key', () => {
    const h = keyHash('ada@example.com');
    expect(Number.isSafeInteger(h) && h >= 0).to.equal(true);
    expect(keyHash('ada@example.com')).to.equal(h);
    expect(keyHash('ada@example.co')).to.not.equal(h);
  });
});
