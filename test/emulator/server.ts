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
import { findComponent, removeComponent, setComponent } from './metadata/components.js';
import { orderContent } from './metadata/validate.js';
import { impliedObjectAccess, isPermissionableField, isPermissionableObject, objectAccessOfMetadata, type ObjectAccess } from './access.js';
import { fieldOf, SYSTEM_PERMISSION_FIELDS } from './schema.js';
import { OAuthServer, type Session } from './oauth.js';
import { RestApi } from './rest.js';
import { handlePartnerSoap } from './partner.js';
import { OrgStore } from './store.js';
import { executeSoql } from './soql.js';
import { loadSeed, type Seed } from './seed.js';
import { SalesforceError, type ApiCounters, type EmuRequest, type EmuResponse, type MetadataComponent, type OrgFlags, type SObjectRecord } from './types.js';

export const LATEST_API_VERSION = '66.0';
const OLDEST_API_VERSION = 20;

/**
 * DROP_AFTER_COMMIT: the request is processed (records written, jobs created) and then the connection is destroyed
 * without an answer, so the client sees ECONNRESET / "socket hang up" and cannot tell whether its write happened.
 */
export type FaultKind = 'REQUEST_LIMIT_EXCEEDED' | 'UNABLE_TO_LOCK_ROW' | 'SERVER_UNAVAILABLE' | 'INVALID_SESSION_ID' | 'DROP_AFTER_COMMIT';
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
  /** Whether the random faultRate mix includes DROP_AFTER_COMMIT (default false). */
  faultDropAfterCommit?: boolean;
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

/** SOAP (Partner) and Metadata API operations that change the org. */
const WRITE_OPERATIONS = new Set([
  'create',
  'update',
  'upsert',
  'delete',
  'undelete',
  'merge',
  'convertLead',
  'createMetadata',
  'updateMetadata',
  'upsertMetadata',
  'deleteMetadata',
  'renameMetadata',
  'deploy',
]);

/** Whether a call can change the org (for tests that prove a run wrote nothing): reads and queries do not. */
const isWriteCall = (req: EmuRequest, api: ApiKind | 'oauth'): boolean => {
  if (api === 'oauth') return false;
  if (api === 'soap' || api === 'metadata') {
    const op = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:[\w-]+:)?([A-Za-z]+)/.exec(req.body.toString('utf8'))?.[1];
    return op !== undefined && WRITE_OPERATIONS.has(op);
  }
  if (req.method === 'GET' || req.method === 'HEAD') return false;
  return !/\/(query|queryAll|search|parameterizedSearch)(\/|$)/.test(req.path) && !/\/jobs\/query(\/|$)/.test(req.path);
};

export class OrgEmulator {
  public readonly orgId: string;
  public readonly components = new Map<string, Map<string, MetadataComponent>>();
  public readonly flags: OrgFlags;
  public readonly store: OrgStore;
  public readonly oauth: OAuthServer;
  public readonly counters: ApiCounters = { rest: 0, tooling: 0, soap: 0, metadata: 0, bulk: 0, oauth: 0, total: 0, writes: 0 };
  /** Every request seen: method, path and the API it counted against (for tests asserting call sequences). */
  public readonly requests: RequestLogEntry[] = [];
  public dailyApiMax = 15_000;
  public dailyApiUsed = 0;
  public latencyMs: number;
  public faultRate: number;
  /** Whether the random faultRate mix includes DROP_AFTER_COMMIT. */
  public faultDropAfterCommit: boolean;
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
      duplicateRules: seed.flags?.duplicateRules,
    };
    this.latencyMs = opts.latencyMs ?? 0;
    this.onRequestHook = opts.onRequest;
    this.faultRate = opts.faultRate ?? 0;
    this.faultDropAfterCommit = opts.faultDropAfterCommit ?? false;
    this.random = prng(opts.faultSeed ?? 42);
    this.store = new OrgStore({ orgId: this.orgId, flags: this.flags, components: this.components, foreignUsernames: seed.foreignUsernames });
    this.oauth = new OAuthServer({
      orgId: this.orgId,
      instanceUrl: () => this.instanceUrl,
      store: this.store,
      components: this.components,
      sessionLifetimeMs: opts.sessionLifetimeMs ?? 2 * 60 * 60 * 1000,
    });
    this.rest = new RestApi(this.store, () => this.limits(), (userId) => `${this.instanceUrl}/id/${this.orgId}/${userId}`);
    this.bulk = new Bulk2Api({
      ops: this.store,
      describe: (name: string) => this.store.describeAs(name),
      newId: (prefix: string): string => this.store.newId(prefix),
      query: (soql: string, o?: { includeDeleted?: boolean }): Array<Record<string, unknown>> =>
        executeSoql(soql, this.store.dataSource(), { includeDeleted: o?.includeDeleted }).records,
      // Jobs run after the request that created them: as the user who created them.
      actor: () => this.store.actingUserId,
      runAs: <T>(userId: string | undefined, fn: () => T): T => this.store.runAs(userId, fn),
      processingDelayMs: opts.bulkProcessingDelayMs,
    });
    this.seed = seed;
  }

  private seed: Seed;
  /** The user of the Metadata API request being handled (its SessionHeader's session). */
  private metadataUserId?: string;
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
      userId: this.metadataUserId ?? this.adminUserId,
      checkSession: (sid: string) => this.oauth.session(sid) !== undefined,
      onChange: (type, fullName, component) => this.mirror(type, fullName, component),
      checkPermissionSet: (fullName, content) => this.checkPermissionSetContent(fullName, content),
    };
  }

  /** A PermissionSet deploy or update: the object permissions it will hold must fit the licences of its assignees. */
  private checkPermissionSetContent(fullName: string, content: Record<string, unknown>): void {
    const ps = this.store.find('PermissionSet', (p) => String(p.Name).toLowerCase() === fullName.toLowerCase() && p.IsOwnedByProfile !== true);
    if (!ps) return;
    const granted = new Map<string, ObjectAccess>();
    for (const op of ([] as unknown[]).concat(content.objectPermissions ?? []) as Array<Record<string, unknown>>) {
      const schema = this.store.describe(String(op.object ?? ''));
      if (!schema || !isPermissionableObject(schema.name)) continue;
      granted.set(schema.name.toLowerCase(), impliedObjectAccess(objectAccessOfMetadata(op)));
    }
    this.store.checkPermissionSetSave(ps.Id, granted);
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
      duplicateRules: next.flags?.duplicateRules,
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
      const { api, response, drop } = await this.route(emuReq);
      const entry = { method: emuReq.method, path, search: url.search, api, status: drop ? 0 : response.status };
      this.requests.push(entry);
      this.onRequestHook?.(entry);
      if (drop) {
        // DROP_AFTER_COMMIT: the work is done; the answer never leaves.
        req.socket.destroy();
        return;
      }
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

  private async route(req: EmuRequest): Promise<{ api: ApiKind | 'other'; response: EmuResponse; drop?: boolean }> {
    const api = this.apiOf(req.path);
    if (api !== 'other') {
      this.counters[api] += 1;
      this.counters.total += 1;
      if (isWriteCall(req, api)) this.counters.writes += 1;
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
    let token: string | undefined;
    if (!soap) {
      token = this.oauth.bearer(req);
      const session = this.oauth.session(token);
      if (!session) {
        return { api, response: { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] } };
      }
      req.userId = session.userId;
    } else {
      // The SOAP session is in the envelope's SessionHeader; an invalid one is the SOAP handler's to refuse.
      token = /<(?:[\w-]+:)?sessionId>\s*([^<\s]+)\s*</.exec(req.body.toString('utf8'))?.[1];
      const session = token ? this.oauth.session(token) : undefined;
      if (session) req.userId = session.userId;
    }
    // Who may do what (access.ts): every session but the emulator's own admin token is checked, as the platform
    // itself (seed, mirrors) is not.
    const platform = token !== undefined && token === this.adminSession?.token;
    const acting = !platform && req.userId ? req.userId : undefined;
    if (acting) {
      const refused = this.apiRefusal(acting, soap, api);
      if (refused) return { api, response: refused };
    }
    if (this.dailyApiUsed >= this.dailyApiMax) {
      return { api, response: this.fault('REQUEST_LIMIT_EXCEEDED', soap, 'TotalRequests Limit exceeded.') };
    }
    this.dailyApiUsed += 1;
    const injected = this.pickFault(req, api);
    if (injected === 'DROP_AFTER_COMMIT') return { ...(await this.serve(req, api, token, acting)), drop: true };
    if (injected) return { api, response: this.fault(injected, soap) };
    return this.serve(req, api, token, acting);
  }

  /** Carries out a data-API request once it is let through (session, allocation, faults). */
  private async serve(req: EmuRequest, api: ApiKind, token: string | undefined, acting: string | undefined): Promise<{ api: ApiKind | 'other'; response: EmuResponse }> {

    this.store.currentUserId = req.userId ?? this.adminUserId;
    this.store.actingUserId = acting;
    try {
      if (api === 'metadata') {
        // Metadata API writes are the platform's once the user may use the API at all (checked above).
        this.store.actingUserId = undefined;
        this.metadataUserId = req.userId;
        this.syncPermissionSetComponents();
        try {
          const out = await handleMetadataSoap(req.body.toString('utf8'), this.metadataContext, req.apiVersion ?? LATEST_API_VERSION);
          return { api, response: { status: out.status, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: out.body } };
        } finally {
          this.metadataUserId = undefined;
        }
      }
      if (api === 'soap') {
        if (!req.path.startsWith('/services/Soap/u/')) {
          return { api, response: this.soapFault('sf:UNKNOWN_EXCEPTION', 'This SOAP endpoint is not emulated yet', 500) };
        }
        const out = handlePartnerSoap(req.body.toString('utf8'), { store: this.store, userId: token ? this.oauth.session(token)?.userId : undefined, checked: acting !== undefined });
        return { api, response: { status: out.status, headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body: out.body } };
      }
      const version = req.apiVersion!;
      if (Number(version) > Number(LATEST_API_VERSION) || Number(version) < OLDEST_API_VERSION) {
        return { api, response: { status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] } };
      }
      if (api === 'bulk') return { api, response: await this.bulk.handle(req) };
      const rest = req.path.replace(/^\/services\/data\/v\d+\.\d/, '');
      // Sforce-Duplicate-Rule-Header (REST, v52.0+): "allowSave=true; includeRecordDetails=...; runAsCurrentUser=...".
      // Bulk API 2.0 reads no such header (its jobs run after the request in any case).
      const dup = req.headers['sforce-duplicate-rule-header'] ?? '';
      this.store.duplicateAllowSave = /(^|[;,\s])allowSave\s*=\s*true\b/i.test(dup);
      try {
        return { api, response: this.rest.handle(req, rest) };
      } finally {
        this.store.duplicateAllowSave = false;
      }
    } catch (e) {
      if (e instanceof SalesforceError) return { api, response: { status: e.status, body: [e.toJSON()] } };
      throw e;
    } finally {
      // Work done after the request (deploys, Bulk jobs) is the platform's unless it says whom it runs as.
      this.store.actingUserId = undefined;
    }
  }

  /**
   * What a real org answers a user who may not use an API: the org without API access (API_DISABLED_FOR_ORG,
   * restforce/restforce#219), the user without API Enabled (API_CURRENTLY_DISABLED "API is disabled for this User";
   * status 403 as in test/lib/connection.test.ts, unconfirmed), and the Metadata API without Modify All Data or
   * Modify Metadata (sf:INSUFFICIENT_ACCESS, wording from forcedotcom/cli#3048).
   */
  private apiRefusal(userId: string, soap: boolean, api: ApiKind): EmuResponse | undefined {
    const perms = this.store.accessOf(userId).perms;
    if (!this.flags.apiEnabled) {
      return soap
        ? this.soapFault('sf:API_DISABLED_FOR_ORG', 'API is not enabled for this Organization or Partner', 500)
        : { status: 403, body: [{ message: 'The REST API is not enabled for this Organization.', errorCode: 'API_DISABLED_FOR_ORG' }] };
    }
    if (!perms.PermissionsApiEnabled) {
      return soap
        ? this.soapFault('sf:API_CURRENTLY_DISABLED', 'API is disabled for this User', 500)
        : { status: 403, body: [{ message: 'API is disabled for this User', errorCode: 'API_CURRENTLY_DISABLED' }] };
    }
    if (api === 'metadata' && !perms.PermissionsModifyAllData && !perms.PermissionsModifyMetadata) {
      return this.soapFault('sf:INSUFFICIENT_ACCESS', 'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions', 500);
    }
    return undefined;
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
      const kinds: FaultKind[] = ['REQUEST_LIMIT_EXCEEDED', 'UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', ...(this.faultDropAfterCommit ? (['DROP_AFTER_COMMIT'] as FaultKind[]) : [])];
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

  /** Gives a permission set (a profile's own, for the seed) the object and field permissions of PermissionSet content. */
  public grantPermissions(permissionSetId: string, content: Record<string, unknown>): void {
    this.replacePermissionRecords(permissionSetId, content);
  }

  /**
   * Replaces the ObjectPermissions / FieldPermissions records of a permission set with those of PermissionSet
   * metadata content (undefined: removes them). Objects and fields without permissions are left out; a permission
   * brings those it depends on (Create brings Read, ...).
   */
  private replacePermissionRecords(psId: string, content: Record<string, unknown> | undefined): void {
    const bool = (v: unknown): boolean => v === true || v === 'true';
    for (const object of ['ObjectPermissions', 'FieldPermissions']) {
      for (const r of this.store.records(object).filter((x) => x.ParentId === psId)) this.store.removeSystem(object, r.Id);
    }
    if (!content) return;
    for (const op of ([] as unknown[]).concat(content.objectPermissions ?? []) as Array<Record<string, unknown>>) {
      const schema = this.store.describe(String(op.object ?? ''));
      if (!schema || !isPermissionableObject(schema.name)) continue;
      const a = impliedObjectAccess(objectAccessOfMetadata(op));
      if (!a.read) continue;
      this.store.createSystem('ObjectPermissions', {
        ParentId: psId,
        SobjectType: schema.name,
        PermissionsRead: a.read,
        PermissionsCreate: a.create,
        PermissionsEdit: a.edit,
        PermissionsDelete: a.delete,
        PermissionsViewAllRecords: a.viewAll,
        PermissionsModifyAllRecords: a.modifyAll,
      });
    }
    for (const fp of ([] as unknown[]).concat(content.fieldPermissions ?? []) as Array<Record<string, unknown>>) {
      const [objectName, fieldName] = String(fp.field ?? '').split('.');
      const schema = this.store.describe(objectName ?? '');
      const field = schema && fieldName ? fieldOf(schema, fieldName) : undefined;
      if (!schema || !field || !isPermissionableField(schema, field)) continue;
      const edit = bool(fp.editable);
      const read = edit || bool(fp.readable);
      if (!read) continue;
      this.store.createSystem('FieldPermissions', { ParentId: psId, SobjectType: schema.name, Field: `${schema.name}.${field.name}`, PermissionsRead: read, PermissionsEdit: edit });
    }
  }

  /**
   * PermissionSet metadata as the records hold it: each permission set record (not a profile's or a group's) is a
   * PermissionSet component whose userPermissions, objectPermissions and fieldPermissions are those of its records,
   * so that a permission granted through REST shows in readMetadata / retrieve, and a permission set created as a
   * record is listed. Runs before every Metadata API request.
   */
  private syncPermissionSetComponents(): void {
    const records = this.store.records('PermissionSet').filter((p) => p.IsOwnedByProfile !== true && !p.PermissionSetGroupId && p.Type !== 'Group');
    const names = new Set(records.map((r) => String(r.Name).toLowerCase()));
    for (const c of [...(this.components.get('PermissionSet')?.values() ?? [])]) {
      if (!names.has(c.fullName.toLowerCase())) removeComponent(this.components, 'PermissionSet', c.fullName);
    }
    for (const ps of records) {
      const existing = findComponent(this.components, 'PermissionSet', String(ps.Name));
      const content: Record<string, unknown> = { ...(existing?.content ?? { hasActivationRequired: ps.HasActivationRequired === true }) };
      content.label = String(ps.Label ?? ps.Name);
      if (ps.Description) content.description = String(ps.Description);
      else delete content.description;
      const objectPermissions = this.store
        .records('ObjectPermissions')
        .filter((r) => r.ParentId === ps.Id)
        .sort((a, b) => String(a.SobjectType).localeCompare(String(b.SobjectType)))
        .map((r) => ({
          allowCreate: r.PermissionsCreate === true,
          allowDelete: r.PermissionsDelete === true,
          allowEdit: r.PermissionsEdit === true,
          allowRead: r.PermissionsRead === true,
          modifyAllRecords: r.PermissionsModifyAllRecords === true,
          object: String(r.SobjectType),
          viewAllRecords: r.PermissionsViewAllRecords === true,
        }));
      const fieldPermissions = this.store
        .records('FieldPermissions')
        .filter((r) => r.ParentId === ps.Id)
        .sort((a, b) => String(a.Field).localeCompare(String(b.Field)))
        .map((r) => ({ editable: r.PermissionsEdit === true, field: String(r.Field), readable: r.PermissionsRead === true }));
      const userPermissions = SYSTEM_PERMISSION_FIELDS.filter((n) => ps[n] === true)
        .map((n) => ({ enabled: true, name: n.slice('Permissions'.length) }))
        .sort((a, b) => a.name.localeCompare(b.name));
      for (const [key, list] of [['objectPermissions', objectPermissions], ['fieldPermissions', fieldPermissions], ['userPermissions', userPermissions]] as const) {
        if (list.length) content[key] = list;
        else delete content[key];
      }
      const ordered = orderContent('PermissionSet', content);
      if (existing && JSON.stringify(existing.content) === JSON.stringify(ordered)) continue;
      const now = new Date().toISOString();
      setComponent(this.components, {
        type: 'PermissionSet',
        fullName: String(ps.Name),
        content: ordered,
        body: existing?.body,
        id: existing?.id ?? ps.Id,
        createdDate: existing?.createdDate ?? String(ps.CreatedDate ?? now),
        lastModifiedDate: existing ? now : String(ps.LastModifiedDate ?? now),
      });
    }
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
        // A deploy replaces the component: its system, object and field permissions replace the records' (the
        // records are what access checks read, and what readMetadata shows: syncPermissionSetComponents).
        const perms = ([] as unknown[]).concat(c.userPermissions ?? []) as Array<{ name?: string; enabled?: unknown }>;
        const has = (n: string): boolean => perms.some((p) => String(p.name).toLowerCase() === n.toLowerCase() && bool(p.enabled));
        const before = find('PermissionSet');
        upsert(
          'PermissionSet',
          {
            Name: fullName,
            Label: str(c.label) ?? fullName,
            Description: str(c.description),
            Type: 'Regular',
            IsOwnedByProfile: false,
            HasActivationRequired: bool(c.hasActivationRequired),
            ...Object.fromEntries(SYSTEM_PERMISSION_FIELDS.map((n) => [n, has(n.slice('Permissions'.length))])),
            // <license> names a user licence; assignments then need a user on that licence.
            LicenseId: this.licenseIdOf(str(c.license) ?? undefined),
          },
          false,
          '0PS'
        );
        const psId = (find('PermissionSet') ?? before)?.Id;
        if (psId) this.replacePermissionRecords(psId, component ? c : undefined);
        if (!component && before) {
          for (const a of this.store.records('PermissionSetAssignment').filter((r) => r.PermissionSetId === before.Id)) {
            this.store.removeSystem('PermissionSetAssignment', a.Id);
          }
        }
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
