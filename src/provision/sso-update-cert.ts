/*
 * `sso update-cert` without the command: the certificate a SAML configuration trusts, as the desired-state file names
 * it (the configuration by API name; the identity provider's certificate file or metadata file by path), the files'
 * checks, and the plan, with warnings about the files and an issuer that differs from the metadata's entity ID.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { planSamlConfig } from './resources/saml-config.js';
import { guard, readCertificateFile, readExistingConfig, readIdpMetadataFile, summarizeCertificate, type CertificateSummary } from './sso-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.update-cert');

/** The identity provider's signing certificate a SAML configuration trusts: from one of two files. */
export type SamlCertificateSpec = {
  /** The SAML configuration's API name. */
  samlConfig: string;
  /** The path of the identity provider's certificate file (PEM or DER, never a private key). */
  idpCertificate?: string;
  /** The path of the identity provider's SAML 2.0 metadata file: its valid signing certificate that expires last. */
  idpMetadata?: string;
};

export type SamlCertificatePlan = {
  changes: Change[];
  /** The certificate the configuration trusts once the plan has run. */
  certificate: CertificateSummary;
  warnings: string[];
};

/** The spec `sso update-cert`'s flags describe. */
export const ssoUpdateCertSpec = (flags: { name: string; 'idp-cert'?: string; 'idp-metadata'?: string }): SamlCertificateSpec => ({
  samlConfig: flags.name,
  ...(flags['idp-cert'] !== undefined ? { idpCertificate: flags['idp-cert'] } : {}),
  ...(flags['idp-metadata'] !== undefined ? { idpMetadata: flags['idp-metadata'] } : {}),
});

/**
 * Checks the spec and reads its file (before any call to the org), reads the configuration and plans its new
 * certificate. Errors are SfErrors with their fix; warnings (the file's, an issuer that differs from the metadata's
 * entity ID) are returned, not shown.
 */
export const planSamlCertificateSpec = async (client: OrgClient, spec: SamlCertificateSpec, cmd?: SfCommand<unknown>): Promise<SamlCertificatePlan> => {
  if (!spec.idpCertificate && !spec.idpMetadata) throw messages.createError('error.CertificateRequired');
  if (spec.idpCertificate && spec.idpMetadata) throw messages.createError('error.CertificateAndMetadata');
  const now = new Date();
  const idp = spec.idpMetadata ? await readIdpMetadataFile(spec.idpMetadata, now) : undefined;
  const certFile = spec.idpCertificate ? await readCertificateFile(spec.idpCertificate, now) : undefined;
  const cert = idp?.signingCertificate ?? certFile!;
  const warnings = [...(idp?.warnings ?? []), ...(certFile?.warnings ?? [])];

  const current = await readExistingConfig(cmd, client, spec.samlConfig);
  if (idp && current.issuer && current.issuer !== idp.entityId) {
    warnings.push(messages.getMessage('warning.issuerDiffers', [idp.entityId, String(current.issuer)]));
  }
  const change = await guard(() => planSamlConfig(current, { fullName: current.fullName, validationCert: cert.base64Der }));
  return { changes: [change], certificate: summarizeCertificate(cert), warnings };
};
