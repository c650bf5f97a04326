/*
 * `login-page add` and `login-page remove` without the command: a SAML configuration's button on the My Domain login
 * page as the desired-state file names it (the configuration by API name or label, shown or not), its plan, and what
 * the page shows afterwards.
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { PlanResult } from './command.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import {
  loginPageAfter,
  planLoginPageButton,
  readLoginPageContext,
  type IdentityProviderRef,
  type LoginPageContext,
  type LoginPageState,
  type LoginPageSummary,
} from './resources/login-page.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const addMessages = Messages.loadMessages('plugin-provision', 'provision.login-page.add');
const removeMessages = Messages.loadMessages('plugin-provision', 'provision.login-page.remove');

/** A SAML configuration's button on the My Domain login page. */
export type LoginPageButtonSpec = {
  /** The SAML configuration's API name or label. */
  samlConfig: string;
  /** Whether its button shows on the login page. */
  shown: boolean;
};

export type LoginPageButtonPlan = {
  changes: Change[];
  /** What was read: the login page, the org's SAML configurations and Auth. Providers, whether SAML is on. */
  context: LoginPageContext;
  page: LoginPageState;
  /** The SAML configuration the spec names. */
  target: IdentityProviderRef;
  /** A button added while SAML is off for the org (it does not show until SAML is on). */
  warnings: string[];
};

/** The spec `login-page add`'s flags describe. */
export const loginPageAddSpec = (flags: { sso: string }): LoginPageButtonSpec => ({ samlConfig: flags.sso, shown: true });

/** The spec `login-page remove`'s flags describe. */
export const loginPageRemoveSpec = (flags: { sso: string }): LoginPageButtonSpec => ({ samlConfig: flags.sso, shown: false });

const messagesOf = (spec: LoginPageButtonSpec): Messages<string> => (spec.shown ? addMessages : removeMessages);

/**
 * What the same plan sets before the button: SAML configurations it creates (their id a reference to the change that
 * creates them, filled in by apply) and whether SAML is on once it has run.
 */
export type LoginPagePlanned = { configs?: IdentityProviderRef[]; samlEnabled?: boolean };

/**
 * Reads the login page, the org's SAML configurations and Auth. Providers and the SSO settings (with what the same
 * plan creates and sets), resolves the
 * configuration the spec names and plans its button. Errors are SfErrors with their fix (no login page, no such
 * configuration); warnings are returned, not shown.
 */
export const planLoginPageButtonSpec = async (
  client: OrgClient,
  spec: LoginPageButtonSpec,
  cmd?: SfCommand<unknown>,
  planned: LoginPagePlanned = {}
): Promise<LoginPageButtonPlan> => {
  const messages = messagesOf(spec);
  const read = await progressOf(cmd, messages).step('Reading the My Domain login page', () => readLoginPageContext(client));
  const configs = [...read.configs, ...(planned.configs ?? []).filter((c) => !read.configs.some((r) => r.name.toLowerCase() === c.name.toLowerCase()))];
  const context: LoginPageContext = { ...read, configs, samlEnabled: planned.samlEnabled ?? read.samlEnabled };
  const plan = planLoginPageButton(context, spec.samlConfig, spec.shown);
  if ('problem' in plan) throw messages.createError(`error.${plan.problem}`, plan.values);
  const warnings = spec.shown && !context.samlEnabled ? [messages.getMessage('warning.SamlOff', [plan.target.name])] : [];
  return { ...plan, context, warnings };
};

/**
 * Shows what the login page offers once the plan has run (or would, with --dry-run): the plan's warnings, a warning
 * when removing the button leaves no way in, the buttons and the login form. Returns the page as the result reports it.
 */
export const renderLoginPageButton = (cmd: SfCommand<unknown>, spec: LoginPageButtonSpec, plan: LoginPageButtonPlan, result: PlanResult): LoginPageSummary => {
  const messages = messagesOf(spec);
  const loginPage = loginPageAfter(plan.context, plan.page, result.changes);
  for (const w of plan.warnings) cmd.warn(w);
  if (!spec.shown && result.changed && loginPage.providers.length === 0 && !loginPage.loginForm) {
    cmd.warn(messages.getMessage('warning.NoWayIn', [plan.page.label]));
  }
  // With --dry-run the list is what the page would show: said so, since nothing is on the page yet.
  const providersKey = result.dryRun && result.changed ? 'info.providersAfterPlan' : 'info.providers';
  cmd.log(messages.getMessage(providersKey, [plan.page.label, loginPage.providers.join(', ') || messages.getMessage('info.noProviders')]));
  cmd.log(messages.getMessage('info.loginForm', [messages.getMessage(loginPage.loginForm ? 'info.shown' : 'info.hidden')]));
  return loginPage;
};
