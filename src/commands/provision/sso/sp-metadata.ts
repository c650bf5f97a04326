import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { nameIdFormatFor, readDecryptionCertificate, readRequestSigningCertificate } from '../../../provision/resources/saml-config.js';
import { asString } from '../../../provision/resources/values.js';
import { buildSpMetadata, salesforceSpEndpoints, SamlMetadataBuildError } from '../../../provision/saml/sp-metadata.js';
import { guard, readExistingConfig } from '../../../provision/sso-files.js';
import { describeCertificateText } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.sp-metadata');

export type SsoSpMetadataResult = {
  name: string;
  entityId: string;
  /** Where the identity provider posts its SAML responses (HTTP-POST). */
  acsUrl: string;
  /** Salesforce's single logout endpoint, when the configuration uses single logout. */
  sloUrl?: string;
  nameIdFormat: string;
  /** The org certificate the configuration signs its requests with (the identity provider checks them with it). */
  requestSigningCertificate?: { name: string; sha256Fingerprint: string; notAfter: string };
  /** The org certificate the identity provider encrypts assertions for (the configuration's decryption certificate). */
  encryptionCertificate?: { name: string; sha256Fingerprint: string; notAfter: string };
  /** The metadata XML. */
  xml: string;
  outputFile?: string;
};

export default class SsoSpMetadata extends SfCommand<SsoSpMetadataResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), char: 'n', required: true }),
    'output-file': Flags.string({ summary: messages.getMessage('flags.output-file.summary'), char: 'f' }),
  };

  public async run(): Promise<SsoSpMetadataResult> {
    const { flags } = await this.parse(SsoSpMetadata);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const config = await readExistingConfig(this, client, flags.name);
    const { signing, encryption } = await step(this, messages.getMessage('info.readingCertificate'), messages, () =>
      guard(async () => ({ signing: await readRequestSigningCertificate(client, config), encryption: await readDecryptionCertificate(client, config) }))
    );

    let endpoints: ReturnType<typeof salesforceSpEndpoints>;
    try {
      endpoints = salesforceSpEndpoints(conn.instanceUrl, org.getOrgId());
    } catch (e) {
      if (e instanceof SamlMetadataBuildError) throw messages.createError('error.InvalidInstanceUrl', [e.message]);
      throw e;
    }
    const entityId = asString(config.samlEntityId) ?? endpoints.entityId;
    const nameIdFormat = nameIdFormatFor(config);
    const sloUrl = asString(config.singleLogoutUrl) ? endpoints.sloUrl : undefined;
    const xml = buildSpMetadata({
      entityId,
      acsUrl: endpoints.acsUrl,
      ...(sloUrl ? { sloUrl, sloBinding: config.singleLogoutBinding === 'RedirectBinding' ? 'redirect' : 'post' } : {}),
      ...(signing ? { signingCertBase64Der: signing.base64Der } : {}),
      ...(encryption ? { encryptionCertBase64Der: encryption.base64Der } : {}),
      nameIdFormat,
    });

    let outputFile: string | undefined;
    if (flags['output-file']) {
      outputFile = resolve(flags['output-file']);
      await mkdir(dirname(outputFile), { recursive: true });
      await writeFile(outputFile, xml);
      this.logSuccess(messages.getMessage('info.written', [config.fullName, outputFile]));
    } else {
      this.log(xml.trimEnd());
    }
    const summary = (c: { name: string; base64Der: string }): { name: string; sha256Fingerprint: string; notAfter: string } => {
      const d = describeCertificateText(c.base64Der);
      return { name: c.name, sha256Fingerprint: d.sha256Fingerprint, notAfter: d.notAfter };
    };
    return {
      name: config.fullName,
      entityId,
      acsUrl: endpoints.acsUrl,
      ...(sloUrl ? { sloUrl } : {}),
      nameIdFormat,
      ...(signing ? { requestSigningCertificate: summary(signing) } : {}),
      ...(encryption ? { encryptionCertificate: summary(encryption) } : {}),
      xml,
      ...(outputFile ? { outputFile } : {}),
    };
  }
}
