import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, outputDirFlag, type PlanResult } from '../../../provision/command.js';
import { IDENTITY_LOCATIONS, IDENTITY_TYPES, isValidSamlConfigName } from '../../../provision/resources/saml-config.js';
import { orgSpecificFileWarning } from '../../../provision/sso-files.js';
import { federationIdWarning, planSamlConfigSpec, ssoConfigureSpec, type IdentityProviderSummary } from '../../../provision/sso-configure.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.sso.configure');

export type SsoConfigureResult = PlanResult & {
  /** What the identity provider input said: its entity ID and the certificate chosen to trust. */
  identityProvider?: IdentityProviderSummary;
};

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
    if (!isValidSamlConfigName(flags.name)) throw messages.createError('error.InvalidName', [flags.name]);
    const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
    const { change, identityProvider, myDomainUrl, warnings } = await planSamlConfigSpec(client, ssoConfigureSpec(flags), { cmd: this });
    for (const w of warnings) this.warn(w);
    const lockedOut = await federationIdWarning(client, change);
    const result = await carryOut(this, client, [change], { dryRun: flags['dry-run'], outputDir: flags['output-dir'] });
    const orgSpecific = orgSpecificFileWarning([change], flags['output-dir'], myDomainUrl);
    for (const w of [orgSpecific, lockedOut]) if (w) this.warn(w);
    return { ...result, identityProvider };
  }
}
