/*
 * Certificates of the org: read (Tooling API Certificate: label, key size, expiry), plan a self-signed certificate
 * that Salesforce generates (Metadata API Certificate with an empty .crt), read a certificate's public part, and
 * find what uses each certificate (SAML configurations, the identity provider, connected apps, external client
 * apps). Private keys never leave the org: no API returns them.
 */
import type { OrgClient } from '../client.js';
import type { Change, MetadataComponent } from '../plan.js';
import { certificatesIn, parseCertificateValue } from '../x509.js';
import { apiNameProblem, asBool, asString, daysUntil, matchNameOrLabel, nameAndLabel, sameId } from './values.js';

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

// ---------------------------------------------------------------------------------------------- names

/** The longest certificate API name (DeveloperName) and label (masterLabel) Salesforce takes. */
export const CERT_NAME_MAX = 80;
export const CERT_LABEL_MAX = 64;
export const CERT_KEY_SIZES = [2048, 4096] as const;
export type CertKeySize = (typeof CERT_KEY_SIZES)[number];

/** Why a certificate API name is invalid (Salesforce's API name rule, at most 80 characters), or undefined. */
export const certificateNameProblem = (name: string): string | undefined => apiNameProblem(name, CERT_NAME_MAX);

/**
 * The API name Setup would suggest for a label: every run of other characters becomes one underscore, no
 * underscore at either end, "X" in front when it would not begin with a letter, cut to 80 characters.
 * Undefined when the label has no letters or digits at all.
 */
export const certificateNameFromLabel = (label: string): string | undefined => {
  let name = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!name) return undefined;
  if (!/^[A-Za-z]/.test(name)) name = `X${name}`;
  return name.slice(0, CERT_NAME_MAX).replace(/_+$/, '');
};

/**
 * Why a certificate name or label matched no single certificate. `values`: for UNKNOWN_CERTIFICATE the name or label,
 * then the org's certificates ("API name (label)", comma-separated, or "(none)"); for AMBIGUOUS_CERTIFICATE the
 * label, then the API names of the certificates that share it.
 */
export class CertificateLookupError extends Error {
  public constructor(public readonly code: 'UNKNOWN_CERTIFICATE' | 'AMBIGUOUS_CERTIFICATE', message: string, public readonly values: string[]) {
    super(message);
    this.name = 'CertificateLookupError';
  }
}

/**
 * The one certificate with this API name, else with this label (both case-insensitive). Every command that takes a
 * certificate by name or label looks it up here.
 *
 * @throws CertificateLookupError UNKNOWN_CERTIFICATE when none matches, AMBIGUOUS_CERTIFICATE when several
 * certificates share the label (never guessed).
 */
/** A certificate the same plan creates: what names it may use before it exists (its API name or label). */
export type PlannedCertificate = { name: string; label: string };

/** The org's certificates with those the same plan creates (not yet in the org: no id, no expiry). */
export const withPlannedCertificates = (certs: CertificateState[], planned: PlannedCertificate[] = []): CertificateState[] => [
  ...certs,
  ...planned
    .filter((p) => !certs.some((c) => c.name.toLowerCase() === p.name.toLowerCase()))
    .map((p): CertificateState => ({ id: '', name: p.name, label: p.label, exportable: false, caSigned: false })),
];

export const findCertificate = (certs: CertificateState[], nameOrLabel: string): CertificateState => {
  const match = matchNameOrLabel(certs, nameOrLabel);
  if ('found' in match) return match.found;
  if ('ambiguous' in match) {
    const names = match.ambiguous.map((c) => c.name).join(', ');
    throw new CertificateLookupError('AMBIGUOUS_CERTIFICATE', `Several certificates have the label "${nameOrLabel}": ${names}.`, [nameOrLabel, names]);
  }
  const list = certs.length ? certs.map(nameAndLabel).join(', ') : '(none)';
  throw new CertificateLookupError('UNKNOWN_CERTIFICATE', `The org has no certificate named or labelled "${nameOrLabel}".`, [nameOrLabel, list]);
};

// ---------------------------------------------------------------------------------------------- plan

export type CertificateDesired = {
  /** API name (fullName / DeveloperName). */
  name: string;
  /** masterLabel. */
  label: string;
  keySize: CertKeySize;
  exportable: boolean;
};

/**
 * The Certificate component for a self-signed certificate Salesforce generates: fields in WSDL order, empty .crt.
 * No expirationDate: Salesforce sets a generated certificate's expiry itself (one year for a 2048-bit key, two years
 * for a 4096-bit one).
 */
export const selfSignedCertificateComponent = (desired: CertificateDesired): MetadataComponent => ({
  type: 'Certificate',
  fullName: desired.name,
  content: {
    fullName: desired.name,
    caSigned: false,
    keySize: desired.keySize,
    masterLabel: desired.label,
    privateKeyExportable: desired.exportable,
  },
  body: '',
});

const exportableWords = (b: boolean): string => (b ? 'an exportable private key' : 'a non-exportable private key');

/**
 * Plans one self-signed certificate. A certificate that already has the name or the label is left as it is (no
 * change): Salesforce cannot change a generated key, so differences in key size or exportability, a CA-signed
 * type or another label become a note that says how to get the wanted certificate instead.
 */
export const planCertificate = (certs: CertificateState[], desired: CertificateDesired): Change => {
  const byName = certs.find((c) => c.name.toLowerCase() === desired.name.toLowerCase());
  const byLabel = certs.find((c) => c.label.trim().toLowerCase() === desired.label.trim().toLowerCase());
  const existing = byName ?? byLabel;
  if (!existing) {
    const component = selfSignedCertificateComponent(desired);
    return {
      resource: 'Certificate',
      name: desired.name,
      action: 'create',
      fields: Object.entries(component.content)
        .filter(([k, v]) => k !== 'fullName' && v !== undefined)
        .map(([field, to]) => ({ field, to })),
      status: 'planned',
      metadata: component,
    };
  }

  const differences: string[] = [];
  if (!byName) differences.push(`it has the label "${existing.label}" but the API name ${existing.name}, not ${desired.name}`);
  else if (existing.label.trim() !== desired.label.trim()) differences.push(`its label is "${existing.label}", not "${desired.label}"`);
  if (existing.caSigned) differences.push('it is CA-signed, not self-signed');
  if (existing.keySize !== undefined && existing.keySize !== desired.keySize) differences.push(`its key has ${existing.keySize} bits, not ${desired.keySize}`);
  if (existing.exportable !== desired.exportable) differences.push(`it has ${exportableWords(existing.exportable)}, not ${exportableWords(desired.exportable)}`);
  const keyDiffers = existing.caSigned || (existing.keySize !== undefined && existing.keySize !== desired.keySize) || existing.exportable !== desired.exportable;
  let note: string | undefined;
  if (differences.length) {
    note = `The certificate ${existing.name} already exists and is left as it is: ${differences.join('; ')}.`;
    if (keyDiffers) {
      note +=
        ' Salesforce cannot change the key of a generated certificate. To get the certificate you asked for, create a new one under another label and name' +
        ` (sf provision cert create --label "${desired.label} 2"), then switch the configurations that use ${existing.name} to it ("sf provision cert list" shows them).`;
    }
  }
  return {
    resource: 'Certificate',
    name: existing.name,
    action: 'none',
    fields: [],
    status: 'unchanged',
    ...(note ? { note } : {}),
  };
};

// ---------------------------------------------------------------------------------------------- content

/**
 * The body of a certificate as the org holds it (readMetadata Certificate `content`: base64 of the .crt file), or
 * undefined when the org has no such certificate. The body is the public certificate (or chain, or for a CA-signed
 * certificate awaiting its upload, the signing request); never a private key.
 */
export const readCertificateBody = async (client: OrgClient, name: string): Promise<Buffer | undefined> => {
  const [cert] = await client.readMetadata<{ fullName?: string; content?: unknown }>('Certificate', [name]);
  if (!cert) return undefined;
  const content = asString(cert.content);
  return Buffer.from(content ?? '', 'base64');
};

/** SHA-256 fingerprints (upper-case, colon-separated) of the named certificates' first certificate, by API name. */
export const readCertificateFingerprints = async (client: OrgClient, names: string[]): Promise<Map<string, string>> => {
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const certs = await client.readMetadata<{ fullName?: string; content?: unknown }>('Certificate', names);
  for (const c of certs) {
    const [leaf] = certificatesIn(Buffer.from(asString(c.content) ?? '', 'base64'));
    if (leaf && c.fullName) out.set(c.fullName.toLowerCase(), leaf.sha256Fingerprint);
  }
  return out;
};

// ---------------------------------------------------------------------------------------------- usage

export type CertificateUserKind = 'SamlSsoConfig' | 'IdentityProvider' | 'ConnectedApp' | 'ExternalClientApp';

/** A field somewhere in the org's metadata that may name (or hold) a certificate. */
export type CertificateReference = {
  kind: CertificateUserKind;
  /** The configuration or app that holds the field (its API name). */
  owner: string;
  /** Where the field is, e.g. "requestSigningCertId", "samlConfig.certificate". */
  field: string;
  /** A Certificate id (requestSigningCertId), a certificate API name, or a certificate's PEM / base64 DER. */
  value: string;
  /** Said of the owner, e.g. "identity provider off". */
  remark?: string;
};

export type CertificateUse = {
  kind: CertificateUserKind;
  owner: string;
  field: string;
  remark?: string;
};

/** Fields that hold a Certificate id (15 or 18 characters; compared on the first 15). */
const ID_FIELDS = new Set(['requestSigningCertId']);

/**
 * Which references point at which certificate, by certificate API name. A reference matches by id (first 15
 * characters), by API name (case-insensitive), or, when its value is a certificate itself, by SHA-256 fingerprint
 * (`fingerprints`: API name in lower case → fingerprint; certificates missing from it cannot match that way).
 */
export const resolveCertificateUses = (
  certs: CertificateState[],
  refs: CertificateReference[],
  fingerprints: Map<string, string> = new Map()
): Map<string, CertificateUse[]> => {
  const uses = new Map<string, CertificateUse[]>(certs.map((c) => [c.name, []]));
  for (const ref of refs) {
    const value = ref.value.trim();
    if (!value) continue;
    let matched: CertificateState[];
    if (ID_FIELDS.has(ref.field.split('.').pop() ?? '')) {
      matched = certs.filter((c) => sameId(c.id, value));
    } else {
      const asCert = parseCertificateValue(value);
      if (asCert) {
        matched = certs.filter((c) => fingerprints.get(c.name.toLowerCase()) === asCert.sha256Fingerprint);
      } else {
        matched = certs.filter((c) => c.name.toLowerCase() === value.toLowerCase());
      }
    }
    for (const c of matched) {
      uses.get(c.name)?.push({ kind: ref.kind, owner: ref.owner, field: ref.field, ...(ref.remark ? { remark: ref.remark } : {}) });
    }
  }
  return uses;
};

/** True when any reference holds a certificate's content (its match needs the org's certificates read). */
export const needsFingerprints = (refs: CertificateReference[]): boolean =>
  refs.some((r) => !ID_FIELDS.has(r.field.split('.').pop() ?? '') && parseCertificateValue(r.value.trim()) !== undefined);

type Raw = Record<string, unknown> & { fullName?: string };

const ref = (kind: CertificateUserKind, owner: string, field: string, value: unknown, remark?: string): CertificateReference[] => {
  const v = asString(value);
  return v ? [{ kind, owner, field, value: v, ...(remark ? { remark } : {}) }] : [];
};

const sub = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The certificate fields of External Client App components, by metadata type. */
const ECA_CERT_FIELDS: Record<string, string[]> = {
  ExtlClntAppSamlConfigurablePolicies: ['certificate', 'encryptionCertificate'],
  ExtlClntAppGlobalOauthSettings: ['certificate'],
  ExtlClntAppOauthSettings: ['assetTokenSigningCertificate', 'clientAssertionCertificate'],
};

/**
 * Every field in the org's metadata that may point at a certificate: SAML configurations (requestSigningCertId,
 * decryptionCertificate), the identity provider (certificateName), connected apps (samlConfig.certificate,
 * samlConfig.encryptionCertificate, oauthConfig.certificate) and External Client App settings and policies.
 */
export const readCertificateReferences = async (client: OrgClient): Promise<CertificateReference[]> => {
  const ecaTypes = Object.keys(ECA_CERT_FIELDS);
  const listed = await client.listMetadata(['SamlSsoConfig', 'ConnectedApp', ...ecaTypes]);
  const namesOf = (type: string): string[] =>
    listed
      .filter((p) => p.type === type)
      .map((p) => p.fullName)
      .sort();
  const read = async (type: string): Promise<Raw[]> => {
    const names = namesOf(type);
    return names.length ? client.readMetadata<Raw>(type, names) : [];
  };
  const [saml, idp, apps, ...ecas] = await Promise.all([
    read('SamlSsoConfig'),
    client.readMetadata<Raw>('IdentityProviderSettings', ['IdentityProvider']),
    read('ConnectedApp'),
    ...ecaTypes.map((t) => read(t)),
  ]);

  const refs: CertificateReference[] = [];
  for (const c of saml) {
    const owner = String(c.fullName);
    refs.push(...ref('SamlSsoConfig', owner, 'requestSigningCertId', c.requestSigningCertId));
    refs.push(...ref('SamlSsoConfig', owner, 'decryptionCertificate', c.decryptionCertificate));
  }
  for (const s of idp) {
    refs.push(...ref('IdentityProvider', 'IdentityProvider', 'certificateName', s.certificateName, asBool(s.enableIdentityProvider) ? undefined : 'identity provider off'));
  }
  for (const a of apps) {
    const owner = String(a.fullName);
    const samlConfig = sub(a.samlConfig);
    const oauthConfig = sub(a.oauthConfig);
    refs.push(...ref('ConnectedApp', owner, 'samlConfig.certificate', samlConfig.certificate));
    refs.push(...ref('ConnectedApp', owner, 'samlConfig.encryptionCertificate', samlConfig.encryptionCertificate));
    refs.push(...ref('ConnectedApp', owner, 'oauthConfig.certificate', oauthConfig.certificate));
  }
  ecaTypes.forEach((type, i) => {
    for (const c of ecas[i]) {
      const owner = asString(c.externalClientApplication) ?? String(c.fullName);
      for (const field of ECA_CERT_FIELDS[type]) refs.push(...ref('ExternalClientApp', owner, `${type}.${field}`, c[field]));
    }
  });
  return refs;
};

/** What uses each certificate of the org, by certificate API name (every certificate has an entry). */
export const readCertificateUses = async (client: OrgClient, certs: CertificateState[]): Promise<Map<string, CertificateUse[]>> => {
  const refs = await readCertificateReferences(client);
  const fingerprints = needsFingerprints(refs) ? await readCertificateFingerprints(client, certs.map((c) => c.name)) : new Map<string, string>();
  return resolveCertificateUses(certs, refs, fingerprints);
};

/** One use in words, e.g. "SAML Okta (request signing)". */
export const describeUse = (u: CertificateUse): string => {
  const what: Record<CertificateUserKind, string> = {
    SamlSsoConfig: 'SAML',
    IdentityProvider: 'Identity provider',
    ConnectedApp: 'Connected app',
    ExternalClientApp: 'External client app',
  };
  const field: Record<string, string> = {
    requestSigningCertId: 'request signing',
    decryptionCertificate: 'assertion decryption',
    certificateName: 'signing',
    'samlConfig.certificate': 'SAML signing',
    'samlConfig.encryptionCertificate': 'SAML encryption',
    'oauthConfig.certificate': 'JWT / digital signatures',
    'ExtlClntAppSamlConfigurablePolicies.certificate': 'SAML signing',
    'ExtlClntAppSamlConfigurablePolicies.encryptionCertificate': 'SAML encryption',
    'ExtlClntAppGlobalOauthSettings.certificate': 'JWT / digital signatures',
    'ExtlClntAppOauthSettings.assetTokenSigningCertificate': 'asset token signing',
    'ExtlClntAppOauthSettings.clientAssertionCertificate': 'client assertion',
  };
  const owner = u.kind === 'IdentityProvider' ? '' : ` ${u.owner}`;
  const details = [field[u.field] ?? u.field, u.remark].filter(Boolean).join(', ');
  return `${what[u.kind]}${owner} (${details})`;
};
