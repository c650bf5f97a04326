/* Test harness: an in-memory MetadataContext and a bare node:http server routing the Metadata SOAP endpoint. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SalesforceError, type MetadataComponent, type MetadataContext, type OrgFlags, type RecordOps, type SObjectRecord } from '../types.js';
import { handleMetadataSoap, installDefaultSettings } from './soap.js';

export const TOKEN = '00D000000000001!AQ0Afake';
export const ORG_ID = '00D000000000001AAA';

export type TestCtx = MetadataContext & { changes: Array<{ type: string; fullName: string; deleted: boolean }> };

function fakeOps(): RecordOps {
  const data = new Map<string, Map<string, SObjectRecord>>();
  let n = 0;
  const table = (o: string): Map<string, SObjectRecord> => {
    let t = data.get(o);
    if (!t) data.set(o, (t = new Map<string, SObjectRecord>()));
    return t;
  };
  return {
    create(o, fields) {
      const Id = `a00${String(++n).padStart(12, '0')}AAA`;
      table(o).set(Id, { ...fields, Id });
      return Id;
    },
    update(o, id, fields) {
      const r = table(o).get(id);
      if (!r) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', 404);
      Object.assign(r, fields);
    },
    delete(o, id) {
      if (!table(o).delete(id)) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted');
    },
    upsert(o, field, value, fields) {
      const hit = [...table(o).values()].find((r) => r[field] === value);
      if (hit) {
        Object.assign(hit, fields);
        return { id: hit.Id, created: false };
      }
      return { id: this.create(o, { ...fields, [field]: value }), created: true };
    },
    get: (o, id) => table(o).get(id),
  };
}

export function makeCtx(flags: Partial<OrgFlags> = {}): TestCtx {
  let seq = 0;
  const changes: TestCtx['changes'] = [];
  const ctx: TestCtx = {
    orgId: ORG_ID,
    instanceUrl: 'http://127.0.0.1',
    flags: { stateCountryPicklistsEnabled: true, connectedAppCreationAllowed: false, edition: 'Developer Edition', apiEnabled: true, ...flags },
    ops: fakeOps(),
    components: new Map<string, Map<string, MetadataComponent>>(),
    newId: (prefix: string) => `${prefix}${String(++seq).padStart(12, '0')}AAA`,
    userId: '005000000000001AAA',
    checkSession: (s: string) => s === TOKEN,
    onChange: (type, fullName, component) => changes.push({ type, fullName, deleted: component === undefined }),
    changes,
  };
  installDefaultSettings(ctx);
  return ctx;
}

export type Emulator = { url: string; ctx: TestCtx; server: Server; requests: string[]; close(): Promise<void> };

export async function startEmulator(ctx: TestCtx = makeCtx()): Promise<Emulator> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0].replace(/\/+/g, '/');
      requests.push(`${req.method ?? ''} ${path}`);
      const m = /^\/services\/Soap\/m\/(\d+\.\d+)$/.exec(path);
      if (req.method === 'POST' && m) {
        handleMetadataSoap(Buffer.concat(chunks).toString('utf8'), ctx, m[1])
          .then((r) => {
            res.writeHead(r.status, { 'content-type': 'text/xml; charset=utf-8' });
            res.end(r.body);
          })
          .catch((e: unknown) => {
            res.writeHead(500);
            res.end(String(e));
          });
        return;
      }
      if (req.method === 'GET' && path === '/services/data') {
        res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(JSON.stringify([{ label: "Spring '26", url: '/services/data/v66.0', version: '66.0' }]));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx.instanceUrl = url;
  return { url, ctx, server, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A base64 DER certificate (no PEM lines), as SamlSsoConfig.validationCert wants it. */
export function derBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}
