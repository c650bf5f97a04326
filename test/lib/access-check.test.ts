/* The pure parts of src/provision/access-check.ts: specs, the per-line verdicts from describes, the fix commands. */
import { expect } from 'chai';
import {
  AccessSpecError,
  DEFAULT_SURVEY,
  describeForUser,
  evaluateAccess,
  fixFor,
  parseAccessSpecs,
  type ObjectDescribe,
} from '../../src/provision/access-check.js';

const lead: ObjectDescribe = {
  name: 'Lead',
  queryable: true,
  retrieveable: true,
  createable: true,
  updateable: false,
  deletable: false,
  fields: [
    { name: 'Email', createable: true, updateable: true },
    { name: 'Company', createable: false, updateable: false },
  ],
};
const opts = { required: true, username: 'integration@acme.example.com', permissionSet: 'Ory_Access' };

describe('access-check: parseAccessSpecs', () => {
  it('reads objects and fields, several per value too', () => {
    const r = parseAccessSpecs(['Lead:create,read', 'Contact:edit;Account:read'], ['Lead.Email:edit']);
    expect(r.objects).to.deep.equal([
      { object: 'Lead', access: ['create', 'read'] },
      { object: 'Contact', access: ['edit'] },
      { object: 'Account', access: ['read'] },
    ]);
    expect(r.fields).to.deep.equal([{ field: 'Lead.Email', access: ['edit'] }]);
  });

  it('refuses what describe cannot prove (View All, Modify All) and malformed specs', () => {
    expect(() => parseAccessSpecs(['Lead:viewAll'])).to.throw(AccessSpecError);
    expect(() => parseAccessSpecs(['Lead:modifyAll,read'])).to.throw(AccessSpecError);
    expect(() => parseAccessSpecs(['Lead'])).to.throw(AccessSpecError);
    expect(() => parseAccessSpecs([], ['Email:edit'])).to.throw(AccessSpecError);
    expect(() => parseAccessSpecs([], ['Lead.Email:create'])).to.throw(AccessSpecError);
  });
});

describe('access-check: evaluateAccess', () => {
  it('grants what the describe allows and names the reason of every missing line', () => {
    const describes = new Map<string, ObjectDescribe | undefined>([
      ['lead', lead],
      ['contact', undefined],
    ]);
    const report = evaluateAccess(parseAccessSpecs(['Lead:create,read,edit', 'Contact:create'], ['Lead.Email:edit', 'Lead.Company:edit', 'Lead.Phone:read', 'Contact.Email:read']), describes, opts);
    const line = (target: string, access: string): { granted: boolean; reason?: string } | undefined => report.lines.find((l) => l.target === target && l.access === access);
    expect(line('Lead', 'create')?.granted).to.equal(true);
    expect(line('Lead', 'read')?.granted).to.equal(true);
    expect(line('Lead', 'edit')).to.deep.include({ granted: false, reason: 'no edit permission on Lead' });
    expect(line('Contact', 'create')).to.deep.include({ granted: false, reason: 'Contact is not visible to the user (no Read)' });
    expect(line('Lead.Email', 'edit')?.granted).to.equal(true);
    expect(line('Lead.Company', 'edit')).to.deep.include({ granted: false, reason: 'Lead.Company is read-only for the user' });
    expect(line('Lead.Phone', 'read')?.reason).to.match(/hidden from the user/);
    expect(line('Contact.Email', 'read')?.reason).to.match(/Contact is not visible/);
    expect(report.missing).to.have.length(5);
    expect(report.required).to.equal(true);
  });

  it('reports the order of the request: objects first, then fields, each in canonical access order', () => {
    const report = evaluateAccess(parseAccessSpecs(['Lead:edit,read,create']), new Map([['lead', lead]]), opts);
    expect(report.lines.map((l) => l.access)).to.deep.equal(['read', 'create', 'edit']);
  });

  it('the default survey covers create and edit of Lead, Contact and User', () => {
    const report = evaluateAccess(DEFAULT_SURVEY, new Map(), { ...opts, required: false });
    expect(report.lines.map((l) => `${l.target}:${l.access}`)).to.deep.equal(['Lead:create', 'Lead:edit', 'Contact:create', 'Contact:edit', 'User:create', 'User:edit']);
    expect(report.required).to.equal(false);
  });

  it('says that User writes need Manage Users', () => {
    const user: ObjectDescribe = { name: 'User', queryable: true, retrieveable: true, createable: false, updateable: false, deletable: false, fields: [] };
    const report = evaluateAccess(parseAccessSpecs(['User:create']), new Map([['user', user]]), opts);
    expect(report.missing[0].reason).to.match(/Manage Users/);
  });
});

describe('access-check: fixFor', () => {
  it('is one permset create with all the missing access and one assign to the run-as user', () => {
    const report = evaluateAccess(
      parseAccessSpecs(['Lead:create,read', 'Contact:create,edit'], ['Contact.Email:edit']),
      new Map<string, ObjectDescribe | undefined>([['lead', undefined], ['contact', undefined]]),
      opts
    );
    expect(report.fix).to.deep.equal([
      'sf provision permset create --target-org <admin org> --name Ory_Access --object Lead:read,create --object Contact:create,edit --field Contact.Email:edit',
      'sf provision permset assign --target-org <admin org> --name Ory_Access --users integration@acme.example.com',
    ]);
  });

  it('adds the Setup step for Manage Users, and nothing when nothing is missing', () => {
    const fix = fixFor([{ kind: 'object', target: 'User', access: 'create', granted: false }], 'i@x.example.com', 'P');
    expect(fix[0]).to.match(/Manage Users/);
    expect(fix.at(-1)).to.equal('sf provision permset assign --target-org <admin org> --name P --users i@x.example.com');
    expect(fixFor([], 'i@x.example.com', 'P')).to.deep.equal([]);
  });
});

describe('access-check: describeForUser', () => {
  const grant = { accessToken: '00Dxx!tok' + 'x'.repeat(30), instanceUrl: 'https://acme.my.salesforce.com', grantType: 'client_credentials' as const };
  const fake =
    (answers: Record<string, [number, unknown]>): typeof fetch =>
    // eslint-disable-next-line @typescript-eslint/require-await
    async (input) => {
      const url = String(input as string);
      const name = /sobjects\/([^/]+)\/describe/.exec(url)?.[1] ?? '';
      const [status, body] = answers[name] ?? [500, 'no'];
      return new Response(JSON.stringify(body), { status });
    };

  it('an object the user cannot see is undefined; a visible one is its describe', async () => {
    const out = await describeForUser(
      grant,
      '66.0',
      parseAccessSpecs(['Lead:read'], ['Contact.Email:read']),
      { secrets: [] },
      fake({ lead: [200, lead], contact: [404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]] })
    );
    expect(out.get('lead')?.name).to.equal('Lead');
    expect(out.has('contact')).to.equal(true);
    expect(out.get('contact')).to.equal(undefined);
  });

  it('any other refusal is a classified error without the token in it', async () => {
    try {
      await describeForUser(grant, '66.0', parseAccessSpecs(['Lead:read']), { secrets: [] }, fake({ lead: [401, [{ errorCode: 'INVALID_SESSION_ID', message: `Session expired ${grant.accessToken}` }]] }));
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).name).to.equal('InvalidSession');
      expect(JSON.stringify(e)).to.not.include(grant.accessToken);
      expect((e as Error).message).to.not.include(grant.accessToken);
    }
  });
});
