import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, step, type PlanResult } from '../../../provision/command.js';
import {
  desiredFromIdpMetadata,
  IDENTITY_LOCATIONS,
  IDENTITY_TYPES,
  isValidSamlConfigName,
  planSamlConfig,
  readSamlConfigRaw,
  resolveCertificates,
  type SamlBinding,
  type SamlSsoConfigContent,
  type SamlSsoConfigDesired,
} from '../../../provision/resources/saml-config.js';
import { asString } from '../../../provision/resources/values.js';
import type { IdpMetadata } from '../../../provision/saml/idp-metadata.js';
import { normalizeMyDomainUrl } from '../../../provision/saml/sp-metadata.js';
import {
  guard,
  orgSpecificFileWarning,
  readCertificateFile,
  readIdpMetadataFile,
  summarizeCertificate,
  type CertificateSummary,
} from '../../../provision/sso-files.js';
import type { CertificateFile } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

export type SsoConfigureResult = PlanResult & {
  /** What the identity provider input said: its entity ID and the certificate chosen to trust. */
  identityProvider?: { entityId?: string; loginUrl?: string; certificate?: CertificateSummary };
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

    const myDomainUrl = normalizeMyDomainUrl(conn.instanceUrl);
    const change = await guard(() => planSamlConfig(current, desired, { myDomainUrl }));
    const result = await carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning([change], flags['output-dir'], myDomainUrl);
    if (orgSpecific) this.warn(orgSpecific);
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
    for (const w of [...(idp?.warnings ?? []), ...(certFile?.warnings ?? [])]) this.warn(w);
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
