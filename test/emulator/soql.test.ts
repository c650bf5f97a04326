import { expect } from 'chai';
import { executeSoql } from './soql.js';
import {
  SalesforceError,
  type FieldSchema,
  type FieldType,
  type ObjectSchema,
  type SObjectRecord,
  type SoqlDataSource,
  type SoqlResult,
} from './types.js';

// ---------------------------------------------------------------------------------------------------
// A small in-memory org

const field = (name: string, type: FieldType, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  name,
  type,
  nillable: true,
  createable: true,
  updateable: true,
  ...extra,
});
const ref = (name: string, relationshipName: string, referenceTo: string[]): FieldSchema =>
  field(name, 'reference', { relationshipName, referenceTo });

const object = (name: string, keyPrefix: string, fields: FieldSchema[], extra: Partial<ObjectSchema> = {}): ObjectSchema => ({
  name,
  label: name,
  keyPrefix,
  fields: [field('Id', 'id', { nillable: false }), ...fields],
  createable: true,
  updateable: true,
  deletable: true,
  queryable: true,
  ...extra,
});

const SCHEMAS: ObjectSchema[] = [
  object('Profile', '00e', [field('Name', 'string')], {
    childRelationships: [{ childSObject: 'User', field: 'ProfileId', relationshipName: 'Users' }],
  }),
  object('User', '005', [
    field('Username', 'string'),
    field('FirstName', 'string'),
    field('LastName', 'string'),
    field('Email', 'email'),
    field('IsActive', 'boolean'),
    ref('ProfileId', 'Profile', ['Profile']),
    ref('ManagerId', 'Manager', ['User']),
    field('CreatedDate', 'datetime'),
  ]),
  object('Group', '00G', [field('Name', 'string'), field('Type', 'picklist')]),
  object('Lead', '00Q', [
    field('FirstName', 'string'),
    field('LastName', 'string'),
    field('Company', 'string'),
    field('Email', 'email'),
    field('Status', 'picklist', { picklistValues: ['Open', 'Working', 'Closed'] }),
    field('Interests__c', 'multipicklist', { picklistValues: ['Golf', 'Tennis', 'Chess'] }),
    field('NumberOfEmployees', 'int'),
    field('AnnualRevenue', 'currency'),
    field('IsConverted', 'boolean'),
    field('CreatedDate', 'datetime'),
    field('ConvertedDate', 'date'),
    ref('OwnerId', 'Owner', ['Group', 'User']),
    ref('ConvertedContactId', 'ConvertedContact', ['Contact']),
    field('IsDeleted', 'boolean'),
  ]),
  object(
    'Account',
    '001',
    [field('Name', 'string'), field('Industry', 'picklist'), ref('ParentId', 'Parent', ['Account'])],
    { childRelationships: [{ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }] }
  ),
  object('Contact', '003', [
    field('FirstName', 'string'),
    field('LastName', 'string'),
    field('Email', 'email'),
    ref('AccountId', 'Account', ['Account']),
  ]),
  object('PermissionSet', '0PS', [field('Name', 'string'), field('Label', 'string')]),
  object('PermissionSetAssignment', '0Pa', [
    ref('AssigneeId', 'Assignee', ['User']),
    ref('PermissionSetId', 'PermissionSet', ['PermissionSet']),
  ]),
  object('Vote', '00T', [field('Type', 'string')], { queryable: false }),
  object('ApexClass', '01p', [field('Name', 'string'), field('Status', 'picklist')], { tooling: true }),
];

/** An 18-character id with the given key prefix. */
const id = (prefix: string, n: number): string => `${prefix}000000000${String(n).padStart(3, '0')}AAA`;

class FakeSource implements SoqlDataSource {
  public constructor(private readonly data: Record<string, SObjectRecord[]>) {}

  public describe(objectName: string, opts?: { tooling?: boolean }): ObjectSchema | undefined {
    const lower = objectName.toLowerCase();
    return SCHEMAS.find((s) => s.name.toLowerCase() === lower && (s.tooling ?? false) === (opts?.tooling ?? false));
  }

  public records(objectName: string, opts?: { tooling?: boolean; includeDeleted?: boolean }): SObjectRecord[] {
    const schema = this.describe(objectName, opts);
    const all = schema ? this.data[schema.name] ?? [] : [];
    return opts?.includeDeleted ? all : all.filter((r) => r.IsDeleted !== true);
  }

  public byId(recordId: string): { type: string; record: SObjectRecord } | undefined {
    for (const [type, records] of Object.entries(this.data)) {
      const record = records.find((r) => r.Id === recordId);
      if (record) return { type, record };
    }
    return undefined;
  }
}

const ADMIN_PROFILE = id('00e', 1);
const STANDARD_PROFILE = id('00e', 2);
const ADA = id('005', 1);
const BOB = id('005', 2);
const CAL = id('005', 3);
const QUEUE = id('00G', 1);
const ACME = id('001', 1);
const GLOBEX = id('001', 2);
const HOLDING = id('001', 3);
const ALICE = id('003', 1);
const ZED = id('003', 2);

const org = new FakeSource({
  Profile: [
    { Id: ADMIN_PROFILE, Name: 'System Administrator' },
    { Id: STANDARD_PROFILE, Name: 'Standard User' },
  ],
  User: [
    { Id: ADA, Username: 'ada@example.com', FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com', IsActive: true, ProfileId: ADMIN_PROFILE, CreatedDate: '2024-01-01T00:00:00Z' },
    { Id: BOB, Username: 'bob@example.com', FirstName: 'Bob', LastName: 'Stone', Email: 'bob@example.com', IsActive: true, ProfileId: STANDARD_PROFILE, ManagerId: ADA, CreatedDate: '2024-02-01T10:30:00.000+0000' },
    { Id: CAL, Username: 'cal@example.com', LastName: 'Cal', IsActive: false, ProfileId: STANDARD_PROFILE, ManagerId: BOB },
  ],
  Group: [{ Id: QUEUE, Name: 'Lead Queue', Type: 'Queue' }],
  Account: [
    { Id: HOLDING, Name: 'Holding', Industry: 'Finance' },
    { Id: ACME, Name: 'Acme', Industry: 'Manufacturing', ParentId: HOLDING },
    { Id: GLOBEX, Name: 'Globex', Industry: 'Energy' },
  ],
  Contact: [
    { Id: ALICE, FirstName: 'Alice', LastName: 'Able', Email: 'alice@acme.com', AccountId: ACME },
    { Id: ZED, FirstName: 'Zed', LastName: 'Zulu', Email: 'zed@acme.com', AccountId: ACME },
  ],
  Lead: [
    { Id: id('00Q', 1), FirstName: 'Anna', LastName: 'Smith', Company: 'Acme', Email: 'anna@acme.com', Status: 'Open', 'Interests__c': 'Golf;Tennis', NumberOfEmployees: 10, AnnualRevenue: 1000.5, IsConverted: false, CreatedDate: '2024-03-01T09:00:00Z', OwnerId: ADA },
    { Id: id('00Q', 2), FirstName: 'bert', LastName: 'Jones', Company: 'acme', Email: 'bert@acme.com', Status: 'Working', 'Interests__c': 'Chess', NumberOfEmployees: 20, AnnualRevenue: 2000, IsConverted: false, CreatedDate: '2024-03-02T09:00:00Z', OwnerId: QUEUE },
    { Id: id('00Q', 3), LastName: 'O\'Brien', Company: '50% Off', Status: 'Closed', NumberOfEmployees: 30, IsConverted: true, CreatedDate: '2023-12-31T23:00:00Z', ConvertedDate: '2024-01-02', ConvertedContactId: ALICE, OwnerId: BOB },
    { Id: id('00Q', 4), FirstName: 'Dora', LastName: 'Diaz', Company: 'Globex', Status: 'Open', 'Interests__c': 'Tennis', IsConverted: false, CreatedDate: '2024-03-03T09:00:00Z', OwnerId: ADA },
    { Id: id('00Q', 5), FirstName: 'Gone', LastName: 'Deleted', Company: 'Acme', Status: 'Open', IsConverted: false, IsDeleted: true, OwnerId: ADA },
  ],
  PermissionSet: [
    { Id: id('0PS', 1), Name: 'SSO_Admin', Label: 'SSO Admin' },
    { Id: id('0PS', 2), Name: 'Reports', Label: 'Reports' },
  ],
  PermissionSetAssignment: [
    { Id: id('0Pa', 1), AssigneeId: ADA, PermissionSetId: id('0PS', 1) },
    { Id: id('0Pa', 2), AssigneeId: BOB, PermissionSetId: id('0PS', 2) },
    { Id: id('0Pa', 3), AssigneeId: CAL, PermissionSetId: id('0PS', 1) },
  ],
  ApexClass: [{ Id: id('01p', 1), Name: 'SsoHandler', Status: 'Active' }],
});

const q = (soql: string, opts?: Parameters<typeof executeSoql>[2]): SoqlResult => executeSoql(soql, org, opts);
/** A single column of the result rows. */
const col = (soql: string, name = 'LastName', opts?: Parameters<typeof executeSoql>[2]): unknown[] =>
  q(soql, opts).records.map((r) => r[name]);

/** Runs a query expected to fail and returns the SalesforceError. */
function failure(soql: string, opts?: Parameters<typeof executeSoql>[2]): SalesforceError {
  try {
    executeSoql(soql, org, opts);
  } catch (e) {
    expect(e).to.be.instanceOf(SalesforceError);
    const err = e as SalesforceError;
    expect(err.status).to.equal(400);
    return err;
  }
  expect.fail(`expected the query to fail: ${soql}`);
}

const WSDL = 'Please reference your WSDL or the describe call for the appropriate names.';

// ---------------------------------------------------------------------------------------------------

describe('emulator SOQL engine', () => {
  describe('SELECT', () => {
    it('returns canonical field names in the selected order, whatever the case used', () => {
      const result = q("select lastname, ID, firstNAME from lead where lastname = 'Smith'");
      expect(result.totalSize).to.equal(1);
      expect(Object.keys(result.records[0])).to.deep.equal(['attributes', 'LastName', 'Id', 'FirstName']);
      expect(result.records[0]).to.deep.include({ LastName: 'Smith', Id: id('00Q', 1), FirstName: 'Anna' });
    });

    it('describes each row with its type and REST url (default v66.0, or the given apiVersion)', () => {
      expect(q("SELECT Id FROM Lead WHERE LastName = 'Smith'").records[0].attributes).to.deep.equal({
        type: 'Lead',
        url: `/services/data/v66.0/sobjects/Lead/${id('00Q', 1)}`,
      });
      expect(q("SELECT Id FROM Lead WHERE LastName = 'Smith'", { apiVersion: '62.0' }).records[0].attributes).to.deep.equal({
        type: 'Lead',
        url: `/services/data/v62.0/sobjects/Lead/${id('00Q', 1)}`,
      });
    });

    it('returns null for fields without a value', () => {
      const row = q("SELECT FirstName, Email, ConvertedDate FROM Lead WHERE LastName = 'Diaz'").records[0];
      expect(row).to.deep.include({ FirstName: 'Dora', Email: null, ConvertedDate: null });
    });

    it('shapes values as the REST API does: datetimes, dates, booleans and numbers', () => {
      const row = q("SELECT CreatedDate, ConvertedDate, IsConverted, NumberOfEmployees, AnnualRevenue FROM Lead WHERE LastName = 'O\\'Brien'").records[0];
      expect(row).to.deep.include({
        CreatedDate: '2023-12-31T23:00:00.000+0000',
        ConvertedDate: '2024-01-02',
        IsConverted: true,
        NumberOfEmployees: 30,
        AnnualRevenue: null,
      });
      expect(q("SELECT CreatedDate FROM User WHERE Username = 'bob@example.com'").records[0].CreatedDate).to.equal('2024-02-01T10:30:00.000+0000');
      expect(q("SELECT AnnualRevenue FROM Lead WHERE LastName = 'Smith'").records[0].AnnualRevenue).to.equal(1000.5);
    });

    it('accepts FIELDS(STANDARD) and an object alias prefix', () => {
      const row = q("SELECT FIELDS(STANDARD) FROM Account WHERE Name = 'Acme'").records[0];
      expect(Object.keys(row)).to.deep.equal(['attributes', 'Id', 'Name', 'Industry', 'ParentId']);
      expect(col("SELECT a.Name FROM Account a WHERE a.Industry = 'Energy'", 'Name')).to.deep.equal(['Globex']);
    });
  });

  describe('parent relationships', () => {
    it('nests parent fields under the relationship name with their own attributes', () => {
      const row = q("SELECT Username, Profile.Name FROM User WHERE Username = 'ada@example.com'").records[0];
      expect(row.Profile).to.deep.equal({
        attributes: { type: 'Profile', url: `/services/data/v66.0/sobjects/Profile/${ADMIN_PROFILE}` },
        Name: 'System Administrator',
      });
    });

    it('merges several fields of one relationship and nests several levels', () => {
      const row = q("SELECT Manager.Username, Manager.Profile.Name, Manager.Email FROM User WHERE LastName = 'Stone'").records[0];
      expect(row.Manager).to.deep.equal({
        attributes: { type: 'User', url: `/services/data/v66.0/sobjects/User/${ADA}` },
        Username: 'ada@example.com',
        Profile: { attributes: { type: 'Profile', url: `/services/data/v66.0/sobjects/Profile/${ADMIN_PROFILE}` }, Name: 'System Administrator' },
        Email: 'ada@example.com',
      });
      const deep = q("SELECT Manager.Manager.Profile.Name FROM User WHERE LastName = 'Cal'").records[0];
      expect(((deep.Manager as Record<string, Record<string, Record<string, unknown>>>).Manager.Profile).Name).to.equal('System Administrator');
    });

    it('follows polymorphic references to the actual parent type', () => {
      const rows = q('SELECT LastName, Owner.Name, Owner.Username FROM Lead ORDER BY LastName').records;
      const jones = rows.find((r) => r.LastName === 'Jones')!;
      expect(jones.Owner).to.deep.equal({
        attributes: { type: 'Group', url: `/services/data/v66.0/sobjects/Group/${QUEUE}` },
        Name: 'Lead Queue',
        Username: null,
      });
      const smith = rows.find((r) => r.LastName === 'Smith')!;
      expect((smith.Owner as Record<string, unknown>).Username).to.equal('ada@example.com');
    });

    it('returns null for an empty reference', () => {
      const rows = q('SELECT LastName, ConvertedContact.Email FROM Lead ORDER BY LastName').records;
      expect(rows.map((r) => [r.LastName, r.ConvertedContact === null ? null : (r.ConvertedContact as Record<string, unknown>).Email])).to.deep.equal([
        ['Diaz', null],
        ['Jones', null],
        ["O'Brien", 'alice@acme.com'],
        ['Smith', null],
      ]);
      expect(q("SELECT Manager.Username FROM User WHERE LastName = 'Lovelace'").records[0].Manager).to.equal(null);
    });

    it('resolves five levels of relationships', () => {
      // Contact -> Account -> Parent (Holding) -> Parent (none): nulls past the end of the chain.
      const row = q("SELECT Account.Parent.Name, Account.Parent.Parent.Parent.Parent.Name FROM Contact WHERE FirstName = 'Alice'").records[0];
      const account = row.Account as Record<string, Record<string, unknown>>;
      expect(account.Parent.Name).to.equal('Holding');
      expect(account.Parent.Parent).to.equal(null);
    });
  });

  describe('child subqueries', () => {
    it('nests the children of each parent, or null when there are none', () => {
      const rows = q('SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) FROM Account ORDER BY Name').records;
      expect(rows.map((r) => r.Name)).to.deep.equal(['Acme', 'Globex', 'Holding']);
      expect(rows[0].Contacts).to.deep.equal({
        totalSize: 2,
        done: true,
        records: [
          { attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ZED}` }, LastName: 'Zulu' },
          { attributes: { type: 'Contact', url: `/services/data/v66.0/sobjects/Contact/${ALICE}` }, LastName: 'Able' },
        ],
      });
      expect(rows[1].Contacts).to.equal(null);
    });

    it('applies the subquery WHERE and LIMIT and allows parent fields inside it', () => {
      const row = q("SELECT Id, (SELECT Email, Account.Name FROM contacts WHERE FirstName LIKE 'a%' LIMIT 5) FROM Account WHERE Name = 'Acme'").records[0];
      const contacts = row.Contacts as { totalSize: number; records: Array<Record<string, unknown>> };
      expect(contacts.totalSize).to.equal(1);
      expect(contacts.records[0].Email).to.equal('alice@acme.com');
      expect((contacts.records[0].Account as Record<string, unknown>).Name).to.equal('Acme');
      const limited = q('SELECT Id, (SELECT Id FROM Contacts LIMIT 1) FROM Account WHERE Name = \'Acme\'').records[0];
      expect((limited.Contacts as { totalSize: number }).totalSize).to.equal(1);
    });
  });

  describe('WHERE', () => {
    it('compares strings case-insensitively with = and IN', () => {
      expect(col("SELECT LastName FROM Lead WHERE Company = 'ACME' ORDER BY LastName")).to.deep.equal(['Jones', 'Smith']);
      expect(col("SELECT LastName FROM Lead WHERE Status IN ('open', 'WORKING') ORDER BY LastName")).to.deep.equal(['Diaz', 'Jones', 'Smith']);
    });

    it('supports != and <> (which match nulls) and NOT IN', () => {
      expect(col("SELECT LastName FROM Lead WHERE FirstName != 'anna' ORDER BY LastName")).to.deep.equal(['Diaz', 'Jones', "O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE FirstName <> 'Anna' AND FirstName <> 'Bert' ORDER BY LastName")).to.deep.equal(['Diaz', "O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE Status NOT IN ('Open', 'Closed')")).to.deep.equal(['Jones']);
    });

    it('supports = null and != null', () => {
      expect(col('SELECT LastName FROM Lead WHERE FirstName = null')).to.deep.equal(["O'Brien"]);
      expect(col('SELECT LastName FROM Lead WHERE Email != null ORDER BY LastName')).to.deep.equal(['Jones', 'Smith']);
    });

    it('compares numbers, currency and booleans', () => {
      expect(col('SELECT LastName FROM Lead WHERE NumberOfEmployees > 10 ORDER BY LastName')).to.deep.equal(['Jones', "O'Brien"]);
      expect(col('SELECT LastName FROM Lead WHERE NumberOfEmployees >= 20 AND NumberOfEmployees <= 20')).to.deep.equal(['Jones']);
      expect(col('SELECT LastName FROM Lead WHERE NumberOfEmployees < 20')).to.deep.equal(['Smith']);
      expect(col('SELECT LastName FROM Lead WHERE AnnualRevenue = 1000.5')).to.deep.equal(['Smith']);
      expect(col('SELECT LastName FROM Lead WHERE IsConverted = true')).to.deep.equal(["O'Brien"]);
      expect(col('SELECT LastName FROM Lead WHERE IsConverted = FALSE ORDER BY LastName')).to.deep.equal(['Diaz', 'Jones', 'Smith']);
    });

    it('compares text with < and >, ignoring case', () => {
      expect(col("SELECT LastName FROM Lead WHERE LastName < 'jones' ORDER BY LastName")).to.deep.equal(['Diaz']);
      expect(col("SELECT LastName FROM Lead WHERE LastName >= 'O' ORDER BY LastName")).to.deep.equal(["O'Brien", 'Smith']);
    });

    it('supports LIKE with % and _ wildcards, case-insensitively, and escaped wildcards', () => {
      expect(col("SELECT LastName FROM Lead WHERE Email LIKE '%@ACME.com' ORDER BY LastName")).to.deep.equal(['Jones', 'Smith']);
      expect(col("SELECT LastName FROM Lead WHERE LastName LIKE 'd_az'")).to.deep.equal(['Diaz']);
      expect(col("SELECT LastName FROM Lead WHERE LastName LIKE 'd_a'")).to.deep.equal([]);
      expect(col("SELECT LastName FROM Lead WHERE Company LIKE '50\\% %'")).to.deep.equal(["O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE Company LIKE '5_\\%%'")).to.deep.equal(["O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE Company LIKE 'ac\\%'")).to.deep.equal([]);
    });

    it('supports INCLUDES and EXCLUDES on multi-select picklists', () => {
      expect(col("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('tennis') ORDER BY LastName")).to.deep.equal(['Diaz', 'Smith']);
      // 'a;b' requires both values; several literals are alternatives.
      expect(col("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Golf;Tennis')")).to.deep.equal(['Smith']);
      expect(col("SELECT LastName FROM Lead WHERE Interests__c INCLUDES ('Chess;Golf', 'Chess') ORDER BY LastName")).to.deep.equal(['Jones']);
      expect(col("SELECT LastName FROM Lead WHERE Interests__c EXCLUDES ('Tennis') ORDER BY LastName")).to.deep.equal(['Jones', "O'Brien"]);
    });

    it('combines conditions with AND, OR, NOT and parentheses', () => {
      expect(col("SELECT LastName FROM Lead WHERE Status = 'Open' AND (Company = 'Globex' OR FirstName = 'Anna') ORDER BY LastName")).to.deep.equal(['Diaz', 'Smith']);
      expect(col("SELECT LastName FROM Lead WHERE (Status = 'Open' AND Company = 'Globex') OR Status = 'Closed' ORDER BY LastName")).to.deep.equal(['Diaz', "O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE NOT Status = 'Open' ORDER BY LastName")).to.deep.equal(['Jones', "O'Brien"]);
      expect(col("SELECT LastName FROM Lead WHERE NOT (Status = 'Open' OR Status = 'Closed')")).to.deep.equal(['Jones']);
      expect(col("SELECT LastName FROM Lead WHERE Status = 'Open' AND NOT Company = 'Acme'")).to.deep.equal(['Diaz']);
      expect(col("SELECT LastName FROM Lead WHERE ((Status = 'Open') AND (NOT FirstName = 'Anna'))")).to.deep.equal(['Diaz']);
    });

    it('unescapes string literals', () => {
      expect(col("SELECT LastName FROM Lead WHERE LastName = 'o\\'brien'")).to.deep.equal(["O'Brien"]);
    });

    it('filters on parent fields, treating a missing parent as null', () => {
      expect(col("SELECT Username FROM User WHERE Profile.Name = 'System Administrator'", 'Username')).to.deep.equal(['ada@example.com']);
      expect(col("SELECT Username FROM User WHERE Manager.Profile.Name = 'system administrator'", 'Username')).to.deep.equal(['bob@example.com']);
      expect(col('SELECT Username FROM User WHERE Manager.Username = null', 'Username')).to.deep.equal(['ada@example.com']);
      expect(col("SELECT LastName FROM Lead WHERE Owner.Type = 'Queue'")).to.deep.equal(['Jones']);
    });

    it('compares ids in their 15- and 18-character forms', () => {
      expect(col(`SELECT LastName FROM Lead WHERE Id = '${id('00Q', 2).slice(0, 15)}'`)).to.deep.equal(['Jones']);
      expect(col(`SELECT LastName FROM Lead WHERE OwnerId IN ('${ADA}') ORDER BY LastName`)).to.deep.equal(['Diaz', 'Smith']);
    });

    it('supports semi-joins and anti-joins', () => {
      const inSet = "SELECT Username FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'SSO_Admin') ORDER BY Username";
      expect(col(inSet, 'Username')).to.deep.equal(['ada@example.com', 'cal@example.com']);
      const notIn = "SELECT Username FROM User WHERE IsActive = true AND Id NOT IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = 'SSO_Admin')";
      expect(col(notIn, 'Username')).to.deep.equal(['bob@example.com']);
    });
  });

  describe('dates', () => {
    // Saturday 15 June 2024; weeks start on Sunday 9 June.
    const now = new Date('2024-06-15T12:00:00Z');
    const dated = new FakeSource({
      Lead: [
        ['today', '2024-06-15T08:00:00Z'],
        ['yesterday', '2024-06-14T23:59:59Z'],
        ['tomorrow', '2024-06-16T00:00:00Z'],
        ['lastWeek', '2024-06-05T10:00:00Z'],
        ['nextWeek', '2024-06-20T10:00:00Z'],
        ['lastMonth', '2024-05-20T10:00:00Z'],
        ['nextMonth', '2024-07-10T10:00:00Z'],
        ['twoMonthsAgo', '2024-04-10T10:00:00Z'],
        ['80DaysAgo', '2024-03-27T10:00:00Z'],
        ['100DaysAgo', '2024-03-07T10:00:00Z'],
        ['lastYear', '2023-12-31T23:00:00Z'],
      ].map(([name, created], i) => ({ Id: id('00Q', i + 1), LastName: name, CreatedDate: created, ConvertedDate: created.slice(0, 10) })),
    });
    const names = (where: string): unknown[] =>
      executeSoql(`SELECT LastName FROM Lead WHERE ${where}`, dated, { now })
        .records.map((r) => r.LastName)
        .sort();
    const sorted = (...n: string[]): string[] => n.sort();

    const cases: Array<[string, string[]]> = [
      ['CreatedDate = TODAY', ['today']],
      ['CreatedDate = YESTERDAY', ['yesterday']],
      ['CreatedDate = TOMORROW', ['tomorrow']],
      ['CreatedDate = THIS_WEEK', ['today', 'yesterday']],
      ['CreatedDate = LAST_WEEK', ['lastWeek']],
      ['CreatedDate = NEXT_WEEK', ['tomorrow', 'nextWeek']],
      ['CreatedDate = THIS_MONTH', ['today', 'yesterday', 'tomorrow', 'lastWeek', 'nextWeek']],
      ['CreatedDate = LAST_MONTH', ['lastMonth']],
      ['CreatedDate = NEXT_MONTH', ['nextMonth']],
      ['CreatedDate = LAST_90_DAYS', ['today', 'yesterday', 'lastWeek', 'lastMonth', 'twoMonthsAgo', '80DaysAgo']],
      ['CreatedDate = NEXT_90_DAYS', ['tomorrow', 'nextWeek', 'nextMonth']],
      ['CreatedDate = LAST_YEAR', ['lastYear']],
      ['CreatedDate = LAST_N_DAYS:10', ['today', 'yesterday', 'lastWeek']],
      ['CreatedDate = NEXT_N_DAYS:5', ['tomorrow', 'nextWeek']],
      ['CreatedDate = LAST_N_MONTHS:2', ['lastMonth', 'twoMonthsAgo']],
      ['CreatedDate = N_DAYS_AGO:1', ['yesterday']],
      ['CreatedDate > TODAY', ['tomorrow', 'nextWeek', 'nextMonth']],
      ['CreatedDate >= TOMORROW', ['tomorrow', 'nextWeek', 'nextMonth']],
      ['CreatedDate < LAST_N_DAYS:90', ['100DaysAgo', 'lastYear']],
      ['CreatedDate <= YESTERDAY', ['yesterday', 'lastWeek', 'lastMonth', 'twoMonthsAgo', '80DaysAgo', '100DaysAgo', 'lastYear']],
      ['CreatedDate != THIS_YEAR', ['lastYear']],
      ['CreatedDate IN (YESTERDAY, TOMORROW)', ['yesterday', 'tomorrow']],
      ['ConvertedDate = YESTERDAY', ['yesterday']],
      ['ConvertedDate = THIS_WEEK', ['today', 'yesterday']],
    ];
    for (const [where, expected] of cases) {
      it(`WHERE ${where}`, () => expect(names(where)).to.deep.equal(sorted(...expected)));
    }

    it('reads THIS_YEAR from the real clock when no `now` is given', () => {
      const thisYear = new FakeSource({ Lead: [{ Id: id('00Q', 1), LastName: 'x', CreatedDate: new Date().toISOString() }] });
      expect(executeSoql('SELECT Id FROM Lead WHERE CreatedDate = THIS_YEAR', thisYear).totalSize).to.equal(1);
    });

    it('compares date and datetime literals', () => {
      expect(names('ConvertedDate = 2024-06-14')).to.deep.equal(['yesterday']);
      expect(names('ConvertedDate > 2024-06-16')).to.deep.equal(sorted('nextWeek', 'nextMonth'));
      expect(names('CreatedDate >= 2024-06-16T00:00:00Z AND CreatedDate < 2024-06-21T00:00:00+00:00')).to.deep.equal(sorted('tomorrow', 'nextWeek'));
      // 02:00 at +02:00 is midnight UTC.
      expect(names('CreatedDate < 2024-03-08T02:00:00+02:00')).to.deep.equal(sorted('100DaysAgo', 'lastYear'));
    });

    it('filters with date functions', () => {
      expect(names('CALENDAR_YEAR(CreatedDate) = 2023')).to.deep.equal(['lastYear']);
      expect(names('CALENDAR_MONTH(CreatedDate) = 7')).to.deep.equal(['nextMonth']);
    });
  });

  describe('ORDER BY, LIMIT and OFFSET', () => {
    it('sorts by several fields, ignoring case', () => {
      expect(col('SELECT LastName FROM Lead ORDER BY Company, LastName DESC')).to.deep.equal(["O'Brien", 'Smith', 'Jones', 'Diaz']);
    });

    it('puts nulls first on ASC and last on DESC, unless told otherwise', () => {
      expect(col('SELECT LastName FROM Lead ORDER BY FirstName')).to.deep.equal(["O'Brien", 'Smith', 'Jones', 'Diaz']);
      expect(col('SELECT LastName FROM Lead ORDER BY FirstName DESC')).to.deep.equal(['Diaz', 'Jones', 'Smith', "O'Brien"]);
      expect(col('SELECT LastName FROM Lead ORDER BY FirstName ASC NULLS LAST')).to.deep.equal(['Smith', 'Jones', 'Diaz', "O'Brien"]);
      expect(col('SELECT LastName FROM Lead ORDER BY FirstName DESC NULLS FIRST')).to.deep.equal(["O'Brien", 'Diaz', 'Jones', 'Smith']);
    });

    it('sorts by parent fields and dates', () => {
      expect(col('SELECT Username FROM User ORDER BY Manager.Username NULLS LAST', 'Username')).to.deep.equal([
        'bob@example.com',
        'cal@example.com',
        'ada@example.com',
      ]);
      expect(col('SELECT LastName FROM Lead ORDER BY CreatedDate DESC LIMIT 2')).to.deep.equal(['Diaz', 'Jones']);
    });

    it('applies LIMIT and OFFSET after sorting', () => {
      expect(col('SELECT LastName FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1')).to.deep.equal(['Jones', "O'Brien"]);
      expect(col('SELECT LastName FROM Lead ORDER BY LastName OFFSET 3')).to.deep.equal(['Smith']);
      expect(q('SELECT Id FROM Lead OFFSET 2000').totalSize).to.equal(0);
    });

    it('rejects an OFFSET above 2000 with NUMBER_OUTSIDE_VALID_RANGE', () => {
      const err = failure('SELECT Id FROM Lead OFFSET 2001');
      expect(err.errorCode).to.equal('NUMBER_OUTSIDE_VALID_RANGE');
      expect(err.message).to.equal('Maximum SOQL offset allowed is 2000');
    });
  });

  describe('aggregates', () => {
    it('answers SELECT COUNT() with the count and no rows', () => {
      expect(q('SELECT COUNT() FROM Lead')).to.deep.equal({ totalSize: 4, records: [] });
      expect(q("SELECT COUNT() FROM Lead WHERE Status = 'Open'")).to.deep.equal({ totalSize: 2, records: [] });
    });

    it('returns one AggregateResult row without GROUP BY, numbering unaliased expressions', () => {
      const result = q('SELECT COUNT(Id), MAX(NumberOfEmployees) biggest, COUNT(FirstName), MIN(CreatedDate) FROM Lead');
      expect(result).to.deep.equal({
        totalSize: 1,
        records: [{ attributes: { type: 'AggregateResult' }, expr0: 4, biggest: 30, expr1: 3, expr2: '2023-12-31T23:00:00.000+0000' }],
      });
      expect(q("SELECT COUNT(Id) FROM Lead WHERE Status = 'Nope'").records).to.deep.equal([{ attributes: { type: 'AggregateResult' }, expr0: 0 }]);
    });

    it('groups rows, with SUM, AVG, COUNT_DISTINCT, HAVING and ORDER BY', () => {
      const result = q(
        'SELECT Status, COUNT(Id) total, SUM(NumberOfEmployees), AVG(NumberOfEmployees), COUNT_DISTINCT(Company) FROM Lead GROUP BY Status ORDER BY Status'
      );
      expect(result.totalSize).to.equal(3);
      expect(result.records).to.deep.equal([
        { attributes: { type: 'AggregateResult' }, Status: 'Closed', total: 1, expr0: 30, expr1: 30, expr2: 1 },
        { attributes: { type: 'AggregateResult' }, Status: 'Open', total: 2, expr0: 10, expr1: 10, expr2: 2 },
        { attributes: { type: 'AggregateResult' }, Status: 'Working', total: 1, expr0: 20, expr1: 20, expr2: 1 },
      ]);
      expect(col('SELECT Status, COUNT(Id) FROM Lead GROUP BY Status HAVING COUNT(Id) > 1', 'Status')).to.deep.equal(['Open']);
      expect(col('SELECT Company, COUNT(Id) FROM Lead GROUP BY Company ORDER BY COUNT(Id) DESC, Company LIMIT 1', 'Company')).to.deep.equal([
        'Acme',
      ]);
    });

    it('groups by parent fields and date functions', () => {
      expect(q('SELECT Profile.Name, COUNT(Id) n FROM User GROUP BY Profile.Name ORDER BY Profile.Name').records).to.deep.equal([
        { attributes: { type: 'AggregateResult' }, Name: 'Standard User', n: 2 },
        { attributes: { type: 'AggregateResult' }, Name: 'System Administrator', n: 1 },
      ]);
      expect(q('SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id) FROM Lead GROUP BY CALENDAR_YEAR(CreatedDate) ORDER BY CALENDAR_YEAR(CreatedDate)').records).to.deep.equal([
        { attributes: { type: 'AggregateResult' }, expr0: 2023, expr1: 1 },
        { attributes: { type: 'AggregateResult' }, expr0: 2024, expr1: 3 },
      ]);
    });

    it('rejects a field that is neither grouped nor aggregated', () => {
      const err = failure('SELECT Status, Company, COUNT(Id) FROM Lead GROUP BY Status');
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.match(/\nField must be grouped or aggregated: Company$/);
    });
  });

  describe('tooling and deleted records', () => {
    it('queries tooling objects with tooling urls', () => {
      const result = q("SELECT Id, Name FROM ApexClass WHERE Status = 'Active'", { tooling: true });
      expect(result.records).to.deep.equal([
        { attributes: { type: 'ApexClass', url: `/services/data/v66.0/tooling/sobjects/ApexClass/${id('01p', 1)}` }, Id: id('01p', 1), Name: 'SsoHandler' },
      ]);
      expect(failure('SELECT Id FROM ApexClass').errorCode).to.equal('INVALID_TYPE');
    });

    it('returns deleted records only for queryAll', () => {
      expect(col("SELECT LastName FROM Lead WHERE Company = 'Acme' ORDER BY LastName")).to.deep.equal(['Jones', 'Smith']);
      expect(col("SELECT LastName FROM Lead WHERE Company = 'Acme' ORDER BY LastName", 'LastName', { includeDeleted: true })).to.deep.equal([
        'Deleted',
        'Jones',
        'Smith',
      ]);
      expect(q('SELECT COUNT() FROM Lead WHERE IsDeleted = true', { includeDeleted: true }).totalSize).to.equal(1);
    });
  });

  describe('errors', () => {
    it('MALFORMED_QUERY: unexpected token, with the excerpt and position', () => {
      const err = failure('SELECT Id, FROM Lead');
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.equal("\nSELECT Id, FROM Lead\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'");
    });

    it('MALFORMED_QUERY: unexpected end of the query', () => {
      const err = failure('SELECT Id FROM Lead WHERE');
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.match(/\nunexpected token: '<EOF>'$/);
    });

    it('MALFORMED_QUERY: AND and OR mixed without parentheses', () => {
      const err = failure("SELECT Id FROM Lead WHERE Status = 'Open' AND Company = 'Acme' OR LastName = 'Diaz'");
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.match(/\nERROR at Row:1:Column:64\nunexpected token: 'OR'$/);
      // Subqueries' own ANDs/ORs do not shift the position.
      const withSubqueries =
        "SELECT Id, (SELECT Id FROM Contacts WHERE LastName = 'a' OR LastName = 'b') FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'a' AND Email = null) OR Name = 'x' AND Industry = 'y'";
      expect(failure(withSubqueries).message).to.match(
        new RegExp(`\\nERROR at Row:1:Column:${withSubqueries.lastIndexOf('AND') + 1}\\nunexpected token: 'AND'$`)
      );
    });

    it('MALFORMED_QUERY: field aliases outside aggregate queries, FIELDS(ALL) without a LIMIT', () => {
      expect(failure('SELECT LastName n FROM Lead').message).to.match(/\nOnly aggregate expressions use field aliasing$/);
      const fields = failure('SELECT FIELDS(ALL) FROM Lead');
      expect(fields.errorCode).to.equal('MALFORMED_QUERY');
      expect(fields.message).to.match(/must have a LIMIT of at most 200$/);
    });

    it('INVALID_TYPE: unknown object', () => {
      const err = failure('SELECT Id FROM Foo');
      expect(err.errorCode).to.equal('INVALID_TYPE');
      expect(err.message).to.equal(
        `\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. ${WSDL}`
      );
    });

    it('INVALID_TYPE: unknown child relationship', () => {
      const err = failure('SELECT Id, (SELECT Id FROM Opportunities) FROM Account');
      expect(err.errorCode).to.equal('INVALID_TYPE');
      expect(err.message).to.contain(
        "\nERROR at Row:1:Column:28\nDidn't understand relationship 'Opportunities' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name."
      );
    });

    it('INVALID_TYPE_FOR_OPERATION: object that cannot be queried', () => {
      const err = failure('SELECT Id FROM Vote');
      expect(err.errorCode).to.equal('INVALID_TYPE_FOR_OPERATION');
      expect(err.message).to.match(/\nentity type Vote does not support query$/);
    });

    it('INVALID_FIELD: unknown field in SELECT', () => {
      const err = failure('SELECT Id, Foo FROM Lead');
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.equal(
        `\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. ${WSDL}`
      );
    });

    it('INVALID_FIELD: the excerpt is the part of the line around the error', () => {
      const soql = 'SELECT Id, FirstName, LastName, Company, Email, Status, Bogus__c, NumberOfEmployees, AnnualRevenue, IsConverted FROM Lead';
      const lines = failure(soql).message.split('\n');
      // About 30 characters each side, widened to whole words.
      expect(lines[1]).to.equal('LastName, Company, Email, Status, Bogus__c, NumberOfEmployees, AnnualRevenue');
      expect(lines[2].indexOf('^')).to.equal(lines[1].indexOf('Bogus__c'));
      expect(lines[3]).to.equal(`ERROR at Row:1:Column:${soql.indexOf('Bogus__c') + 1}`);
    });

    it('INVALID_FIELD: unknown field in WHERE, on a parent, and on a multi-line query', () => {
      const where = failure("SELECT Id\nFROM Lead\nWHERE Nope = 'x'");
      expect(where.errorCode).to.equal('INVALID_FIELD');
      expect(where.message).to.match(/^\nWHERE Nope = 'x'\n {6}\^\nERROR at Row:3:Column:7\nNo such column 'Nope' on entity 'Lead'\./);
      expect(failure('SELECT Profile.Nope FROM User').message).to.contain("No such column 'Nope' on entity 'Profile'.");
      // The entity behind a polymorphic relationship is "Name".
      expect(failure('SELECT Owner.Nope FROM Lead').message).to.contain("No such column 'Nope' on entity 'Name'.");
    });

    it('INVALID_FIELD: unknown relationship', () => {
      const err = failure('SELECT Id, Boss.Name FROM User');
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.equal(
        `\nSELECT Id, Boss.Name FROM User\n           ^\nERROR at Row:1:Column:12\nDidn't understand relationship 'Boss' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. ${WSDL}`
      );
    });

    it('INVALID_FIELD: a literal of the wrong type', () => {
      const err = failure("SELECT Id FROM Lead WHERE CreatedDate > '2024-01-01'");
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.match(/\nvalue of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes$/);
      expect(failure('SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01').message).to.contain('must be of type dateTime');
      expect(failure('SELECT Id FROM Lead WHERE LastName = 5').message).to.match(/must be of type string and should be enclosed in quotes$/);
      expect(failure("SELECT Id FROM Lead WHERE LastName INCLUDES ('a')").message).to.match(/includes or excludes operator only valid on multipicklist field$/);
    });

    it('INVALID_QUERY_FILTER_OPERATOR: malformed id literal', () => {
      const err = failure("SELECT Id FROM Lead WHERE OwnerId = 'abc'");
      expect(err.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
      expect(err.message).to.match(/\ninvalid ID field: abc$/);
    });
  });
});
