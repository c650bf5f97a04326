/*
 * OrgEmulator: one emulated Salesforce org behind a local HTTP server.
 *
 * In tests:   const org = await OrgEmulator.start({ seed });  ...  await org.stop();
 * From shell: npm run emulator -- --port 4000 --seed test/emulator/seeds/demo.json
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Bulk2Api } from './bulk2.js';
import { handleMetadataSoap, installDefaultSettings } from './metadata/soap.js';
import { OAuthServer, type Session } from './oauth.js';
import { RestApi } from './rest.js';
import { OrgStore } from './store.js';
import { executeSoql } from './soql.js';
import { loadSeed, type Seed } from './seed.js';
import { SalesforceError, type ApiCounters, type EmuRequest, type EmuResponse, type MetadataComponent, type OrgFlags, type SObjectRecord } from './types.js';

export const LATEST_API_VERSION = '66.0';
const OLDEST_API_VERSION = 20;

export type FaultKind = 'REQUEST_LIMIT_EXCEEDED' | 'UNABLE_TO_LOCK_ROW' | 'SERVER_UNAVAILABLE' | 'INVALID_SESSION_ID';
export type ApiKind = 'rest' | 'tooling' | 'soap' | 'metadata' | 'bulk' | 'oauth';

export type FaultRule = {
  kind: FaultKind;
  /** Which API the fault applies to (default: any data API: rest, tooling, soap, metadata, bulk). */
  api?: ApiKind;
  /** Only requests whose path matches. */
  path?: RegExp;
  /** Only requests with this method. */
  method?: string;
  /** Fail this many matching requests, then stop (default 1). */
  times?: number;
  /** Let this many matching requests through before failing (default 0). */
  after?: number;
};

export type EmulatorOptions = {
  port?: number;
  host?: string;
  seed?: Seed | string;
  /** Fixed latency added to every request. */
  latencyMs?: number;
  /** Probability (0..1) that a data-API request fails with a transient fault. */
  faultRate?: number;
  /** Seed of the fault PRNG, so runs are reproducible. */
  faultSeed?: number;
  /** Access-token lifetime (default 2 hours). */
  sessionLifetimeMs?: number;
  /** How long a Bulk job stays InProgress. */
  bulkProcessingDelayMs?: number;
  /** Called after every request (the CLI's --verbose prints these). */
  onRequest?: (entry: RequestLogEntry) => void;
};

/** One request as the emulator saw it: path without the query string, which is in `search`. */
export type RequestLogEntry = { method: string; path: string; search: string; api: ApiKind | 'other'; status: number };

const DATA_APIS: ApiKind[] = ['rest', 'tooling', 'soap', 'metadata', 'bulk'];

/** mulberry32: a small deterministic PRNG for fault injection. */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export class OrgEmulator {
  public readonly orgId: string;
  public readonly components = new Map<string, Map<string, MetadataComponent>>();
  public readonly flags: OrgFlags;
  public readonly store: OrgStore;
  public readonly oauth: OAuthServer;
  public readonly counters: ApiCounters = { rest: 0, tooling: 0, soap: 0, metadata: 0, bulk: 0, oauth: 0, total: 0 };
  /** Every request seen: method, path and the API it counted against (for tests asserting call sequences). */
  public readonly requests: RequestLogEntry[] = [];
  public dailyApiMax = 15_000;
  public dailyApiUsed = 0;
  public latencyMs: number;
  public faultRate: number;
  /** The admin user the emulator's own access token belongs to. */
  public adminUserId = '';
  public adminUsername = '';
  public orgName = '';

  private server?: Server;
  private rest: RestApi;
  private bulk: Bulk2Api;
  private faults: Array<FaultRule & { seen: number; fired: number }> = [];
  private random: () => number;
  private adminSession?: Session;
  private baseUrl = '';

  private constructor(opts: EmulatorOptions, seed: Seed) {
    this.orgId = seed.org?.orgId ?? `00D5g00000${randomBase(5)}`;
    this.flags = {
      stateCountryPicklistsEnabled: seed.flags?.stateCountryPicklistsEnabled ?? false,
      connectedAppCreationAllowed: seed.flags?.connectedAppCreationAllowed ?? false,
      edition: seed.org?.edition ?? 'Developer Edition',
      apiEnabled: seed.flags?.apiEnabled ?? true,
    };
    this.latencyMs = opts.latencyMs ?? 0;
    this.onRequestHook = opts.onRequest;
    this.faultRate = opts.faultRate ?? 0;
    this.random = prng(opts.faultSeed ?? 42);
    this.store = new OrgStore({ orgId: this.orgId, flags: this.flags, components: this.components, foreignUsernames: seed.foreignUsernames });
    this.oauth = new OAuthServer({
      orgId: this.orgId,
      instanceUrl: () => this.instanceUrl,
      store: this.store,
      components: this.components,
      sessionLifetimeMs: opts.sessionLifetimeMs ?? 2 * 60 * 60 * 1000,
    });
    this.rest = new RestApi(this.store, () => this.limits());
    this.bulk = new Bulk2Api({
      ops: this.store,
      describe: (name: string) => this.store.describe(name),
      newId: (prefix: string): string => this.store.newId(prefix),
      query: (soql: string, o?: { includeDeleted?: boolean }): Array<Record<string, unknown>> =>
        executeSoql(soql, this.store, { includeDeleted: o?.includeDeleted }).records,
      processingDelayMs: opts.bulkProcessingDelayMs,
    });
    this.seed = seed;
  }

  private seed: Seed;
  private onRequestHook?: EmulatorOptions['onRequest'];

  /** Starts an emulator on 127.0.0.1 (a free port unless one is given) and loads the seed. */
  public static async start(opts: EmulatorOptions = {}): Promise<OrgEmulator> {
    const seed = typeof opts.seed === 'string' ? await loadSeed(opts.seed) : opts.seed ?? (await loadSeed());
    const emu = new OrgEmulator(opts, seed);
    await emu.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    await emu.applySeed(seed);
    return emu;
  }

  public get instanceUrl(): string {
    return this.baseUrl;
  }

  public get port(): number {
    return Number(new URL(this.baseUrl).port);
  }

  /** The admin user's access token (what `sf org login access-token` is given). */
  public get accessToken(): string {
    if (!this.adminSession || !this.oauth.session(this.adminSession.token)) {
      this.adminSession = this.oauth.issueToken(this.adminUserId, ['api', 'web', 'full', 'refresh_token'], undefined, 24 * 60 * 60 * 1000);
    }
    return this.adminSession.token;
  }

  public get metadataContext(): Parameters<typeof handleMetadataSoap>[1] {
    return {
      orgId: this.orgId,
      instanceUrl: this.instanceUrl,
      flags: this.flags,
      ops: this.store,
      components: this.components,
      newId: (prefix: string) => this.store.newId(prefix),
      userId: this.adminUserId,
      checkSession: (sid: string) => this.oauth.session(sid) !== undefined,
      onChange: (type, fullName, component) => this.mirror(type, fullName, component),
    };
  }

  /** Adds a fault rule: the next matching requests fail as the rule says. */
  public injectFault(rule: FaultRule): void {
    this.faults.push({ ...rule, seen: 0, fired: 0 });
  }

  public clearFaults(): void {
    this.faults = [];
  }

  /** Empties the org and loads the seed again (same org id, same port). */
  public async reset(seed?: Seed): Promise<void> {
    const next = seed ?? this.seed;
    this.components.clear();
    this.store.clear(next.foreignUsernames ?? []);
    for (const k of Object.keys(this.counters) as Array<keyof ApiCounters>) this.counters[k] = 0;
    this.requests.length = 0;
    this.dailyApiUsed = 0;
    this.faults = [];
    this.oauth.reset();
    this.rest.reset();
    this.bulk.reset();
    this.adminSession = undefined;
    Object.assign(this.flags, {
      stateCountryPicklistsEnabled: next.flags?.stateCountryPicklistsEnabled ?? false,
      connectedAppCreationAllowed: next.flags?.connectedAppCreationAllowed ?? false,
      edition: next.org?.edition ?? 'Developer Edition',
      apiEnabled: next.flags?.apiEnabled ?? true,
    });
    this.seed = next;
    await this.applySeed(next);
  }

  public async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The /limits answer; DailyApiRequests really decreases with each counted call. */
  /** A permission set's <license>: a user licence by name, or a permission set licence by label or API name. */
  private licenseIdOf(license: string | undefined): string | null {
    if (!license) return null;
    const is = (v: unknown): boolean => String(v ?? '').toLowerCase() === license.toLowerCase();
    return (
      this.store.records('UserLicense').find((l) => is(l.Name))?.Id ??
      this.store.records('PermissionSetLicense').find((l) => is(l.MasterLabel) || is(l.DeveloperName))?.Id ??
      null
    );
  }

  public limits(): Record<string, unknown> {
    const daily = { Max: this.dailyApiMax, Remaining: Math.max(0, this.dailyApiMax - this.dailyApiUsed) };
    return {
      DailyApiRequests: daily,
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
      DataStorageMB: { Max: 5, Remaining: 5 },
      FileStorageMB: { Max: 20, Remaining: 20 },
      SingleEmail: { Max: 15, Remaining: 15 },
      MassEmail: { Max: 10, Remaining: 10 },
    };
  }

  // ---------------------------------------------------------------- HTTP

  private async listen(port: number, host: string): Promise<void> {
    this.server = createServer((req, res) => {
      void this.onRequest(req, res);
    });
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${addr.port}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    const MAX_BODY = 160 * 1024 * 1024;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY) {
          this.send(res, { status: 413, body: [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request body too large' }] });
          return;
        }
        chunks.push(chunk as Buffer);
      }
      // Collapse repeated slashes first: core sends //services/... and URL() would read //services as a host.
      const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/').replace(/\/{2,}/g, '/'), 'http://emulator');
      const path = url.pathname;
      const versionMatch = /^\/services\/(?:data\/v|Soap\/[a-zA-Z]\/)(\d+\.\d)/.exec(path);
      const emuReq: EmuRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path,
        query: url.searchParams,
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v])),
        body: Buffer.concat(chunks),
        apiVersion: versionMatch?.[1],
        // IPv4-mapped IPv6 (::ffff:127.0.0.1) as the plain IPv4 address login IP ranges are written in.
        remoteAddress: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
      };
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      const { api, response } = await this.route(emuReq);
      const entry = { method: emuReq.method, path, search: url.search, api, status: response.status };
      this.requests.push(entry);
      this.onRequestHook?.(entry);
      this.send(res, response, api);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.send(res, { status: 500, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: `An unexpected error occurred: ${message}` }] });
    }
  }

  private send(res: ServerResponse, r: EmuResponse, api?: ApiKind | 'other'): void {
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    const lower = Object.fromEntries(Object.keys(headers).map((k) => [k.toLowerCase(), k]));
    let payload: Buffer | string = '';
    if (Buffer.isBuffer(r.body) || typeof r.body === 'string') {
      payload = r.body;
    } else if (r.body !== undefined) {
      payload = JSON.stringify(r.body);
      if (!lower['content-type']) headers['Content-Type'] = 'application/json;charset=UTF-8';
    }
    if (api && api !== 'other' && api !== 'oauth') headers['Sforce-Limit-Info'] = `api-usage=${this.dailyApiUsed}/${this.dailyApiMax}`;
    res.writeHead(r.status, headers);
    res.end(r.status === 204 ? undefined : payload);
  }

  private apiOf(path: string): ApiKind | 'other' {
    if (path.startsWith('/services/oauth2/')) return 'oauth';
    if (/^\/services\/data\/v\d+\.\d\/tooling(\/|$)/.test(path)) return 'tooling';
    if (/^\/services\/data\/v\d+\.\d\/jobs(\/|$)/.test(path)) return 'bulk';
    if (/^\/services\/data\/v\d+\.\d(\/|$)/.test(path)) return 'rest';
    if (path.startsWith('/services/Soap/m/')) return 'metadata';
    if (path.startsWith('/services/Soap/')) return 'soap';
    return 'other';
  }

  private async route(req: EmuRequest): Promise<{ api: ApiKind | 'other'; response: EmuResponse }> {
    const api = this.apiOf(req.path);
    if (api !== 'other') {
      this.counters[api] += 1;
      this.counters.total += 1;
    }
    // The versions list and the identity service need no API call allocation.
    if (req.path === '/services/data' || req.path === '/services/data/') {
      return { api: 'other', response: { status: 200, body: this.versions() } };
    }
    if (api === 'oauth') return { api, response: this.oauth.handle(req, req.path.slice('/services/oauth2/'.length)) };
    if (api === 'other') {
      const idMatch = /^\/id\/(00D\w+)\/(005\w+)$/.exec(req.path);
      if (idMatch) return { api, response: this.oauth.handle({ ...req }, 'userinfo') };
      return { api, response: { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] } };
    }

    // Everything below is a data API: session check, allocation, faults.
    const soap = api === 'soap' || api === 'metadata';
    if (!soap) {
      const session = this.oauth.session(this.oauth.bearer(req));
      if (!session) {
        return { api, response: { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] } };
      }
      req.userId = session.userId;
    }
    if (this.dailyApiUsed >= this.dailyApiMax) {
      return { api, response: this.fault('REQUEST_LIMIT_EXCEEDED', soap, 'TotalRequests Limit exceeded.') };
    }
    this.dailyApiUsed += 1;
    const injected = this.pickFault(req, api);
    if (injected) return { api, response: this.fault(injected, soap) };

    this.store.currentUserId = req.userId ?? this.adminUserId;
    try {
      if (api === 'metadata') {
        const out = await handleMetadataSoap(req.body.toString('utf8'), this.metadataContext, req.apiVersion ?? LATEST_API_VERSION);
        return { api, response: { status: out.status, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: out.body } };
      }
      if (api === 'soap') {
        return { api, response: this.soapFault('sf:UNKNOWN_EXCEPTION', 'This SOAP endpoint is not emulated yet', 500) };
      }
      const version = req.apiVersion!;
      if (Number(version) > Number(LATEST_API_VERSION) || Number(version) < OLDEST_API_VERSION) {
        return { api, response: { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] } };
      }
      if (api === 'bulk') return { api, response: await this.bulk.handle(req) };
      const rest = req.path.replace(/^\/services\/data\/v\d+\.\d/, '');
      return { api, response: this.rest.handle(req, rest) };
    } catch (e) {
      if (e instanceof SalesforceError) return { api, response: { status: e.status, body: [e.toJSON()] } };
      throw e;
    }
  }

  private versions(): Array<{ label: string; url: string; version: string }> {
    const out = [];
    const labels: Record<number, string> = { 64: "Summer '25", 65: "Winter '26", 66: "Spring '26" };
    for (let v = OLDEST_API_VERSION; v <= Number(LATEST_API_VERSION); v++) {
      out.push({ label: labels[v] ?? `v${v}.0`, url: `/services/data/v${v}.0`, version: `${v}.0` });
    }
    return out;
  }

  private pickFault(req: EmuRequest, api: ApiKind): FaultKind | undefined {
    for (const rule of this.faults) {
      const apiOk = rule.api ? rule.api === api : DATA_APIS.includes(api);
      if (!apiOk || (rule.path !== undefined && !rule.path.test(req.path)) || (rule.method !== undefined && rule.method.toUpperCase() !== req.method)) continue;
      rule.seen += 1;
      if (rule.seen <= (rule.after ?? 0)) continue;
      if (rule.fired >= (rule.times ?? 1)) continue;
      rule.fired += 1;
      return rule.kind;
    }
    if (this.faultRate > 0 && this.random() < this.faultRate) {
      const kinds: FaultKind[] = ['REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE'];
      return kinds[Math.floor(this.random() * kinds.length)];
    }
    return undefined;
  }

  private fault(kind: FaultKind, soap: boolean, message?: string): EmuResponse {
    switch (kind) {
      case 'REQUEST_LIMIT_EXCEEDED': {
        const msg = message ?? 'ConcurrentPerOrgLongTxn Limit exceeded.';
        return soap ? this.soapFault('sf:REQUEST_LIMIT_EXCEEDED', msg, 500) : { status: 403, body: [{ message: msg, errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
      }
      case 'UNABLE_TO_LOCK_ROW': {
        const msg = 'unable to obtain exclusive access to this record or 1 records';
        return soap ? this.soapFault('sf:UNABLE_TO_LOCK_ROW', msg, 500) : { status: 400, body: [{ message: msg, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }] };
      }
      case 'SERVER_UNAVAILABLE':
        return soap
          ? this.soapFault('sf:SERVER_UNAVAILABLE', 'Server temporarily unavailable', 503)
          : { status: 503, body: [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }] };
      case 'INVALID_SESSION_ID':
        return soap
          ? this.soapFault('sf:INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session. Session not found, missing session hash', 500)
          : { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
      default:
        return { status: 500, body: [{ message: 'fault', errorCode: 'UNKNOWN_EXCEPTION' }] };
    }
  }

  private soapFault(code: string, message: string, status: number): EmuResponse {
    const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return {
      status,
      headers: { 'Content-Type': 'text/xml; charset=utf-8' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        `<soapenv:Body><soapenv:Fault><faultcode>${code}</faultcode><faultstring>${esc(`${code.replace('sf:', '')}: ${message}`)}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
    };
  }

  // ---------------------------------------------------------------- seed and mirrors

  private async applySeed(seed: Seed): Promise<void> {
    const { applySeed } = await import('./seed.js');
    installDefaultSettings(this.metadataContext);
    const result = await applySeed(this, seed);
    this.adminUserId = result.adminUserId;
    this.adminUsername = result.adminUsername;
    this.orgName = result.orgName;
    this.dailyApiMax = seed.org?.dailyApiLimit ?? (this.flags.edition.startsWith('Developer') ? 15_000 : 100_000);
  }

  /** Keeps the sObject and Tooling mirrors of metadata in step with the Metadata API. */
  private mirror(type: string, fullName: string, component: MetadataComponent | undefined): void {
    const c = component?.content ?? {};
    const str = (v: unknown): string | null => (v === undefined || v === null || v === '' ? null : String(v as string));
    const bool = (v: unknown): boolean => v === true || v === 'true';
    const find = (object: string, tooling = false): SObjectRecord | undefined =>
      this.store.records(object, { tooling }).find((r) => String(r.DeveloperName ?? r.Name).toLowerCase() === fullName.toLowerCase());
    const upsert = (object: string, fields: Record<string, unknown>, tooling = false, keyPrefix?: string): void => {
      const existing = find(object, tooling);
      if (!component) {
        if (existing) this.store.removeSystem(object, existing.Id, tooling);
        return;
      }
      if (existing) this.store.patchSystem(object, existing.Id, fields, tooling);
      else {
        const id = keyPrefix && component.id.startsWith(keyPrefix) ? component.id : undefined;
        this.store.createSystem(object, fields, { tooling, id });
      }
    };
    switch (type) {
      case 'Certificate':
        upsert(
          'Certificate',
          {
            DeveloperName: fullName,
            FullName: fullName,
            MasterLabel: str(c.masterLabel) ?? fullName,
            ExpirationDate: str(c.expirationDate),
            KeySize: str(c.keySize) ?? '2048',
            OptionsIsPrivateKeyExportable: bool(c.privateKeyExportable),
            IsPrivateKeyExportable: bool(c.privateKeyExportable),
            OptionsIsCaSigned: bool(c.caSigned),
            CaSigned: bool(c.caSigned),
          },
          true,
          '0P1'
        );
        break;
      case 'SamlSsoConfig':
        upsert(
          'SamlSsoConfig',
          {
            DeveloperName: fullName,
            MasterLabel: str(c.name) ?? fullName,
            Issuer: str(c.issuer),
            Audience: str(c.samlEntityId),
            LoginUrl: str(c.loginUrl),
            LogoutUrl: str(c.logoutUrl),
            ErrorUrl: str(c.errorUrl),
            IdentityMapping: str(c.identityMapping),
            IdentityLocation: str(c.identityLocation),
            AttributeName: str(c.attributeName),
            AttributeFormat: str(c.attributeNameIdFormat),
            Version: str(c.samlVersion),
            ValidationCert: str(c.validationCert),
            RequestSignatureMethod: str(c.requestSignatureMethod),
            SamlJitHandlerId: str(c.samlJitHandlerId),
            ExecutionUserId: str(c.executionUserId),
            OptionsUserProvisioning: bool(c.userProvisioning),
            OptionsSpInitBinding: str(c.redirectBinding) === 'true',
            SingleLogoutUrl: str(c.singleLogoutUrl),
            SingleLogoutBinding: str(c.singleLogoutBinding),
          },
          false,
          '0LE'
        );
        if (!component) this.store.refreshAuthOptions();
        break;
      case 'ConnectedApp':
        upsert('ConnectedApplication', { Name: fullName, OptionsAllowAdminApprovedUsersOnly: bool((c.oauthConfig as Record<string, unknown> | undefined)?.isAdminApproved) }, false, '0H4');
        break;
      case 'PermissionSet': {
        const perms = ([] as unknown[]).concat(c.userPermissions ?? []) as Array<{ name?: string; enabled?: unknown }>;
        const has = (n: string): boolean => perms.some((p) => p.name === n && bool(p.enabled));
        upsert(
          'PermissionSet',
          {
            Name: fullName,
            Label: str(c.label) ?? fullName,
            Description: str(c.description),
            Type: 'Regular',
            IsOwnedByProfile: false,
            PermissionsApiEnabled: has('ApiEnabled'),
            PermissionsApiUserOnly: has('ApiUserOnly'),
            PermissionsViewSetup: has('ViewSetup'),
            // <license> names a user licence; assignments then need a user on that licence.
            LicenseId: this.licenseIdOf(str(c.license) ?? undefined),
          },
          false,
          '0PS'
        );
        break;
      }
      case 'SecuritySettings':
        // AuthConfig.AuthOptionsSaml follows the login pages' SAML providers while SAML is on.
        this.store.refreshAuthOptions();
        break;
      default:
        break;
    }
  }
}

function randomBase(n: number): string {
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = randomBytes(n);
  return Array.from(bytes, (b) => chars.charAt(b % 62)).join('');
}
