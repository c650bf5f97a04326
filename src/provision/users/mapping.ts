/*
 * Where a User's fields come from in a row of the input: JumpCloud's Salesforce SCIM attribute table built in, plain
 * SCIM 2.0 User resources (core schema with the enterprise extension) taken as they are, or a mapping file of
 * Field=column pairs for CSV and JSON Lines.
 *
 * JumpCloud's table (its Salesforce SCIM connector): userName → Username, name.givenName → FirstName,
 * name.familyName → LastName, nickName → CommunityNickname, the work email → Email, active → IsActive, title →
 * Title, locale → LocaleSidKey and preferredLanguage → LanguageLocaleKey (create only), one address (work, else
 * primary, else the first) → Street/City/State/PostalCode/Country, one phone (work, else the first) → Phone, and
 * from the enterprise extension employeeNumber → EmployeeNumber, department → Department, organization →
 * CompanyName. displayName and userType have no writable User field to go to and are not written (Salesforce's Name
 * is First + Last; UserType follows the profile). JumpCloud computes `active` as not suspended and not
 * password-expired before it sends it.
 */
import { valueAt, type FieldMap } from '../records/input.js';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A row's value for a User field. */
export type UserMapping = { fields: string[]; valueOf: (data: Record<string, unknown>, field: string) => unknown };

type Multi = Array<{ value?: unknown; type?: string; primary?: boolean } & Record<string, unknown>>;

/** The entry of a multi-valued SCIM attribute of the type asked, else the primary one, else the first. */
const pick = (list: unknown, type: string): Record<string, unknown> | undefined => {
  if (!Array.isArray(list) || !list.length) return undefined;
  const l = list as Multi;
  return l.find((e) => e.type === type) ?? l.find((e) => e.primary === true) ?? l[0];
};

const str = (v: unknown): unknown => v ?? undefined;

/** SCIM 2.0 User resource → User fields (JumpCloud's table). */
const SCIM: Record<string, (u: Record<string, unknown>) => unknown> = {
  Username: (u) => str(u.userName),
  FirstName: (u) => str((u.name as Record<string, unknown> | undefined)?.givenName),
  LastName: (u) => str((u.name as Record<string, unknown> | undefined)?.familyName),
  CommunityNickname: (u) => str(u.nickName),
  Email: (u) => str(pick(u.emails, 'work')?.value),
  IsActive: (u) => (u.active === undefined ? undefined : u.active === true || u.active === 'true'),
  Title: (u) => str(u.title),
  LocaleSidKey: (u) => str(u.locale),
  LanguageLocaleKey: (u) => str(u.preferredLanguage),
  TimeZoneSidKey: (u) => str(u.timezone),
  Street: (u) => str(pick(u.addresses, 'work')?.streetAddress),
  City: (u) => str(pick(u.addresses, 'work')?.locality),
  State: (u) => str(pick(u.addresses, 'work')?.region),
  PostalCode: (u) => str(pick(u.addresses, 'work')?.postalCode),
  Country: (u) => str(pick(u.addresses, 'work')?.country),
  Phone: (u) => str(pick(u.phoneNumbers, 'work')?.value),
  EmployeeNumber: (u) => str((u[ENTERPRISE] as Record<string, unknown> | undefined)?.employeeNumber),
  Department: (u) => str((u[ENTERPRISE] as Record<string, unknown> | undefined)?.department),
  CompanyName: (u) => str((u[ENTERPRISE] as Record<string, unknown> | undefined)?.organization),
};

/** JumpCloud's attribute table, on SCIM User resources (JumpCloud sends SCIM 2.0). */
export const jumpcloudMapping = (): UserMapping => ({ fields: Object.keys(SCIM), valueOf: (data, field) => SCIM[field]?.(data) });

/** Field=column pairs (CSV, JSON Lines with paths). */
export const fileMapping = (map: FieldMap): UserMapping => ({
  fields: map.map((m) => m.field),
  valueOf: (data, field): unknown => {
    const m = map.find((x) => x.field === field);
    const v = m ? valueAt(data, m.source) : undefined;
    if (field === 'IsActive' && typeof v === 'string') return !/^(false|0|no|inactive|suspended)$/i.test(v.trim());
    return v;
  },
});

/** Fields JumpCloud sets when it creates a user and never overwrites afterwards (nor does this sync). */
export const CREATE_ONLY = new Set(['ProfileId', 'LocaleSidKey', 'LanguageLocaleKey', 'TimeZoneSidKey', 'CommunityNickname', 'EmailEncodingKey', 'Alias']);
