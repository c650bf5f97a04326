/*
 * convertLead() on the Partner SOAP API (/services/Soap/u/NN.0), driven through jsforce's conn.soap.convertLead
 * unmodified.
 */
import { expect } from 'chai';
import { Connection } from '@jsforce/jsforce-node';
import { OrgEmulator } from './server.js';
import type { Seed } from './seed.js';

const seed: Seed = {
  org: { name: 'Convert Co' },
  users: [
    { username: 'admin@convert.example.com', lastName: 'Admin', profile: 'System Administrator' },
    { username: 'sam@convert.example.com', lastName: 'Sales', profile: 'Standard User' },
    { username: 'plat@convert.example.com', lastName: 'Platform', profile: 'Standard Platform User' },
  ],
  accounts: [{ Name: 'Globex' }],
  leads: [
    { FirstName: 'Linus', LastName: 'Lead', Company: 'Initech', Email: 'linus@initech.example.com', Phone: '555-0100', Title: 'CTO', LeadSource: 'Web', City: 'Austin' },
    { FirstName: 'Mia', LastName: 'Other', Company: 'Hooli', Email: 'mia@hooli.example.com' },
  ],
};

type Result = { success: boolean; leadId: string | null; accountId: string | null; contactId: string | null; opportunityId: string | null; errors: Array<{ statusCode: string; message: string }> };

describe('emulator: convertLead (Partner SOAP API)', function () {
  this.timeout(30_000);
  let emu: OrgEmulator;
  const conn = (token?: string): Connection => new Connection({ instanceUrl: emu.instanceUrl, accessToken: token ?? emu.accessToken, version: '66.0' });
  const leadId = (lastName: string): string => emu.store.find('Lead', (l) => l.LastName === lastName)!.Id;
  const tokenOf = (username: string): string => emu.oauth.issueToken(emu.store.find('User', (u) => u.Username === username)!.Id, ['api']).token;
  const convert = async (c: Connection, lcs: Array<Record<string, unknown>>): Promise<Result[]> => {
    const out = (await c.soap.convertLead(lcs as never)) as unknown as Result[];
    return out;
  };

  before(async () => {
    emu = await OrgEmulator.start({ seed });
  });
  after(async () => emu.stop());
  beforeEach(async () => emu.reset());

  it('LeadStatus holds the Lead Status values; one IsConverted', async () => {
    const rows = (await conn().query<{ ApiName: string }>('SELECT ApiName FROM LeadStatus WHERE IsConverted = true')).records;
    expect(rows.map((r) => r.ApiName)).to.deep.equal(['Closed - Converted']);
  });

  it('converts a lead into a new Account, Contact and Opportunity and marks the lead converted', async () => {
    const id = leadId('Lead');
    const [r] = await convert(conn(), [{ leadId: id, convertedStatus: 'Closed - Converted', doNotCreateOpportunity: false, overwriteLeadSource: false, sendNotificationEmail: false }]);
    expect(r.success).to.equal(true);
    expect(r.errors).to.deep.equal([]);
    expect(r.leadId).to.equal(id);
    expect(r.accountId).to.match(/^001/);
    expect(r.contactId).to.match(/^003/);
    expect(r.opportunityId).to.match(/^006/);
    const lead = emu.store.get('Lead', id)!;
    expect(lead).to.include({ IsConverted: true, Status: 'Closed - Converted', ConvertedAccountId: r.accountId, ConvertedContactId: r.contactId, ConvertedOpportunityId: r.opportunityId });
    expect(lead.ConvertedDate).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(emu.store.get('Account', r.accountId!)).to.include({ Name: 'Initech', Phone: '555-0100', BillingCity: 'Austin' });
    expect(emu.store.get('Contact', r.contactId!)).to.include({
      FirstName: 'Linus',
      LastName: 'Lead',
      Email: 'linus@initech.example.com',
      Phone: '555-0100',
      Title: 'CTO',
      LeadSource: 'Web',
      MailingCity: 'Austin',
      AccountId: r.accountId,
    });
    expect(emu.store.get('Opportunity', r.opportunityId!)).to.include({ Name: 'Initech', AccountId: r.accountId, LeadSource: 'Web' });
    // A converted lead refuses updates.
    const upd = await conn().sobject('Lead').update({ Id: id, Title: 'CEO' }).catch((e: Error & { errorCode?: string }) => e.errorCode);
    expect(upd).to.equal('CANNOT_UPDATE_CONVERTED_LEAD');
  });

  it('into an existing account and contact, no opportunity, with a name for it otherwise', async () => {
    const accountId = emu.store.find('Account', (a) => a.Name === 'Globex')!.Id;
    const contactId = (await conn().sobject('Contact').create({ LastName: 'Existing', AccountId: accountId })) as { id: string };
    const [r, r2] = await convert(conn(), [
      { leadId: leadId('Lead'), convertedStatus: 'Closed - Converted', accountId, contactId: contactId.id, doNotCreateOpportunity: true, overwriteLeadSource: true, sendNotificationEmail: false },
      { leadId: leadId('Other'), convertedStatus: 'Closed - Converted', opportunityName: 'Hooli deal', doNotCreateOpportunity: false, overwriteLeadSource: false, sendNotificationEmail: false },
    ]);
    expect(r).to.include({ success: true, accountId, contactId: contactId.id, opportunityId: null });
    // Only empty fields are filled; LeadSource overwritten with overwriteLeadSource.
    expect(emu.store.get('Contact', contactId.id)).to.include({ LastName: 'Existing', Email: 'linus@initech.example.com', LeadSource: 'Web' });
    expect(emu.store.get('Account', accountId)).to.include({ Name: 'Globex' });
    expect(r2.success).to.equal(true);
    expect(emu.store.get('Opportunity', r2.opportunityId!)).to.include({ Name: 'Hooli deal' });
  });

  it('per-lead errors: already converted, a status that is not converted, an unknown lead; the others convert', async () => {
    const c = conn();
    const base = { convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true, overwriteLeadSource: false, sendNotificationEmail: false };
    await convert(c, [{ ...base, leadId: leadId('Lead') }]);
    const accountsBefore = emu.store.records('Account').length;
    const out = await convert(c, [
      { ...base, leadId: leadId('Lead') },
      { ...base, leadId: leadId('Other'), convertedStatus: 'Working - Contacted' },
      { ...base, leadId: '00Q000000000000AAA' },
      { ...base, leadId: leadId('Other') },
    ]);
    expect(out.map((r) => r.success)).to.deep.equal([false, false, false, true]);
    expect(out[0].errors[0].statusCode).to.equal('CANNOT_UPDATE_CONVERTED_LEAD');
    expect(out[1].errors[0].statusCode).to.equal('INVALID_STATUS');
    expect(out[2].errors[0].statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
    // The failed ones wrote nothing.
    expect(emu.store.records('Account').length).to.equal(accountsBefore + 1);
  });

  it('more than 100 LeadConvert in one call: a fault, nothing converted', async () => {
    const lcs = Array.from({ length: 101 }, () => ({ leadId: leadId('Lead'), convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true, overwriteLeadSource: false, sendNotificationEmail: false }));
    let err: (Error & { errorCode?: string }) | undefined;
    try {
      await convert(conn(), lcs);
    } catch (e) {
      err = e as Error & { errorCode?: string };
    }
    expect(err?.errorCode).to.equal('sf:EXCEEDED_ID_LIMIT');
    expect(emu.store.get('Lead', leadId('Lead'))!.IsConverted).to.equal(false);
  });

  it('access: Standard User converts; a user without Opportunities (Platform licence) gets INSUFFICIENT_ACCESS_OR_READONLY', async () => {
    const base = { convertedStatus: 'Closed - Converted', doNotCreateOpportunity: true, overwriteLeadSource: false, sendNotificationEmail: false };
    const [ok] = await convert(conn(tokenOf('sam@convert.example.com')), [{ ...base, leadId: leadId('Lead') }]);
    expect(ok.success).to.equal(true);
    const [no] = await convert(conn(tokenOf('plat@convert.example.com')), [{ ...base, leadId: leadId('Other') }]);
    expect(no.success).to.equal(false);
    expect(no.errors[0].statusCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    expect(emu.store.get('Lead', leadId('Other'))!.IsConverted).to.equal(false);
  });

  it('an invalid session: fault INVALID_SESSION_ID', async () => {
    let err: (Error & { errorCode?: string }) | undefined;
    try {
      await convert(new Connection({ instanceUrl: emu.instanceUrl, accessToken: '00Dxx0000001gPL!bogus', version: '66.0' }), [{ leadId: leadId('Lead'), convertedStatus: 'Closed - Converted' }]);
    } catch (e) {
      err = e as Error & { errorCode?: string };
    }
    expect(String(err?.errorCode ?? err?.message)).to.match(/INVALID_SESSION_ID/);
  });
});
