/* SamlSsoConfig: one SAML single sign-on configuration (Salesforce as service provider). */
import type { OrgClient } from '../client.js';
import { isRef, metadataChange, type Change } from '../plan.js';
import type { IdpMetadata } from '../saml/idp-metadata.js';
import { describeCertificate, describeCertificateText, toBase64Der } from '../x509.js';
import { CertificateLookupError, findCertificate, readCertificateBody, readCertificates, type CertificateState } from './certificate.js';
import { apiNameProblem, asBool, asString, sameId } from './values.js';

/** SamlSsoConfig's elements in the WSDL's order (Metadata API v66.0); a real org rejects them out of order. */
export const SAML_SSO_CONFIG_FIELDS = [
  'attributeName',
  'attributeNameIdFormat',
  'decryptionCertificate',
  'errorUrl',
  'executionUserId',
  'identityLocation',
  'identityMapping',
  'issuer',
  'loginUrl',
  'logoutUrl',
  'name',
  'oauthTokenEndpoint',
  'redirectBinding',
  'requestSignatureMethod',
  'requestSigningCertId',
  'salesforceLoginUrl',
  'samlEntityId',
  'samlJitHandlerId',
  'samlVersion',
  'singleLogoutBinding',
  'singleLogoutUrl',
  'useConfigRequestMethod',
  'useSameDigestAlgoForSigning',
  'userProvisioning',
  'validationCert',
] as const;

export type SamlSsoConfigField = (typeof SAML_SSO_CONFIG_FIELDS)[number];

/** A SamlSsoConfig as the Metadata API holds it: fullName, then the fields in WSDL order (absent ones left out). */
export type SamlSsoConfigContent = { fullName: string } & Partial<Record<SamlSsoConfigField, string | boolean>>;

const BOOLEAN_FIELDS = new Set<string>(['redirectBinding', 'useConfigRequestMethod', 'useSameDigestAlgoForSigning', 'userProvisioning']);

/** Puts fields in WSDL order, drops empty ones, and reads 'true'/'false' back as booleans; references are kept. */
export const orderSamlContent = (fullName: string, fields: Record<string, unknown>): SamlSsoConfigContent => {
  const out: SamlSsoConfigContent = { fullName };
  for (const f of SAML_SSO_CONFIG_FIELDS) {
    const v = fields[f];
    // A reference to what the same plan creates (a certificate's id) stays one: apply fills in the value.
    if (isRef(v)) out[f] = v as unknown as string;
    if (v === undefined || v === null || v === '' || (typeof v === 'object' && !Array.isArray(v))) continue;
    out[f] = BOOLEAN_FIELDS.has(f) ? asBool(v) : String(v as string);
  }
  return out;
};

export type SamlConfigState = {
  name: string;
  label: string;
  issuer?: string;
  loginUrl?: string;
  logoutUrl?: string;
  entityId?: string;
  identityMapping?: string;
  identityLocation?: string;
  attributeName?: string;
  samlVersion?: string;
  binding: 'post' | 'redirect';
  jitEnabled: boolean;
  jitHandlerId?: string;
  executionUserId?: string;
  requestSigningCertId?: string;
  decryptionCertificate?: string;
};

export const toSamlConfigState = (c: SamlSsoConfigContent): SamlConfigState => ({
  name: c.fullName,
  label: asString(c.name) ?? c.fullName,
  issuer: asString(c.issuer),
  loginUrl: asString(c.loginUrl),
  logoutUrl: asString(c.logoutUrl),
  entityId: asString(c.samlEntityId),
  identityMapping: asString(c.identityMapping),
  identityLocation: asString(c.identityLocation),
  attributeName: asString(c.attributeName),
  samlVersion: asString(c.samlVersion),
  binding: asBool(c.redirectBinding) ? 'redirect' : 'post',
  jitEnabled: asBool(c.userProvisioning),
  jitHandlerId: asString(c.samlJitHandlerId),
  executionUserId: asString(c.executionUserId),
  requestSigningCertId: asString(c.requestSigningCertId),
  decryptionCertificate: asString(c.decryptionCertificate),
});

/** The named configurations as the Metadata API returns them (missing names are left out), in WSDL order. */
export const readSamlConfigsRaw = async (client: OrgClient, names?: string[]): Promise<SamlSsoConfigContent[]> => {
  const all = names ?? (await client.listMetadata(['SamlSsoConfig'])).map((p) => p.fullName).sort();
  if (all.length === 0) return [];
  const configs = await client.readMetadata<Record<string, unknown> & { fullName?: string }>('SamlSsoConfig', all);
  return configs.map((c) => orderSamlContent(String(c.fullName), c)).sort((a, b) => a.fullName.localeCompare(b.fullName));
};

/** One configuration by its API name (fullName), or undefined. */
export const readSamlConfigRaw = async (client: OrgClient, name: string): Promise<SamlSsoConfigContent | undefined> =>
  (await readSamlConfigsRaw(client, [name]))[0];

export const readSamlConfigs = async (client: OrgClient): Promise<SamlConfigState[]> => (await readSamlConfigsRaw(client)).map(toSamlConfigState);

/** The API names of the org's SAML configurations, sorted (for "no such configuration" errors). */
export const readSamlConfigNames = async (client: OrgClient): Promise<string[]> =>
  (await client.listMetadata(['SamlSsoConfig'])).map((p) => p.fullName).sort((a, b) => a.localeCompare(b));

/** The named configuration as the org has it; when there is none, the names that do exist (for the error). */
export const readSamlConfigOrNames = async (client: OrgClient, name: string): Promise<{ config?: SamlSsoConfigContent; names: string[] }> => {
  const config = await readSamlConfigRaw(client, name);
  return config ? { config, names: [] } : { names: await readSamlConfigNames(client) };
};

/** Whether a planned configuration matches the assertion to users by their Federation ID (User.FederationIdentifier). */
export const matchesByFederationId = (change: Change): boolean => change.metadata?.content.identityMapping === 'FederationId';

/**
 * The active users without a Federation ID, with one aggregate query (one API call, no rows). Every active user is
 * counted: no source says which user types SAML single sign-on leaves out, so the count may include users who never
 * log in interactively (API-only integration users, the org's automated users, if SOQL returns them). Reading
 * FederationIdentifier needs the Manage Users permission (Salesforce Help, knowledge article 000386215).
 */
export const countActiveUsersWithoutFederationId = async (client: OrgClient): Promise<number> => {
  const soql = 'SELECT COUNT() FROM User WHERE IsActive = true AND FederationIdentifier = null';
  return client.call(async () => (await client.conn.query<Record<string, unknown>>(soql)).totalSize);
};

// ---------------------------------------------------------------------------------------------- planning

/** Values a new configuration gets unless the desired state says otherwise (Setup's defaults for SAML 2.0). */
export const SAML_CONFIG_DEFAULTS = {
  identityMapping: 'FederationId',
  identityLocation: 'SubjectNameId',
  samlVersion: 'SAML2_0',
  redirectBinding: false,
} as const;

export const IDENTITY_TYPES = ['Username', 'FederationId', 'UserId'] as const;
export const IDENTITY_LOCATIONS = ['SubjectNameId', 'Attribute'] as const;
export const SAML_VERSIONS = ['SAML1_1', 'SAML2_0'] as const;
export const SLO_BINDINGS = ['RedirectBinding', 'PostBinding'] as const;

/** The fields the platform requires on every SamlSsoConfig (minOccurs=1 in the WSDL). */
export const REQUIRED_SAML_FIELDS = ['identityLocation', 'identityMapping', 'issuer', 'name', 'samlEntityId', 'samlVersion', 'validationCert'] as const;

/** What a caller wants a configuration to hold: its API name and the fields to set (others are kept). */
export type SamlSsoConfigDesired = { fullName: string } & Partial<Record<SamlSsoConfigField, string | boolean>>;

export type SamlConfigErrorCode =
  | 'INVALID_NAME'
  | 'MISSING_FIELDS'
  | 'INVALID_VALUE'
  | 'ATTRIBUTE_NAME_WITHOUT_ATTRIBUTE'
  | 'ATTRIBUTE_NAME_REQUIRED'
  | 'INVALID_CERTIFICATE'
  | 'UNKNOWN_CERTIFICATE'
  | 'AMBIGUOUS_CERTIFICATE'
  | 'NO_SSO_URL_FOR_BINDING'
  | 'SIGNING_CERTIFICATE_MISSING'
  | 'DECRYPTION_CERTIFICATE_MISSING'
  | 'VALUE_TOO_LONG';

/**
 * Why a desired configuration cannot be planned. `values` are the facts the message needs (a field list, a label,
 * the org's certificate names); commands turn the code into their own message with the fix.
 */
export class SamlConfigError extends Error {
  public constructor(public readonly code: SamlConfigErrorCode, message: string, public readonly values: string[] = []) {
    super(message);
    this.name = 'SamlConfigError';
  }
}

/** A SamlSsoConfig API name: a letter, then letters, digits and single underscores, not ending in one; at most 80. */
export const isValidSamlConfigName = (name: string): boolean => apiNameProblem(name) === undefined;

/** How a plan shows a certificate: its SHA-256 fingerprint (first 8 bytes) and expiry, never the blob. */
export const describeCertificateBrief = (base64Der: string | undefined): string | undefined => {
  if (!base64Der) return undefined;
  try {
    const cert = describeCertificateText(base64Der);
    return `SHA-256 ${cert.sha256Fingerprint.slice(0, 23)}… (expires ${cert.notAfter.slice(0, 10)})`;
  } catch {
    return `unreadable certificate (${base64Der.length} chars)`;
  }
};

const canonicalCert = (value: string | boolean | undefined): string | undefined => {
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    return toBase64Der(value);
  } catch {
    return value;
  }
};

const checkEnum = (field: string, value: unknown, allowed: readonly string[]): void => {
  if (value === undefined || value === '') return;
  if (!allowed.includes(String(value))) {
    throw new SamlConfigError('INVALID_VALUE', `${field} must be one of ${allowed.join(', ')}; got "${String(value)}".`, [field, String(value), allowed.join(', ')]);
  }
};

/** The desired fields, normalised against the current configuration (canonical certificate, same-certificate ids). */
const normalizeWanted = (base: Record<string, string | boolean>, desired: SamlSsoConfigDesired): Record<string, string | boolean> => {
  const wanted: Record<string, string | boolean> = {};
  for (const f of SAML_SSO_CONFIG_FIELDS) {
    const v = desired[f];
    if (v !== undefined) wanted[f] = v;
  }
  // Certificates: compare and write the canonical base64 DER, whatever wrapping either side has.
  if (wanted.validationCert !== undefined) {
    try {
      const b64 = toBase64Der(String(wanted.validationCert));
      describeCertificate(Buffer.from(b64, 'base64'));
      wanted.validationCert = b64;
    } catch (e) {
      throw new SamlConfigError('INVALID_CERTIFICATE', `The identity provider certificate is not usable: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // The org may answer a certificate id in 15 or 18 characters: the same certificate either way.
  const currentSigning = asString(base.requestSigningCertId);
  if (currentSigning && typeof wanted.requestSigningCertId === 'string' && sameId(currentSigning, wanted.requestSigningCertId)) {
    wanted.requestSigningCertId = currentSigning;
  }
  // Moving off identity location Attribute: the attribute settings no longer apply and are cleared.
  if (wanted.identityLocation === 'SubjectNameId' && base.identityLocation === 'Attribute') {
    if (wanted.attributeName === undefined && base.attributeName) wanted.attributeName = '';
    if (wanted.attributeNameIdFormat === undefined && base.attributeNameIdFormat) wanted.attributeNameIdFormat = '';
  }
  return wanted;
};

/**
 * The longest values the platform takes (Salesforce Field Reference, SamlSsoConfig), with the names Setup gives the
 * fields; the org refuses longer ones (STRING_TOO_LONG). fullName is the API name.
 */
export const SAML_FIELD_MAX_LENGTHS: ReadonlyArray<[field: string, label: string, max: number]> = [
  ['fullName', 'API Name', 80],
  ['name', 'Label', 80],
  ['issuer', 'Issuer', 255],
  ['samlEntityId', 'Entity ID', 255],
  ['attributeName', 'Attribute Name', 255],
  ['loginUrl', 'Identity Provider Login URL', 1500],
  ['logoutUrl', 'Custom Logout URL', 1500],
  ['errorUrl', 'Custom Error URL', 500],
  ['singleLogoutUrl', 'Identity Provider Single Logout URL', 255],
];

/**
 * @throws SamlConfigError VALUE_TOO_LONG (values: the field's label, its length, the limit, the field) for the first
 * value longer than the platform takes.
 */
export const checkSamlFieldLengths = (fields: Record<string, unknown>): void => {
  for (const [field, label, max] of SAML_FIELD_MAX_LENGTHS) {
    const v = asString(fields[field]);
    if (v !== undefined && v.length > max) {
      throw new SamlConfigError('VALUE_TOO_LONG', `${label} has ${v.length} characters; Salesforce takes at most ${max}.`, [label, String(v.length), String(max), field]);
    }
  }
};

/** The platform's rules on a whole configuration: lengths, enum values, the attribute name, the required fields. */
const validateSamlConfig = (merged: Record<string, unknown>, wanted: Record<string, unknown>): void => {
  checkSamlFieldLengths(merged);
  checkEnum('identityMapping', merged.identityMapping, IDENTITY_TYPES);
  checkEnum('identityLocation', merged.identityLocation, IDENTITY_LOCATIONS);
  checkEnum('samlVersion', merged.samlVersion, SAML_VERSIONS);
  checkEnum('singleLogoutBinding', merged.singleLogoutBinding, SLO_BINDINGS);
  if (merged.identityLocation === 'Attribute' && asString(merged.attributeName) === undefined) {
    throw new SamlConfigError('ATTRIBUTE_NAME_REQUIRED', 'Identity location Attribute needs the name of the attribute that holds the identity.');
  }
  if (merged.identityLocation !== 'Attribute' && asString(wanted.attributeName) !== undefined) {
    throw new SamlConfigError(
      'ATTRIBUTE_NAME_WITHOUT_ATTRIBUTE',
      `An attribute name applies only with identity location Attribute; this configuration uses ${String(merged.identityLocation)}.`,
      [String(merged.identityLocation)]
    );
  }
  const missing = REQUIRED_SAML_FIELDS.filter((f) => asString(merged[f]) === undefined);
  if (missing.length) throw new SamlConfigError('MISSING_FIELDS', `Required field(s) missing: ${missing.join(', ')}.`, missing);
};

/** Certificates in a plan: fingerprints in the fields, the full fingerprint and subject in the note. */
const presentCertificates = (change: Change, content: SamlSsoConfigContent, isUpdate: boolean): Change => {
  const certField = change.fields.find((f) => f.field === 'validationCert');
  if (!certField) return change;
  const fields = change.fields.map((f) =>
    f.field === 'validationCert'
      ? { field: f.field, ...(isUpdate ? { from: describeCertificateBrief(asString(f.from)) } : {}), to: describeCertificateBrief(asString(f.to)) }
      : f
  );
  const c = describeCertificate(Buffer.from(String(content.validationCert), 'base64'));
  const note = `identity provider certificate ${c.subject || '(no subject)'}, SHA-256 ${c.sha256Fingerprint}, valid until ${c.notAfter.slice(0, 10)}.`;
  return { ...change, fields, note };
};

/**
 * Plans one SamlSsoConfig so that the desired fields hold. Only the fields `desired` names are compared; every
 * other field keeps the org's value, and the component is written back WHOLE in WSDL order, because the Metadata
 * API's update replaces it. A new configuration gets SAML_CONFIG_DEFAULTS, its label defaults to its API name and
 * its entity ID to `opts.myDomainUrl`. Certificate changes are shown as fingerprints (the full one in the note).
 *
 * @throws SamlConfigError when the result would be refused: a required field missing, a bad enum value, an
 * attribute name without identity location Attribute (or the reverse), an unreadable validation certificate.
 */
export const planSamlConfig = (
  current: SamlSsoConfigContent | undefined,
  desired: SamlSsoConfigDesired,
  opts: { myDomainUrl?: string } = {}
): Change => {
  const { fullName } = desired;
  checkSamlFieldLengths({ fullName });
  if (!isValidSamlConfigName(fullName)) {
    throw new SamlConfigError('INVALID_NAME', `"${fullName}" is not a valid API name.`, [fullName]);
  }
  const base: Record<string, string | boolean> = current
    ? { ...current, ...(current.validationCert ? { validationCert: canonicalCert(current.validationCert) as string } : {}) }
    : {};
  const wanted = normalizeWanted(base, desired);
  const merged: Record<string, unknown> = current
    ? { ...base, ...wanted }
    : { name: fullName, ...SAML_CONFIG_DEFAULTS, ...(opts.myDomainUrl ? { samlEntityId: opts.myDomainUrl } : {}), ...wanted };
  validateSamlConfig(merged, wanted);

  const content = orderSamlContent(fullName, merged);
  // Compared (and listed in the plan) in WSDL order.
  const compared = current
    ? Object.fromEntries(SAML_SSO_CONFIG_FIELDS.filter((f) => f in wanted).map((f) => [f, wanted[f]]))
    : Object.fromEntries(Object.entries(content).filter(([k]) => k !== 'fullName'));
  const change = metadataChange({ type: 'SamlSsoConfig', fullName, content }, current ? base : undefined, compared);
  return presentCertificates(change, content, current !== undefined);
};

// ---------------------------------------------------------------------------------------------- inputs

export type SamlBinding = 'post' | 'redirect';

/**
 * The login URL for a binding from the identity provider's SSO URLs. Without a wanted binding the current one
 * (post for a new configuration) is used, falling back to the other when the metadata only has that one
 * (`fellBack`). A wanted binding the metadata lacks is an error.
 */
export const chooseLoginUrl = (
  ssoUrls: { post?: string; redirect?: string },
  wanted: SamlBinding | undefined,
  current: SamlBinding = 'post'
): { binding: SamlBinding; loginUrl: string; fellBack: boolean } => {
  const pick = wanted ?? current;
  const url = ssoUrls[pick];
  if (url) return { binding: pick, loginUrl: url, fellBack: false };
  const other: SamlBinding = pick === 'post' ? 'redirect' : 'post';
  if (!wanted && ssoUrls[other]) return { binding: other, loginUrl: ssoUrls[other], fellBack: true };
  throw new SamlConfigError('NO_SSO_URL_FOR_BINDING', `The identity provider metadata has no single sign-on URL for the ${pick} binding.`, [pick, other]);
};

/** The fields identity-provider metadata sets: issuer, the login URL (and binding) and the signing certificate. */
export const desiredFromIdpMetadata = (
  idp: Pick<IdpMetadata, 'entityId' | 'ssoUrls' | 'signingCertificate'>,
  opts: { binding?: SamlBinding; currentBinding?: SamlBinding; isNew: boolean; loginUrl?: string }
): { fields: Partial<Record<SamlSsoConfigField, string | boolean>>; binding: SamlBinding; fellBack: boolean } => {
  // A login URL given by the caller wins over the metadata's, whatever bindings the metadata offers.
  const { binding, loginUrl, fellBack } = opts.loginUrl
    ? { binding: opts.binding ?? opts.currentBinding ?? 'post', loginUrl: opts.loginUrl, fellBack: false }
    : chooseLoginUrl(idp.ssoUrls, opts.binding, opts.currentBinding);
  const bindingChanges = opts.binding !== undefined || fellBack || opts.isNew;
  return {
    fields: {
      issuer: idp.entityId,
      loginUrl,
      ...(bindingChanges ? { redirectBinding: binding === 'redirect' } : {}),
      validationCert: idp.signingCertificate.base64Der,
    },
    binding,
    fellBack,
  };
};

// ---------------------------------------------------------------------------------------------- certificates

/**
 * Resolves certificate labels to what SamlSsoConfig stores: `requestSigningCertId` is the certificate's 15-character
 * id, `decryptionCertificate` its API name. A label matches a certificate's API name (DeveloperName) first, then its
 * label (MasterLabel), case-insensitively.
 *
 * @throws SamlConfigError UNKNOWN_CERTIFICATE (values: the label, then the org's certificates) or AMBIGUOUS_CERTIFICATE.
 */
export const resolveCertificates = async (
  client: OrgClient,
  labels: { requestSigning?: string; decryption?: string }
): Promise<{ requestSigningCertId?: string; decryptionCertificate?: string }> => {
  if (!labels.requestSigning && !labels.decryption) return {};
  const certs = await readCertificates(client);
  const find = (label: string): CertificateState => {
    try {
      return findCertificate(certs, label);
    } catch (e) {
      if (e instanceof CertificateLookupError) throw new SamlConfigError(e.code, e.message, e.values);
      throw e;
    }
  };
  return {
    ...(labels.requestSigning ? { requestSigningCertId: find(labels.requestSigning).id.slice(0, 15) } : {}),
    ...(labels.decryption ? { decryptionCertificate: find(labels.decryption).name } : {}),
  };
};

/** A certificate body as the org holds it (.crt: PEM text or DER) → base64 DER. */
const bodyToBase64Der = (body: Buffer): string => {
  const text = body.toString('latin1');
  return text.includes('-----BEGIN') ? toBase64Der(text) : body.toString('base64');
};

/**
 * The certificate a configuration signs its requests with (requestSigningCertId → Certificate → its body), as
 * base64 DER; undefined when the configuration signs with none.
 *
 * @throws SamlConfigError SIGNING_CERTIFICATE_MISSING when the id points to no certificate the org holds.
 */
export const readRequestSigningCertificate = async (
  client: OrgClient,
  config: SamlSsoConfigContent
): Promise<{ name: string; base64Der: string } | undefined> => {
  const id = asString(config.requestSigningCertId);
  if (!id) return undefined;
  const cert = (await readCertificates(client)).find((c) => sameId(c.id, id));
  const body = cert ? await readCertificateBody(client, cert.name) : undefined;
  if (!cert || !body?.length) {
    throw new SamlConfigError('SIGNING_CERTIFICATE_MISSING', `The request-signing certificate ${id} of ${config.fullName} is not in the org.`, [id]);
  }
  return { name: cert.name, base64Der: bodyToBase64Der(body) };
};

/**
 * The certificate whose key decrypts the assertions the identity provider encrypts for this configuration
 * (decryptionCertificate, an API name → its body), as base64 DER; undefined when the configuration has none.
 *
 * @throws SamlConfigError DECRYPTION_CERTIFICATE_MISSING when the org holds no such certificate.
 */
export const readDecryptionCertificate = async (
  client: OrgClient,
  config: SamlSsoConfigContent
): Promise<{ name: string; base64Der: string } | undefined> => {
  const name = asString(config.decryptionCertificate);
  if (!name) return undefined;
  const body = await readCertificateBody(client, name);
  if (!body?.length) {
    throw new SamlConfigError('DECRYPTION_CERTIFICATE_MISSING', `The assertion decryption certificate ${name} of ${config.fullName} is not in the org.`, [name]);
  }
  return { name, base64Der: bodyToBase64Der(body) };
};

// ---------------------------------------------------------------------------------------------- SP metadata

export const NAMEID_FORMATS = {
  unspecified: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  emailAddress: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  persistent: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
} as const;

/**
 * The NameID format a configuration asks the identity provider for: the configured attribute format when the
 * identity is in an attribute; otherwise emailAddress for a Salesforce username (always e-mail shaped) and
 * unspecified for a Federation ID or a user id (opaque values the identity provider maps).
 */
export const nameIdFormatFor = (config: Pick<SamlSsoConfigContent, 'identityMapping' | 'identityLocation' | 'attributeNameIdFormat'>): string => {
  const attrFormat = asString(config.attributeNameIdFormat);
  if (config.identityLocation === 'Attribute' && attrFormat) {
    return attrFormat.startsWith('urn:') ? attrFormat : NAMEID_FORMATS[attrFormat as keyof typeof NAMEID_FORMATS] ?? attrFormat;
  }
  return config.identityMapping === 'Username' ? NAMEID_FORMATS.emailAddress : NAMEID_FORMATS.unspecified;
};
