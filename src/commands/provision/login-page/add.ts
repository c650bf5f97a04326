import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages, type Org } from '@salesforce/core';
import { OrgClient } from '../../../provision/client.js';
import { carryOut, dryRunFlag, step, type PlanResult } from '../../../provision/command.js';
import {
  findSamlSsoConfig,
  planLoginPageProvider,
  providersAfter,
  readAuthProviderRefs,
  readLoginPage,
  readSamlSsoConfigRefs,
  type IdentityProviderRef,
} from '../../../provision/resources/login-page.js';
import { readSsoSettings } from '../../../provision/resources/sso-settings.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.login-page.add');

export type LoginPageResult = PlanResult & {
  loginPage: {
    /** DeveloperName of the login page's AuthConfig. */
    name: string;
    url?: string;
    /** The username and password form shows (changeable in Setup only). */
    loginForm: boolean;
    /** SAML single sign-on is on for the org (buttons of SAML configurations show only then). */
    samlEnabled: boolean;
    /** API names of the identity providers on the page after this command (as planned with --dry-run). */
    providers: string[];
  };
};

export type LoginPageAddResult = LoginPageResult;

type LoginPageFlags = { 'target-org': Org; 'api-version'?: string; sso: string; 'dry-run': boolean };

/** Reads the login page, plans the button, carries the plan out and reports the page. Shared by add and remove. */
export const changeLoginPage = async (
  cmd: SfCommand<LoginPageResult>,
  msgs: Messages<string>,
  flags: LoginPageFlags,
  present: boolean
): Promise<LoginPageResult> => {
  const client = new OrgClient(flags['target-org'].getConnection(flags['api-version']));
  const { page, configs, authProviders, sso } = await step(cmd, 'Reading the My Domain login page', msgs, async () => {
    const [p, c, a, s] = await Promise.all([
      readLoginPage(client),
      readSamlSsoConfigRefs(client),
      // Auth. Providers only name existing buttons; an org that hides them from the API still works.
      readAuthProviderRefs(client).catch((): IdentityProviderRef[] => []),
      readSsoSettings(client),
    ]);
    return { page: p, configs: c, authProviders: a, sso: s };
  });
  if (!page) throw msgs.createError('error.NoLoginPage');
  const target = findSamlSsoConfig(configs, flags.sso);
  if (!target) {
    if (configs.length === 0) throw msgs.createError('error.NoSsoConfigs', [flags.sso]);
    const names = configs.map((c) => (c.label && c.label !== c.name ? `${c.name} (${c.label})` : c.name)).join(', ');
    throw msgs.createError('error.UnknownSso', [flags.sso, names]);
  }

  const changes = planLoginPageProvider(page, target, present);
  const result = await carryOut(cmd, client, changes, { dryRun: flags['dry-run'] });
  const providers = providersAfter(page, result.changes, [...configs, ...authProviders]);

  if (present && !sso.samlEnabled) cmd.warn(msgs.getMessage('warning.SamlOff', [target.name]));
  if (!present && result.changed && providers.length === 0 && !page.loginForm) cmd.warn(msgs.getMessage('warning.NoWayIn', [page.label]));
  cmd.log(msgs.getMessage('info.providers', [page.label, providers.length ? providers.join(', ') : msgs.getMessage('info.noProviders')]));
  cmd.log(msgs.getMessage('info.loginForm', [msgs.getMessage(page.loginForm ? 'info.shown' : 'info.hidden')]));

  return {
    ...result,
    loginPage: { name: page.developerName, url: page.url, loginForm: page.loginForm, samlEnabled: sso.samlEnabled, providers },
  };
};

export default class LoginPageAdd extends SfCommand<LoginPageAddResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    sso: Flags.string({ summary: messages.getMessage('flags.sso.summary'), required: true }),
    'dry-run': dryRunFlag,
  };

  public async run(): Promise<LoginPageAddResult> {
    const { flags } = await this.parse(LoginPageAdd);
    return changeLoginPage(this, messages, flags, true);
  }
}
