/*
 * Carrying out a plan's metadata: through the Metadata API (create/update, 10 components per call, one result per
 * component), or as source-format files (`certs/`, `samlssoconfigs/`, `settings/`, ...) for a git-based pipeline,
 * laid out the way source-deploy-retrieve's registry says.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type * as FastXmlParser from 'fast-xml-parser';
import type * as SourceDeployRetrieve from '@salesforce/source-deploy-retrieve';
import { errorCodeOf, type OrgClient } from './client.js';
import type { Change, MetadataComponent } from './plan.js';
import { lazy } from './lazy.js';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

const fastXmlParser = lazy<typeof FastXmlParser>('fast-xml-parser');
const sdr = lazy<typeof SourceDeployRetrieve>('@salesforce/source-deploy-retrieve');

let builder: FastXmlParser.XMLBuilder | undefined;
const xmlBuilder = (): FastXmlParser.XMLBuilder =>
  (builder ??= new (fastXmlParser().XMLBuilder)({
    format: true,
    indentBy: '    ',
    suppressEmptyNode: false,
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    processEntities: true,
  }));

/** Drops undefined values and turns booleans and numbers into the strings the XML holds, keeping key order. */
const toXmlValue = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.filter((x) => x !== undefined && x !== null).map(toXmlValue);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined && x !== null)
        .map(([k, x]) => [k, toXmlValue(x)])
    );
  }
  return String(v as string);
};

/** The source-format XML of one component (`<Type xmlns=...>` with its fields in the given order). */
export const toMetadataXml = (component: MetadataComponent): string => {
  const fields: Record<string, unknown> = { ...component.content };
  delete fields.fullName;
  const body = xmlBuilder().build({ [component.type]: { '@_xmlns': METADATA_NS, ...(toXmlValue(fields) as Record<string, unknown>) } });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
};

let registry: SourceDeployRetrieve.RegistryAccess | undefined;

/** Folder, file suffix and whether the type has a separate content file, from SDR's registry. */
export const sourceLayout = (type: string): { directoryName: string; suffix: string; hasContent: boolean } => {
  registry ??= new (sdr().RegistryAccess)();
  // Org settings (SecuritySettings, AddressSettings, ...) share SDR's Settings type; ExtlClntApp*Settings are types of their own.
  const isOrgSettings = type.endsWith('Settings') && type !== 'Settings' && !type.startsWith('ExtlClntApp');
  const entry = registry.getTypeByName(isOrgSettings ? 'Settings' : type);
  if (!entry.directoryName || !entry.suffix) throw new Error(`No source format for metadata type ${type}`);
  return { directoryName: entry.directoryName, suffix: entry.suffix, hasContent: entry.strategies?.adapter === 'matchingContentFile' };
};

/** Writes the components as source-format files under `outputDir`; returns the written paths, relative to it. */
export const writeSourceFiles = async (outputDir: string, components: MetadataComponent[]): Promise<string[]> => {
  const written: string[] = [];
  for (const component of components) {
    const { directoryName, suffix, hasContent } = sourceLayout(component.type);
    const dir = join(resolve(outputDir), directoryName);
    // eslint-disable-next-line no-await-in-loop
    await mkdir(dir, { recursive: true });
    const base = join(dir, `${component.fullName}.${suffix}`);
    if (hasContent) {
      // eslint-disable-next-line no-await-in-loop
      await writeFile(base, component.body ?? '');
      written.push(relative(resolve(outputDir), base));
    }
    // eslint-disable-next-line no-await-in-loop
    await writeFile(`${base}-meta.xml`, toMetadataXml(component));
    written.push(relative(resolve(outputDir), `${base}-meta.xml`));
  }
  return written;
};

/** The object the Metadata API takes: fullName first, then the fields, then a content file base64-encoded. */
const toApiObject = (component: MetadataComponent): Record<string, unknown> => {
  const fields = Object.fromEntries(Object.entries(component.content).filter(([k, v]) => k !== 'fullName' && v !== undefined && v !== null));
  return {
    fullName: component.fullName,
    ...fields,
    ...(component.body ? { content: Buffer.from(component.body).toString('base64') } : {}),
  };
};

type SaveResultLike = { fullName?: string; success?: boolean | string; errors?: unknown };

const firstError = (errors: unknown): { code?: string; message: string } => {
  const e = (Array.isArray(errors) ? errors[0] : errors) as { statusCode?: string; message?: string } | undefined;
  return { code: e?.statusCode, message: e?.message ?? 'The org refused the change without saying why.' };
};

/**
 * Applies the metadata changes of a plan: creates and updates, grouped by type and action, 10 per call.
 * Each change gets status applied or failed (with the org's error); changes with action none stay unchanged.
 */
export const applyMetadataChanges = async (client: OrgClient, changes: Change[]): Promise<Change[]> => {
  const todo = changes.filter((c) => c.metadata && (c.action === 'create' || c.action === 'update'));
  const groups = new Map<string, Change[]>();
  for (const c of todo) {
    const key = `${c.action}:${c.metadata!.type}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const outcome = new Map<Change, Change>();
  for (const [key, group] of groups) {
    const [action, type] = key.split(':');
    for (let i = 0; i < group.length; i += 10) {
      const batch = group.slice(i, i + 10);
      const objects = batch.map((c) => toApiObject(c.metadata!));
      let results: SaveResultLike[];
      try {
        // eslint-disable-next-line no-await-in-loop
        const res: unknown = await client.call(() =>
          action === 'create' ? client.conn.metadata.create(type as never, objects as never) : client.conn.metadata.update(type, objects as never)
        );
        results = (Array.isArray(res) ? res : [res]) as SaveResultLike[];
      } catch (e) {
        const error = { code: errorCodeOf(e), message: e instanceof Error ? e.message : String(e) };
        for (const c of batch) outcome.set(c, { ...c, status: 'failed', error });
        continue;
      }
      batch.forEach((c, idx) => {
        const r = results.find((x) => x.fullName === c.metadata!.fullName) ?? results[idx];
        const ok = r?.success === true || r?.success === 'true';
        outcome.set(c, ok ? { ...c, status: 'applied' } : { ...c, status: 'failed', error: firstError(r?.errors) });
      });
    }
  }
  return changes.map((c) => outcome.get(c) ?? c);
};

/**
 * Deletes metadata in the order of the changes (children before parents), one component per call, and stops at
 * the first failure: what depends on a component that could not be deleted is left for the next run.
 */
export const applyMetadataDeletes = async (client: OrgClient, changes: Change[]): Promise<Change[]> => {
  const out: Change[] = [];
  let failed = false;
  for (const c of changes) {
    if (c.action !== 'delete' || failed) {
      out.push(c);
      continue;
    }
    try {
      // eslint-disable-next-line no-await-in-loop
      const res: unknown = await client.call(() => client.conn.metadata.delete(c.resource, [c.name]));
      const r = (Array.isArray(res) ? res[0] : res) as SaveResultLike | undefined;
      if (r?.success === true || r?.success === 'true') out.push({ ...c, status: 'applied' });
      else {
        const error = firstError(r?.errors);
        out.push({ ...c, status: 'failed', error: r?.errors ? error : { message: 'The org refused the deletion without saying why.' } });
        failed = true;
      }
    } catch (e) {
      out.push({ ...c, status: 'failed', error: { code: errorCodeOf(e), message: e instanceof Error ? e.message : String(e) } });
      failed = true;
    }
  }
  return out;
};
