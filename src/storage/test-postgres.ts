// Test support (not built into dist): finds the PostgreSQL server the tests may use.
import pg from 'pg';

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
