// Test support (not built into dist): finds the PostgreSQL server the tests may use.
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';

/**
 * The PostgreSQL URL the tests use, or null when none answers: HZ_TEST_POSTGRES_URL alone when set (so that a closed
 * port there simulates a machine without PostgreSQL), else the local `test` database as postgres or root, then the PG* environment.
 */
export async function findTestPostgres(): Promise<string | null> {
  const configured = process.env['HZ_TEST_POSTGRES_URL'];
  const candidates = configured ? [configured] : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test', 'postgres:///test'];
  for (const url of candidates) {
    if (!url) continue;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return url;
    } catch {
      // try the next one
    } finally {
      await c.end().catch(() => undefined);
    }
  }
  return null;
}

/**
 * Fresh schema names for one test file (`<prefix>_<run id>_<n>`), each dropped after the file's tests.
 * Nothing is dropped when the file was skipped.
 */
export function testSchemas(serverUrl: string, prefix: string, skipped: () => unknown): () => string {
  const runId = randomBytes(4).toString('hex');
  const schemas: string[] = [];
  after(async () => {
    if (skipped() || schemas.length === 0) return;
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  });
  return () => { const s = `${prefix}_${runId}_${schemas.length}`; schemas.push(s); return s; };
}
