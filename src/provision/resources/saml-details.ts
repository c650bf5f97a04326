/*
 * Everything worth knowing about the org's SAML single sign-on configurations, for `sso list` and `sso show`:
 * the configuration itself (Metadata API), the identity provider's certificate (parsed locally), the names behind
 * its ids (certificates, the JIT handler's Apex class, the execution user), whether it is a button on the My Domain
 * login page (AuthConfigProviders of the org's AuthConfig), and the service-provider endpoints the identity
 * provider needs. Read-only.
 */
import type { OrgClient } from '../client.js';
import { salesforceSpEndpoints } from '../saml/sp-metadata.js';
import { describeCertificateText } from '../x509.js';
import { readCertificates, type CertificateState } from './certificate.js';
import { jitStateOf, type JitState } from './jit.js';
import { readSamlConfigsRaw, toSamlConfigState, type SamlSsoConfigContent } from './saml-config.js';
import { readSsoSettings } from './sso-settings.js';
import { asString, daysUntil, sameId, soqlList } from './values.js';

export type IdpCertificateDetails = {
  subject: string;
  issuer: string;
  /** SHA-256 of the DER bytes, "AB:CD:…". */
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  expired: boolean;
};

export type JitDetails = JitState & {
  /** The handler's Apex class name ("ns.Class" for a managed package's class). */
  handlerName?: string;
  executionUsername?: string;
};

export type CertificateRef = { id?: string; name?: string; label?: string };

export type SamlConfigDetails = {
  name: string;
  label: string;
  /** The SamlSsoConfig record's id (what login-page providers and JIT handlers refer to). */
  id?: string;
  issuer?: string;
  loginUrl?: string;
  logoutUrl?: string;
  errorUrl?: string;
  identityMapping?: string;
  identityLocation?: string;
  attributeName?: string;
  attributeNameIdFormat?: string;
  samlVersion?: string;
  binding: 'post' | 'redirect';
  requestSignatureMethod?: string;
  jit: JitDetails;
  requestSigningCertificate?: CertificateRef;
  decryptionCertificate?: CertificateRef;
  idpCertificate?: IdpCertificateDetails;
  /** Why the identity provider's certificate could not be read, when it could not. */
  idpCertificateError?: string;
  /** A button for this configuration is on the My Domain login page. */
  onLoginPage: boolean;
  serviceProvider: { entityId?: string; acsUrl?: string; sloUrl?: string };
};

export type SamlOverview = { samlEnabled: boolean; configs: SamlConfigDetails[] };

/** The identity provider's certificate (SamlSsoConfig.validationCert, base64 DER) described; pure. */
export const describeIdpCertificate = (
  validationCert: string | undefined,
  now: Date = new Date()
): { certificate?: IdpCertificateDetails; error?: string } => {
  if (!validationCert) return { error: 'The configuration has no identity provider certificate.' };
  try {
    const c = describeCertificateText(validationCert, now);
    return {
      certificate: {
        subject: c.subject,
        issuer: c.issuer,
        sha256Fingerprint: c.sha256Fingerprint,
        notBefore: c.notBefore,
        notAfter: c.notAfter,
        daysLeft: daysUntil(c.notAfter, now) ?? 0,
        expired: c.expired,
      },
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
};

/** "off", "on" or "on with handler <class>" (the class id when its name is unknown). */
export const jitLabel = (jit: JitDetails): string =>
  !jit.enabled ? 'off' : jit.mode === 'apex' ? `on with handler ${jit.handlerName ?? jit.handlerId ?? ''}`.trim() : 'on';

const certRef = (certs: CertificateState[], by: { id?: string; name?: string }): CertificateRef | undefined => {
  if (!by.id && !by.name) return undefined;
  const hit = certs.find((c) => (by.id ? sameId(c.id, by.id) : c.name.toLowerCase() === by.name!.toLowerCase()));
  return { ...(by.id ? { id: by.id } : {}), name: hit?.name ?? by.name, ...(hit ? { label: hit.label } : {}) };
};

export type Lookups = {
  certificates: CertificateState[];
  apexClasses: Array<{ id: string; name: string }>;
  users: Array<{ id: string; username: string }>;
  /** SamlSsoConfig records: DeveloperName → Id. */
  recordIds: Array<{ id: string; name: string }>;
  /** AuthProviderIds of the org's (My Domain) login page. */
  loginPageProviderIds: string[];
  instanceUrl?: string;
  orgId?: string;
};

/** Joins one configuration with the names behind its ids; pure. */
export const toSamlConfigDetails = (c: SamlSsoConfigContent, l: Lookups, now: Date = new Date()): SamlConfigDetails => {
  const s = toSamlConfigState(c);
  const jit = jitStateOf(c);
  const id = l.recordIds.find((r) => r.name.toLowerCase() === c.fullName.toLowerCase())?.id;
  const idp = describeIdpCertificate(asString(c.validationCert), now);
  let endpoints: { acsUrl?: string; sloUrl?: string } = {};
  if (l.instanceUrl && l.orgId) {
    try {
      const sp = salesforceSpEndpoints(l.instanceUrl, l.orgId);
      endpoints = { acsUrl: sp.acsUrl, sloUrl: sp.sloUrl };
    } catch {
      endpoints = {};
    }
  }
  const handlerName = jit.handlerId ? l.apexClasses.find((a) => sameId(a.id, jit.handlerId))?.name : undefined;
  const executionUsername = jit.executionUserId ? l.users.find((u) => sameId(u.id, jit.executionUserId))?.username : undefined;
  const details: SamlConfigDetails = {
    name: s.name,
    label: s.label,
    ...(id ? { id } : {}),
    issuer: s.issuer,
    loginUrl: s.loginUrl,
    logoutUrl: s.logoutUrl,
    errorUrl: asString(c.errorUrl),
    identityMapping: s.identityMapping,
    identityLocation: s.identityLocation,
    attributeName: s.attributeName,
    attributeNameIdFormat: asString(c.attributeNameIdFormat),
    samlVersion: s.samlVersion,
    binding: s.binding,
    requestSignatureMethod: asString(c.requestSignatureMethod),
    jit: { ...jit, ...(handlerName ? { handlerName } : {}), ...(executionUsername ? { executionUsername } : {}) },
    requestSigningCertificate: certRef(l.certificates, { id: s.requestSigningCertId }),
    decryptionCertificate: certRef(l.certificates, { name: s.decryptionCertificate }),
    ...(idp.certificate ? { idpCertificate: idp.certificate } : { idpCertificateError: idp.error }),
    onLoginPage: id !== undefined && l.loginPageProviderIds.some((p) => sameId(p, id)),
    serviceProvider: { entityId: s.entityId, ...endpoints },
  };
  // Leave out what the configuration does not have, so --json shows only real values.
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as SamlConfigDetails;
};


/** What the configurations' ids point to, read in a handful of queries. */
export const readLookups = async (
  client: OrgClient,
  configs: SamlSsoConfigContent[],
  org: { instanceUrl?: string; orgId?: string }
): Promise<Lookups> => {
  const handlerIds = [...new Set(configs.map((c) => asString(c.samlJitHandlerId)).filter((v): v is string => Boolean(v)))];
  const userIds = [...new Set(configs.map((c) => asString(c.executionUserId)).filter((v): v is string => Boolean(v)))];
  const needCerts = configs.some((c) => c.requestSigningCertId ?? c.decryptionCertificate);
  const [certificates, apex, users, records, authConfigs] = await Promise.all([
    needCerts ? readCertificates(client) : Promise.resolve([]),
    handlerIds.length
      ? client.query<Record<string, unknown>>(`SELECT Id, Name, NamespacePrefix FROM ApexClass WHERE Id IN (${soqlList(handlerIds)})`)
      : Promise.resolve([]),
    userIds.length ? client.query<Record<string, unknown>>(`SELECT Id, Username FROM User WHERE Id IN (${soqlList(userIds)})`) : Promise.resolve([]),
    configs.length ? client.query<Record<string, unknown>>('SELECT Id, DeveloperName FROM SamlSsoConfig') : Promise.resolve([]),
    configs.length ? client.query<Record<string, unknown>>("SELECT Id FROM AuthConfig WHERE Type = 'Org'") : Promise.resolve([]),
  ]);
  const authConfigIds = authConfigs.map((a) => String(a.Id));
  const providers = authConfigIds.length
    ? await client.query<Record<string, unknown>>(`SELECT AuthProviderId FROM AuthConfigProviders WHERE AuthConfigId IN (${soqlList(authConfigIds)})`)
    : [];
  return {
    certificates,
    apexClasses: apex.map((a) => ({ id: String(a.Id), name: asString(a.NamespacePrefix) ? `${String(a.NamespacePrefix)}.${String(a.Name)}` : String(a.Name) })),
    users: users.map((u) => ({ id: String(u.Id), username: String(u.Username) })),
    recordIds: records.map((r) => ({ id: String(r.Id), name: String(r.DeveloperName) })),
    loginPageProviderIds: providers.map((p) => String(p.AuthProviderId)),
    ...org,
  };
};

/** The SAML configurations (all, or the named ones) with everything about them, and whether SAML is on. */
export const readSamlOverview = async (
  client: OrgClient,
  org: { instanceUrl?: string; orgId?: string },
  opts: { names?: string[]; now?: Date } = {}
): Promise<SamlOverview> => {
  const [sso, configs] = await Promise.all([readSsoSettings(client), readSamlConfigsRaw(client, opts.names)]);
  const lookups = await readLookups(client, configs, org);
  return { samlEnabled: sso.samlEnabled, configs: configs.map((c) => toSamlConfigDetails(c, lookups, opts.now)) };
};

/** A configuration's row in `sso list`: the essentials, names instead of ids. */
export type SamlConfigSummary = {
  name: string;
  label: string;
  issuer?: string;
  loginUrl?: string;
  identityMapping?: string;
  identityLocation?: string;
  /** "off", "on" or "on with handler <ApexClass>". */
  jit: string;
  jitEnabled: boolean;
  jitHandler?: string;
  /** The request-signing certificate's label (its name when the label is unknown). */
  requestSigningCertificate?: string;
  idpCertificateExpires?: string;
  idpCertificateDaysLeft?: number;
};

export const toSamlConfigSummary = (d: SamlConfigDetails): SamlConfigSummary => ({
  name: d.name,
  label: d.label,
  issuer: d.issuer,
  loginUrl: d.loginUrl,
  identityMapping: d.identityMapping,
  identityLocation: d.identityLocation,
  jit: jitLabel(d.jit),
  jitEnabled: d.jit.enabled,
  ...(d.jit.mode === 'apex' ? { jitHandler: d.jit.handlerName ?? d.jit.handlerId } : {}),
  ...(d.requestSigningCertificate
    ? { requestSigningCertificate: d.requestSigningCertificate.label ?? d.requestSigningCertificate.name ?? d.requestSigningCertificate.id }
    : {}),
  ...(d.idpCertificate ? { idpCertificateExpires: d.idpCertificate.notAfter, idpCertificateDaysLeft: d.idpCertificate.daysLeft } : {}),
});
