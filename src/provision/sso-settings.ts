/*
 * `sso enable` and `sso disable` without the command: the org's single sign-on settings as the desired-state file
 * names them (SAML on or off, Federation ID matching), and their plan, with what turning SAML off leaves on the login
 * page (a note when logging in with a password is off too, a warning when the page offers no way in).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf } from './progress.js';
import { readLoginPage, type LoginPageState } from './resources/login-page.js';
import { planSsoSettings, readSsoSettingsRaw } from './resources/sso-settings.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const enableMessages = Messages.loadMessages('plugin-provision', 'provision.sso.enable');
const disableMessages = Messages.loadMessages('plugin-provision', 'provision.sso.disable');

/** The org's single sign-on settings (Setup > Single Sign-On Settings). */
export type SsoSettingsSpec = {
  /** SAML single sign-on on or off. */
  samlEnabled: boolean;
  /** Whether Federation IDs match case-insensitively; left as the org has it when absent. */
  federationIdCaseInsensitive?: boolean;
};

export type SsoSettingsPlan = { changes: Change[]; warnings: string[] };

/** The spec `sso enable`'s flags describe: --[no-]federation-id-case-insensitive, or the org's value without it. */
export const ssoEnableSpec = (flags: { 'federation-id-case-insensitive'?: boolean }): SsoSettingsSpec => ({
  samlEnabled: true,
  ...(flags['federation-id-case-insensitive'] !== undefined ? { federationIdCaseInsensitive: flags['federation-id-case-insensitive'] } : {}),
});

/** The spec `sso disable` describes. */
export const ssoDisableSpec = (): SsoSettingsSpec => ({ samlEnabled: false });

/**
 * Reads the org's single sign-on settings (and, to turn SAML off, the login page) and plans the spec's. Turning SAML
 * off notes when logging in with Salesforce credentials is off too, and warns when the login page then offers no way
 * in (its login form hidden). Warnings are returned, not shown.
 */
export const planSsoSettingsSpec = async (client: OrgClient, spec: SsoSettingsSpec, cmd?: SfCommand<unknown>): Promise<SsoSettingsPlan> => {
  if (spec.samlEnabled) {
    const current = await progressOf(cmd, enableMessages).step('Reading the single sign-on settings', () => readSsoSettingsRaw(client));
    return { changes: [planSsoSettings(current, { samlEnabled: true, federationIdCaseInsensitive: spec.federationIdCaseInsensitive })], warnings: [] };
  }
  const { current, page } = await progressOf(cmd, disableMessages).step('Reading the single sign-on settings and the login page', async () => ({
    current: await readSsoSettingsRaw(client),
    // The login page only feeds a warning: a user who cannot read AuthConfig still gets SAML turned off.
    page: await readLoginPage(client).catch((): LoginPageState | undefined => undefined),
  }));
  const change = planSsoSettings(current, { samlEnabled: false, federationIdCaseInsensitive: spec.federationIdCaseInsensitive });
  const warnings: string[] = [];
  if (current.isLoginWithSalesforceCredentialsDisabled && change.action !== 'none') {
    change.note = disableMessages.getMessage('info.credentialsDisabled');
  }
  // The login form is hidden: once SAML is off, the SAML buttons go too, and the page offers no way in.
  if (change.action !== 'none' && page && !page.loginForm) warnings.push(disableMessages.getMessage('warning.NoWayIn', [page.label]));
  return { changes: [change], warnings };
};
