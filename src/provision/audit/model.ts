/*
 * The audit's vocabulary: a check (a stable id, what it looks for, how bad a finding is, where to read more) and a
 * finding (which configuration, certificate, app or users, with the evidence and the fix: the `sf provision` command
 * where one exists, else the Setup step).
 */

export type Severity = 'error' | 'warning' | 'note';

/** Where a finding lives in the org, as a source-format path when it is metadata (for SARIF locations). */
export type FindingLocation = { component: string; path?: string };

export type Finding = {
  checkId: string;
  severity: Severity;
  message: string;
  location: FindingLocation;
  /** What was seen: counts, values, a sample of users. */
  evidence: Record<string, unknown>;
  /** The `sf provision ...` command that fixes it, when this plugin has one. */
  fixCommand?: string;
  /** The Setup step, when only Setup can fix it. */
  fixSetup?: string;
};

export type Check<C> = {
  id: string;
  title: string;
  /** One line for the README and SARIF's rule help. */
  help: string;
  severity: Severity;
  run: (ctx: C) => Finding[];
};

export const SOURCE_PATHS = {
  samlConfig: (name: string): string => `samlssoconfigs/${name}.samlssoconfig-meta.xml`,
  certificate: (name: string): string => `certs/${name}.crt-meta.xml`,
  security: 'settings/Security.settings-meta.xml',
  identityProvider: 'settings/IdentityProvider.settings-meta.xml',
  address: 'settings/Address.settings-meta.xml',
  connectedApp: (name: string): string => `connectedApps/${name}.connectedApp-meta.xml`,
  eca: (name: string): string => `externalClientApps/${name}.eca-meta.xml`,
} as const;

export const HELP_URI = 'https://github.com/plugin-provision/plugin-provision#audit-checks';
