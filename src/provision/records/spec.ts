/*
 * `records sync`'s flags as a SyncSpec (a flag and its desired-state field mean the same), and the library's input
 * errors as SfErrors with their fix.
 */
import { readFile } from 'node:fs/promises';
import { Messages, SfError } from '@salesforce/core';
import type { Permission, RemoveAction, SyncObject } from './classify.js';
import { InputError, parseMap } from './input.js';
import type { SyncSpec } from './sync.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-provision', 'provision.records.sync');

export type SyncFlags = {
  object: SyncObject;
  file: string;
  map?: string;
  'map-file'?: string;
  match: string;
  allow?: Permission[];
  'remove-action': RemoveAction;
  'disable-field'?: string;
  'deprovision-missing': boolean;
  'clear-empty': boolean;
  'allow-duplicates': boolean;
  'bulk-threshold'?: number;
  force: boolean;
  'resume-job'?: string;
};

/** Field=value of --disable-field (the value may hold "=" and spaces; quotes around it are dropped). */
export const parseDisableField = (v: string | undefined): { field: string; value: string } | undefined => {
  if (v === undefined) return undefined;
  const i = v.indexOf('=');
  if (i <= 0) throw messages.createError('error.BadDisableField', [v]);
  return { field: v.slice(0, i).trim(), value: v.slice(i + 1).trim().replace(/^"(.*)"$/, '$1') };
};

/** The spec the flags describe. */
export const syncSpecFromFlags = async (flags: SyncFlags): Promise<SyncSpec> => {
  const mapText = flags['map-file'] ? await readFile(flags['map-file'], 'utf8') : flags.map;
  const spec: SyncSpec = {
    object: flags.object,
    file: flags.file,
    match: flags.match,
    allow: flags.allow ?? ['create', 'update'],
    removeAction: flags['remove-action'],
    deprovisionMissing: flags['deprovision-missing'],
    clearEmpty: flags['clear-empty'],
    allowDuplicates: flags['allow-duplicates'],
    force: flags.force,
    ...(flags['resume-job'] ? { resumeJob: flags['resume-job'] } : {}),
  };
  try {
    if (mapText !== undefined) spec.map = parseMap(mapText);
  } catch (e) {
    throw inputError(e);
  }
  const disable = parseDisableField(flags['disable-field']);
  if (disable) spec.disable = disable;
  if (flags['bulk-threshold'] !== undefined) spec.bulkThreshold = flags['bulk-threshold'];
  if (spec.deprovisionMissing && spec.removeAction === 'none') throw messages.createError('error.DeprovisionWithoutAction');
  if (spec.removeAction === 'disable' && !disable) throw messages.createError('error.DisableWithoutField');
  return spec;
};

/** An InputError as an SfError with the fix; other errors as they are. */
export const inputError = (e: unknown): unknown => (e instanceof InputError ? messages.createError('error.Input', [e.message]) : e);

export const isSfError = (e: unknown): e is SfError => e instanceof SfError;
