import { readFile, stat } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import {
  desiredFromIdpMetadata,
  IDENTITY_LOCATIONS,
  IDENTITY_TYPES,
  isValidSamlConfigName,
  planSamlConfig,
  readSamlConfigRaw,
  readSamlConfigsRaw,
  resolveCertificates,
  SamlConfigError,
  type SamlBinding,
  type SamlSsoConfigContent,
  type SamlSsoConfigDesired,
} from '../../../provision/resources/saml-config.js';
import { CertificateError, parseCertificateFile, type CertificateFile } from '../../../provision/saml/certificates.js';
import { IdpMetadataError, parseIdpMetadata, type IdpMetadata } from '../../../provision/saml/idp-metadata.js';
import { asString } from '../../../provision/resources/values.js';
import { normalizeMyDomainUrl } from '../../../provision/saml/sp-metadata.js';
import { DEFAULT_MAX_XML_BYTES } from '../../../provision/xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

/** Certificate files are a few kilobytes; anything this large is the wrong file. */
const MAX_CERT_BYTES = 1024 * 1024;
/** Certificates that expire within this many days get a warning. */
export const EXPIRY_WARNING_DAYS = 30;

/** The certificate a configuration trusts, as --json reports it (never the blob). */
export type CertificateSummary = { subject: string; sha256Fingerprint: string; notAfter: string; expired: boolean };

export type SsoConfigureResult = PlanResult & {
  /** What the identity provider input said: its entity ID and the certificate chosen to trust. */
  identityProvider?: { entityId?: string; loginUrl?: string; certificate?: CertificateSummary };
};

export const summarizeCertificate = (c: CertificateFile | IdpMetadata['signingCertificate']): CertificateSummary => ({
  subject: c.subject,
  sha256Fingerprint: c.sha256Fingerprint,
  notAfter: c.notAfter,
  expired: c.expired,
});

/** The SfError (message and fix) for a SamlConfigError from the resource. */
export const samlConfigSfError = (e: SamlConfigError): SfError => {
  const v = e.values;
  switch (e.code) {
    case 'INVALID_NAME':
      return messages.createError('error.InvalidName', [v[0]]);
    case 'MISSING_FIELDS':
      return messages.createError('error.MissingRequiredFields', [v.join(', ')]);
    case 'INVALID_VALUE':
      return messages.createError('error.InvalidValue', [v[0], v[2], v[1]]);
    case 'ATTRIBUTE_NAME_WITHOUT_ATTRIBUTE':
      return messages.createError('error.AttributeNameWithoutAttribute', [v[0]]);
    case 'ATTRIBUTE_NAME_REQUIRED':
      return messages.createError('error.AttributeNameRequired');
    case 'INVALID_CERTIFICATE':
      return messages.createError('error.InvalidCertificate', [e.message]);
    case 'UNKNOWN_CERTIFICATE':
      return messages.createError('error.UnknownCertificate', [v[0], v[1]]);
    case 'AMBIGUOUS_CERTIFICATE':
      return messages.createError('error.AmbiguousCertificate', [v[0], v[1]]);
    case 'NO_SSO_URL_FOR_BINDING':
      return messages.createError('error.NoSsoUrlForBinding', [v[0]], [v[1]]);
    case 'SIGNING_CERTIFICATE_MISSING':
      return messages.createError('error.SigningCertificateMissing', [v[0]]);
    default:
      return new SfError(e.message, 'SamlConfigError');
  }
};

/** Runs a resource call; its SamlConfigErrors become SfErrors with their fix. */
export const guard = async <T>(fn: () => Promise<T> | T): Promise<T> => {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SamlConfigError) throw samlConfigSfError(e);
    throw e;
  }
};

const checkSize = async (path: string, max: number): Promise<void> => {
  const { size } = await stat(path);
  if (size > max) throw messages.createError('error.FileTooLarge', [path, String(size), String(max)]);
};

/** Reads and parses an identity provider's metadata file; every problem is an SfError with its fix. */
export const readIdpMetadataFile = async (path: string, now = new Date()): Promise<IdpMetadata> => {
  await checkSize(path, DEFAULT_MAX_XML_BYTES);
  try {
    return parseIdpMetadata(await readFile(path), { now, maxBytes: DEFAULT_MAX_XML_BYTES });
  } catch (e) {
    if (!(e instanceof IdpMetadataError)) throw e;
    const specific = `error.InvalidIdpMetadata.${e.code}`;
    const actions = messages.messages.has(specific) ? messages.getMessages(specific) : messages.getMessages('error.InvalidIdpMetadata.actions');
    throw new SfError(messages.getMessage('error.InvalidIdpMetadata', [path, e.message]), 'InvalidIdpMetadataError', actions, 1);
  }
};

/** Reads a certificate file (PEM or DER); a private key, a CSR or garbage is an SfError that never echoes the content. */
export const readCertificateFile = async (path: string, now = new Date()): Promise<CertificateFile> => {
  await checkSize(path, MAX_CERT_BYTES);
  try {
    return parseCertificateFile(await readFile(path), { now });
  } catch (e) {
    if (e instanceof CertificateError) throw messages.createError('error.InvalidCertificateFile', [path, e.message]);
    throw e;
  }
};

/** A warning when a certificate is valid but expires within EXPIRY_WARNING_DAYS days. */
export const expiresSoonWarning = (c: { subject: string; notAfter: string; expired: boolean }, now = new Date()): string | undefined => {
  if (c.expired) return undefined;
  const days = Math.floor((Date.parse(c.notAfter) - now.getTime()) / 86_400_000);
  return days < EXPIRY_WARNING_DAYS
    ? `The certificate (${c.subject}) expires in ${days} day(s), on ${c.notAfter.slice(0, 10)}. Plan the rotation with the identity provider now.`
    : undefined;
};

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

/** The configuration by name; when missing, an SfError listing the org's configurations. */
export const readExistingConfig = async (cmd: SfCommand<unknown>, client: OrgClient, name: string): Promise<SamlSsoConfigContent> => {
  const current = await step(cmd, messages.getMessage('info.reading'), messages, () => readSamlConfigRaw(client, name));
  if (current) return current;
  const names = await step(cmd, messages.getMessage('info.reading'), messages, async () => (await readSamlConfigsRaw(client)).map((c) => c.fullName));
  throw messages.createError('error.ConfigNotFound', [name, names.length ? names.join(', ') : '(none)']);
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

export default class SsoConfigure extends SfCommand<SsoConfigureResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), char: 'n', required: true }),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary') }),
    'idp-metadata': Flags.file({
      summary: messages.getMessage('flags.idp-metadata.summary'),
      exists: true,
      exclusive: ['issuer', 'idp-cert'],
    }),
    issuer: Flags.string({ summary: messages.getMessage('flags.issuer.summary') }),
    'login-url': Flags.string({ summary: messages.getMessage('flags.login-url.summary') }),
    'idp-cert': Flags.file({ summary: messages.getMessage('flags.idp-cert.summary'), exists: true }),
    'entity-id': Flags.string({ summary: messages.getMessage('flags.entity-id.summary') }),
    'identity-type': Flags.option({ summary: messages.getMessage('flags.identity-type.summary'), options: IDENTITY_TYPES })(),
    'identity-location': Flags.option({ summary: messages.getMessage('flags.identity-location.summary'), options: IDENTITY_LOCATIONS })(),
    'attribute-name': Flags.string({ summary: messages.getMessage('flags.attribute-name.summary') }),
    'request-signing-cert': Flags.string({ summary: messages.getMessage('flags.request-signing-cert.summary') }),
    'decryption-cert': Flags.string({ summary: messages.getMessage('flags.decryption-cert.summary') }),
    binding: Flags.option({ summary: messages.getMessage('flags.binding.summary'), options: ['post', 'redirect'] as const })(),
    'logout-url': Flags.string({ summary: messages.getMessage('flags.logout-url.summary') }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<SsoConfigureResult> {
    const { flags } = await this.parse(SsoConfigure);
    const name = flags.name;
    if (!isValidSamlConfigName(name)) throw messages.createError('error.InvalidName', [name]);
    const { idp, certFile } = await this.readInputs(flags);

    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const current = await step(this, messages.getMessage('info.reading'), messages, () => readSamlConfigRaw(client, name));
    if (!current && !idp) {
      const given: Record<string, unknown> = { '--issuer': flags.issuer, '--login-url': flags['login-url'], '--idp-cert': certFile };
      const missing = Object.keys(given).filter((k) => given[k] === undefined);
      if (missing.length) throw messages.createError('error.MissingFields', [missing.join(', ')]);
    }
    const certs = await step(this, messages.getMessage('info.resolving'), messages, () =>
      guard(() => resolveCertificates(client, { requestSigning: flags['request-signing-cert'], decryption: flags['decryption-cert'] }))
    );

    const desired: SamlSsoConfigDesired = { fullName: name, ...(idp ? await this.fromMetadata(idp, current, flags) : {}) };
    if (!idp && flags.binding) desired.redirectBinding = flags.binding === 'redirect';
    for (const [flag, field] of FLAG_FIELDS) {
      const v = flags[flag];
      if (v !== undefined) desired[field] = v;
    }
    if (certFile) desired.validationCert = certFile.base64Der;
    Object.assign(desired, certs);

    const change = await guard(() => planSamlConfig(current, desired, { myDomainUrl: normalizeMyDomainUrl(conn.instanceUrl) }));
    const result = await carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const chosen = idp?.signingCertificate ?? certFile;
    const identityProvider = {
      entityId: idp?.entityId ?? flags.issuer,
      loginUrl: asString(desired.loginUrl),
      certificate: chosen ? summarizeCertificate(chosen) : undefined,
    };
    return { ...result, identityProvider };
  }

  /** Checks the URL flags and reads the files (before any call to the org); warns about what they hold. */
  private async readInputs(flags: {
    'login-url'?: string;
    'logout-url'?: string;
    'idp-metadata'?: string;
    'idp-cert'?: string;
  }): Promise<{ idp?: IdpMetadata; certFile?: CertificateFile }> {
    checkUrl('login-url', flags['login-url']);
    checkUrl('logout-url', flags['logout-url']);
    const idp = flags['idp-metadata'] ? await readIdpMetadataFile(flags['idp-metadata']) : undefined;
    const certFile = flags['idp-cert'] ? await readCertificateFile(flags['idp-cert']) : undefined;
    const soon = certFile ? expiresSoonWarning(certFile) : undefined;
    for (const w of [...(idp?.warnings ?? []), ...(certFile?.warnings ?? []), ...(soon ? [soon] : [])]) this.warn(w);
    return { idp, certFile };
  }

  /** The fields the metadata sets (issuer, login URL and binding, certificate), with warnings on what it changed. */
  private async fromMetadata(
    idp: IdpMetadata,
    current: SamlSsoConfigContent | undefined,
    flags: { binding?: SamlBinding; 'login-url'?: string }
  ): Promise<Partial<SamlSsoConfigDesired>> {
    const currentBinding: SamlBinding | undefined = current ? (current.redirectBinding === true ? 'redirect' : 'post') : undefined;
    const derived = await guard(() =>
      desiredFromIdpMetadata(idp, { binding: flags.binding, currentBinding, isNew: !current, loginUrl: flags['login-url'] })
    );
    if (derived.fellBack) {
      const wanted = derived.binding === 'post' ? 'redirect' : 'post';
      this.warn(messages.getMessage('warning.bindingFallback', [wanted, derived.binding, String(derived.fields.loginUrl)]));
    }
    if (current?.issuer && current.issuer !== idp.entityId) this.warn(messages.getMessage('warning.issuerDiffers', [idp.entityId, String(current.issuer)]));
    return derived.fields;
  }
}
