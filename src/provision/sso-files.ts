/*
 * What the SAML single sign-on commands (sso configure, update-cert, sp-metadata) share: reading the identity
 * provider's files (metadata XML, certificate), reading an existing configuration, and turning SamlConfigErrors into
 * SfErrors with their fix. The texts are shared too and live in the messages of `sso configure`.
 */
import { readFile, stat } from 'node:fs/promises';
import { Messages, SfError } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import { asString } from './resources/values.js';
import { readSamlConfigOrNames, SamlConfigError, type SamlSsoConfigContent } from './resources/saml-config.js';
import { IdpMetadataError, parseIdpMetadata, type IdpMetadata } from './saml/idp-metadata.js';
import { normalizeMyDomainUrl } from './saml/sp-metadata.js';
import { CertificateError, expiresSoonWarning, parseCertificateFile, type CertificateFile } from './x509.js';
import { DEFAULT_MAX_XML_BYTES } from './xml.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

/** Certificate files are a few kilobytes; anything this large is the wrong file. */
const MAX_CERT_BYTES = 1024 * 1024;

/** The certificate a configuration trusts, as --json reports it (never the blob). */
export type CertificateSummary = { subject: string; sha256Fingerprint: string; notAfter: string; expired: boolean };

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
    case 'DECRYPTION_CERTIFICATE_MISSING':
      return messages.createError('error.DecryptionCertificateMissing', [v[0]]);
    case 'VALUE_TOO_LONG':
      return messages.createError('error.ValueTooLong', [v[0], v[1], v[2]], [LENGTH_FIELD_FLAGS[v[3]] ?? `the ${v[0]}`, v[2]]);
    default:
      return new SfError(e.message, 'SamlConfigError');
  }
};

/** Where a field's value comes from, for the fix of a value that is too long. */
const LENGTH_FIELD_FLAGS: Record<string, string> = {
  fullName: '--name',
  name: '--label',
  issuer: '--issuer (or the entity ID in --idp-metadata)',
  samlEntityId: '--entity-id',
  attributeName: '--attribute-name',
  loginUrl: '--login-url (or the single sign-on URL in --idp-metadata)',
  logoutUrl: '--logout-url',
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

/**
 * Reads a certificate file (PEM or DER); a private key, a CSR, garbage or an expired certificate is an SfError that
 * never echoes the content. Its warnings include one when the certificate expires soon (the metadata parser gives that warning for
 * the certificate it chooses).
 */
export const readCertificateFile = async (path: string, now = new Date()): Promise<CertificateFile> => {
  await checkSize(path, MAX_CERT_BYTES);
  let cert: CertificateFile;
  try {
    cert = parseCertificateFile(await readFile(path), { now });
  } catch (e) {
    if (e instanceof CertificateError) throw messages.createError('error.InvalidCertificateFile', [path, e.message]);
    throw e;
  }
  // An expired certificate would make every login fail: refused, as metadata with only expired certificates is.
  if (cert.expired) throw messages.createError('error.ExpiredCertificate', [path, cert.subject || '(no subject)', cert.notAfter.slice(0, 10)]);
  const soon = expiresSoonWarning(cert, now);
  if (soon) cert.warnings.push(soon);
  return cert;
};

/**
 * A command's error for a SAML configuration the org does not have: its `error.NoConfigs` when the org has none,
 * else its `error.UnknownConfig` listing the names that exist.
 */
export const unknownConfigError = (msgs: Messages<string>, name: string, names: string[]): SfError =>
  names.length === 0 ? msgs.createError('error.NoConfigs', [name]) : msgs.createError('error.UnknownConfig', [name, names.join(', ')]);

/** The configuration by name (under the command's spinner, or silently); when missing, an SfError listing the org's configurations. */
export const readExistingConfig = async (cmd: SfCommand<unknown> | undefined, client: OrgClient, name: string): Promise<SamlSsoConfigContent> => {
  const { config, names } = await progressOf(cmd, messages).step(messages.getMessage('info.reading'), () => readSamlConfigOrNames(client, name));
  if (config) return config;
  throw messages.createError('error.ConfigNotFound', [name, names.length ? names.join(', ') : '(none)']);
};

/** The org's My Domain URL from the connection's instance URL; undefined when it is not one. */
export const myDomainUrlOf = (instanceUrl: string | undefined): string | undefined => {
  try {
    return instanceUrl ? normalizeMyDomainUrl(instanceUrl) : undefined;
  } catch {
    return undefined;
  }
};

/** Fields of a SamlSsoConfig that hold ids of this org's records (WSDL order), and what they are. */
const ORG_ID_FIELDS: Array<[field: string, what: string]> = [
  ['executionUserId', 'the JIT execution user'],
  ['requestSigningCertId', 'the request-signing certificate'],
  ['samlJitHandlerId', 'the JIT handler class'],
];

/**
 * With --output-dir: a warning when a SamlSsoConfig among the changes holds values that only fit this org (record
 * ids, or this org's My Domain URL as entity ID), so that the file is not deployed to other orgs as it is.
 * Undefined when the files are portable or nothing was written.
 */
export const orgSpecificFileWarning = (changes: Change[], outputDir: string | undefined, myDomainUrl: string | undefined): string | undefined => {
  if (!outputDir) return undefined;
  const found: string[] = [];
  for (const c of changes) {
    if (c.metadata?.type !== 'SamlSsoConfig') continue;
    const content = c.metadata.content;
    for (const [field, what] of ORG_ID_FIELDS) {
      const v = asString(content[field]);
      if (v) found.push(`${field} ${v} (${what})`);
    }
    const entityId = asString(content.samlEntityId);
    if (entityId && myDomainUrl && entityId.replace(/\/+$/, '').toLowerCase() === myDomainUrl.replace(/\/+$/, '').toLowerCase()) {
      found.push(`samlEntityId ${entityId} (this org's My Domain URL)`);
    }
    if (found.length) return messages.getMessage('warning.orgSpecificFile', [c.metadata.fullName, found.join(', ')]);
  }
  return undefined;
};
