// The dashboard's API over PostgreSQL while another connection (a worker) writes: opened read-only the way the
// command opens it (a schema that does not exist is refused, not created), live counts and a surface grid.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import * as peers from '../../test/support/peers.js';
import { openStorage } from '../storage/open.js';
import { PostgresStorage } from '../storage/postgres.js';
import { DashboardApi } from './api.js';
import { addTrials, createTestStudy } from './test-study.js';

const server = await peers.postgres();
const skip = peers.skipUnless(server);
const serverUrl = server.url ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `hz_dash_${randomBytes(4).toString('hex')}`;

after(async () => {
  if (skip) return;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

test('dashboard API on PostgreSQL while a worker writes', { skip, timeout: 120_000 }, async () => {
  const withSchema = (s: string): string => `${serverUrl}${serverUrl.includes('?') ? '&' : '?'}schema=${s}`;
  await assert.rejects(openStorage(withSchema(`${schema}_none`), { mustExist: true }), /No storage|does not exist|no schema/i);
  const writer = await PostgresStorage.connect({ url: serverUrl, schema });
  const reader = await openStorage(withSchema(schema), { mustExist: true });
  try {
    const study = await createTestStudy(writer, 'pg-study');
    await addTrials(writer, study, 0, 30, 3);
    const api = new DashboardApi(reader, { minRefreshMs: 0 });
    const first = (await api.handle('/api/studies/pg-study', new URLSearchParams())).body as { total: number; epochs: number[] };
    assert.equal(first.total, 30);
    assert.deepEqual(first.epochs, [1, 2, 3]);
    await addTrials(writer, study, 30, 2, 3);
    const list = (await api.handle('/api/studies', new URLSearchParams())).body as { studies: { name: string; total: number }[] };
    assert.deepEqual(list.studies.map((s) => [s.name, s.total]), [['pg-study', 32]]);
    const grid = (await api.handle('/api/studies/pg-study/surface', new URLSearchParams('x=hidden_units&y=batch_size&epoch=2'))).body as { trials: number };
    assert.equal(grid.trials, 32);
  } finally {
    await reader.close();
    await writer.close();
  }
});
