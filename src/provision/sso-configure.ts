/*
 * `sso configure` without the command: a SAML configuration's spec (as the desired-state file names it: files by
 * path, certificates by API name or label), the desired SamlSsoConfig from the identity provider's metadata or from
 * the spec's fields, its plan, and the checks around it (URLs, the input files, users the identity type would lock out).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import { refTo, type Change } from './plan.js';
import { progressOf } from './progress.js';
import {
  countActiveUsersWithoutFederationId,
  desiredFromIdpMetadata,
  isValidSamlConfigName,
  matchesByFederationId,
  planSamlConfig,
  readSamlConfigRaw,
  resolveCertificates,
  type IDENTITY_LOCATIONS,
  type IDENTITY_TYPES,
  type SamlBinding,
  type SamlSsoConfigContent,
  type SamlSsoConfigDesired,
} from './resources/saml-config.js';
import { asString, matchNameOrLabel } from './resources/values.js';
import type { IdpMetadata } from './saml/idp-metadata.js';
import { normalizeMyDomainUrl } from './saml/sp-metadata.js';
import { guard, readCertificateFile, readIdpMetadataFile, summarizeCertificate, type CertificateSummary } from './sso-files.js';
import type { CertificateFile } from './x509.js';
import type { PlannedCertificate } from './resources/certificate.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

/** A SAML configuration (Salesforce as service provider) as the desired-state file describes it. */
export type SamlConfigSpec = {
  /** API name. */
  name: string;
  /** Default for a new configuration: the API name. */
  label?: string;
  /** Path of the identity provider's SAML metadata XML: issuer, login URL and binding, signing certificate. */
  idpMetadata?: string;
  issuer?: string;
  loginUrl?: string;
  /** Path of the identity provider's signing certificate (PEM or DER). */
  idpCert?: string;
  /** Salesforce's entity ID (default for a new configuration: the My Domain URL). */
  entityId?: string;
  identityType?: (typeof IDENTITY_TYPES)[number];
  identityLocation?: (typeof IDENTITY_LOCATIONS)[number];
  attributeName?: string;
  /** API name or label of the org's certificate that signs Salesforce's SAML requests. */
  requestSigningCert?: string;
  /** API name or label of the org's certificate whose key decrypts assertions. */
  decryptionCert?: string;
  binding?: SamlBinding;
  logoutUrl?: string;
};

export type SsoConfigureFlags = {
  name: string;
  label?: string;
  'idp-metadata'?: string;
  issuer?: string;
  'login-url'?: string;
  'idp-cert'?: string;
  'entity-id'?: string;
  'identity-type'?: (typeof IDENTITY_TYPES)[number];
  'identity-location'?: (typeof IDENTITY_LOCATIONS)[number];
  'attribute-name'?: string;
  'request-signing-cert'?: string;
  'decryption-cert'?: string;
  binding?: SamlBinding;
  'logout-url'?: string;
};

/** What the identity provider input said: its entity ID and the certificate chosen to trust. */
export type IdentityProviderSummary = { entityId?: string; loginUrl?: string; certificate?: CertificateSummary };

export type SamlConfigPlan = { change: Change; identityProvider: IdentityProviderSummary; myDomainUrl: string; warnings: string[] };

/** Checks an absolute http(s) URL (the flag's or the file's field name in `what`). */
export const checkUrl = (what: string, value: string | undefined): void => {
  if (value === undefined) return;
  let ok = false;
  try {
    const u = new URL(value);
    ok = u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    ok = false;
  }
  if (!ok) throw messages.createError('error.InvalidUrl', [what, value]);
};

/** The spec `sso configure`'s flags describe (a flag and its spec field mean the same). */
export const ssoConfigureSpec = (flags: SsoConfigureFlags): SamlConfigSpec => {
  const spec: SamlConfigSpec = {
    name: flags.name,
    label: flags.label,
    idpMetadata: flags['idp-metadata'],
    issuer: flags.issuer,
    loginUrl: flags['login-url'],
    idpCert: flags['idp-cert'],
    entityId: flags['entity-id'],
    identityType: flags['identity-type'],
    identityLocation: flags['identity-location'],
    attributeName: flags['attribute-name'],
    requestSigningCert: flags['request-signing-cert'],
    decryptionCert: flags['decryption-cert'],
    binding: flags.binding,
    logoutUrl: flags['logout-url'],
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as SamlConfigSpec;
};

/** Spec fields copied to a SamlSsoConfig field as given. */
const SPEC_FIELDS = [
  ['label', 'name'],
  ['issuer', 'issuer'],
  ['loginUrl', 'loginUrl'],
  ['entityId', 'samlEntityId'],
  ['identityType', 'identityMapping'],
  ['identityLocation', 'identityLocation'],
  ['attributeName', 'attributeName'],
  ['logoutUrl', 'logoutUrl'],
] as const;

/** Checks the URLs and reads the files (before any call to the org); their warnings go to `warnings`. */
const readInputs = async (spec: SamlConfigSpec, warnings: string[]): Promise<{ idp?: IdpMetadata; certFile?: CertificateFile }> => {
  checkUrl('--login-url (loginUrl)', spec.loginUrl);
  checkUrl('--logout-url (logoutUrl)', spec.logoutUrl);
  const idp = spec.idpMetadata ? await readIdpMetadataFile(spec.idpMetadata) : undefined;
  const certFile = spec.idpCert ? await readCertificateFile(spec.idpCert) : undefined;
  warnings.push(...(idp?.warnings ?? []), ...(certFile?.warnings ?? []));
  return { idp, certFile };
};

/** The fields the metadata sets (issuer, login URL and binding, certificate), with warnings on what it changed. */
const fromMetadata = async (
  idp: IdpMetadata,
  current: SamlSsoConfigContent | undefined,
  spec: SamlConfigSpec,
  warnings: string[]
): Promise<Partial<SamlSsoConfigDesired>> => {
  const currentBinding: SamlBinding | undefined = current ? (current.redirectBinding === true ? 'redirect' : 'post') : undefined;
  const derived = await guard(() => desiredFromIdpMetadata(idp, { binding: spec.binding, currentBinding, isNew: !current, loginUrl: spec.loginUrl }));
  if (derived.fellBack) {
    const wanted = derived.binding === 'post' ? 'redirect' : 'post';
    warnings.push(messages.getMessage('warning.bindingFallback', [wanted, derived.binding, String(derived.fields.loginUrl)]));
  }
  if (current?.issuer && current.issuer !== idp.entityId) warnings.push(messages.getMessage('warning.issuerDiffers', [idp.entityId, String(current.issuer)]));
  return derived.fields;
};

/**
 * The certificates the spec names, as SamlSsoConfig stores them. One the same plan creates is named by a reference
 * to its id (request signing; apply fills it in once the certificate exists) or by its API name (decryption).
 */
const certificateFields = async (
  client: OrgClient,
  spec: SamlConfigSpec,
  planned: PlannedCertificate[]
): Promise<Partial<Record<'requestSigningCertId' | 'decryptionCertificate', unknown>>> => {
  const plannedOne = (label: string | undefined): PlannedCertificate | undefined => {
    if (!label) return undefined;
    const match = matchNameOrLabel(planned, label);
    return 'found' in match ? match.found : undefined;
  };
  const signing = plannedOne(spec.requestSigningCert);
  const decryption = plannedOne(spec.decryptionCert);
  const fromOrg = await guard(() =>
    resolveCertificates(client, { requestSigning: signing ? undefined : spec.requestSigningCert, decryption: decryption ? undefined : spec.decryptionCert })
  );
  return {
    ...fromOrg,
    ...(signing ? { requestSigningCertId: refTo('Certificate', signing.name) } : {}),
    ...(decryption ? { decryptionCertificate: decryption.name } : {}),
  };
};

/**
 * Reads the spec's files and the org's configuration and plans the SamlSsoConfig the spec describes. Certificates
 * named by the spec may be ones the same plan creates (`planned`). Errors are SfErrors with their fix; file and
 * metadata warnings are returned, not shown.
 */
export const planSamlConfigSpec = async (
  client: OrgClient,
  spec: SamlConfigSpec,
  opts: { cmd?: SfCommand<unknown>; planned?: PlannedCertificate[] } = {}
): Promise<SamlConfigPlan> => {
  if (!isValidSamlConfigName(spec.name)) throw messages.createError('error.InvalidName', [spec.name]);
  if (spec.idpMetadata && (spec.issuer !== undefined || spec.idpCert !== undefined)) throw messages.createError('error.MetadataAndFields', [spec.name]);
  const p = progressOf(opts.cmd, messages);
  const warnings: string[] = [];
  const { idp, certFile } = await readInputs(spec, warnings);
  const current = await p.step(messages.getMessage('info.reading'), () => readSamlConfigRaw(client, spec.name));
  if (!current && !idp) {
    const given: Record<string, unknown> = { '--issuer': spec.issuer, '--login-url': spec.loginUrl, '--idp-cert': certFile };
    const missing = Object.keys(given).filter((k) => given[k] === undefined);
    if (missing.length) throw messages.createError('error.MissingFields', [missing.join(', ')]);
  }
  const certs = await p.step(messages.getMessage('info.resolving'), () => certificateFields(client, spec, opts.planned ?? []));

  const desired: SamlSsoConfigDesired = { fullName: spec.name, ...(idp ? await fromMetadata(idp, current, spec, warnings) : {}) };
  if (!idp && spec.binding) desired.redirectBinding = spec.binding === 'redirect';
  for (const [key, field] of SPEC_FIELDS) {
    const v = spec[key];
    if (v !== undefined) desired[field] = v;
  }
  if (certFile) desired.validationCert = certFile.base64Der;
  // A reference stands where an id will be: apply puts the certificate's id in its place.
  Object.assign(desired, certs);

  const myDomainUrl = normalizeMyDomainUrl(client.conn.instanceUrl);
  const change = await guard(() => planSamlConfig(current, desired, { myDomainUrl }));
  const chosen = idp?.signingCertificate ?? certFile;
  const identityProvider = {
    entityId: idp?.entityId ?? spec.issuer,
    loginUrl: asString(desired.loginUrl),
    certificate: chosen ? summarizeCertificate(chosen) : undefined,
  };
  return { change, identityProvider, myDomainUrl, warnings };
};

/**
 * A warning when the configuration matches users by Federation ID and active users have none: the identity provider's
 * assertions could not be matched to them, so they could not log in with single sign-on. JumpCloud's Salesforce guide
 * has admins who provision through SCIM choose identity type Username, as its SCIM integration does not fill the
 * Federation ID. Undefined when there is nothing to say; a warning that the check was not possible when the org
 * refuses the query (reading FederationIdentifier needs Manage Users).
 */
export const federationIdWarning = async (client: OrgClient, change: Change): Promise<string | undefined> => {
  if (!matchesByFederationId(change)) return undefined;
  let count: number;
  try {
    count = await countActiveUsersWithoutFederationId(client);
  } catch (e) {
    return messages.getMessage('warning.federationIdUnchecked', [e instanceof Error ? e.message : String(e)]);
  }
  if (count === 0) return undefined;
  const who = count === 1 ? '1 active user has' : `${count} active users have`;
  return messages.getMessage('warning.federationIdMissing', [who, change.name]);
};
