/*
 * FaultKind DROP_AFTER_COMMIT: the request is carried out, then the socket is destroyed without an answer.
 */
import { expect } from 'chai';
import { OrgEmulator } from './server.js';

describe('emulator: DROP_AFTER_COMMIT fault', function () {
  this.timeout(30_000);
  let emu: OrgEmulator;
  before(async () => {
    emu = await OrgEmulator.start({ seed: { org: { name: 'Drop Co' } } });
  });
  after(async () => emu.stop());
  beforeEach(async () => emu.reset());

  const post = (body: unknown): Promise<Response> =>
    fetch(`${emu.instanceUrl}/services/data/v66.0/sobjects/Lead`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${emu.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('writes the record, then the client sees a reset connection; the next request is answered', async () => {
    emu.injectFault({ kind: 'DROP_AFTER_COMMIT', api: 'rest', method: 'POST', path: /\/sobjects\/Lead$/ });
    const err = await post({ LastName: 'Once', Company: 'X' }).then(
      () => undefined,
      (e: Error & { cause?: { code?: string; message?: string } }) => e
    );
    expect(err, 'the request must fail on the client').to.be.instanceOf(Error);
    expect(`${err?.cause?.code ?? ''} ${err?.cause?.message ?? ''}`).to.match(/ECONNRESET|socket hang up|other side closed/i);
    expect(emu.store.records('Lead').map((l) => l.LastName)).to.deep.equal(['Once']);
    const again = await post({ LastName: 'Twice', Company: 'X' });
    expect(again.status).to.equal(201);
    expect(emu.requests.at(-2)).to.include({ status: 0 });
  });

  it('is in the random mix only with faultDropAfterCommit', async () => {
    const other = await OrgEmulator.start({ seed: { org: { name: 'Random' } }, faultRate: 1, faultDropAfterCommit: true, faultSeed: 7 });
    try {
      const kinds = new Set<string>();
      for (let i = 0; i < 30; i++) {
        // eslint-disable-next-line no-await-in-loop
        const r = await fetch(`${other.instanceUrl}/services/data/v66.0/limits`, { headers: { Authorization: `Bearer ${other.accessToken}` } }).then(
          (res) => String(res.status),
          () => 'dropped'
        );
        kinds.add(r);
      }
      expect(kinds.has('dropped')).to.equal(true);
    } finally {
      await other.stop();
    }
  });
});
