import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import { readCertificateBody } from '../../../provision/resources/certificate.js';
import { readIdentityProvider } from '../../../provision/resources/identity-provider.js';
import { buildIdpMetadata, salesforceIdpEndpoints } from '../../../provision/saml/idp-own-metadata.js';
import { parseCertificateFile, type CertificateFile } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.idp.metadata');

export type IdpMetadataResult = {
  entityId: string;
  ssoPostUrl: string;
  ssoRedirectUrl: string;
  sloPostUrl: string;
  sloRedirectUrl: string;
  certificate: { name: string; subject: string; notAfter: string; sha256Fingerprint: string };
  /** Absolute path of the file written with --output-file. */
  outputFile?: string;
  /** The metadata document (UTF-8 XML). */
  xml: string;
};

export default class IdpMetadata extends SfCommand<IdpMetadataResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'output-file': Flags.file({ summary: messages.getMessage('flags.output-file.summary') }),
  };

  public async run(): Promise<IdpMetadataResult> {
    const { flags } = await this.parse(IdpMetadata);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const client = new OrgClient(conn);
    const settings = await step(this, 'Reading the identity provider settings', messages, () => readIdentityProvider(client));
    if (!settings.enableIdentityProvider || !settings.certificateName) throw messages.createError('error.IdpNotEnabled');
    const certName = settings.certificateName;
    const body = await step(this, `Reading the certificate ${certName}`, messages, () => readCertificateBody(client, certName));
    if (!body?.length) throw messages.createError('error.CertMissing', [certName]);
    let cert: CertificateFile;
    try {
      cert = parseCertificateFile(body);
    } catch (e) {
      throw messages.createError('error.CertUnreadable', [certName, e instanceof Error ? e.message : String(e)]);
    }

    const endpoints = salesforceIdpEndpoints(conn.instanceUrl);
    const xml = buildIdpMetadata({ ...endpoints, signingCertBase64Der: cert.base64Der });
    for (const w of cert.warnings) this.warn(`${certName}: ${w}`);

    let outputFile: string | undefined;
    if (flags['output-file']) {
      outputFile = resolve(flags['output-file']);
      await mkdir(dirname(outputFile), { recursive: true });
      await writeFile(outputFile, xml, 'utf8');
      this.logSuccess(messages.getMessage('info.written', [endpoints.entityId, certName, outputFile]));
    } else {
      this.log(xml.trimEnd());
    }
    return {
      ...endpoints,
      certificate: { name: certName, subject: cert.subject, notAfter: cert.notAfter, sha256Fingerprint: cert.sha256Fingerprint },
      ...(outputFile ? { outputFile } : {}),
      xml,
    };
  }
}
