import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { step } from '../../../provision/command.js';
import {
  CertificateLookupError,
  findCertificate,
  readCertificateBody,
  readCertificates,
  type CertificateState,
} from '../../../provision/resources/certificate.js';
import { daysUntil } from '../../../provision/resources/values.js';
import { certificateDetails, certificatesIn, isSigningRequest, type CertificateDetails } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.cert.download');

export type CertDownloadResult = CertificateDetails & {
  /** API name (DeveloperName). */
  name: string;
  label: string;
  daysLeft?: number;
  /** The certificate (and any chain the org holds with it) as PEM. Public: never a private key. */
  pem: string;
  /** Absolute path of the written file, with --output-file. */
  file?: string;
};

export default class CertDownload extends SfCommand<CertDownloadResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary'), required: true }),
    'output-file': Flags.string({ summary: messages.getMessage('flags.output-file.summary') }),
  };

  public async run(): Promise<CertDownloadResult> {
    const { flags } = await this.parse(CertDownload);
    const file = flags['output-file'] ? resolve(flags['output-file']) : undefined;
    // Before any call to the org: a folder given as the file is a mistake to report now, not after the download.
    if (file && (await stat(file).catch(() => undefined))?.isDirectory()) throw messages.createError('error.OutputIsDirectory', [file], [file]);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const certs = await step(this, 'Reading the certificates', messages, () => readCertificates(client));
    let cert: CertificateState;
    try {
      cert = findCertificate(certs, flags.label);
    } catch (e) {
      if (!(e instanceof CertificateLookupError)) throw e;
      throw messages.createError(e.code === 'AMBIGUOUS_CERTIFICATE' ? 'error.Ambiguous' : 'error.NotFound', e.values);
    }
    const body = await step(this, `Downloading ${cert.name}`, messages, () => readCertificateBody(client, cert.name));
    if (!body) throw messages.createError('error.NotFound', [flags.label, certs.map((c) => c.name).join(', ')]);
    const chain = certificatesIn(body);
    if (chain.length === 0) {
      throw messages.createError(isSigningRequest(body) ? 'error.SigningRequest' : 'error.NoCertificate', [cert.name]);
    }
    // Only the certificate blocks, re-encoded: nothing else the file might hold is passed on.
    const pem = chain.map((c) => c.pem).join('');
    const details = certificateDetails(chain[0]);
    const result: CertDownloadResult = {
      name: cert.name,
      label: cert.label,
      ...details,
      daysLeft: daysUntil(details.notAfter),
      pem,
    };

    const info = messages.getMessage('info.details', [
      cert.label,
      cert.name,
      details.subject,
      details.notAfter.slice(0, 10),
      String(result.daysLeft ?? ''),
      details.sha256Fingerprint,
    ]);
    if (file) {
      // Like "idp metadata": the folder is created when missing.
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, pem);
      result.file = file;
      this.log(info);
      this.logSuccess(messages.getMessage('info.written', [file]));
    } else {
      this.logToStderr(info);
      this.log(pem.trimEnd());
    }
    return result;
  }
}
