import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import {
  DEFAULT_COMMON_NAME,
  DEFAULT_DAYS,
  generateKeyPairAndCertificate,
  isSafeBaseName,
  KeyPairFileExistsError,
  MAX_DAYS,
  writeKeyPair,
  type KeySize,
} from '../../../provision/certs/generate.js';
import type { CertificateDetails } from '../../../provision/x509.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.cert.generate');

/** What was generated. Never the private key: only the path of its file. */
export type CertGenerateResult = CertificateDetails & {
  keyFile: string;
  certificateFile: string;
};

export default class CertGenerate extends SfCommand<CertGenerateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'output-dir': Flags.directory({ summary: messages.getMessage('flags.output-dir.summary'), required: true }),
    'common-name': Flags.string({ summary: messages.getMessage('flags.common-name.summary'), default: DEFAULT_COMMON_NAME }),
    days: Flags.integer({ summary: messages.getMessage('flags.days.summary'), default: DEFAULT_DAYS, min: 1, max: MAX_DAYS }),
    'key-size': Flags.string({ summary: messages.getMessage('flags.key-size.summary'), options: ['2048', '4096'], default: '2048' }),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), default: 'server' }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), default: false }),
  };

  public async run(): Promise<CertGenerateResult> {
    const { flags } = await this.parse(CertGenerate);
    if (!isSafeBaseName(flags.name)) throw messages.createError('error.InvalidName', [flags.name]);
    const commonName = flags['common-name'].trim();
    if (!commonName) throw messages.createError('error.InvalidCommonName');
    const keySize = Number(flags['key-size']) as KeySize;

    this.spinner.start(`Generating a ${keySize}-bit RSA key pair`);
    const pair = await generateKeyPairAndCertificate({ commonName, days: flags.days, keySize });
    let files: { keyFile: string; certificateFile: string };
    try {
      files = await writeKeyPair(flags['output-dir'], flags.name, pair, { force: flags.force });
    } catch (e) {
      this.spinner.stop('failed');
      if (e instanceof KeyPairFileExistsError) throw messages.createError('error.FileExists', [e.file]);
      throw e;
    }
    this.spinner.stop();

    const { details } = pair;
    this.logSuccess(
      messages.getMessage('info.generated', [
        String(keySize),
        files.keyFile,
        files.certificateFile,
        details.subject,
        details.notAfter.slice(0, 10),
        details.sha256Fingerprint,
      ])
    );
    this.log(messages.getMessage('info.next', [files.certificateFile, files.keyFile]));
    return { ...details, ...files };
  }
}
