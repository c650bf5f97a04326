/* The Federation ID check of sso configure, with a fake client: which configurations it checks, its query, its failure. */
import { expect } from 'chai';
import type { OrgClient } from '../../src/provision/client.js';
import type { Change } from '../../src/provision/plan.js';
import { federationIdWarning } from '../../src/provision/sso-configure.js';

const change = (identityMapping: string): Change => ({
  resource: 'SamlSsoConfig',
  name: 'JumpCloud',
  action: 'none',
  fields: [],
  status: 'unchanged',
  metadata: { type: 'SamlSsoConfig', fullName: 'JumpCloud', content: { fullName: 'JumpCloud', identityMapping } },
});

/** A client whose queries answer `totalSize` (or throw `error`), recording the SOQL. */
const fakeClient = (o: { totalSize?: number; error?: Error }): { client: OrgClient; queries: string[] } => {
  const queries: string[] = [];
  const client = {
    call: <T>(fn: () => Promise<T>): Promise<T> => fn(),
    conn: {
      query: (soql: string): Promise<{ totalSize: number; done: boolean; records: [] }> => {
        queries.push(soql);
        return o.error ? Promise.reject(o.error) : Promise.resolve({ totalSize: o.totalSize ?? 0, done: true, records: [] });
      },
    },
  } as unknown as OrgClient;
  return { client, queries };
};

describe('federationIdWarning', () => {
  it('counts active users without a Federation ID with one aggregate query, only for identity type FederationId', async () => {
    const many = fakeClient({ totalSize: 3 });
    const warning = await federationIdWarning(many.client, change('FederationId'));
    expect(many.queries).to.deep.equal(['SELECT COUNT() FROM User WHERE IsActive = true AND FederationIdentifier = null']);
    expect(warning).to.match(/^3 active users have no Federation ID, so the SAML configuration JumpCloud/);
    expect(await federationIdWarning(fakeClient({ totalSize: 1 }).client, change('FederationId'))).to.match(/^1 active user has no/);
    expect(await federationIdWarning(fakeClient({ totalSize: 0 }).client, change('FederationId'))).to.equal(undefined);
    for (const other of ['Username', 'UserId']) {
      const f = fakeClient({ totalSize: 3 });
      // eslint-disable-next-line no-await-in-loop
      expect(await federationIdWarning(f.client, change(other))).to.equal(undefined);
      expect(f.queries).to.deep.equal([]);
    }
  });

  it('says the check was not possible when the org refuses the query (no Manage Users), instead of failing the command', async () => {
    const refused = fakeClient({ error: new Error("No such column 'FederationIdentifier' on entity 'User'") });
    const warning = await federationIdWarning(refused.client, change('FederationId'));
    expect(warning).to.contain('Could not check whether active users have a Federation ID');
    expect(warning).to.contain("No such column 'FederationIdentifier'");
    expect(warning).to.contain('Manage Users');
  });
});
