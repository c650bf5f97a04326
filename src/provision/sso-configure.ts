/*
 * `sso configure` without the command: the desired SamlSsoConfig from the identity provider's metadata or from flags,
 * its plan, and the checks around it (URL flags, the input files, users the identity type would lock out).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import { step } from './command.js';
import type { Change } from './plan.js';
import {
  countActiveUsersWithoutFederationId,
  desiredFromIdpMetadata,
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
import { asString } from './resources/values.js';
import type { IdpMetadata } from './saml/idp-metadata.js';
import { normalizeMyDomainUrl } from './saml/sp-metadata.js';
import { guard, readCertificateFile, readIdpMetadataFile, summarizeCertificate, type CertificateSummary } from './sso-files.js';
import type { CertificateFile } from './x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

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

/** Checks an absolute http(s) URL given as a flag. */
export const checkUrl = (flag: string, value: string | undefined): void => {
  if (value === undefined) return;
  let ok = false;
  try {
    const u = new URL(value);
    ok = u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    ok = false;
  }
  if (!ok) throw messages.createError('error.InvalidUrl', [`--${flag}`, value]);
};

/** Flags copied to a field as given. */
const FLAG_FIELDS = [
  ['label', 'name'],
  ['issuer', 'issuer'],
  ['login-url', 'loginUrl'],
  ['entity-id', 'samlEntityId'],
  ['identity-type', 'identityMapping'],
  ['identity-location', 'identityLocation'],
  ['attribute-name', 'attributeName'],
  ['logout-url', 'logoutUrl'],
] as const;

/** Checks the URL flags and reads the files (before any call to the org); warns about what they hold. */
const readInputs = async (cmd: SfCommand<unknown>, flags: SsoConfigureFlags): Promise<{ idp?: IdpMetadata; certFile?: CertificateFile }> => {
  checkUrl('login-url', flags['login-url']);
  checkUrl('logout-url', flags['logout-url']);
  const idp = flags['idp-metadata'] ? await readIdpMetadataFile(flags['idp-metadata']) : undefined;
  const certFile = flags['idp-cert'] ? await readCertificateFile(flags['idp-cert']) : undefined;
  for (const w of [...(idp?.warnings ?? []), ...(certFile?.warnings ?? [])]) cmd.warn(w);
  return { idp, certFile };
};

/** The fields the metadata sets (issuer, login URL and binding, certificate), with warnings on what it changed. */
const fromMetadata = async (
  cmd: SfCommand<unknown>,
  idp: IdpMetadata,
  current: SamlSsoConfigContent | undefined,
  flags: SsoConfigureFlags
): Promise<Partial<SamlSsoConfigDesired>> => {
  const currentBinding: SamlBinding | undefined = current ? (current.redirectBinding === true ? 'redirect' : 'post') : undefined;
  const derived = await guard(() => desiredFromIdpMetadata(idp, { binding: flags.binding, currentBinding, isNew: !current, loginUrl: flags['login-url'] }));
  if (derived.fellBack) {
    const wanted = derived.binding === 'post' ? 'redirect' : 'post';
    cmd.warn(messages.getMessage('warning.bindingFallback', [wanted, derived.binding, String(derived.fields.loginUrl)]));
  }
  if (current?.issuer && current.issuer !== idp.entityId) cmd.warn(messages.getMessage('warning.issuerDiffers', [idp.entityId, String(current.issuer)]));
  return derived.fields;
};

/**
 * Reads the inputs and the org's configuration and plans the SamlSsoConfig the flags describe. File and metadata
 * warnings go to `cmd.warn`; errors are SfErrors with their fix.
 */
export const planSsoConfigure = async (
  cmd: SfCommand<unknown>,
  client: OrgClient,
  flags: SsoConfigureFlags
): Promise<{ change: Change; identityProvider: IdentityProviderSummary; myDomainUrl: string }> => {
  const { idp, certFile } = await readInputs(cmd, flags);
  const current = await step(cmd, messages.getMessage('info.reading'), messages, () => readSamlConfigRaw(client, flags.name));
  if (!current && !idp) {
    const given: Record<string, unknown> = { '--issuer': flags.issuer, '--login-url': flags['login-url'], '--idp-cert': certFile };
    const missing = Object.keys(given).filter((k) => given[k] === undefined);
    if (missing.length) throw messages.createError('error.MissingFields', [missing.join(', ')]);
  }
  const certs = await step(cmd, messages.getMessage('info.resolving'), messages, () =>
    guard(() => resolveCertificates(client, { requestSigning: flags['request-signing-cert'], decryption: flags['decryption-cert'] }))
  );

  const desired: SamlSsoConfigDesired = { fullName: flags.name, ...(idp ? await fromMetadata(cmd, idp, current, flags) : {}) };
  if (!idp && flags.binding) desired.redirectBinding = flags.binding === 'redirect';
  for (const [flag, field] of FLAG_FIELDS) {
    const v = flags[flag];
    if (v !== undefined) desired[field] = v;
  }
  if (certFile) desired.validationCert = certFile.base64Der;
  Object.assign(desired, certs);

  const myDomainUrl = normalizeMyDomainUrl(client.conn.instanceUrl);
  const change = await guard(() => planSamlConfig(current, desired, { myDomainUrl }));
  const chosen = idp?.signingCertificate ?? certFile;
  const identityProvider = {
    entityId: idp?.entityId ?? flags.issuer,
    loginUrl: asString(desired.loginUrl),
    certificate: chosen ? summarizeCertificate(chosen) : undefined,
  };
  return { change, identityProvider, myDomainUrl };
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
