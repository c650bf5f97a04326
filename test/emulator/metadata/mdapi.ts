/*
 * deploy / checkDeployStatus / cancelDeploy / retrieve / checkRetrieveStatus of the Metadata API emulator.
 * Zip layout (metadata format) is mapped through source-deploy-retrieve's registry.
 */
import JSZip from 'jszip';
import { RegistryAccess, type MetadataType } from '@salesforce/source-deploy-retrieve';
import { SalesforceError, type MetadataComponent, type MetadataContext } from '../types.js';
import {
  cloneMap,
  commitPrivateKey,
  deleteComponent,
  findComponent,
  isSettingsType,
  readComponent,
  removeComponent,
  saveComponent,
  setComponent,
  settingsFullName,
  type ComponentMap,
} from './components.js';
import { contentToXml, isComplexType, isMetadataType, NS, toContent, validateComponent, type Content } from './validate.js';
import { child, childrenNamed, childText, parseXml, XmlError, type XNode } from './xml.js';

const registry = new RegistryAccess();
const MAX_ZIP_BYTES = 39 * 1024 * 1024;

function registryType(name: string): MetadataType | undefined {
  try {
    return registry.getTypeByName(name);
  } catch {
    return undefined;
  }
}

/** Package-manifest type of a stored component type (settings types are all "Settings"). */
const manifestType = (type: string): string => (isSettingsType(type) ? 'Settings' : type);

/** Path of a component's metadata file in a metadata-format zip, e.g. certs/X.crt (content) or samlssoconfigs/X.samlssoconfig. */
export function fileNameOf(type: string, fullName: string): string {
  const rt = registryType(manifestType(type));
  if (!rt) return `${type.toLowerCase()}s/${fullName}.${type.toLowerCase()}`;
  return `${rt.directoryName}/${fullName}.${rt.suffix ?? type.toLowerCase()}`;
}

const hasContentFile = (rt: MetadataType | undefined): boolean => rt?.strategies?.adapter === 'matchingContentFile';

/** DescribeMetadataObject[] for the registry types the WSDL knows. */
export function describeTypes(): Content[] {
  const out: Content[] = [];
  const types = Object.values(registry.getRegistry().types);
  for (const t of types.sort((a, b) => a.name.localeCompare(b.name))) {
    if (t.name !== 'Settings' && !(isComplexType(t.name) && isMetadataType(t.name))) continue;
    out.push({
      childXmlNames: t.children ? Object.values(t.children.types).map((c) => c.name) : undefined,
      directoryName: t.directoryName,
      inFolder: Boolean(t.inFolder),
      metaFile: hasContentFile(t) || Boolean(t.metaFileSuffix),
      suffix: t.suffix,
      xmlName: t.name,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- jobs

type DeployMessage = Content & { success: boolean };
type DeployJob = {
  id: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed' | 'Canceling' | 'Canceled';
  checkOnly: boolean;
  ignoreWarnings: boolean;
  rollbackOnError: boolean;
  createdDate: string;
  startDate?: string;
  completedDate?: string;
  successes: DeployMessage[];
  failures: DeployMessage[];
  total: number;
  deployed: number;
  errorMessage?: string;
  errorStatusCode?: string;
  stateDetail?: string;
  canceled?: boolean;
};
type RetrieveJob = { id: string; result: Content };

// Jobs belong to the org, keyed by its component map: an OrgEmulator hands each request a fresh context object, so
// keying by the context would lose a deploy between deploy() and checkDeployStatus().
const deployJobs = new WeakMap<object, Map<string, DeployJob>>();
const retrieveJobs = new WeakMap<object, Map<string, RetrieveJob>>();
function jobsOf<T>(wm: WeakMap<object, Map<string, T>>, ctx: MetadataContext): Map<string, T> {
  let m = wm.get(ctx.components);
  if (!m) wm.set(ctx.components, (m = new Map<string, T>()));
  return m;
}

const bool = (n: XNode | undefined, name: string, dflt: boolean): boolean => {
  const t = childText(n, name);
  return t === undefined ? dflt : t === 'true' || t === '1';
};

// ---------------------------------------------------------------------------------------------- deploy

type ZipComponent = { type: string; fullName: string; xmlPath?: string; xml?: string; bodyPath?: string; body?: Buffer };

const PRIORITY: Record<string, number> = {
  Certificate: 0,
  ExternalClientApplication: 1,
  ConnectedApp: 2,
  PermissionSet: 3,
  Profile: 3,
  SamlSsoConfig: 6,
  AuthProvider: 6,
};
const priorityOf = (type: string): number => PRIORITY[type] ?? (type.startsWith('ExtlClntApp') ? 5 : isSettingsType(type) ? 8 : 4);

function parsePackage(xml: string, fileName: string): { members: Map<string, string[]>; error?: string } {
  const members = new Map<string, string[]>();
  let root: XNode;
  try {
    root = parseXml(xml);
  } catch (e) {
    return { members, error: `Error parsing file: ${(e as Error).message}` };
  }
  const errors = validateComponent('Package', root);
  const parse = errors.find((e) => e.kind === 'parse');
  if (parse) return { members, error: `Error parsing file: ${parse.message}` };
  for (const t of childrenNamed(root, 'types')) {
    const name = childText(t, 'name') ?? '';
    const list = members.get(name) ?? [];
    list.push(...childrenNamed(t, 'members').map((m) => m.text));
    members.set(name, list);
  }
  void fileName;
  return { members };
}

export async function startDeploy(ctx: MetadataContext, op: XNode, _apiVersion: string): Promise<Content> {
  const zipB64 = childText(op, 'ZipFile') ?? '';
  const opts = child(op, 'DeployOptions');
  const zip = Buffer.from(zipB64.replace(/\s+/g, ''), 'base64');
  if (zip.length > MAX_ZIP_BYTES) throw new SalesforceError('EXCEEDED_MAX_SIZE_REQUEST', `Maximum size of request reached. Maximum size of request is ${MAX_ZIP_BYTES} bytes.`);
  const now = new Date().toISOString();
  const job: DeployJob = {
    id: ctx.newId('0Af'),
    status: 'Pending',
    checkOnly: bool(opts, 'checkOnly', false),
    ignoreWarnings: bool(opts, 'ignoreWarnings', false),
    rollbackOnError: bool(opts, 'rollbackOnError', true),
    createdDate: now,
    successes: [],
    failures: [],
    total: 0,
    deployed: 0,
  };
  jobsOf(deployJobs, ctx).set(job.id, job);
  setImmediate(() => {
    runDeploy(ctx, job, zip).catch((e: unknown) => {
      job.status = 'Failed';
      job.errorStatusCode = 'UNKNOWN_EXCEPTION';
      job.errorMessage = e instanceof Error ? e.message : String(e);
      job.completedDate = new Date().toISOString();
    });
  });
  return { done: false, id: job.id, state: 'Queued' };
}

async function runDeploy(ctx: MetadataContext, job: DeployJob, zipBuf: Buffer): Promise<void> {
  job.status = 'InProgress';
  job.startDate = new Date().toISOString();
  const finish = (status: DeployJob['status']): void => {
    job.status = job.canceled ? 'Canceled' : status;
    job.completedDate = new Date().toISOString();
  };
  const fail = (fileName: string, fullName: string, componentType: string, problem: string, pos?: { line?: number; column?: number }): void => {
    job.failures.push({
      changed: false,
      columnNumber: pos?.column,
      componentType,
      created: false,
      createdDate: new Date().toISOString(),
      deleted: false,
      fileName,
      fullName,
      lineNumber: pos?.line,
      problem,
      problemType: 'Error',
      success: false,
    });
  };

  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(zipBuf);
  } catch {
    job.errorStatusCode = 'INVALID_DEPLOY_ZIP';
    job.errorMessage = 'The zip file is not a valid zip archive';
    return finish('Failed');
  }
  const files = Object.values(zip.files).filter((f) => !f.dir && !f.name.includes('__MACOSX'));
  const pkgFile = files.filter((f) => /(^|\/)package\.xml$/.test(f.name)).sort((a, b) => a.name.length - b.name.length)[0];
  if (!pkgFile) {
    job.errorStatusCode = 'INVALID_DEPLOY_ZIP';
    job.errorMessage = 'No package.xml found';
    return finish('Failed');
  }
  const prefix = pkgFile.name.slice(0, -'package.xml'.length);
  const read = async (name: string): Promise<string> => (await zip.file(name)?.async('string')) ?? '';
  const pkg = parsePackage(await read(pkgFile.name), 'package.xml');
  if (pkg.error) {
    fail('package.xml', 'package.xml', '', pkg.error);
    return finish('Failed');
  }

  // group the files into components
  const comps = new Map<string, ZipComponent>();
  for (const f of files) {
    if (!f.name.startsWith(prefix)) continue;
    const rel = f.name.slice(prefix.length);
    if (!rel.includes('/')) continue; // package.xml, destructiveChanges*.xml
    const isMeta = rel.endsWith('-meta.xml');
    const path = isMeta ? rel.slice(0, -'-meta.xml'.length) : rel;
    const base = path.slice(path.lastIndexOf('/') + 1);
    const dot = base.indexOf('.');
    if (dot < 0) continue;
    const fullNameRaw = base.slice(0, dot);
    const suffix = base.slice(dot + 1);
    let rt: MetadataType | undefined;
    try {
      rt = registry.getTypeBySuffix(suffix);
    } catch {
      rt = undefined;
    }
    if (!rt) {
      fail(rel, fullNameRaw, '', `Unknown type name '${suffix}' specified in file ${rel}`);
      continue;
    }
    const type = rt.name === 'Settings' ? `${fullNameRaw}Settings` : rt.name;
    const key = `${type}\u0000${fullNameRaw}`;
    const zc = comps.get(key) ?? { type, fullName: decodeURIComponent(fullNameRaw) };
    if (hasContentFile(rt) && !isMeta) {
      zc.bodyPath = rel;
      zc.body = Buffer.from(await f.async('uint8array'));
    } else {
      zc.xmlPath = rel;
      zc.xml = await f.async('string');
    }
    comps.set(key, zc);
  }

  // package.xml membership
  const listed = (type: string, fullName: string): boolean => {
    const m = pkg.members.get(manifestType(type));
    return Boolean(m && (m.includes('*') || m.some((x) => x.toLowerCase() === fullName.toLowerCase())));
  };
  const selected = [...comps.values()].filter((c) => listed(c.type, c.fullName));
  for (const [type, members] of pkg.members) {
    for (const m of members) {
      if (m === '*') continue;
      const t = type === 'Settings' ? `${m}Settings` : type;
      if (!selected.some((c) => c.type === t && c.fullName.toLowerCase() === m.toLowerCase())) {
        fail('package.xml', m, type, `An object '${m}' of type ${type} was named in package.xml, but was not found in zipped directory`);
      }
    }
  }
  job.total = selected.length;

  const staging: ComponentMap = cloneMap(ctx.components);
  const changes: Array<{ type: string; fullName: string; component: MetadataComponent | undefined }> = [];
  const keys: Array<{ fullName: string; key: Parameters<typeof commitPrivateKey>[2] }> = [];
  selected.sort((a, b) => priorityOf(a.type) - priorityOf(b.type));
  for (const c of selected) {
    const fileName = c.bodyPath ?? c.xmlPath ?? '';
    const mt = manifestType(c.type);
    const xmlFile = c.xmlPath ?? `${fileName}-meta.xml`;
    if (c.xml === undefined) {
      fail(fileName, c.fullName, mt, `Could not find a metadata file for ${fileName}: ${xmlFile} is missing`);
      continue;
    }
    let root: XNode;
    try {
      root = parseXml(c.xml);
    } catch (e) {
      const xe = e as XmlError;
      fail(xmlFile, c.fullName, mt, `Error parsing file: ${xe.message}`, { line: xe.line, column: xe.column });
      continue;
    }
    if (root.name !== c.type) {
      fail(xmlFile, c.fullName, mt, `Error parsing file: Element {${NS}}${root.name} invalid at this location in type ${c.type}`, root);
      continue;
    }
    const errors = validateComponent(c.type, root, c.type === 'Certificate' ? ['content'] : []);
    if (errors.length) {
      const e = errors[0];
      fail(xmlFile, c.fullName, mt, e.kind === 'parse' ? `Error parsing file: ${e.message}` : e.message, e);
      continue;
    }
    const name = isSettingsType(c.type) ? settingsFullName(c.type) : c.fullName;
    try {
      const res = await saveComponent(ctx, staging, c.type, name, toContent(c.type, root), c.body, 'deploy');
      changes.push({ type: c.type, fullName: res.component.fullName, component: res.component });
      if (res.privateKey) keys.push({ fullName: res.component.fullName, key: res.privateKey });
      job.successes.push({
        changed: !res.created,
        componentType: mt,
        created: res.created,
        createdDate: res.component.lastModifiedDate,
        deleted: false,
        fileName,
        fullName: c.fullName,
        id: res.component.id || undefined,
        success: true,
      });
    } catch (e) {
      const se = e instanceof SalesforceError ? e : undefined;
      fail(fileName, c.fullName, mt, se ? se.message : `An unexpected error occurred: ${(e as Error).message}`);
    }
  }

  // destructive changes
  for (const f of files) {
    const rel = f.name.slice(prefix.length);
    if (!/^destructiveChanges(Pre|Post)?\.xml$/.test(rel)) continue;
    const d = parsePackage(await read(f.name), rel);
    if (d.error) {
      fail(rel, rel, '', d.error);
      continue;
    }
    for (const [type, members] of d.members) {
      for (const m of members) {
        const t = type === 'Settings' ? `${m}Settings` : type;
        job.total++;
        try {
          if (!isComplexType(t) || !isMetadataType(t)) throw new SalesforceError('INVALID_TYPE', `Unknown type name '${type}' specified in ${rel}`);
          const removed = deleteComponent(ctx, staging, t, m);
          changes.push({ type: t, fullName: removed.fullName, component: undefined });
          job.successes.push({
            changed: false,
            componentType: type,
            created: false,
            createdDate: new Date().toISOString(),
            deleted: true,
            fileName: fileNameOf(t, removed.fullName),
            fullName: removed.fullName,
            id: removed.id || undefined,
            success: true,
          });
        } catch (e) {
          const msg =
            e instanceof SalesforceError && e.errorCode === 'INVALID_CROSS_REFERENCE_KEY'
              ? `No ${type} named: ${m} found`
              : (e as Error).message;
          if (job.ignoreWarnings && e instanceof SalesforceError && e.errorCode === 'INVALID_CROSS_REFERENCE_KEY') {
            job.total--;
            continue;
          }
          fail(rel, m, type, msg);
        }
      }
    }
  }

  const failed = job.failures.length > 0;
  job.deployed = job.successes.length;
  job.successes.push({
    changed: false,
    componentType: '',
    created: false,
    createdDate: new Date().toISOString(),
    deleted: false,
    fileName: 'package.xml',
    fullName: 'package.xml',
    success: true,
  });
  if (job.canceled) return finish('Canceled');
  const commit = !job.checkOnly && (!failed || !job.rollbackOnError);
  if (commit) {
    for (const ch of changes) {
      if (ch.component) setComponent(ctx.components, ch.component);
      else removeComponent(ctx.components, ch.type, ch.fullName);
    }
    for (const k of keys) commitPrivateKey(ctx, k.fullName, k.key);
    for (const ch of changes) ctx.onChange(ch.type, ch.fullName, ch.component);
  }
  if (failed && job.rollbackOnError) job.deployed = 0;
  finish(!failed ? 'Succeeded' : job.rollbackOnError ? 'Failed' : 'SucceededPartial');
}

export function checkDeployStatus(ctx: MetadataContext, id: string, includeDetails: boolean): Content {
  const job = jobsOf(deployJobs, ctx).get(id) ?? jobsOf(deployJobs, ctx).get([...jobsOf(deployJobs, ctx).keys()].find((k) => k.slice(0, 15) === id.slice(0, 15)) ?? '');
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid deploy id: ${id}`);
  const done = !['Pending', 'InProgress', 'Canceling'].includes(job.status);
  return {
    checkOnly: job.checkOnly,
    completedDate: job.completedDate,
    createdBy: ctx.userId.slice(0, 15),
    createdByName: 'Emulator User',
    createdDate: job.createdDate,
    details: includeDetails
      ? { componentFailures: job.failures, componentSuccesses: job.successes, runTestResult: { numFailures: 0, numTestsRun: 0, totalTime: 0 } }
      : {},
    done,
    errorMessage: job.errorMessage,
    errorStatusCode: job.errorStatusCode,
    id: job.id,
    ignoreWarnings: job.ignoreWarnings,
    lastModifiedDate: job.completedDate ?? job.startDate ?? job.createdDate,
    numberComponentErrors: job.failures.length,
    numberComponentsDeployed: job.deployed,
    numberComponentsTotal: job.total,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: job.rollbackOnError,
    runTestsEnabled: false,
    startDate: job.startDate,
    stateDetail: job.stateDetail,
    status: job.status,
    success: job.status === 'Succeeded',
  };
}

export function cancelDeploy(ctx: MetadataContext, id: string): Content {
  const job = jobsOf(deployJobs, ctx).get(id);
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid deploy id: ${id}`);
  const done = !['Pending', 'InProgress'].includes(job.status);
  if (!done) {
    job.canceled = true;
    job.status = 'Canceling';
  }
  return { done, id };
}

// ---------------------------------------------------------------------------------------------- retrieve

function componentXml(c: MetadataComponent): string {
  const { fullName: _f, content: _c, ...rest } = c.content as Content & { content?: unknown };
  const inner = contentToXml(c.type, rest, '    ');
  const xsi = inner.includes('xsi:nil') ? ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${c.type} xmlns="${NS}"${xsi}>\n${inner}</${c.type}>\n`;
}

/** FileProperties of a component, as listMetadata and retrieve report them. */
export function filePropertiesOf(ctx: MetadataContext, c: MetadataComponent, fileName: string, fullName: string, type: string): Content {
  return {
    createdById: ctx.userId,
    createdByName: 'Emulator User',
    createdDate: c.createdDate,
    fileName,
    fullName,
    id: c.id || '',
    lastModifiedById: ctx.userId,
    lastModifiedByName: 'Emulator User',
    lastModifiedDate: c.lastModifiedDate,
    manageableState: 'unmanaged',
    type,
  };
}

export async function startRetrieve(ctx: MetadataContext, req: XNode | undefined, apiVersion: string): Promise<Content> {
  const id = ctx.newId('09S');
  const singlePackage = bool(req, 'singlePackage', false);
  const root = singlePackage ? '' : 'unpackaged/';
  const unpackaged = child(req, 'unpackaged');
  const version = childText(unpackaged, 'version') ?? childText(req, 'apiVersion') ?? apiVersion;
  const zip = new JSZip();
  const fileProperties: Content[] = [];
  const messages: Content[] = [];
  const pkgTypes = new Map<string, string[]>();
  const now = new Date().toISOString();
  const prop = (c: MetadataComponent, fileName: string, fullName: string, type: string): Content =>
    filePropertiesOf(ctx, c, fileName, fullName, type);
  for (const t of childrenNamed(unpackaged, 'types')) {
    const typeName = childText(t, 'name') ?? '';
    const members = childrenNamed(t, 'members').map((m) => m.text);
    if (typeName !== 'Settings' && !(isComplexType(typeName) && isMetadataType(typeName))) {
      messages.push({ fileName: `${root}package.xml`, problem: `Unknown type name '${typeName}' specified in package.xml` });
      continue;
    }
    let found: MetadataComponent[] = [];
    const wildcard = members.includes('*');
    if (typeName === 'Settings') {
      const names = wildcard
        ? [...new Set([...[...ctx.components.keys()].filter(isSettingsType).map(settingsFullName), 'Security', 'Address', 'IdentityProvider'])]
        : members;
      for (const m of names) {
        const type = `${m}Settings`;
        const c = isComplexType(type) && isSettingsType(type) ? readComponent(ctx.components, type, m) : undefined;
        if (c) found.push(c);
        else messages.push({ fileName: `${root}package.xml`, problem: `Entity of type 'Settings' named '${m}' cannot be found` });
      }
    } else if (wildcard) {
      found = [...(ctx.components.get(typeName)?.values() ?? [])];
    } else {
      for (const m of members) {
        const c = findComponent(ctx.components, typeName, m);
        if (c) found.push(c);
        else messages.push({ fileName: `${root}package.xml`, problem: `Entity of type '${typeName}' named '${m}' cannot be found` });
      }
    }
    const names: string[] = [];
    for (const c of found) {
      const fullName = isSettingsType(c.type) ? settingsFullName(c.type) : c.fullName;
      const path = fileNameOf(c.type, fullName);
      const rt = registryType(typeName);
      if (hasContentFile(rt)) {
        zip.file(`${root}${path}`, c.body ?? Buffer.alloc(0));
        zip.file(`${root}${path}-meta.xml`, componentXml(c));
      } else zip.file(`${root}${path}`, componentXml(c));
      fileProperties.push(prop(c, `${root}${path}`, fullName, typeName));
      names.push(fullName);
    }
    if (names.length) pkgTypes.set(typeName, names.sort());
  }
  const pkgXml =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${NS}">\n` +
    [...pkgTypes.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, members]) => `    <types>\n${members.map((m) => `        <members>${m}</members>\n`).join('')}        <name>${name}</name>\n    </types>\n`)
      .join('') +
    `    <version>${version}</version>\n</Package>\n`;
  zip.file(`${root}package.xml`, pkgXml);
  fileProperties.push({
    createdById: ctx.userId,
    createdByName: 'Emulator User',
    createdDate: now,
    fileName: `${root}package.xml`,
    fullName: `${root}package.xml`,
    id: '',
    lastModifiedById: ctx.userId,
    lastModifiedByName: 'Emulator User',
    lastModifiedDate: now,
    manageableState: 'unmanaged',
    type: 'Package',
  });
  const zipFile = (await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })).toString('base64');
  jobsOf(retrieveJobs, ctx).set(id, {
    id,
    result: { done: true, fileProperties, id, messages, status: 'Succeeded', success: true, zipFile },
  });
  return { done: false, id, state: 'Queued' };
}

export function checkRetrieveStatus(ctx: MetadataContext, id: string, includeZip: boolean): Content {
  const job = jobsOf(retrieveJobs, ctx).get(id);
  if (!job) throw new SalesforceError('INVALID_ID_FIELD', `Invalid retrieve id: ${id}`);
  return includeZip ? job.result : { ...job.result, zipFile: '' };
}
