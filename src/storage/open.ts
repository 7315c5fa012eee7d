import { existsSync } from 'node:fs';
import { InputError } from '../core/errors.js';
import type { Storage } from './storage.js';
import { MemoryStorage } from './memory.js';
import { redactUrl } from './redact.js';

export { redactUrl } from './redact.js';

/** Which backend a `--storage` value names, and its location. */
export type StorageLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string; readonly passwordFile?: string };

/** A PostgreSQL schema name hyperzone accepts: a plain identifier, so it needs no quoting anywhere. */
export const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** The `sslmode` values libpq and node-postgres know. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/**
 * Parses a `--storage` value: `memory:`, `sqlite:PATH` (also `sqlite:///abs/path`), a path ending in
 * .db/.sqlite/.sqlite3, or `postgres://…`/`postgresql://…` (query options `schema` and `password_file`
 * are hyperzone's and removed from the URL given to the driver). Throws InputError otherwise.
 */
export function parseStorageUrl(url: string): StorageLocation {
  const value = url.trim();
  if (value === 'memory:' || value === 'memory') return { kind: 'memory' };
  if (/^sqlite:/i.test(value)) {
    let path = value.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new InputError(`Expected \`--storage\` sqlite:PATH to name a file, got ${JSON.stringify(redactUrl(url))}`);
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new InputError(`Expected \`--storage\` to be a valid postgres:// URL, got ${JSON.stringify(redactUrl(url))}`);
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    const passwordFile = parsed.searchParams.get('password_file') ?? undefined;
    // Wrong parts of the URL are bad input (exit 2) before any connection, each named.
    const shown = JSON.stringify(redactUrl(url));
    if (schema !== undefined && !SCHEMA_PATTERN.test(schema)) {
      throw new InputError(`Expected \`schema\` in \`--storage\` to be a plain identifier (letters, digits, _; not starting with a digit; at most 63), got ${JSON.stringify(schema)} in ${shown}`);
    }
    const sslmode = parsed.searchParams.get('sslmode');
    if (sslmode !== null && !SSL_MODES.includes(sslmode)) {
      throw new InputError(`Expected \`sslmode\` in \`--storage\` to be one of ${SSL_MODES.join(', ')}, got ${JSON.stringify(sslmode)} in ${shown}`);
    }
    if (passwordFile === '') throw new InputError(`Expected \`password_file\` in \`--storage\` to name a file, got "" in ${shown}`);
    if (parsed.port !== '' && !(Number(parsed.port) >= 1 && Number(parsed.port) <= 65535)) {
      throw new InputError(`Expected the port in \`--storage\` to be 1–65535, got ${JSON.stringify(parsed.port)} in ${shown}`);
    }
    parsed.searchParams.delete('schema');
    parsed.searchParams.delete('password_file');
    const loc: { kind: 'postgres'; url: string; schema?: string; passwordFile?: string } = { kind: 'postgres', url: parsed.toString() };
    if (schema !== undefined) loc.schema = schema;
    if (passwordFile !== undefined) loc.passwordFile = passwordFile;
    return loc;
  }
  if (/\.(db|sqlite|sqlite3)$/i.test(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return { kind: 'sqlite', path: value };
  throw new InputError(
    `Expected \`--storage\` to be memory:, sqlite:PATH, a .db/.sqlite/.sqlite3 path or a postgres:// URL, got ${JSON.stringify(redactUrl(url))}`);
}

/** Options of openStorage. */
export interface OpenOptions {
  /**
   * For commands that only read (status, list, show, export, report): a SQLite file or a PostgreSQL schema that
   * does not exist is an InputError ("no storage at …", exit 2) instead of being created empty.
   */
  readonly mustExist?: boolean;
}

/** Opens the storage a `--storage` value names (creating SQLite directories and PostgreSQL schemas as needed, unless mustExist). */
export async function openStorage(url: string, options: OpenOptions = {}): Promise<Storage> {
  const loc = parseStorageUrl(url);
  const mustExist = options.mustExist ?? false;
  if (mustExist && loc.kind === 'sqlite' && !existsSync(loc.path)) {
    throw new InputError(`No storage at ${loc.path} (\`--storage\`): run a study there first, or name another with --storage`, { code: 'STUDY_NOT_FOUND' });
  }
  switch (loc.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite':
      // Each backend's driver (better-sqlite3, pg) is loaded only when a storage of its kind is opened.
      return new (await import('./sqlite.js')).SqliteStorage(loc.path, { mustExist });
    case 'postgres': {
      const conn: { url: string; schema?: string; passwordFile?: string; mustExist: boolean } = { url: loc.url, mustExist };
      if (loc.schema !== undefined) conn.schema = loc.schema;
      if (loc.passwordFile !== undefined) conn.passwordFile = loc.passwordFile;
      return (await import('./postgres.js')).PostgresStorage.connect(conn);
    }
  }
}
