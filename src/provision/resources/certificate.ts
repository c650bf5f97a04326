/* Certificates of the org (Tooling API Certificate): label, key size, expiry. Private keys never leave the org. */
import type { OrgClient } from '../client.js';
import { asBool, daysUntil } from './values.js';

export type CertificateState = {
  id: string;
  name: string;
  label: string;
  keySize?: number;
  expirationDate?: string;
  daysLeft?: number;
  exportable: boolean;
  caSigned: boolean;
};

export const readCertificates = async (client: OrgClient, now = new Date()): Promise<CertificateState[]> => {
  const rows = await client.query<Record<string, unknown>>(
    'SELECT Id, DeveloperName, MasterLabel, ExpirationDate, KeySize, OptionsIsPrivateKeyExportable, OptionsIsCaSigned FROM Certificate ORDER BY DeveloperName',
    { tooling: true }
  );
  return rows.map((r) => {
    const expirationDate = r.ExpirationDate ? String(r.ExpirationDate as string) : undefined;
    return {
      id: String(r.Id),
      name: String(r.DeveloperName),
      label: String(r.MasterLabel ?? r.DeveloperName),
      keySize: r.KeySize ? Number(r.KeySize) : undefined,
      expirationDate,
      daysLeft: daysUntil(expirationDate, now),
      exportable: asBool(r.OptionsIsPrivateKeyExportable),
      caSigned: asBool(r.OptionsIsCaSigned),
    };
  });
};
