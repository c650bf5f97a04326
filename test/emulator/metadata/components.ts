/*
 * The org's metadata components: storage helpers, platform rules (with Salesforce's codes), settings merge,
 * self-signed certificate generation, seeding (putComponent) and the settings of a new org (defaultSettings).
 */
import { generateKeyPairSync, KeyObject, webcrypto, X509Certificate, randomBytes } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { SalesforceError, type MetadataComponent, type MetadataContext } from '../types.js';
import { isMetadataType, orderContent, plainToXml, toContent, validateComponent, type Content, type ValidationError } from './validate.js';
import { parseXml } from './xml.js';

export type ComponentMap = Map<string, Map<string, MetadataComponent>>;

/** Key prefixes of the ids of metadata components (Certificate 0P1, SamlSsoConfig 0LE, ConnectedApp 0H4, ...). */
const KEY_PREFIX: Record<string, string> = {
  Certificate: '0P1',
  SamlSsoConfig: '0LE',
  ConnectedApp: '0H4',
  PermissionSet: '0PS',
  PermissionSetGroup: '0PG',
  Profile: '00e',
  AuthProvider: '0SO',
  ExternalClientApplication: '0xI',
  ExtlClntAppOauthSettings: '0xJ',
  ExtlClntAppGlobalOauthSettings: '0xK',
  ExtlClntAppOauthConfigurablePolicies: '0xL',
  ExtlClntAppConfigurablePolicies: '0xM',
};
export const keyPrefixOf = (type: string): string => KEY_PREFIX[type] ?? '0Xx';

/** Org-wide settings types: one component per org, fullName = type name without "Settings"; they always exist. */
export function isSettingsType(type: string): boolean {
  return type.endsWith('Settings') && !type.startsWith('ExtlClntApp') && isMetadataType(type) && type !== 'Settings';
}
export const settingsFullName = (type: string): string => type.slice(0, -'Settings'.length);

export function findComponent(map: ComponentMap, type: string, fullName: string): MetadataComponent | undefined {
  const byName = map.get(type);
  if (!byName) return undefined;
  const exact = byName.get(fullName);
  if (exact) return exact;
  const lower = fullName.toLowerCase();
  for (const [k, v] of byName) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function setComponent(map: ComponentMap, c: MetadataComponent): void {
  let byName = map.get(c.type);
  if (!byName) map.set(c.type, (byName = new Map<string, MetadataComponent>()));
  for (const k of byName.keys()) if (k.toLowerCase() === c.fullName.toLowerCase() && k !== c.fullName) byName.delete(k);
  byName.set(c.fullName, c);
}

export function removeComponent(map: ComponentMap, type: string, fullName: string): MetadataComponent | undefined {
  const found = findComponent(map, type, fullName);
  if (found) map.get(type)?.delete(found.fullName);
  return found;
}

export function cloneMap(map: ComponentMap): ComponentMap {
  return new Map([...map].map(([t, m]) => [t, new Map(m)]));
}

// ---------------------------------------------------------------------------------------------- certificates

/**
 * Private keys of generated certificates, by org (its component map: an OrgEmulator hands each request a fresh
 * context object) then certificate fullName. Never returned by any API.
 */
const privateKeys = new WeakMap<object, Map<string, KeyObject>>();
/** The private key of a certificate the org generated (for SAML signing emulation), or undefined. */
export function getCertificatePrivateKey(ctx: MetadataContext, fullName: string): KeyObject | undefined {
  const m = privateKeys.get(ctx.components);
  if (!m) return undefined;
  for (const [k, v] of m) if (k.toLowerCase() === fullName.toLowerCase()) return v;
  return undefined;
}

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };

/** Generates an RSA key pair with node:crypto and a self-signed certificate (PEM) the way Salesforce does. */
export async function generateSelfSigned(
  orgId: string,
  name: string,
  keySize: number,
  notAfter: Date
): Promise<{ pem: string; privateKey: KeyObject }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: keySize, publicExponent: 0x10001 });
  const subtle = webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), ALG, true, ['sign']),
    publicKey: await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), ALG, true, ['verify']),
  } as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
  const cn = name.replace(/[,+="<>#;\\]/g, '_');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(7).toString('hex')}`,
    name: `CN=${cn}, OU=${orgId.slice(0, 15)}, O=Salesforce.com, L=San Francisco, ST=CA, C=US`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { pem: cert.toString('pem'), privateKey };
}

/** Parses a certificate body given as PEM or base64 DER (or raw DER); undefined when it is not a certificate. */
export function parseCertificate(body: Buffer | string): X509Certificate | undefined {
  try {
    const text = Buffer.isBuffer(body) ? body.toString('latin1') : body;
    if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(text);
    const compact = text.replace(/\s+/g, '');
    if (/^[A-Za-z0-9+/]+=*$/.test(compact)) return new X509Certificate(Buffer.from(compact, 'base64'));
    return Buffer.isBuffer(body) ? new X509Certificate(body) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- saving

/** `seed`: the org's existing state (putComponent) — creation policies such as the connected-app block do not apply. */
export type WriteMode = 'create' | 'update' | 'upsert' | 'deploy' | 'seed';

/** One write applied to a component map; `onChange` is called by the caller (CRUD: at once; deploy: on commit). */
export type SaveOutcome = { created: boolean; component: MetadataComponent; privateKey?: KeyObject };

/** Keeps a generated private key (only once the write is committed). */
export function commitPrivateKey(ctx: MetadataContext, fullName: string, key: KeyObject): void {
  let keys = privateKeys.get(ctx.components);
  if (!keys) privateKeys.set(ctx.components, (keys = new Map<string, KeyObject>()));
  keys.set(fullName, key);
}

const err = (code: string, message: string, fields: string[] = []): SalesforceError => new SalesforceError(code, message, 400, fields);

function deepMerge(type: string, base: Content, patch: Content): Content {
  // Settings: elements present in the update replace (complex ones merge), absent ones keep their value.
  const out: Content = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const old = out[k];
    if (v && old && typeof v === 'object' && typeof old === 'object' && !Array.isArray(v) && !Array.isArray(old)) {
      out[k] = deepMerge('', old as Content, v as Content);
    } else out[k] = v;
  }
  return type ? orderContent(type, out) : out;
}

type Country = Content & { isoCode?: string; active?: boolean; visible?: boolean; orgDefault?: boolean; states?: Content[] };

/**
 * Setup's rules for a country (and the states the update names) after the merge: a value must be active before it
 * can be visible, and the org's default country must stay active and visible.
 */
function checkAddressEntry(country: Country, touchedStates: Country[]): void {
  const iso = String(country.isoCode);
  if (country.orgDefault === true && (country.active !== true || country.visible !== true)) {
    throw err('FIELD_INTEGRITY_EXCEPTION', `The country or territory '${iso}' is the default country/territory and must be active and visible.`, ['orgDefault']);
  }
  if (country.visible === true && country.active !== true) {
    throw err('FIELD_INTEGRITY_EXCEPTION', `The country or territory '${iso}' must be active before it can be visible.`, ['visible']);
  }
  for (const touched of touchedStates) {
    const s = ((country.states ?? []) as Country[]).find((x) => x.isoCode === touched.isoCode);
    if (s && s.visible === true && s.active !== true) {
      throw err('FIELD_INTEGRITY_EXCEPTION', `The state or province '${iso}-${String(s.isoCode)}' must be active before it can be visible.`, ['visible']);
    }
  }
}

/** AddressSettings: countries/states matched by isoCode; no create/delete, no deactivation once picklists are on. */
function mergeAddressSettings(ctx: MetadataContext, existing: Content, patch: Content): Content {
  const oldCountries = (((existing.countriesAndStates as Content | undefined)?.countries ?? []) as Country[]).map((c) => ({ ...c }));
  const newCountries = ((patch.countriesAndStates as Content | undefined)?.countries ?? []) as Country[];
  const enabled = ctx.flags.stateCountryPicklistsEnabled;
  for (const nc of newCountries) {
    const idx = oldCountries.findIndex((c) => c.isoCode === nc.isoCode);
    if (idx < 0) {
      throw err(
        'FIELD_INTEGRITY_EXCEPTION',
        `There is no country or territory with the ISO code '${String(nc.isoCode)}'. You can't create countries or territories or change their ISO codes through the Metadata API.`,
        ['isoCode']
      );
    }
    const oc = oldCountries[idx];
    if (enabled && oc.active === true && nc.active === false) {
      throw err(
        'FIELD_INTEGRITY_EXCEPTION',
        `You can't deactivate the country or territory '${String(nc.isoCode)}' after State and Country/Territory Picklists are enabled.`,
        ['active']
      );
    }
    const oldStates = ((oc.states ?? []) as Country[]).map((s) => ({ ...s }));
    for (const ns of (nc.states ?? []) as Country[]) {
      const sIdx = oldStates.findIndex((s) => s.isoCode === ns.isoCode);
      if (sIdx < 0) {
        throw err(
          'FIELD_INTEGRITY_EXCEPTION',
          `There is no state or province with the ISO code '${String(ns.isoCode)}' in '${String(nc.isoCode)}'. You can't create states or change their ISO codes through the Metadata API.`,
          ['isoCode']
        );
      }
      if (enabled && oldStates[sIdx].active === true && ns.active === false) {
        throw err(
          'FIELD_INTEGRITY_EXCEPTION',
          `You can't deactivate the state or province '${String(nc.isoCode)}-${String(ns.isoCode)}' after State and Country/Territory Picklists are enabled.`,
          ['active']
        );
      }
      oldStates[sIdx] = { ...oldStates[sIdx], ...ns };
    }
    const { states: _ignored, ...rest } = nc;
    oldCountries[idx] = { ...oc, ...rest, ...(oldStates.length ? { states: oldStates } : {}) };
    checkAddressEntry(oldCountries[idx], (nc.states ?? []) as Country[]);
  }
  return orderContent('AddressSettings', { ...existing, ...patch, countriesAndStates: { countries: oldCountries } });
}

function certByIdOrName(map: ComponentMap, idOrName: string, byId: boolean): MetadataComponent | undefined {
  const certs = map.get('Certificate');
  if (!certs) return undefined;
  for (const c of certs.values()) {
    if (byId ? c.id.slice(0, 15) === idOrName.slice(0, 15) && idOrName.length >= 15 : c.fullName.toLowerCase() === idOrName.toLowerCase()) return c;
  }
  return undefined;
}

/** SamlSsoConfig fields, the label the platform names them by, and their maximum length (Field Reference, SamlSsoConfig). */
const SAML_FIELD_LENGTHS: Array<[field: string, label: string, max: number]> = [
  ['attributeName', 'Attribute Name', 255],
  ['attributeNameIdFormat', 'Name ID Format', 255],
  ['errorUrl', 'Custom Error URL', 500],
  ['issuer', 'Issuer', 255],
  ['loginUrl', 'Identity Provider Login URL', 1500],
  ['logoutUrl', 'Identity Provider Logout URL', 1500],
  ['name', 'Label', 80],
  ['samlEntityId', 'Entity ID', 255],
  ['singleLogoutUrl', 'Identity Provider Single Logout URL', 255],
  ['validationCert', 'Identity Provider Certificate', 4000],
];

const CERT_NAME_RULE =
  'The Certificate Unique Name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.';

/** Setup's rules for a certificate's Unique Name (checked when it is created) and its label (at most 64 characters). */
function checkCertificateNames(fullName: string, content: Content, exists: boolean): void {
  if (!exists) {
    if (fullName.length > 80) throw err('STRING_TOO_LONG', `Unique Name: data value too large: ${fullName} (max length=80)`, ['fullName']);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(fullName) || fullName.includes('__') || fullName.endsWith('_')) {
      throw err('FIELD_INTEGRITY_EXCEPTION', CERT_NAME_RULE, ['fullName']);
    }
  }
  const label = String(content.masterLabel ?? '');
  if (label.length > 64) throw err('STRING_TOO_LONG', `Label: data value too large: ${label} (max length=64)`, ['masterLabel']);
}

const ECA_CHILD_TYPES = new Set([
  'ExtlClntAppOauthSettings',
  'ExtlClntAppGlobalOauthSettings',
  'ExtlClntAppOauthConfigurablePolicies',
  'ExtlClntAppConfigurablePolicies',
  'ExtlClntAppMobileSettings',
  'ExtlClntAppMobileConfigurablePolicies',
  'ExtlClntAppCanvasSettings',
  'ExtlClntAppPushSettings',
  'ExtlClntAppPushConfigurablePolicies',
  'ExtlClntAppSamlSettings',
  'ExtlClntAppSamlConfigurablePolicies',
  'ExtlClntAppNotificationSettings',
]);

/**
 * Applies one create/update/upsert to `map` after the platform rules. Content must already be WSDL-valid.
 * Throws SalesforceError (becomes SaveResult.errors / a deploy componentFailure).
 */
export async function saveComponent(
  ctx: MetadataContext,
  map: ComponentMap,
  type: string,
  fullName: string,
  input: Content,
  body: Buffer | undefined,
  mode: WriteMode
): Promise<SaveOutcome> {
  if (!fullName) throw err('REQUIRED_FIELD_MISSING', 'Required field is missing: fullName', ['fullName']);
  const settings = isSettingsType(type);
  if (settings && fullName !== settingsFullName(type)) {
    throw err('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no ${type} named ${fullName} found`, ['fullName']);
  }
  const existing = findComponent(map, type, fullName);
  const exists = Boolean(existing) || settings;
  if (mode === 'create' && exists) {
    throw err('DUPLICATE_DEVELOPER_NAME', `There is already a ${type} named ${fullName}.`, ['fullName']);
  }
  if (mode === 'update' && !exists) {
    throw err('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no ${type} named ${fullName} found`, ['fullName']);
  }
  const { fullName: _fn, content: contentB64, ...rest } = input as Content & { content?: string };
  let content: Content = rest;
  if (contentB64 !== undefined && body === undefined && contentB64 !== null) body = Buffer.from(String(contentB64), 'base64');

  // ---- per-type platform rules
  // Spring '26 (Help article 005228017: "Connected App creation via APIs (including the Metadata API) is blocked in the
  // same way as the UI"). This runs after the WSDL check, so a ConnectedApp without contactEmail or label gets
  // REQUIRED_FIELD_MISSING first even where creation is off. Which of the two a real org reports first, and its exact
  // refusal text and status code, are unconfirmed (no source found).
  if (type === 'ConnectedApp' && !existing && mode !== 'seed' && !ctx.flags.connectedAppCreationAllowed) {
    throw err(
      'FIELD_INTEGRITY_EXCEPTION',
      `You can't create the connected app ${fullName}: creating connected apps is disabled for this org. Create an external client app instead, or ask Salesforce Support to allow connected app creation.`
    );
  }
  if (ECA_CHILD_TYPES.has(type)) {
    const eca = String(content.externalClientApplication ?? '');
    if (!findComponent(map, 'ExternalClientApplication', eca)) {
      throw err('INVALID_CROSS_REFERENCE_KEY', `In field: externalClientApplication - no ExternalClientApplication named ${eca} found`, [
        'externalClientApplication',
      ]);
    }
  }
  if (type === 'ExtlClntAppSamlConfigurablePolicies') {
    // Metadata API Developer Guide, ExtlClntAppSamlConfigurablePolicies: SAML apps can't be packaged, so the parent
    // app must be Local, and its ExtlClntAppConfigurablePolicies must have isSamlPluginEnabled set to true.
    const eca = String(content.externalClientApplication ?? '');
    const parent = findComponent(map, 'ExternalClientApplication', eca);
    if (parent && String(parent.content.distributionState ?? 'Local') !== 'Local') {
      throw err('FIELD_INTEGRITY_EXCEPTION', `The external client app ${eca} has a SAML configuration, so its distribution state must be Local.`, ['externalClientApplication']);
    }
    const plugins = [...(map.get('ExtlClntAppConfigurablePolicies')?.values() ?? [])].find((c) => String(c.content.externalClientApplication).toLowerCase() === eca.toLowerCase());
    const samlOn = plugins?.content.isSamlPluginEnabled === true || plugins?.content.isSamlPluginEnabled === 'true';
    if (!samlOn) {
      throw err('FIELD_INTEGRITY_EXCEPTION', `Enable the SAML plugin of the external client app ${eca} first: its ExtlClntAppConfigurablePolicies must set isSamlPluginEnabled to true.`, ['externalClientApplication']);
    }
  }
  if (type === 'SamlSsoConfig') {
    // The lengths of the SamlSsoConfig object's fields (Salesforce Field Reference, SamlSsoConfig): longer values are refused.
    if (!existing && fullName.length > 80) throw err('STRING_TOO_LONG', `Name: data value too large: ${fullName} (max length=80)`, ['fullName']);
    for (const [field, label, max] of SAML_FIELD_LENGTHS) {
      const v = content[field];
      if (typeof v === 'string' && v.length > max) {
        throw err('STRING_TOO_LONG', `${label}: data value too large: ${v.length > 100 ? `${v.slice(0, 100)}...` : v} (max length=${max})`, [field]);
      }
    }
    const signing = content.requestSigningCertId as string | undefined;
    if (signing && !certByIdOrName(map, signing, true)) {
      throw err('INVALID_CROSS_REFERENCE_KEY', `In field: requestSigningCertId - no Certificate with id ${signing} found`, ['requestSigningCertId']);
    }
    const decryption = content.decryptionCertificate as string | undefined;
    if (decryption && !certByIdOrName(map, decryption, false)) {
      throw err('INVALID_CROSS_REFERENCE_KEY', `In field: decryptionCertificate - no Certificate named ${decryption} found`, ['decryptionCertificate']);
    }
    const validation = String(content.validationCert ?? '');
    if (validation.includes('-----BEGIN') || !parseCertificate(validation)) {
      throw err('FIELD_INTEGRITY_EXCEPTION', 'Invalid certificate: validationCert must be the identity provider certificate, base64-encoded DER without PEM header lines', [
        'validationCert',
      ]);
    }
    // Identity in an attribute: the configuration must say which attribute (Setup requires "Attribute Name" then).
    if (content.identityLocation === 'Attribute' && (content.attributeName === undefined || content.attributeName === null || String(content.attributeName).trim() === '')) {
      throw err('REQUIRED_FIELD_MISSING', 'Required field is missing: attributeName (identityLocation is Attribute)', ['attributeName']);
    }
    // Just-in-Time provisioning with an Apex handler: the handler is an ApexClass run as an active User, one needs the other.
    const jitHandler = content.samlJitHandlerId === undefined || content.samlJitHandlerId === '' ? undefined : String(content.samlJitHandlerId as string);
    const execUser = content.executionUserId === undefined || content.executionUserId === '' ? undefined : String(content.executionUserId as string);
    if (jitHandler && !execUser) {
      throw err('FIELD_INTEGRITY_EXCEPTION', 'An execution user is required when a SAML JIT handler is specified', ['executionUserId']);
    }
    if (execUser && !jitHandler) {
      throw err('FIELD_INTEGRITY_EXCEPTION', 'An execution user can only be specified together with a SAML JIT handler', ['samlJitHandlerId']);
    }
    if (jitHandler && (!jitHandler.startsWith('01p') || !ctx.ops.get('ApexClass', jitHandler))) {
      throw err('INVALID_CROSS_REFERENCE_KEY', `In field: samlJitHandlerId - no ApexClass with id ${jitHandler} found`, ['samlJitHandlerId']);
    }
    if (execUser) {
      const user = execUser.startsWith('005') ? ctx.ops.get('User', execUser) : undefined;
      if (!user) throw err('INVALID_CROSS_REFERENCE_KEY', `In field: executionUserId - no User with id ${execUser} found`, ['executionUserId']);
      if (user.IsActive !== true) {
        throw err('FIELD_INTEGRITY_EXCEPTION', `The execution user ${String(user.Username)} is inactive. Choose an active user.`, ['executionUserId']);
      }
    }
  }
  // A permission set assigned to users may only hold what their licences allow (store.ts checkPermissionSetSave).
  if (type === 'PermissionSet') ctx.checkPermissionSet?.(existing?.fullName ?? fullName, content);
  if (type === 'IdentityProviderSettings' && content.enableIdentityProvider === true) {
    const certName = String(content.certificateName ?? '');
    if (!certByIdOrName(map, certName, false)) {
      throw err('INVALID_CROSS_REFERENCE_KEY', `In field: certificateName - no Certificate named ${certName} found`, ['certificateName']);
    }
  }

  let privateKey: KeyObject | undefined;
  if (type === 'Certificate') {
    checkCertificateNames(fullName, content, Boolean(existing));
    const keySize = content.keySize === undefined ? 2048 : Number(content.keySize);
    if (keySize !== 2048 && keySize !== 4096) {
      throw err('FIELD_INTEGRITY_EXCEPTION', `Invalid key size ${keySize}: the key size must be 2048 or 4096`, ['keySize']);
    }
    const empty = !body || body.toString('utf8').trim() === '';
    if (!empty) {
      const cert = parseCertificate(body as Buffer);
      if (!cert) throw err('FIELD_INTEGRITY_EXCEPTION', 'The certificate file is not a valid X.509 certificate', ['content']);
      content = { ...content, expirationDate: new Date(cert.validTo).toISOString() };
    } else if (existing?.body) {
      // An update without a body keeps the certificate and its key: a generated key's size, type and expiry are fixed.
      const old = existing.content;
      if (content.keySize !== undefined && old.keySize !== undefined && Number(content.keySize) !== Number(old.keySize)) {
        throw err('FIELD_INTEGRITY_EXCEPTION', `You can't change the key size of the certificate ${existing.fullName} after it's saved. Create a new certificate instead.`, ['keySize']);
      }
      if (content.caSigned !== undefined && old.caSigned !== undefined && String(content.caSigned) !== String(old.caSigned)) {
        throw err('FIELD_INTEGRITY_EXCEPTION', `You can't change the type of the certificate ${existing.fullName} after it's saved. Create a new certificate instead.`, ['caSigned']);
      }
      body = existing.body;
      content = { ...content, expirationDate: old.expirationDate, keySize: old.keySize ?? content.keySize };
    } else if (content.caSigned === true) {
      throw err('FIELD_INTEGRITY_EXCEPTION', 'A CA-signed certificate needs a certificate signing request and the signed certificate upload, which the Metadata API cannot do', ['caSigned']);
    } else {
      // Salesforce sets a generated certificate's expiry itself: 1 year after creation for 2048 bits, 2 years for 4096
      // (Metadata API Developer Guide, Certificate.expirationDate), whatever expirationDate the request holds. Only a
      // seed (a certificate the org made earlier) keeps its date. The key is exportable unless the request says not.
      let notAfter = new Date(Date.now() + (keySize === 4096 ? 730 : 365) * 24 * 3600 * 1000);
      if (content.privateKeyExportable === undefined) content = { ...content, privateKeyExportable: true };
      if (mode === 'seed' && content.expirationDate) {
        notAfter = new Date(String(content.expirationDate));
        if (Number.isNaN(notAfter.getTime()) || notAfter.getTime() <= Date.now()) {
          throw err('FIELD_INTEGRITY_EXCEPTION', 'The expiration date must be in the future', ['expirationDate']);
        }
      }
      const gen = await generateSelfSigned(ctx.orgId, fullName, keySize, notAfter);
      body = Buffer.from(gen.pem);
      privateKey = gen.privateKey;
      content = { ...content, expirationDate: notAfter.toISOString().replace(/\.\d{3}Z$/, '.000Z'), keySize };
    }
  }

  // OAuth consumer credentials are write-only: an update that leaves them out (a deploy from source control, where
  // secrets must not be) keeps the app's key and secret rather than erasing them.
  if (existing && type === 'ExtlClntAppGlobalOauthSettings') {
    for (const k of ['consumerKey', 'consumerSecret']) if (content[k] === undefined && existing.content[k] !== undefined) content = { ...content, [k]: existing.content[k] };
  }
  if (existing && type === 'ConnectedApp' && content.oauthConfig && typeof content.oauthConfig === 'object') {
    const oldOauth = (existing.content.oauthConfig ?? {}) as Content;
    let oauth = content.oauthConfig as Content;
    for (const k of ['consumerKey', 'consumerSecret']) if (oauth[k] === undefined && oldOauth[k] !== undefined) oauth = { ...oauth, [k]: oldOauth[k] };
    content = { ...content, oauthConfig: oauth };
  }

  // ---- merge (settings) and store
  const base = existing?.content ?? {};
  if (type === 'AddressSettings' && existing) content = mergeAddressSettings(ctx, base, content);
  else if (settings) content = deepMerge(type, base, content);
  else content = orderContent(type, content);
  if (type === 'Certificate') content = orderContent(type, { ...content, content: undefined });

  const now = new Date().toISOString();
  const component: MetadataComponent = {
    type,
    fullName: existing?.fullName ?? fullName,
    content: { fullName: existing?.fullName ?? fullName, ...content },
    lastModifiedDate: now,
    createdDate: existing?.createdDate ?? now,
    id: existing?.id ?? ctx.newId(keyPrefixOf(type)),
  };
  const finalBody = body ?? existing?.body;
  if (finalBody) component.body = finalBody;
  setComponent(map, component);
  return { created: !existing && !settings, component, ...(privateKey ? { privateKey } : {}) };
}

/** Deletes a component (rules: settings and AddressSettings countries cannot be deleted). */
export function deleteComponent(ctx: MetadataContext, map: ComponentMap, type: string, fullName: string): MetadataComponent {
  if (isSettingsType(type)) throw err('INVALID_OPERATION', `Cannot delete ${type}: settings can only be updated`, ['fullName']);
  const found = findComponent(map, type, fullName);
  if (!found) throw err('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no ${type} named ${fullName} found`, ['fullName']);
  if (type === 'Certificate') {
    for (const saml of map.get('SamlSsoConfig')?.values() ?? []) {
      const c = saml.content;
      if (c.decryptionCertificate === found.fullName || String(c.requestSigningCertId ?? '').slice(0, 15) === found.id.slice(0, 15)) {
        throw err('DELETE_FAILED', `This certificate is in use by the SAML single sign-on configuration ${saml.fullName}.`);
      }
    }
    const idp = findComponent(map, 'IdentityProviderSettings', 'IdentityProvider')?.content;
    const idpOn = idp?.enableIdentityProvider === true || idp?.enableIdentityProvider === 'true';
    if (idpOn && String(idp?.certificateName ?? '').toLowerCase() === found.fullName.toLowerCase()) {
      throw err('DELETE_FAILED', 'This certificate is in use by the identity provider. Disable the identity provider or choose another certificate for it first.');
    }
  }
  if (type === 'ExternalClientApplication') {
    for (const t of ECA_CHILD_TYPES) {
      for (const child of map.get(t)?.values() ?? []) {
        if (String(child.content.externalClientApplication).toLowerCase() === found.fullName.toLowerCase()) {
          throw err('DELETE_FAILED', `This external client app is referenced by ${t} ${child.fullName}. Delete it first.`);
        }
      }
    }
  }
  removeComponent(map, type, found.fullName);
  privateKeys.get(ctx.components)?.delete(found.fullName);
  return found;
}

// ---------------------------------------------------------------------------------------------- seeding

/** Validates (WSDL order, types, required fields, platform rules), stores and announces a component. For seeds. */
export async function putComponent(
  ctx: MetadataContext,
  type: string,
  fullName: string,
  content: Content,
  body?: Buffer
): Promise<MetadataComponent> {
  const xml = plainToXml('m', { fullName, ...content }).replace(/^<m>/, '<m xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">');
  const node = parseXml(xml);
  const errors: ValidationError[] = validateComponent(type, node, type === 'Certificate' ? ['content'] : []);
  if (errors.length) throw new SalesforceError(errors[0].kind === 'parse' ? 'INVALID_TYPE' : 'REQUIRED_FIELD_MISSING', errors[0].message);
  const { component, privateKey } = await saveComponent(ctx, ctx.components, type, fullName, toContent(type, node), body, 'seed');
  if (privateKey) commitPrivateKey(ctx, component.fullName, privateKey);
  ctx.onChange(type, component.fullName, component);
  return component;
}

/** Read view of a component: settings that were never written read as their defaults. */
export function readComponent(map: ComponentMap, type: string, fullName: string): MetadataComponent | undefined {
  const found = findComponent(map, type, fullName);
  if (found) return found;
  if (isSettingsType(type) && fullName === settingsFullName(type)) {
    const now = new Date(0).toISOString();
    return { type, fullName, content: { fullName }, lastModifiedDate: now, createdDate: now, id: '' };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------- defaults

type StateDef = [iso: string, name: string];
const US_STATES: StateDef[] = [
  ['AK', 'Alaska'], ['AL', 'Alabama'], ['AR', 'Arkansas'], ['AZ', 'Arizona'], ['CA', 'California'], ['CO', 'Colorado'],
  ['CT', 'Connecticut'], ['DC', 'District of Columbia'], ['DE', 'Delaware'], ['FL', 'Florida'], ['GA', 'Georgia'], ['HI', 'Hawaii'],
  ['IA', 'Iowa'], ['ID', 'Idaho'], ['IL', 'Illinois'], ['IN', 'Indiana'], ['KS', 'Kansas'], ['KY', 'Kentucky'], ['LA', 'Louisiana'],
  ['MA', 'Massachusetts'], ['MD', 'Maryland'], ['ME', 'Maine'], ['MI', 'Michigan'], ['MN', 'Minnesota'], ['MO', 'Missouri'],
  ['MS', 'Mississippi'], ['MT', 'Montana'], ['NC', 'North Carolina'], ['ND', 'North Dakota'], ['NE', 'Nebraska'], ['NH', 'New Hampshire'],
  ['NJ', 'New Jersey'], ['NM', 'New Mexico'], ['NV', 'Nevada'], ['NY', 'New York'], ['OH', 'Ohio'], ['OK', 'Oklahoma'], ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'], ['RI', 'Rhode Island'], ['SC', 'South Carolina'], ['SD', 'South Dakota'], ['TN', 'Tennessee'], ['TX', 'Texas'],
  ['UT', 'Utah'], ['VA', 'Virginia'], ['VT', 'Vermont'], ['WA', 'Washington'], ['WI', 'Wisconsin'], ['WV', 'West Virginia'], ['WY', 'Wyoming'],
];
const CA_PROVINCES: StateDef[] = [
  ['AB', 'Alberta'], ['BC', 'British Columbia'], ['MB', 'Manitoba'], ['NB', 'New Brunswick'], ['NL', 'Newfoundland and Labrador'],
  ['NS', 'Nova Scotia'], ['NT', 'Northwest Territories'], ['NU', 'Nunavut'], ['ON', 'Ontario'], ['PE', 'Prince Edward Island'],
  ['QC', 'Quebec'], ['SK', 'Saskatchewan'], ['YT', 'Yukon Territories'],
];
const AU_STATES: StateDef[] = [
  ['ACT', 'Australian Capital Territory'], ['NSW', 'New South Wales'], ['NT', 'Northern Territory'], ['QLD', 'Queensland'],
  ['SA', 'South Australia'], ['TAS', 'Tasmania'], ['VIC', 'Victoria'], ['WA', 'Western Australia'],
];
const COUNTRIES: Array<[iso: string, name: string, states?: StateDef[]]> = [
  ['AU', 'Australia', AU_STATES],
  ['BR', 'Brazil'],
  ['CA', 'Canada', CA_PROVINCES],
  ['CH', 'Switzerland'],
  ['DE', 'Germany'],
  ['ES', 'Spain'],
  ['FR', 'France'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['IN', 'India'],
  ['IT', 'Italy'],
  ['JP', 'Japan'],
  ['MX', 'Mexico'],
  ['NL', 'Netherlands'],
  ['US', 'United States', US_STATES],
];

/** The settings of a new org: SecuritySettings, AddressSettings (integration values = full names), IdentityProviderSettings. */
export function defaultSettings(): Array<{ type: string; fullName: string; content: Content }> {
  const state = ([iso, name]: StateDef): Content => ({ active: true, integrationValue: name, isoCode: iso, label: name, standard: true, visible: true });
  const countries = COUNTRIES.map(([iso, name, states]) => ({
    active: true,
    integrationValue: name,
    isoCode: iso,
    label: name,
    orgDefault: false,
    standard: true,
    ...(states ? { states: states.map(state) } : {}),
    visible: true,
  }));
  return [
    {
      type: 'SecuritySettings',
      fullName: 'Security',
      content: orderContent('SecuritySettings', {
        enableAdminLoginAsAnyUser: false,
        enableRequireHttpsConnection: true,
        singleSignOnSettings: {
          enableCaseInsensitiveFederationID: false,
          enableForceDelegatedCallout: false,
          enableMultipleSamlConfigs: true,
          enableSamlJitProvisioning: false,
          enableSamlLogin: false,
          isLoginWithSalesforceCredentialsDisabled: false,
        },
      }),
    },
    { type: 'AddressSettings', fullName: 'Address', content: orderContent('AddressSettings', { countriesAndStates: { countries } }) },
    { type: 'IdentityProviderSettings', fullName: 'IdentityProvider', content: { certificateName: '', enableIdentityProvider: false } },
  ];
}

/** Stores the default settings in a context (no onChange: a new org's state). */
export function installDefaultSettings(ctx: MetadataContext): void {
  const now = new Date().toISOString();
  for (const s of defaultSettings()) {
    if (findComponent(ctx.components, s.type, s.fullName)) continue;
    setComponent(ctx.components, {
      type: s.type,
      fullName: s.fullName,
      content: { fullName: s.fullName, ...s.content },
      createdDate: now,
      lastModifiedDate: now,
      id: '',
    });
  }
}
