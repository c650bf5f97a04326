/*
 * `jit enable` and `jit disable` without the command: a JIT spec (the SAML configuration, the Apex handler and the user that runs it, by
 * name, as the desired-state file names them), its validation against the org (the handler and the user resolved to
 * ids), and its plan: the configuration's JIT fields, the legacy org-wide flag where it still applies, and warnings
 * (SAML login off, apps that look like API/SCIM provisioning, a class that may not be a JIT handler).
 */
import { Messages } from '@salesforce/core';
import type { SfCommand } from '@salesforce/sf-plugins-core';
import type { OrgClient } from './client.js';
import type { Change } from './plan.js';
import { progressOf, type Progress } from './progress.js';
import {
  implementsSamlJitHandler,
  pickApexClass,
  planJit,
  planLegacyJitSetting,
  provisioningConflicts,
  readApexClasses,
  readProvisioningAppFacts,
  readUserByUsername,
  type ProvisioningConflict,
} from './resources/jit.js';
import { readSamlConfigOrNames, type SamlSsoConfigContent } from './resources/saml-config.js';
import { readSsoSettingsRaw } from './resources/sso-settings.js';
import { unknownConfigError } from './sso-files.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.jit.enable');
/** `jit disable`'s errors say how to turn JIT off, not how to set it up. */
const disableMessages = Messages.loadMessages('plugin-provision', 'provision.jit.disable');

/** Just-in-Time provisioning on one SAML configuration; standard JIT without a handler. */
export type JitSpec = {
  /** The SAML configuration's API name. */
  samlConfig: string;
  enabled: boolean;
  /** An Apex class implementing Auth.SamlJitHandler ("Class" or "namespace.Class"); needs `executionUser`. */
  handler?: string;
  /** The username of the user that runs the handler (needs Manage Users). */
  executionUser?: string;
};

export type JitEnableFlags = { name: string; handler?: string; 'execution-user'?: string };
export type JitDisableFlags = { name: string };

export type JitPlan = {
  changes: Change[];
  /** OAuth apps that look like API/SCIM provisioning (a conflict with JIT). */
  provisioningApps: ProvisioningConflict[];
  warnings: string[];
};

/** The spec `jit enable`'s flags describe. */
export const jitEnableSpec = (flags: JitEnableFlags): JitSpec => ({
  samlConfig: flags.name,
  enabled: true,
  ...(flags.handler !== undefined ? { handler: flags.handler } : {}),
  ...(flags['execution-user'] !== undefined ? { executionUser: flags['execution-user'] } : {}),
});

/** The spec `jit disable`'s flags describe. */
export const jitDisableSpec = (flags: JitDisableFlags): JitSpec => ({ samlConfig: flags.name, enabled: false });

const APP_KIND: Record<ProvisioningConflict['type'], string> = {
  ExternalClientApplication: 'External Client App',
  ConnectedApp: 'connected app',
};

/** The Apex handler's and the execution user's ids; errors when either is unusable, a warning for a doubtful class. */
const resolveHandler = async (
  p: Progress,
  client: OrgClient,
  handlerName: string,
  username: string,
  warnings: string[]
): Promise<{ handlerId: string; executionUserId: string }> => {
  const { classes, user } = await p.step('Looking up the Apex handler and its execution user', async () => ({
    classes: await readApexClasses(client, handlerName),
    user: await readUserByUsername(client, username),
  }));
  const handler = pickApexClass(classes);
  if (classes.length === 0) throw messages.createError('error.HandlerNotFound', [handlerName]);
  if (!handler) {
    const namespaces = classes.map((c) => c.namespace ?? '(none)');
    throw messages.createError('error.HandlerAmbiguous', [handlerName, namespaces.join(', ')], [`${classes[0].namespace ?? ''}.${classes[0].name}`]);
  }
  if (!user) throw messages.createError('error.UserNotFound', [username]);
  if (!user.isActive) throw messages.createError('error.UserInactive', [user.username]);
  if (!user.manageUsers) throw messages.createError('error.UserCannotManageUsers', [user.username]);
  if (implementsSamlJitHandler(handler.body) === false) warnings.push(messages.getMessage('warning.NotAJitHandler', [handlerName, handler.name]));
  return { handlerId: handler.id, executionUserId: user.id };
};

/** OAuth apps that look like API/SCIM provisioning, each with a warning; a failed check is a warning too. */
const findProvisioningApps = async (p: Progress, client: OrgClient, configName: string, warnings: string[]): Promise<ProvisioningConflict[]> => {
  let apps: ProvisioningConflict[];
  try {
    apps = provisioningConflicts(await p.step('Looking for API/SCIM provisioning apps', () => readProvisioningAppFacts(client)));
  } catch (e) {
    warnings.push(messages.getMessage('warning.ScimCheckFailed', [e instanceof Error ? e.message : String(e)]));
    return [];
  }
  for (const app of apps) {
    const label = app.label && app.label !== app.name ? ` (${app.label})` : '';
    warnings.push(messages.getMessage('warning.ScimConflict', [APP_KIND[app.type], app.name, label, app.reason, configName]));
  }
  return apps;
};

/**
 * What the same plan sets before JIT: the SAML configuration as planned (a new one, or one the plan changes) and the
 * SSO settings as planned. JIT is planned on top of them instead of on the org's.
 */
export type JitPlanned = { config?: SamlSsoConfigContent; ssoSettings?: Record<string, boolean> };

/**
 * Checks the spec, reads the configuration and the org's SSO settings (or takes them as the same plan sets them), resolves the handler and its user to ids and
 * plans JIT. Enabling also checks for provisioning apps and SAML login; disabling plans the fields alone. Errors are
 * SfErrors with their fix; warnings are returned, not shown.
 */
export const planJitSpec = async (client: OrgClient, spec: JitSpec, cmd?: SfCommand<unknown>, planned: JitPlanned = {}): Promise<JitPlan> => {
  if (spec.enabled && spec.handler && !spec.executionUser) throw messages.createError('error.HandlerWithoutUser');
  if (spec.enabled && spec.executionUser && !spec.handler) throw messages.createError('error.UserWithoutHandler');
  const msgs = spec.enabled ? messages : disableMessages;
  const p = progressOf(cmd, msgs);
  const warnings: string[] = [];
  const { target, sso } = await p.step(`Reading the SAML configuration ${spec.samlConfig}`, async () => ({
    target: planned.config ? { config: planned.config, names: [planned.config.fullName] } : await readSamlConfigOrNames(client, spec.samlConfig),
    sso: planned.ssoSettings ?? (await readSsoSettingsRaw(client)),
  }));
  if (!target.config) throw unknownConfigError(msgs, spec.samlConfig, target.names);
  if (!spec.enabled) {
    const legacyOff = planLegacyJitSetting(sso, false);
    return { changes: [planJit(target.config, { enabled: false }), ...(legacyOff ? [legacyOff] : [])], provisioningApps: [], warnings };
  }

  const handler = spec.handler && spec.executionUser ? await resolveHandler(p, client, spec.handler, spec.executionUser, warnings) : undefined;
  const provisioningApps = await findProvisioningApps(p, client, target.config.fullName, warnings);
  if (sso.enableSamlLogin === false) warnings.push(messages.getMessage('warning.SamlDisabled'));

  const changes: Change[] = [planJit(target.config, { enabled: true, ...handler })];
  const legacy = planLegacyJitSetting(sso, true);
  if (legacy) changes.push(legacy);
  return { changes, provisioningApps, warnings };
};
