/*
 * `idp enable` and `idp disable` without the command: Salesforce as identity provider as the desired-state file names
 * it (on with the certificate that signs, by API name or label, or off), the certificate resolved against the org's,
 * and the plan, with warnings about the certificate (a change of certificate, expired or expiring).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import { CertificateLookupError, findCertificate, readCertificates, withPlannedCertificates, type CertificateState, type PlannedCertificate } from './resources/certificate.js';
import { planIdentityProvider, readIdentityProvider } from './resources/identity-provider.js';
import { expiryState } from './x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const enableMessages = Messages.loadMessages('plugin-provision', 'provision.idp.enable');
const disableMessages = Messages.loadMessages('plugin-provision', 'provision.idp.disable');

/** Salesforce as SAML identity provider (Setup > Identity Provider). */
export type IdentityProviderSpec = {
  enabled: boolean;
  /** API name or label of the certificate that signs the SAML responses; needed to turn it on. */
  certificate?: string;
};

/** The certificate the identity provider signs with. */
export type IdentityProviderCertificate = { name: string; label: string; expirationDate?: string };

export type IdentityProviderPlan = {
  changes: Change[];
  /** The certificate resolved from the spec (only when turning the identity provider on). */
  certificate?: IdentityProviderCertificate;
  warnings: string[];
};

/** The spec `idp enable`'s flags describe. */
export const idpEnableSpec = (flags: { cert: string }): IdentityProviderSpec => ({ enabled: true, certificate: flags.cert });

/** The spec `idp disable` describes. */
export const idpDisableSpec = (): IdentityProviderSpec => ({ enabled: false });

/** The certificate by API name or label, or an SfError with the fix. */
const resolveCertificate = (certs: CertificateState[], nameOrLabel: string): CertificateState => {
  try {
    return findCertificate(certs, nameOrLabel);
  } catch (e) {
    if (!(e instanceof CertificateLookupError)) throw e;
    if (e.code === 'AMBIGUOUS_CERTIFICATE') throw enableMessages.createError('error.AmbiguousCert', e.values);
    throw certs.length === 0 ? enableMessages.createError('error.NoCerts', [nameOrLabel]) : enableMessages.createError('error.UnknownCert', e.values);
  }
};

/** Warnings about the certificate: a different one than today's, expired, expiring. */
const certificateWarnings = (current: { enableIdentityProvider: boolean; certificateName: string }, cert: CertificateState): string[] => {
  const warnings: string[] = [];
  if (current.enableIdentityProvider && current.certificateName && current.certificateName !== cert.name) {
    warnings.push(enableMessages.getMessage('warning.CertChange', [current.certificateName, cert.name]));
  }
  const expires = cert.expirationDate?.slice(0, 10);
  const expiry = expires ? expiryState(cert.daysLeft) : undefined;
  if (expiry === 'expired') warnings.push(enableMessages.getMessage('warning.CertExpired', [cert.name, expires]));
  else if (expiry === 'expiring') warnings.push(enableMessages.getMessage('warning.CertExpiring', [cert.name, String(cert.daysLeft), expires]));
  return warnings;
};

/**
 * Checks the spec, reads the identity provider settings (and, to turn it on, the org's certificates with those the same
 * plan creates), resolves the certificate and plans. Errors are SfErrors with their fix; warnings are returned, not shown.
 */
export const planIdentityProviderSpec = async (
  client: OrgClient,
  spec: IdentityProviderSpec,
  cmd?: SfCommand<unknown>,
  planned: PlannedCertificate[] = []
): Promise<IdentityProviderPlan> => {
  if (!spec.enabled) {
    const current = await progressOf(cmd, disableMessages).step('Reading the identity provider settings', () => readIdentityProvider(client));
    return { changes: [planIdentityProvider(current, { enabled: false })], warnings: [] };
  }
  if (!spec.certificate) throw enableMessages.createError('error.CertRequired');
  const { current, certs } = await progressOf(cmd, enableMessages).step('Reading the identity provider settings and certificates', async () => {
    const [c, list] = await Promise.all([readIdentityProvider(client), readCertificates(client)]);
    return { current: c, certs: list };
  });
  const cert = resolveCertificate(withPlannedCertificates(certs, planned), spec.certificate);
  return {
    changes: [planIdentityProvider(current, { enabled: true, certificateName: cert.name })],
    certificate: { name: cert.name, label: cert.label, expirationDate: cert.expirationDate },
    warnings: certificateWarnings(current, cert),
  };
};
