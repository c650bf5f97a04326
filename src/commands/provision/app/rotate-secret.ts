import { rm } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, step, type PlanResult } from '../../../provision/command.js';
import { generateConsumerSecret, writeSecretFile } from '../../../provision/secrets.js';
import { planSecretRotation, readExternalClientApp, withSecret } from '../../../provision/resources/external-client-app.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.rotate-secret');

export type AppRotateSecretResult = PlanResult & { name: string; secretFile?: string; consumerSecret?: string };

export default class AppRotateSecret extends SfCommand<AppRotateSecretResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), required: true }),
    'secret-file': Flags.file({ summary: messages.getMessage('flags.secret-file.summary') }),
    'show-secret': Flags.boolean({ summary: messages.getMessage('flags.show-secret.summary'), default: false }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<AppRotateSecretResult> {
    const { flags } = await this.parse(AppRotateSecret);
    if (!flags['dry-run'] && !flags['secret-file'] && !flags['show-secret']) throw messages.createError('error.SecretNowhere');
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const current = await step(this, `Reading the app ${flags.name}`, messages, () => readExternalClientApp(client, flags.name));
    if (!current?.global) throw messages.createError('error.NotFound', [flags.name]);
    const change = planSecretRotation(current);
    if (flags['dry-run']) return { ...(await carryOut(this, client, [change], { dryRun: true })), name: current.name };
    const secret = generateConsumerSecret();
    const file = flags['secret-file'];
    if (file) {
      try {
        await writeSecretFile(file, secret);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw messages.createError('error.SecretFileExists', [file]);
        throw e;
      }
    }
    let result: PlanResult;
    try {
      result = await carryOut(this, client, withSecret([change], secret), { dryRun: false });
    } catch (e) {
      if (file) await rm(file, { force: true });
      throw e;
    }
    if (file) this.logSuccess(messages.getMessage('info.secretFile', [file]));
    if (flags['show-secret']) this.log(messages.getMessage('info.secret', [secret]));
    return { ...result, name: current.name, ...(file ? { secretFile: file } : {}), ...(flags['show-secret'] ? { consumerSecret: secret } : {}) };
  }
}
