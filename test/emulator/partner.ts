/*
 * POST /services/Soap/u/NN.0 — the Partner SOAP API of the org emulator. Only convertLead() is emulated; every other
 * operation answers a fault saying so.
 *
 * Element names and order follow the Partner WSDL (LeadConvert, LeadConvertResult, Error); envelopes are shaped the
 * way jsforce (lib/soap.js) parses them: prefixed soapenv:Envelope/Body, default namespace urn:partner.soap.sforce.com,
 * faults with HTTP 500.
 *
 * convertLead() (SOAP API Developer Guide, "convertLead()", "LeadConvertResult"):
 * - the user needs "Convert Leads", Edit on Leads and Create + Edit on Accounts, Contacts and Opportunities;
 * - one LeadConvertResult per LeadConvert, in order; a lead that fails leaves the others converted (each lead is its
 *   own transaction here: Salesforce retries a failed bulk conversion lead by lead);
 * - a new Account (Name = Lead.Company) unless accountId, a new Contact unless contactId (which needs its accountId),
 *   an Opportunity unless doNotCreateOpportunity; existing records only get their empty fields filled, Contact
 *   LeadSource overwritten with overwriteLeadSource;
 * - the lead: IsConverted, ConvertedDate, ConvertedAccountId, ConvertedContactId, ConvertedOpportunityId, Status.
 */
import { SalesforceError, type SObjectRecord } from './types.js';
import { objectAccess } from './access.js';
import { normalizeId } from './ids.js';
import type { OrgStore } from './store.js';
import { child, childrenNamed, childText, escapeXml, isNil, parseXml, XmlError, type XNode } from './metadata/xml.js';

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const PARTNER_NS = 'urn:partner.soap.sforce.com';
const FAULT_NS = 'urn:fault.partner.soap.sforce.com';

/** At most 100 LeadConvert per call (SOAP API Developer Guide, convertLead(); Apex Database.convertLead). */
export const MAX_LEAD_CONVERTS = 100;

export type PartnerResponse = { status: number; body: string };

export type PartnerContext = {
  store: OrgStore;
  /** The session's user, or undefined when the SessionHeader holds no valid session. */
  userId?: string;
  /** Whether access checks apply (false for the emulator's own admin token). */
  checked: boolean;
};

export function partnerFault(code: string, message: string): PartnerResponse {
  const sfCode = code.replace(/^sf:/, '');
  return {
    status: 500,
    body:
      `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV}" xmlns:sf="${FAULT_NS}" xmlns:xsi="${XSI}">` +
      `<soapenv:Body><soapenv:Fault><faultcode>sf:${sfCode}</faultcode><faultstring>${escapeXml(`${sfCode}: ${message}`)}</faultstring>` +
      `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${sfCode}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  };
}

const envelope = (inner: string): PartnerResponse => ({
  status: 200,
  body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV}" xmlns="${PARTNER_NS}" xmlns:xsi="${XSI}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`,
});

type ConvertError = { statusCode: string; message: string; fields?: string[] };
type ConvertResult = { leadId?: string; accountId?: string; contactId?: string; opportunityId?: string; errors: ConvertError[] };

const idXml = (name: string, v: string | undefined): string => (v ? `<${name}>${v}</${name}>` : `<${name} xsi:nil="true"/>`);
const resultXml = (r: ConvertResult): string =>
  '<result>' +
  idXml('accountId', r.accountId) +
  idXml('contactId', r.contactId) +
  r.errors
    .map((e) => `<errors>${(e.fields ?? []).map((f) => `<fields>${escapeXml(f)}</fields>`).join('')}<message>${escapeXml(e.message)}</message><statusCode>${e.statusCode}</statusCode></errors>`)
    .join('') +
  idXml('leadId', r.leadId) +
  idXml('opportunityId', r.opportunityId) +
  `<success>${r.errors.length === 0}</success>` +
  '</result>';

export function handlePartnerSoap(xml: string, ctx: PartnerContext): PartnerResponse {
  let root: XNode;
  try {
    root = parseXml(xml);
  } catch (e) {
    return partnerFault('INVALID_XML', e instanceof XmlError ? e.message : 'malformed request');
  }
  const body = child(root, 'Body');
  const op = body?.children[0];
  if (!op) return partnerFault('INVALID_XML', 'No operation in the SOAP Body');
  if (!ctx.userId) {
    return partnerFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash');
  }
  if (op.name !== 'convertLead') return partnerFault('UNKNOWN_EXCEPTION', `The Partner SOAP operation ${op.name} is not emulated`);
  const converts = childrenNamed(op, 'leadConverts');
  if (converts.length > MAX_LEAD_CONVERTS) {
    // Fault code EXCEEDED_ID_LIMIT (an ExceptionCode of the Partner WSDL, "too many ids in the call") and its message
    // are unconfirmed for convertLead(); the 100 limit itself is documented.
    return partnerFault('EXCEEDED_ID_LIMIT', `Too many LeadConvert objects: ${converts.length} (maximum ${MAX_LEAD_CONVERTS})`);
  }
  const results = converts.map((lc) => convertOne(lc, ctx));
  return envelope(`<convertLeadResponse>${results.map(resultXml).join('')}</convertLeadResponse>`);
}

const bool = (n: XNode, name: string): boolean => childText(n, name)?.trim() === 'true';
const text = (n: XNode, name: string): string | undefined => {
  const c = child(n, name);
  if (!c || isNil(c)) return undefined;
  const t = c.text.trim();
  return t === '' ? undefined : t;
};

const errorOf = (e: unknown): ConvertError => {
  if (e instanceof SalesforceError) return { statusCode: e.errorCode, message: e.message, fields: e.fields.length ? e.fields : undefined };
  return { statusCode: 'UNKNOWN_EXCEPTION', message: e instanceof Error ? e.message : String(e) };
};

/** Lead → Contact / Account standard field mappings (the lead's address is the contact's mailing and the account's billing address). */
const ADDRESS = ['Street', 'City', 'State', 'PostalCode', 'Country'];
const contactFields = (lead: SObjectRecord): Record<string, unknown> => ({
  FirstName: lead.FirstName,
  LastName: lead.LastName,
  Email: lead.Email,
  Phone: lead.Phone,
  MobilePhone: lead.MobilePhone,
  Title: lead.Title,
  LeadSource: lead.LeadSource,
  Description: lead.Description,
  ...Object.fromEntries(ADDRESS.map((a) => [`Mailing${a}`, lead[a]])),
});
const accountFields = (lead: SObjectRecord): Record<string, unknown> => ({
  Name: lead.Company,
  Phone: lead.Phone,
  Website: lead.Website,
  ...Object.fromEntries(ADDRESS.map((a) => [`Billing${a}`, lead[a]])),
});

const empty = (v: unknown): boolean => v === null || v === undefined || v === '';
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => !empty(v)));

function convertOne(lc: XNode, ctx: PartnerContext): ConvertResult {
  const { store } = ctx;
  const leadId = normalizeId(text(lc, 'leadId')) ?? undefined;
  const result: ConvertResult = { leadId, errors: [] };
  try {
    if (ctx.checked) checkConvertAccess(store);
    const lead = leadId ? store.get('Lead', leadId) : undefined;
    if (!lead) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 400, ['leadId']);
    // Code as Salesforce answers an update of a converted lead (FACTS.md); for convertLead() unconfirmed.
    if (lead.IsConverted === true) throw new SalesforceError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', 400);
    const statusName = text(lc, 'convertedStatus');
    const status = store.find('LeadStatus', (s) => s.ApiName === statusName || s.MasterLabel === statusName);
    if (!status || status.IsConverted !== true) {
      // INVALID_STATUS is in the Partner WSDL's StatusCode; the message is unconfirmed.
      throw new SalesforceError('INVALID_STATUS', `invalid convertedStatus: ${statusName ?? ''}`, 400, ['convertedStatus']);
    }
    const accountIdIn = normalizeId(text(lc, 'accountId')) ?? undefined;
    const contactIdIn = normalizeId(text(lc, 'contactId')) ?? undefined;
    const ownerId = normalizeId(text(lc, 'ownerId')) ?? (String(lead.OwnerId ?? '').startsWith('005') ? String(lead.OwnerId) : store.currentUserId);
    if (ownerId && !store.get('User', ownerId)) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 400, ['ownerId']);
    // Records are written by the platform once the user's permissions are checked (above), as lead conversion does.
    return store.transaction(() =>
      store.runAs(undefined, () => {
        let accountId = accountIdIn;
        if (accountId) {
          const account = store.get('Account', accountId);
          if (!account) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 400, ['accountId']);
          const fill = Object.fromEntries(Object.entries(defined(accountFields(lead))).filter(([k]) => empty(account[k])));
          if (Object.keys(fill).length) store.update('Account', accountId, fill);
        } else {
          accountId = store.create('Account', { ...defined(accountFields(lead)), OwnerId: ownerId });
        }
        let contactId = contactIdIn;
        if (contactId) {
          const contact = store.get('Contact', contactId);
          if (!contact) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 400, ['contactId']);
          // The contact must belong to the given account (SOAP API Developer Guide, LeadConvert.contactId); code unconfirmed.
          if (!accountIdIn || contact.AccountId !== accountId) {
            throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'The contact must be associated with the specified account', 400, ['contactId']);
          }
          const fill = Object.fromEntries(Object.entries(defined(contactFields(lead))).filter(([k]) => empty(contact[k])));
          if (bool(lc, 'overwriteLeadSource') && !empty(lead.LeadSource)) fill.LeadSource = lead.LeadSource;
          if (Object.keys(fill).length) store.update('Contact', contactId, fill);
        } else {
          contactId = store.create('Contact', { ...defined(contactFields(lead)), AccountId: accountId, OwnerId: ownerId }, { skipDuplicateRules: bool(lc, 'bypassContactDedupeCheck') });
        }
        let opportunityId: string | undefined;
        if (!bool(lc, 'doNotCreateOpportunity')) {
          opportunityId = store.create('Opportunity', {
            // Default name: the lead's company (unconfirmed beyond third-party docs); stage: the first of the sales
            // process; close date: today (Salesforce's own default close date is unconfirmed).
            Name: text(lc, 'opportunityName') ?? lead.Company,
            AccountId: accountId,
            StageName: 'Prospecting',
            CloseDate: store.now().toISOString().slice(0, 10),
            LeadSource: lead.LeadSource,
            OwnerId: ownerId,
          });
        }
        store.patchSystem('Lead', lead.Id, {
          IsConverted: true,
          ConvertedDate: store.now().toISOString().slice(0, 10),
          ConvertedAccountId: accountId,
          ConvertedContactId: contactId,
          ConvertedOpportunityId: opportunityId ?? null,
          Status: String(status.ApiName ?? status.MasterLabel),
          ...(ownerId ? { OwnerId: ownerId } : {}),
        });
        return { ...result, accountId, contactId, opportunityId };
      })
    );
  } catch (e) {
    result.errors.push(errorOf(e));
    return result;
  }
}

/** "Convert Leads" + Edit on Leads + Create and Edit on Accounts, Contacts, Opportunities (convertLead() usage). */
function checkConvertAccess(store: OrgStore): void {
  const access = store.actingAccess();
  if (!access) return;
  const ok =
    access.perms.PermissionsConvertLeads === true &&
    objectAccess(access, 'Lead').edit &&
    ['Account', 'Contact', 'Opportunity'].every((o) => {
      const a = objectAccess(access, o);
      return a.create && a.edit;
    });
  // The status code and message a user without these permissions gets are unconfirmed.
  if (!ok) throw new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', 400);
}
