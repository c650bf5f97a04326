/*
 * POST /services/Soap/m/NN.0 — the Metadata SOAP API of the org emulator.
 *
 * Envelopes are shaped the way jsforce (lib/soap.js, lib/api/metadata.js) and source-deploy-retrieve parse them:
 * prefixed soapenv:Envelope/Body, no attributes on Body, default namespace = the metadata namespace,
 * `<records xsi:type="T">` / `<records xsi:nil="true"/>` in readMetadata, per-component SaveResult errors,
 * faults with HTTP 500.
 *
 * XML-binding errors in a CRUD request (element out of WSDL sequence, unknown element, bad enum/boolean/int)
 * fail the whole call with a `soapenv:Client` fault, as Salesforce's SOAP stack does (e.g.
 * "'massAction' is not a valid value for the enum 'WebLinkDisplayType'", faultcode=soapenv:Client).
 * Semantic errors (missing required field, duplicates, platform rules) come back per component, success=false.
 */
import { SalesforceError, type MetadataComponent, type MetadataContext } from '../types.js';
import { commitPrivateKey, deleteComponent, findComponent, readComponent, saveComponent, setComponent, isSettingsType, settingsFullName } from './components.js';
import { checkDeployStatus, checkRetrieveStatus, startDeploy, startRetrieve, cancelDeploy, fileNameOf, describeTypes, filePropertiesOf } from './mdapi.js';
import { contentToXml, elementDef, isComplexType, isMetadataType, NS, toContent, validateComponent, type Content } from './validate.js';
import { attrLocal, child, childrenNamed, childText, escapeXml, parseXml, XmlError, type XNode } from './xml.js';

export { putComponent, defaultSettings, installDefaultSettings, getCertificatePrivateKey } from './components.js';

const SOAPENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const MAX_CRUD = 10;

export type SoapResponse = { status: number; body: string };

/** A SOAP fault: `code` is "sf:XXX" (Salesforce exception codes) or "soapenv:Client" (binding errors). */
export class SoapFault extends Error {
  public constructor(public readonly code: string, message: string) {
    super(message);
  }
}

function envelope(inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV}" xmlns="${NS}" xmlns:xsi="${XSI}"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;
}

export function faultResponse(code: string, message: string): SoapResponse {
  const sfCode = code.startsWith('sf:') ? code.slice(3) : undefined;
  const faultstring = sfCode ? `${sfCode}: ${message}` : message;
  const detail = sfCode
    ? `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${sfCode}</sf:exceptionCode><sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>`
    : '';
  return {
    status: 500,
    body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAPENV}" xmlns:sf="${NS}" xmlns:xsi="${XSI}"><soapenv:Body><soapenv:Fault><faultcode>${code}</faultcode><faultstring>${escapeXml(
      faultstring
    )}</faultstring>${detail}</soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
  };
}

const ok = (op: string, inner: string): SoapResponse => ({ status: 200, body: envelope(`<${op}Response>${inner}</${op}Response>`) });
/** Serializes a result object of a WSDL type (SaveResult, DeployResult, ...) inside <result>. */
export const resultXml = (type: string, obj: Content): string => `<result>${contentToXml(type, obj)}</result>`;

type SaveError = { fields?: string[]; message: string; statusCode: string };
const errorsOf = (e: unknown): SaveError[] => {
  if (e instanceof SalesforceError) return [{ fields: e.fields.length ? e.fields : undefined, message: e.message, statusCode: e.errorCode }];
  return [{ message: e instanceof Error ? e.message : String(e), statusCode: 'UNKNOWN_EXCEPTION' }];
};

function metadataTypeOf(node: XNode): string {
  const xt = attrLocal(node, 'type');
  if (!xt) {
    throw new SoapFault(
      'soapenv:Client',
      `Must specify a {${XSI}}type attribute value for the {${NS}}${node.name} element`
    );
  }
  const type = xt.includes(':') ? xt.split(':')[1] : xt;
  if (!isComplexType(type) || !isMetadataType(type)) throw new SoapFault('soapenv:Client', `Unable to find type {${NS}}${type}`);
  return type;
}

function checkTypeName(type: string | undefined): string {
  if (!type) throw new SoapFault('sf:INVALID_TYPE', 'Required field is missing: type');
  if (type === 'Settings') return type;
  if (!isComplexType(type) || !isMetadataType(type)) throw new SoapFault('sf:INVALID_TYPE', `Unknown type name '${type}' specified`);
  return type;
}

function limitCount(n: number): void {
  if (n > MAX_CRUD) throw new SoapFault('sf:EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_CRUD} records in this operation`);
}

/** Parses and validates the <metadata> elements of a create/update/upsert call. Binding errors throw a fault. */
function parseMetadataArgs(op: XNode): Array<{ type: string; node: XNode; fullName: string; requiredErrors: SaveError[] }> {
  const items = childrenNamed(op, 'metadata');
  limitCount(items.length);
  return items.map((node) => {
    const type = metadataTypeOf(node);
    const errors = validateComponent(type, node);
    const parse = errors.find((e) => e.kind === 'parse');
    if (parse) throw new SoapFault('soapenv:Client', parse.message);
    return {
      type,
      node,
      fullName: childText(node, 'fullName') ?? '',
      requiredErrors: errors.map((e) => ({ fields: [e.path ?? ''], message: e.message, statusCode: 'REQUIRED_FIELD_MISSING' })),
    };
  });
}

async function crud(ctx: MetadataContext, op: XNode, mode: 'create' | 'update' | 'upsert'): Promise<string> {
  const args = parseMetadataArgs(op);
  const results: Content[] = [];
  for (const a of args) {
    const base: Content = { fullName: a.fullName || null };
    if (a.requiredErrors.length) {
      results.push({ ...(mode === 'upsert' ? { created: false } : {}), errors: a.requiredErrors, ...base, success: false });
      continue;
    }
    try {
      const res = await saveComponent(ctx, ctx.components, a.type, a.fullName, toContent(a.type, a.node), undefined, mode);
      if (res.privateKey) commitPrivateKey(ctx, res.component.fullName, res.privateKey);
      ctx.onChange(a.type, res.component.fullName, res.component);
      results.push({ ...(mode === 'upsert' ? { created: res.created } : {}), fullName: res.component.fullName, success: true });
    } catch (e) {
      results.push({ ...(mode === 'upsert' ? { created: false } : {}), errors: errorsOf(e), ...base, success: false });
    }
  }
  const type = mode === 'upsert' ? 'UpsertResult' : 'SaveResult';
  return results.map((r) => resultXml(type, r)).join('');
}

function recordXml(c: MetadataComponent): string {
  const content: Content = { ...c.content, fullName: c.fullName };
  // OAuth consumer secrets are not readable through the Metadata API (v66: only in Setup or through the
  // OAuth credentials REST resource when the org allows it).
  if (c.type === 'ExtlClntAppGlobalOauthSettings') delete content.consumerSecret;
  if (c.type === 'ConnectedApp' && content.oauthConfig && typeof content.oauthConfig === 'object') {
    const oauth = { ...(content.oauthConfig as Content) };
    delete oauth.consumerSecret;
    content.oauthConfig = oauth;
  }
  // MetadataWithContent types (Certificate, ...): the body travels base64 in <content>; never a private key.
  if (c.body && elementDef(c.type, 'content')?.type === 'xsd:base64Binary') content.content = c.body.toString('base64');
  return `<records xsi:type="${c.type}">${contentToXml(c.type, content)}</records>`;
}

function readMetadata(ctx: MetadataContext, op: XNode): string {
  const type = checkTypeName(childText(op, 'type'));
  const names = childrenNamed(op, 'fullNames').map((n) => n.text);
  limitCount(names.length);
  const records = names.map((name) => {
    const c = type === 'Settings' ? undefined : readComponent(ctx.components, type, name);
    return c ? recordXml(c) : '<records xsi:nil="true"/>';
  });
  return `<result>${records.join('')}</result>`;
}

function deleteMetadata(ctx: MetadataContext, op: XNode): string {
  const type = checkTypeName(childText(op, 'type'));
  const names = childrenNamed(op, 'fullNames').map((n) => n.text);
  limitCount(names.length);
  return names
    .map((name) => {
      try {
        const removed = deleteComponent(ctx, ctx.components, type, name);
        ctx.onChange(type, removed.fullName, undefined);
        return resultXml('DeleteResult', { fullName: removed.fullName, success: true });
      } catch (e) {
        return resultXml('DeleteResult', { errors: errorsOf(e), fullName: name, success: false });
      }
    })
    .join('');
}

function renameMetadata(ctx: MetadataContext, op: XNode): string {
  const type = checkTypeName(childText(op, 'type'));
  const oldName = childText(op, 'oldFullName') ?? '';
  const newName = childText(op, 'newFullName') ?? '';
  try {
    if (isSettingsType(type)) throw new SalesforceError('INVALID_OPERATION', `Cannot rename ${type}`, 400, ['fullName']);
    const found = findComponent(ctx.components, type, oldName);
    if (!found) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no ${type} named ${oldName} found`, 400, ['fullName']);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(newName) || newName.includes('__') || newName.endsWith('_')) {
      throw new SalesforceError(
        'INVALID_NAME',
        'The name can only contain underscores and alphanumeric characters. It must be unique, begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores.',
        400,
        ['fullName']
      );
    }
    const clash = findComponent(ctx.components, type, newName);
    if (clash && clash !== found) throw new SalesforceError('DUPLICATE_DEVELOPER_NAME', `There is already a ${type} named ${newName}.`, 400, ['fullName']);
    ctx.components.get(type)?.delete(found.fullName);
    const renamed: MetadataComponent = { ...found, fullName: newName, content: { ...found.content, fullName: newName }, lastModifiedDate: new Date().toISOString() };
    setComponent(ctx.components, renamed);
    ctx.onChange(type, found.fullName, undefined);
    ctx.onChange(type, newName, renamed);
    return resultXml('SaveResult', { fullName: newName, success: true });
  } catch (e) {
    return resultXml('SaveResult', { errors: errorsOf(e), fullName: newName, success: false });
  }
}

function listMetadata(ctx: MetadataContext, op: XNode): string {
  const queries = childrenNamed(op, 'queries');
  if (queries.length > 3) throw new SoapFault('sf:INVALID_ARGUMENT', 'Too many queries: at most 3 ListMetadataQuery per call');
  const out: string[] = [];
  for (const q of queries) {
    const type = checkTypeName(childText(q, 'type'));
    const comps: MetadataComponent[] = [];
    if (type === 'Settings') {
      for (const [t, m] of ctx.components) if (isSettingsType(t)) comps.push(...m.values());
    } else comps.push(...(ctx.components.get(type)?.values() ?? []));
    for (const c of comps) {
      const fullName = isSettingsType(c.type) ? settingsFullName(c.type) : c.fullName;
      out.push(
        resultXml('FileProperties', filePropertiesOf(ctx, c, fileNameOf(c.type, fullName), fullName, isSettingsType(c.type) ? 'Settings' : c.type))
      );
    }
  }
  return out.join('');
}

function describeMetadata(): string {
  return resultXml('DescribeMetadataResult', {
    metadataObjects: describeTypes(),
    organizationNamespace: '',
    partialSaveAllowed: true,
    testRequired: false,
  });
}

/** Handles one Metadata API SOAP request. Never throws: errors become faults. */
export async function handleMetadataSoap(xmlBody: string, ctx: MetadataContext, apiVersion: string): Promise<SoapResponse> {
  let env: XNode;
  try {
    env = parseXml(xmlBody);
  } catch (e) {
    const m = e instanceof XmlError ? e.message : String(e);
    return faultResponse('soapenv:Client', m);
  }
  if (env.name !== 'Envelope') return faultResponse('soapenv:VersionMismatch', 'Invalid SOAP envelope: the root element must be {http://schemas.xmlsoap.org/soap/envelope/}Envelope');
  const sessionId = childText(child(child(env, 'Header'), 'SessionHeader'), 'sessionId');
  if (!sessionId || !ctx.checkSession(sessionId.trim())) {
    return faultResponse('sf:INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
  }
  const body = child(env, 'Body');
  const op = body?.children[0];
  if (!op) return faultResponse('soapenv:Client', 'No operation in the SOAP Body');
  try {
    switch (op.name) {
      case 'readMetadata':
        return ok(op.name, readMetadata(ctx, op));
      case 'createMetadata':
        return ok(op.name, await crud(ctx, op, 'create'));
      case 'updateMetadata':
        return ok(op.name, await crud(ctx, op, 'update'));
      case 'upsertMetadata':
        return ok(op.name, await crud(ctx, op, 'upsert'));
      case 'deleteMetadata':
        return ok(op.name, deleteMetadata(ctx, op));
      case 'renameMetadata':
        return ok(op.name, renameMetadata(ctx, op));
      case 'listMetadata':
        return ok(op.name, listMetadata(ctx, op));
      case 'describeMetadata':
        return ok(op.name, describeMetadata());
      case 'deploy':
        return ok(op.name, resultXml('AsyncResult', await startDeploy(ctx, op, apiVersion)));
      case 'checkDeployStatus':
        return ok(op.name, resultXml('DeployResult', checkDeployStatus(ctx, childText(op, 'asyncProcessId') ?? '', childText(op, 'includeDetails') === 'true')));
      case 'cancelDeploy':
        return ok(op.name, resultXml('CancelDeployResult', cancelDeploy(ctx, childText(op, 'String') ?? childText(op, 'id') ?? '')));
      case 'retrieve':
        return ok(op.name, resultXml('AsyncResult', await startRetrieve(ctx, child(op, 'retrieveRequest') ?? child(op, 'request'), apiVersion)));
      case 'checkRetrieveStatus':
        return ok(op.name, resultXml('RetrieveResult', checkRetrieveStatus(ctx, childText(op, 'asyncProcessId') ?? '', childText(op, 'includeZip') !== 'false')));
      default:
        return faultResponse('sf:INVALID_OPERATION', `No operation available for request {${NS}}${op.name}, please check the WSDL for the service.`);
    }
  } catch (e) {
    if (e instanceof SoapFault) return faultResponse(e.code, e.message);
    if (e instanceof SalesforceError) return faultResponse(`sf:${e.errorCode}`, e.message);
    return faultResponse('sf:UNKNOWN_EXCEPTION', `An unexpected error occurred: ${e instanceof Error ? e.message : String(e)}`);
  }
}
