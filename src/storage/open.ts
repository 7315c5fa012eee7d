import { InputError } from '../errors.js';
import type { Storage } from './storage.js';
import { MemoryStorage } from './memory.js';
import { redactUrl } from './redact.js';

export { redactUrl } from './redact.js';

/** Which backend a `--storage` value names, and its location. */
export type StorageLocation =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string; readonly passwordFile?: string };

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

/** Opens the storage a `--storage` value names (creating SQLite directories and PostgreSQL schemas as needed). */
export async function openStorage(url: string): Promise<Storage> {
  const loc = parseStorageUrl(url);
  switch (loc.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite':
      // Each backend's driver (better-sqlite3, pg) is loaded only when a storage of its kind is opened.
      return new (await import('./sqlite.js')).SqliteStorage(loc.path);
    case 'postgres': {
      const options: { url: string; schema?: string; passwordFile?: string } = { url: loc.url };
      if (loc.schema !== undefined) options.schema = loc.schema;
      if (loc.passwordFile !== undefined) options.passwordFile = loc.passwordFile;
      return (await import('./postgres.js')).PostgresStorage.connect(options);
    }
  }
}
