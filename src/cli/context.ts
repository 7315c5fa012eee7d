import { InputError } from '../core/errors.js';
import { openStorage } from '../storage/open.js';
import { checkStudyName } from '../core/names.js';
import type { Storage } from '../storage/storage.js';
import type { StudyRecord } from '../core/types.js';

/** The default storage: a SQLite file in the working directory. */
export const DEFAULT_STORAGE = 'hyperzone.db';

/** Opens the storage named by --storage (or the environment's HYPERZONE_STORAGE, or the default). */
export function storageUrl(flag: string | undefined): string {
  return flag ?? process.env.HYPERZONE_STORAGE ?? DEFAULT_STORAGE;
}

/**
 * Opens storage for a command, runs it, and closes storage whatever happens. A command that only reads
 * (`readOnly`: status, list, show, export, report) refuses a storage that does not exist instead of creating it.
 */
export async function withStorage<T>(flag: string | undefined, fn: (s: Storage) => Promise<T>, options: { readonly readOnly?: boolean } = {}): Promise<T> {
  const storage = await openStorage(storageUrl(flag), { mustExist: options.readOnly === true });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** The study named by --study, or the only study in storage. */
export async function resolveStudy(storage: Storage, name: string | undefined): Promise<StudyRecord> {
  if (name !== undefined) {
    checkStudyName(name);
    const s = await storage.getStudy(name);
    if (!s) {
      const names = (await storage.listStudies()).map((x) => x.name);
      throw new InputError(`No study named \`${name}\`${names.length ? `; studies here: ${names.join(', ')}` : '; this storage has no studies'}`, { code: 'STUDY_NOT_FOUND' });
    }
    return s;
  }
  const all = await storage.listStudies();
  if (all.length === 1) return all[0] as StudyRecord;
  if (all.length === 0) throw new InputError('This storage has no studies; start one with `hyperzone run SPEC`', { code: 'STUDY_NOT_FOUND' });
  throw new InputError(`Several studies here (${all.map((x) => x.name).join(', ')}); name one with --study`);
}

/** Parses a positive integer flag, naming it in the error. */
export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`Expected \`${flag}\` to be an integer ≥ 1, got ${JSON.stringify(value)}`);
  return n;
}
