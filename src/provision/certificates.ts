/*
 * `cert create` without the command: a self-signed certificate Salesforce generates, as the desired-state file names
 * it (label, API name, key size, exportable key), its validation (the API name derived from the label as Setup
 * would), and its plan against the org's certificates, with a warning when one exists that differs from the spec.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import {
  CERT_KEY_SIZES,
  CERT_LABEL_MAX,
  certificateNameFromLabel,
  certificateNameProblem,
  planCertificate,
  readCertificates,
  type CertificateDesired,
  type CertKeySize,
} from './resources/certificate.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.cert.create');

/** A self-signed certificate that Salesforce generates (Setup > Certificate and Key Management). */
export type CertificateSpec = {
  /** 1 to 64 characters. */
  label: string;
  /** API name; by default derived from the label as Setup does. */
  name?: string;
  /** Default: 2048. */
  keySize?: CertKeySize;
  /** Whether the private key can be exported. Default: false. */
  exportableKey?: boolean;
};

export type CertificatePlan = { changes: Change[]; warnings: string[] };

export type CertCreateFlags = { label: string; name?: string; 'key-size'?: string; 'exportable-key'?: boolean };

/** The spec `cert create`'s flags describe. */
export const certCreateSpec = (flags: CertCreateFlags): CertificateSpec => ({
  label: flags.label,
  ...(flags.name !== undefined ? { name: flags.name } : {}),
  ...(flags['key-size'] !== undefined ? { keySize: Number(flags['key-size']) as CertKeySize } : {}),
  ...(flags['exportable-key'] !== undefined ? { exportableKey: flags['exportable-key'] } : {}),
});

/** The certificate the spec asks for, with its defaults; an SfError with the fix for a bad label, name or key size. */
export const checkCertificateSpec = (spec: CertificateSpec): CertificateDesired => {
  const label = spec.label.trim();
  if (!label) throw messages.createError('error.InvalidLabel', [spec.label, 'it is empty']);
  if (label.length > CERT_LABEL_MAX) {
    throw messages.createError('error.InvalidLabel', [label, `it has ${label.length} characters, more than ${CERT_LABEL_MAX}`]);
  }
  const name = spec.name ?? certificateNameFromLabel(label);
  if (!name) throw messages.createError('error.NoNameFromLabel', [label]);
  const problem = certificateNameProblem(name);
  if (problem) throw messages.createError('error.InvalidName', [name, problem]);
  const keySize = spec.keySize ?? 2048;
  if (!(CERT_KEY_SIZES as readonly number[]).includes(keySize)) {
    throw messages.createError('error.InvalidKeySize', [String(keySize), CERT_KEY_SIZES.join(' or ')]);
  }
  return { name, label, keySize, exportable: spec.exportableKey ?? false };
};

/**
 * Checks the spec, reads the org's certificates and plans the certificate. One that exists but differs from the spec
 * is not an error (nothing can change it): the plan's note says what differs and how to get the certificate asked
 * for, and so does a warning, since the plan otherwise says "no changes". Warnings are returned, not shown.
 */
export const planCertificateSpec = async (client: OrgClient, spec: CertificateSpec, cmd?: SfCommand<unknown>): Promise<CertificatePlan> => {
  const desired = checkCertificateSpec(spec);
  const certs = await progressOf(cmd, messages).step('Reading the certificates', () => readCertificates(client));
  const change = planCertificate(certs, desired);
  return { changes: [change], warnings: change.action === 'none' && change.note ? [change.note] : [] };
};
