import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { dryRunFlag, outputDirFlag } from '../../../provision/command.js';
import { SAML_SIGNING_ALGORITHMS, SAML_SUBJECT_TYPES } from '../../../provision/resources/external-client-app.js';
import { appSpecFromFlags, planApp } from '../../../provision/apps.js';
import { appRunFromFlags, applyApp, type AppCreateResult } from '../../../provision/apps-apply.js';

export type { AppCreateResult } from '../../../provision/apps-apply.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.app.create');

/**
 * `app create`: the flags become the app's spec (src/provision/apps.ts) and run options; the library plans the spec
 * against the org and carries the plan out (src/provision/apps-apply.ts).
 */
export default class AppCreate extends SfCommand<AppCreateResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    name: Flags.string({ summary: messages.getMessage('flags.name.summary'), required: true }),
    label: Flags.string({ summary: messages.getMessage('flags.label.summary') }),
    type: Flags.option({ summary: messages.getMessage('flags.type.summary'), options: ['external-client-app', 'connected-app'] as const, default: 'external-client-app' })(),
    scopes: Flags.string({ summary: messages.getMessage('flags.scopes.summary') }),
    'callback-url': Flags.url({ summary: messages.getMessage('flags.callback-url.summary') }),
    'client-credentials-user': Flags.string({ summary: messages.getMessage('flags.client-credentials-user.summary') }),
    certificate: Flags.file({ summary: messages.getMessage('flags.certificate.summary'), exists: true }),
    'refresh-token-policy': Flags.string({ summary: messages.getMessage('flags.refresh-token-policy.summary') }),
    'admin-approved': Flags.boolean({ summary: messages.getMessage('flags.admin-approved.summary'), allowNo: true }),
    'permission-sets': Flags.string({ summary: messages.getMessage('flags.permission-sets.summary') }),
    profiles: Flags.string({ summary: messages.getMessage('flags.profiles.summary') }),
    'contact-email': Flags.string({ summary: messages.getMessage('flags.contact-email.summary') }),
    description: Flags.string({ summary: messages.getMessage('flags.description.summary') }),
    'secret-file': Flags.file({ summary: messages.getMessage('flags.secret-file.summary'), exclusive: ['output-dir'] }),
    'show-secret': Flags.boolean({ summary: messages.getMessage('flags.show-secret.summary'), default: false, exclusive: ['output-dir'] }),
    saml: Flags.boolean({ summary: messages.getMessage('flags.saml.summary'), default: false }),
    'acs-url': Flags.url({ summary: messages.getMessage('flags.acs-url.summary') }),
    'entity-id': Flags.string({ summary: messages.getMessage('flags.entity-id.summary') }),
    'subject-type': Flags.option({ summary: messages.getMessage('flags.subject-type.summary'), options: SAML_SUBJECT_TYPES.filter((t) => t !== 'CustomAttribute') })(),
    'name-id-format': Flags.string({ summary: messages.getMessage('flags.name-id-format.summary') }),
    'signing-algorithm': Flags.option({ summary: messages.getMessage('flags.signing-algorithm.summary'), options: SAML_SIGNING_ALGORITHMS })(),
    'idp-cert': Flags.string({ summary: messages.getMessage('flags.idp-cert.summary') }),
    // No default on purpose: without --wait the command does not wait at all (0 means one attempt).
    // eslint-disable-next-line sf-plugin/flag-min-max-default
    wait: Flags.duration({ unit: 'minutes', min: 0, max: 60, summary: messages.getMessage('flags.wait.summary'), exclusive: ['output-dir', 'dry-run'] }),
    'dry-run': dryRunFlag,
    'output-dir': outputDirFlag,
  };

  public async run(): Promise<AppCreateResult> {
    const { flags } = await this.parse(AppCreate);
    const run = appRunFromFlags(flags);
    const spec = appSpecFromFlags(flags);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const planned = await planApp(client, spec, { forFiles: Boolean(run.outputDir), cmd: this });
    return applyApp(this, client, planned, run);
  }
}
