/*
 * A map from key hashes (53-bit integers, see keyHash) to small integers (an input row), in two typed arrays with open
 * addressing: 12 bytes a slot, about 24 bytes an entry, where a Map of numbers takes several times that. What lets a
 * sync of a million people keep one number per person and not much more.
 */
const EMPTY = -1;
const DELETED = -2;

/** The first slot of a hash: its low bits mixed with its high bits. */
const slot = (h: number, mask: number): number => (Math.imul((h % 0x1_00_00_00_00) ^ Math.floor(h / 0x1_00_00_00_00), 0x9e_37_79_b1) >>> 0) & mask;

export class HashIndex {
  private keys: Float64Array;
  private values: Int32Array;
  private used = 0;
  private live = 0;

  public constructor(expected = 1024) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.values = new Int32Array(cap);
  }

  public get size(): number {
    return this.live;
  }

  public get(h: number): number | undefined {
    const i = this.find(h);
    return i >= 0 ? this.values[i] : undefined;
  }

  public set(h: number, v: number): void {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = slot(h, mask);
    let tomb = -1;
    for (;;) {
      const k = this.keys[i];
      if (k === h) {
        this.values[i] = v;
        return;
      }
      if (k === DELETED && tomb < 0) tomb = i;
      if (k === EMPTY) break;
      i = (i + 1) & mask;
    }
    const at = tomb >= 0 ? tomb : i;
    if (at === i) this.used += 1;
    this.keys[at] = h;
    this.values[at] = v;
    this.live += 1;
  }

  public delete(h: number): void {
    const i = this.find(h);
    if (i < 0) return;
    this.keys[i] = DELETED;
    this.live -= 1;
  }

  private find(h: number): number {
    const mask = this.keys.length - 1;
    let i = slot(h, mask);
    for (;;) {
      const k = this.keys[i];
      if (k === h) return i;
      if (k === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    this.keys = new Float64Array(oldKeys.length * 2).fill(EMPTY);
    this.values = new Int32Array(oldKeys.length * 2);
    this.used = 0;
    this.live = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i] >= 0) this.set(oldKeys[i], oldValues[i]);
  }
}
