/*
 * The audit's checks: each a stable id, a pure function of the context read once (context.ts), and findings with
 * their evidence and fix. The ids are documented in the README ("Audit checks"); never reuse or renumber one.
 */
import { describeIdpCertificate } from '../resources/saml-details.js';
import { asBool, asString } from '../resources/values.js';
import type { AuditContext } from './context.js';
import { SOURCE_PATHS, type Check, type Finding } from './model.js';

type C = AuditContext;

const samlEnabled = (ctx: C): boolean | undefined => (ctx.sso ? ctx.sso.enableSamlLogin === true : undefined);

const SAML_OFF_WITH_CONFIGS: Check<C> = {
  id: 'SSO001',
  title: 'SAML single sign-on is off while SAML configurations exist',
  help: 'Users cannot log in through the identity provider until SAML is enabled in Single Sign-On Settings.',
  severity: 'error',
  run: (ctx) =>
    samlEnabled(ctx) === false && ctx.configs.length
      ? [
          {
            checkId: 'SSO001',
            severity: 'error',
            message: `SAML is off, so none of the ${ctx.configs.length} SAML configuration(s) can be used to log in.`,
            location: { component: 'SecuritySettings:Security', path: SOURCE_PATHS.security },
            evidence: { configurations: ctx.configs.map((c) => c.fullName) },
            fixCommand: 'sf provision sso enable --target-org <org>',
          },
        ]
      : [],
};

const NO_SAML_CONFIG: Check<C> = {
  id: 'SSO002',
  title: 'SAML is on but no SAML configuration exists',
  help: 'SAML single sign-on is enabled with nothing to sign in through: configure the identity provider or turn SAML off.',
  severity: 'warning',
  run: (ctx) =>
    samlEnabled(ctx) === true && !ctx.configs.length && !ctx.unreadable['SAML configurations']
      ? [
          {
            checkId: 'SSO002',
            severity: 'warning',
            message: 'SAML is on but the org has no SAML configuration.',
            location: { component: 'SecuritySettings:Security', path: SOURCE_PATHS.security },
            evidence: { samlConfigurations: 0 },
            fixCommand: 'sf provision sso configure --name <Name> --idp-metadata <idp-metadata.xml> --target-org <org>',
          },
        ]
      : [],
};

const ORPHAN_LOGIN_BUTTON: Check<C> = {
  id: 'SSO003',
  title: 'A login-page button for a SAML configuration that does not exist',
  help: 'The My Domain login page shows a button whose SAML configuration was deleted: it leads nowhere.',
  severity: 'warning',
  run: (ctx) => {
    const lp = ctx.loginPage;
    if (!lp?.page) return [];
    const known = [...lp.configs, ...lp.authProviders].map((c) => String(c.id).slice(0, 15));
    return lp.page.providers
      .filter((p) => !known.includes(p.authProviderId.slice(0, 15)))
      .map(
        (p): Finding => ({
          checkId: 'SSO003',
          severity: 'warning',
          message: `The login page ${lp.page!.label} shows a button for ${p.authProviderId}, which is no SAML configuration or Auth. Provider of the org.`,
          location: { component: `AuthConfigProviders:${p.id}` },
          evidence: { loginPage: lp.page!.label, authProviderId: p.authProviderId },
          fixSetup: 'Setup > My Domain > Authentication Configuration > Edit: untick the missing identity provider.',
        })
      );
  },
};

const IDP_CERTIFICATE: Check<C> = {
  id: 'CERT001',
  title: "An identity provider's signing certificate expired or expiring",
  help: 'Salesforce refuses assertions signed by a certificate it no longer trusts; rotate it before it expires.',
  severity: 'error',
  run: (ctx) =>
    ctx.configs.flatMap((c): Finding[] => {
      const { certificate } = describeIdpCertificate(asString(c.validationCert), ctx.now);
      if (!certificate || certificate.daysLeft > ctx.expiryDays) return [];
      const expired = certificate.expired || certificate.daysLeft < 0;
      return [
        {
          checkId: 'CERT001',
          severity: expired ? 'error' : 'warning',
          message: expired
            ? `The identity provider certificate of ${c.fullName} expired on ${certificate.notAfter.slice(0, 10)}: logins through it fail.`
            : `The identity provider certificate of ${c.fullName} expires in ${certificate.daysLeft} day(s), on ${certificate.notAfter.slice(0, 10)}.`,
          location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) },
          evidence: { subject: certificate.subject, sha256Fingerprint: certificate.sha256Fingerprint, notAfter: certificate.notAfter, daysLeft: certificate.daysLeft },
          fixCommand: `sf provision sso update-cert --name ${c.fullName} --idp-metadata <new idp-metadata.xml> --target-org <org>`,
        },
      ];
    }),
};

const ORG_CERTIFICATE: Check<C> = {
  id: 'CERT002',
  title: 'An org certificate in use expired or expiring, or weaker than 2048 bits',
  help: 'Request-signing, decryption and identity-provider certificates of the org must be valid and at least 2048-bit.',
  severity: 'error',
  run: (ctx) => {
    const used = new Map<string, string[]>();
    const use = (name: string | undefined, what: string): void => {
      if (name) used.set(name.toLowerCase(), [...(used.get(name.toLowerCase()) ?? []), what]);
    };
    for (const c of ctx.configs) {
      const signing = asString(c.requestSigningCertId);
      const byId = signing ? ctx.certificates.find((x) => x.id.slice(0, 15) === signing.slice(0, 15)) : undefined;
      use(byId?.name, `request signing of ${c.fullName}`);
      use(asString(c.decryptionCertificate), `assertion decryption of ${c.fullName}`);
    }
    if (ctx.identityProvider?.enableIdentityProvider) use(ctx.identityProvider.certificateName, 'the identity provider');
    return ctx.certificates.flatMap((cert): Finding[] => {
      const uses = used.get(cert.name.toLowerCase());
      if (!uses) return [];
      const out: Finding[] = [];
      const base = { location: { component: `Certificate:${cert.name}`, path: SOURCE_PATHS.certificate(cert.name) }, fixCommand: 'sf provision cert create --label "<new label>" --target-org <org>' };
      if (cert.daysLeft !== undefined && cert.daysLeft <= ctx.expiryDays) {
        const expired = cert.daysLeft < 0;
        out.push({
          ...base,
          checkId: 'CERT002',
          severity: expired ? 'error' : 'warning',
          message: `The certificate ${cert.name} (${uses.join(', ')}) ${expired ? 'expired' : `expires in ${cert.daysLeft} day(s)`} on ${String(cert.expirationDate).slice(0, 10)}.`,
          evidence: { certificate: cert.name, uses, expirationDate: cert.expirationDate, daysLeft: cert.daysLeft },
        });
      }
      if (cert.keySize !== undefined && cert.keySize < 2048) {
        out.push({ ...base, checkId: 'CERT002', severity: 'warning', message: `The certificate ${cert.name} (${uses.join(', ')}) has a ${cert.keySize}-bit key; use 2048 bits or more.`, evidence: { certificate: cert.name, keySize: cert.keySize, uses } });
      }
      return out;
    });
  },
};

const PLAIN_HTTP: Check<C> = {
  id: 'SSO004',
  title: 'A SAML login or logout URL over plain http://',
  help: 'Assertions and logout requests sent over http:// can be read and replayed: use https://.',
  severity: 'error',
  run: (ctx) =>
    ctx.configs.flatMap((c) =>
      (['loginUrl', 'logoutUrl'] as const)
        .filter((f) => /^http:\/\//i.test(asString(c[f]) ?? ''))
        .map(
          (f): Finding => ({
            checkId: 'SSO004',
            severity: 'error',
            message: `The ${f === 'loginUrl' ? 'login' : 'logout'} URL of ${c.fullName} is plain http: ${String(c[f])}.`,
            location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) },
            evidence: { field: f, value: c[f] },
            fixCommand: `sf provision sso configure --name ${c.fullName} --${f === 'loginUrl' ? 'login-url' : 'logout-url'} https://... --target-org <org>`,
          })
        )
    ),
};

const FEDERATION_ID_MISSING: Check<C> = {
  id: 'FED001',
  title: 'Identity type Federation ID while active users have none',
  help: 'A configuration that matches users by Federation ID cannot log in users who have none.',
  severity: 'error',
  run: (ctx) => {
    const byFed = ctx.configs.filter((c) => c.identityMapping === 'FederationId');
    if (!byFed.length || !ctx.users?.activeWithoutFederationId) return [];
    return byFed.map((c) => ({
      checkId: 'FED001',
      severity: 'error' as const,
      message: `${ctx.users!.activeWithoutFederationId} active user(s) have no Federation ID, so ${c.fullName} cannot log them in (for example ${ctx.users!.sampleWithoutFederationId.join(', ')}).`,
      location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) },
      evidence: { count: ctx.users!.activeWithoutFederationId, sample: ctx.users!.sampleWithoutFederationId },
      fixCommand: 'sf provision users set-federation-id --from email --only-missing --target-org <org>',
    }));
  },
};

const FEDERATION_ID_DUPLICATES: Check<C> = {
  id: 'FED002',
  title: 'A Federation ID held by several users',
  help: 'Two users with one Federation ID (or IDs that differ only by case, which match case-insensitively) cannot both log in.',
  severity: 'error',
  run: (ctx) =>
    (ctx.users?.duplicateFederationIds ?? []).map((d) => ({
      checkId: 'FED002',
      severity: 'error' as const,
      message: `${d.count} users hold the Federation ID ${d.federationId} (compared case-insensitively).`,
      location: { component: 'User' },
      evidence: { federationId: d.federationId, users: d.count, caseInsensitive: asBool(ctx.sso?.enableCaseInsensitiveFederationID) },
      fixCommand: 'sf provision users set-federation-id --file <username,federationId.csv> --target-org <org>',
    })),
};

const JIT_WITH_PROVISIONING: Check<C> = {
  id: 'JIT001',
  title: 'JIT provisioning on while an API or SCIM provisioning app exists',
  help: 'Two systems creating users (JIT at login, SCIM or API provisioning) conflict: JumpCloud asks for JIT off.',
  severity: 'warning',
  run: (ctx) => {
    const provisioning = ctx.apps.filter((a) => a.clientCredentials);
    if (!provisioning.length) return [];
    return ctx.configs
      .filter((c) => asBool(c.userProvisioning))
      .map((c) => ({
        checkId: 'JIT001',
        severity: 'warning' as const,
        message: `JIT provisioning is on for ${c.fullName} while ${provisioning.map((a) => a.name).join(', ')} provision users through the API.`,
        location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) },
        evidence: { apps: provisioning.map((a) => a.name) },
        fixCommand: `sf provision jit disable --name ${c.fullName} --target-org <org>`,
      }));
  },
};

const API_USAGE: Check<C> = {
  id: 'API001',
  title: 'Daily API usage above 80%',
  help: 'Integrations stop when the org runs out of API requests for the day.',
  severity: 'warning',
  run: (ctx) => {
    const u = ctx.apiUsage;
    if (!u?.max || u.used / u.max <= 0.8) return [];
    return [
      {
        checkId: 'API001',
        severity: 'warning',
        message: `${u.used} of ${u.max} daily API requests used (${Math.round((100 * u.used) / u.max)}%).`,
        location: { component: 'Organization' },
        evidence: { used: u.used, max: u.max },
        fixSetup: 'Setup > Company Information: check API Requests, Last 24 Hours; find the heavy integration (Event Monitoring) or buy more.',
      },
    ];
  },
};

const PASSWORD_FORM_WITH_SSO: Check<C> = {
  id: 'LOGIN001',
  title: 'The username and password form is still offered next to single sign-on',
  help: 'With SSO in place, the password form lets users bypass the identity provider (and its MFA).',
  severity: 'note',
  run: (ctx) => {
    const page = ctx.loginPage?.page;
    if (!page?.loginForm || !page.providers.length || samlEnabled(ctx) !== true) return [];
    return [
      {
        checkId: 'LOGIN001',
        severity: 'note',
        message: `The login page ${page.label} offers the password form as well as ${page.providers.length} identity provider button(s).`,
        location: { component: `AuthConfig:${page.developerName}` },
        evidence: { loginPage: page.label, buttons: page.providers.length },
        fixSetup: 'Setup > My Domain > Authentication Configuration: untick Login Form once every user signs in through the identity provider (keep an admin with a password).',
      },
    ];
  },
};

const JIT_REFERENCES: Check<C> = {
  id: 'JIT002',
  title: 'A JIT handler class that does not exist, or an execution user who is inactive',
  help: 'Just-in-Time provisioning with an Apex handler fails at every login when the class is gone or its execution user is inactive.',
  severity: 'error',
  run: (ctx) => {
    const refs = ctx.jitRefs;
    if (!refs) return [];
    return ctx.configs
      .filter((c) => asBool(c.userProvisioning))
      .flatMap((c): Finding[] => {
        const handler = asString(c.samlJitHandlerId);
        const user = asString(c.executionUserId);
        const base = { checkId: 'JIT002', severity: 'error' as const, location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) } };
        const out: Finding[] = [];
        if (handler && !refs.classes.includes(handler.slice(0, 15))) {
          out.push({ ...base, message: `The JIT handler ${handler} of ${c.fullName} is no Apex class of the org: logins through it fail.`, evidence: { samlJitHandlerId: handler }, fixCommand: `sf provision jit enable --name ${c.fullName} --handler <Class> --execution-user <username> --target-org <org>` });
        }
        if (user && !refs.activeUsers.includes(user.slice(0, 15))) {
          const why = refs.inactiveUsers.includes(user.slice(0, 15)) ? 'is inactive' : 'is no user of the org';
          out.push({ ...base, message: `The JIT execution user ${user} of ${c.fullName} ${why}: the handler cannot run.`, evidence: { executionUserId: user }, fixCommand: `sf provision jit enable --name ${c.fullName} --handler <Class> --execution-user <active username> --target-org <org>` });
        }
        return out;
      });
  },
};

const PICKLISTS_NOT_ISO: Check<C> = {
  id: 'PICK001',
  title: 'State/Country picklists on, a SCIM provisioning app, and integration values that are not ISO codes',
  help: 'SCIM provisioning sends ISO codes (US, CA); with the picklists on, integration values must be the codes or users fail with FIELD_INTEGRITY_EXCEPTION.',
  severity: 'warning',
  run: (ctx) => {
    const p = ctx.picklists;
    const provisioning = ctx.apps.filter((a) => a.clientCredentials);
    if (!p?.enabled || !provisioning.length || !p.notIso.length) return [];
    return [
      {
        checkId: 'PICK001',
        severity: 'warning',
        message: `${p.notIso.length} country or state integration value(s) are not ISO codes (for example ${p.notIso.slice(0, 5).join(', ')}) while ${provisioning.map((a) => a.name).join(', ')} provision users.`,
        location: { component: 'AddressSettings:Address', path: SOURCE_PATHS.address },
        evidence: { count: p.notIso.length, sample: p.notIso.slice(0, 10) },
        fixCommand: 'sf provision picklists align --integration-values iso --target-org <org>',
      },
    ];
  },
};

const CLIENT_CREDENTIALS_WITHOUT_USER: Check<C> = {
  id: 'APP001',
  title: 'A client-credentials app without a run-as user',
  help: 'The client credentials flow issues tokens for its run-as user: without one the integration gets no token.',
  severity: 'error',
  run: (ctx) =>
    ctx.apps
      .filter((a) => a.clientCredentials && !a.runAsUser)
      .map((a) => ({
        checkId: 'APP001',
        severity: 'error' as const,
        message: `The app ${a.name} has the client credentials flow on but no run-as user.`,
        location: { component: `${a.type}:${a.name}`, path: a.type === 'ConnectedApp' ? SOURCE_PATHS.connectedApp(a.name) : SOURCE_PATHS.eca(a.name) },
        evidence: { app: a.name, type: a.type },
        fixCommand: `sf provision app create --name ${a.name} --client-credentials-user <integration username> --target-org <org>`,
      })),
};

const CONNECTED_APPS: Check<C> = {
  id: 'APP002',
  title: 'Connected apps that cannot be recreated since Spring \'26',
  help: "Since Spring '26 orgs refuse new connected apps: one deleted cannot be recreated; External Client Apps are the path forward.",
  severity: 'note',
  run: (ctx) =>
    ctx.apps
      .filter((a) => a.type === 'ConnectedApp')
      .map((a) => ({
        checkId: 'APP002',
        severity: 'note' as const,
        message: `${a.name} is a connected app: keep it, or move the integration to an External Client App (a deleted connected app cannot be recreated).`,
        location: { component: `ConnectedApp:${a.name}`, path: SOURCE_PATHS.connectedApp(a.name) },
        evidence: { app: a.name },
        fixCommand: `sf provision app create --name ${a.name}_ECA --type external-client-app ... --target-org <org>`,
      })),
};

/** Editions whose API access is not included (an add-on at most): integrations and these commands cannot work there. */
const NO_API_EDITIONS = ['Professional Edition', 'Group Edition', 'Essentials Edition', 'Team Edition', 'Base Edition'];

const EDITION_WITHOUT_API: Check<C> = {
  id: 'ORG001',
  title: 'An edition without API access',
  help: 'Professional and lower editions have no API access unless it was bought as an add-on: apps and permission sets for integrations do not work.',
  severity: 'warning',
  run: (ctx) =>
    ctx.edition && NO_API_EDITIONS.includes(ctx.edition)
      ? [
          {
            checkId: 'ORG001',
            severity: 'warning',
            message: `The org is ${ctx.edition}: API access for integrations needs the API add-on.`,
            location: { component: 'Organization' },
            evidence: { edition: ctx.edition },
            fixSetup: 'Ask your Salesforce account executive for the API add-on, or use Enterprise Edition or higher.',
          },
        ]
      : [],
};

const appLocation = (a: { name: string; type: string }): { component: string; path: string } => ({
  component: `${a.type}:${a.name}`,
  path: a.type === 'ConnectedApp' ? SOURCE_PATHS.connectedApp(a.name) : SOURCE_PATHS.eca(a.name),
});

const SHA1_REQUEST_SIGNING: Check<C> = {
  id: 'SSO005',
  title: 'SAML requests signed with SHA-1',
  help: 'SHA-1 signatures are deprecated and refused by a growing number of identity providers: sign with RSA-SHA256.',
  severity: 'warning',
  run: (ctx) =>
    ctx.configs
      // The metadata value for SHA-1 (SamlSsoConfig.requestSignatureMethod); RSA-SHA256 is the other (unconfirmed beyond the WSDL's string type).
      .filter((c) => /sha-?1$/i.test(asString(c.requestSignatureMethod) ?? ''))
      .map((c) => ({
        checkId: 'SSO005',
        severity: 'warning' as const,
        message: `${c.fullName} signs its SAML requests with ${String(c.requestSignatureMethod)}.`,
        location: { component: `SamlSsoConfig:${c.fullName}`, path: SOURCE_PATHS.samlConfig(c.fullName) },
        evidence: { requestSignatureMethod: c.requestSignatureMethod },
        fixSetup: `Setup > Single Sign-On Settings > ${c.fullName} > Edit: Request Signature Method RSA-SHA256.`,
      })),
};

const SAML_APP_WEAK: Check<C> = {
  id: 'APP003',
  title: "A SAML app's ACS URL over plain http://, or assertions signed with SHA-1",
  help: 'Salesforce as identity provider posts assertions to the ACS URL: over http:// they can be read and replayed; SHA-1 signatures are deprecated.',
  severity: 'error',
  run: (ctx) =>
    ctx.appDetails.flatMap((a): Finding[] => {
      const out: Finding[] = [];
      if (/^http:\/\//i.test(a.saml?.acsUrl ?? '')) {
        out.push({ checkId: 'APP003', severity: 'error', message: `The SAML app ${a.name} sends assertions to a plain http:// ACS URL: ${a.saml!.acsUrl!}.`, location: appLocation(a), evidence: { acsUrl: a.saml!.acsUrl }, fixCommand: `sf provision app create --name ${a.name} --saml --acs-url https://... --target-org <org>` });
      }
      if (/^sha-?1$/i.test(a.saml?.signingAlgorithm ?? '')) {
        out.push({ checkId: 'APP003', severity: 'warning', message: `The SAML app ${a.name} signs its assertions with SHA-1.`, location: appLocation(a), evidence: { signingAlgorithm: a.saml!.signingAlgorithm }, fixCommand: `sf provision app create --name ${a.name} --saml --signing-algorithm SHA256 --target-org <org>` });
      }
      return out;
    }),
};

const REFRESH_POLICY: Check<C> = {
  id: 'APP004',
  title: 'An app that issues refresh tokens whose policy is not "valid until revoked"',
  help: 'Provisioning connectors such as PingOne keep one refresh token for good: a token that expires stops provisioning silently.',
  severity: 'warning',
  run: (ctx) =>
    ctx.appDetails
      .filter((a) => a.scopes.some((sc) => /refresh/i.test(sc)) && !/^infinite$/i.test(a.refreshTokenPolicy ?? ''))
      .map((a) => ({
        checkId: 'APP004',
        severity: 'warning' as const,
        message: `${a.name} issues refresh tokens with the policy ${a.refreshTokenPolicy ?? '(the org default)'}; a provisioning connector stops when its token expires.`,
        location: appLocation(a),
        evidence: { refreshTokenPolicy: a.refreshTokenPolicy, scopes: a.scopes },
        fixCommand: `sf provision app create --name ${a.name} --refresh-token-policy infinite --target-org <org>`,
      })),
};

const NOT_ADMIN_APPROVED: Check<C> = {
  id: 'APP005',
  title: 'An OAuth app that any user may authorize',
  help: 'Integration apps should admit only the users of their permission sets (admin-approved), not every user who authorizes them.',
  severity: 'warning',
  run: (ctx) =>
    ctx.appDetails
      .filter((a) => a.consumerKey && a.permittedUsers !== undefined && a.permittedUsers !== 'AdminApprovedPreAuthorized')
      .map((a) => ({
        checkId: 'APP005',
        severity: 'warning' as const,
        message: `${a.name} lets all users self-authorize (${a.permittedUsers ?? ''}).`,
        location: appLocation(a),
        evidence: { permittedUsers: a.permittedUsers },
        fixCommand: `sf provision app create --name ${a.name} --admin-approved --permission-sets <PermissionSet> --target-org <org>`,
      })),
};

const RUN_AS_POWER: Check<C> = {
  id: 'APP006',
  title: "A client-credentials app's run-as user with Modify All Data or View All Data, or not API-only",
  help: 'The run-as user is what the integration may do: it should be an API-only integration user with only the access the integration needs.',
  severity: 'error',
  run: (ctx) =>
    ctx.apps
      .filter((a) => a.clientCredentials && a.runAsUser && ctx.runAs?.[a.runAsUser.toLowerCase()])
      .flatMap((a): Finding[] => {
        const p = ctx.runAs![a.runAsUser!.toLowerCase()];
        const out: Finding[] = [];
        const base = { checkId: 'APP006', location: appLocation(a), evidence: { runAsUser: a.runAsUser, ...p } };
        if (p.modifyAllData || p.viewAllData) {
          out.push({
            ...base,
            severity: 'error',
            message: `${a.name} runs as ${a.runAsUser!}, who has ${[p.modifyAllData ? 'Modify All Data' : '', p.viewAllData ? 'View All Data' : ''].filter(Boolean).join(' and ')}: the integration can read${p.modifyAllData ? ' and change' : ''} every record.`,
            fixCommand: `sf provision app create --name ${a.name} --client-credentials-user <API-only integration user> --target-org <org>; sf provision permset create --name <Name> --object <Object>:<access> ...`,
          });
        }
        if (!p.apiOnly) {
          out.push({ ...base, severity: 'warning', message: `${a.name} runs as ${a.runAsUser!}, who is not API-only: the account can also log in to the UI.`, fixSetup: "Give the integration its own user on the Salesforce Integration licence (profile Minimum Access - API Only Integrations), then point the app's client credentials at it." });
        }
        return out;
      }),
};

const RUN_AS_NO_ACCESS: Check<C> = {
  id: 'APP007',
  title: "A client-credentials app's run-as user who can write none of the objects provisioning writes",
  help: 'A provisioning integration creates or updates Leads, Contacts or Users: a run-as user who may do none of it gets tokens that can change nothing.',
  severity: 'warning',
  run: (ctx) =>
    ctx.apps
      .filter((a) => a.clientCredentials && a.runAsUser && ctx.runAs?.[a.runAsUser.toLowerCase()])
      .filter((a) => {
        const p = ctx.runAs![a.runAsUser!.toLowerCase()];
        return !p.modifyAllData && !p.writable.length;
      })
      .map((a) => ({
        checkId: 'APP007',
        severity: 'warning' as const,
        message: `${a.name} runs as ${a.runAsUser!}, who can create or edit no Lead, Contact or User.`,
        location: appLocation(a),
        evidence: { runAsUser: a.runAsUser, writable: [] },
        fixCommand: `sf provision permset create --name <Name> --object Lead:create,read,edit --target-org <org>; sf provision permset assign --name <Name> --users ${a.runAsUser!} --target-org <org>; sf provision connection test --object Lead:create ...`,
      })),
};

/** Every check, in the order findings are reported. */
export const CHECKS: Array<Check<C>> = [
  SAML_OFF_WITH_CONFIGS,
  NO_SAML_CONFIG,
  ORPHAN_LOGIN_BUTTON,
  IDP_CERTIFICATE,
  ORG_CERTIFICATE,
  PLAIN_HTTP,
  SHA1_REQUEST_SIGNING,
  FEDERATION_ID_MISSING,
  FEDERATION_ID_DUPLICATES,
  JIT_WITH_PROVISIONING,
  JIT_REFERENCES,
  PICKLISTS_NOT_ISO,
  CLIENT_CREDENTIALS_WITHOUT_USER,
  RUN_AS_POWER,
  RUN_AS_NO_ACCESS,
  CONNECTED_APPS,
  SAML_APP_WEAK,
  REFRESH_POLICY,
  NOT_ADMIN_APPROVED,
  EDITION_WITHOUT_API,
  API_USAGE,
  PASSWORD_FORM_WITH_SSO,
];
