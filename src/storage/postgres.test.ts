import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as peers from '../../test/support/peers.js';
import { testSchemas } from './test-postgres.js';
import { HyperzoneError } from '../core/errors.js';
import { gridPlans, storageContract } from './contract.js';
import { POSTGRES_MIGRATIONS, PostgresStorage } from './postgres.js';
import type { TrialRecord } from '../core/types.js';


const server = await peers.postgres();
const url = server.url;
const skip = peers.skipUnless(server);
const serverUrl = url ?? 'postgres://postgres@127.0.0.1:5432/test';
const newSchema = testSchemas(serverUrl, 'hz_test', () => skip);
const runId = randomBytes(4).toString('hex');

describe('postgres', { skip }, () => {
  storageContract('postgres', () => PostgresStorage.connect({ url: serverUrl, schema: newSchema() }));

  it('two pools (two workers) claim every trial exactly once', async () => {
    const schema = newSchema();
    const a = await PostgresStorage.connect({ url: serverUrl, schema, poolSize: 8 });
    const b = await PostgresStorage.connect({ url: serverUrl, schema, poolSize: 8 });
    try {
      const st = await a.createStudy({ name: 'shared', direction: 'maximize', metric: 'v', spec: null });
      await Promise.all([a.enqueueTrials(st.id, gridPlans(120)), b.enqueueTrials(st.id, gridPlans(120))]);
      const claimed: TrialRecord[] = [];
      await Promise.all(Array.from({ length: 16 }, async (_, i) => {
        const s = i % 2 === 0 ? a : b;
        for (;;) {
          const t = await s.claimTrial(st.id, `w${i}`);
          if (!t) return;
          claimed.push(t);
          assert.ok(await s.finishTrial(t.id, `w${i}`, { state: 'complete', value: t.number }));
        }
      }));
      assert.equal(claimed.length, 120);
      assert.equal(new Set(claimed.map((t) => t.id)).size, 120);
      assert.deepEqual(await b.countTrials(st.id), { waiting: 0, running: 0, complete: 120, pruned: 0, failed: 0 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('migrates once, keeps data across reconnects and refuses a newer schema', async () => {
    const schema = newSchema();
    const [a, b] = await Promise.all([PostgresStorage.connect({ url: serverUrl, schema }), PostgresStorage.connect({ url: serverUrl, schema })]);
    const st = await a.createStudy({ name: 'keep', direction: 'minimize', metric: 'loss', spec: { k: [1, 2] } });
    assert.deepEqual(await b.getStudy('keep'), st);
    await a.close();
    await b.close();
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    assert.equal((await c.query(`SELECT version FROM "${schema}".hz_schema_version`)).rows[0]?.version, POSTGRES_MIGRATIONS.length);
    await c.query(`UPDATE "${schema}".hz_schema_version SET version = 99`);
    await c.end();
    await assert.rejects(PostgresStorage.connect({ url: serverUrl, schema }), (e: unknown) => e instanceof HyperzoneError && e.code === 'STORAGE_ERROR' && /schema version 99, newer/.test(e.message));
  });

  it('migrates a schema written before value vectors: its studies have one objective, its trials [value]', async () => {
    const schema = newSchema();
    const q = `"${schema}"`;
    const before = POSTGRES_MIGRATIONS.findIndex((m) => m.includes('value_vec'));
    assert.ok(before > 0);
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
      await c.query(`CREATE TABLE ${q}.hz_schema_version (version INTEGER NOT NULL); INSERT INTO ${q}.hz_schema_version VALUES (${before})`);
      for (const m of POSTGRES_MIGRATIONS.slice(0, before)) await c.query(m.replaceAll('{s}', q));
      await c.query(`INSERT INTO ${q}.hz_studies (name, direction, metric, spec, created_at) VALUES ('old', 'minimize', 'loss', '{}', 1)`);
      await c.query(`INSERT INTO ${q}.hz_trials (study_id, number, state, params, seed, plan_key, value, created_at)
                     SELECT id, 0, 'complete', '{"x":1}', 0, 'k', 0.25, 1 FROM ${q}.hz_studies`);
    } finally {
      await c.end();
    }
    const s = await PostgresStorage.connect({ url: serverUrl, schema });
    try {
      const st = await s.getStudy('old');
      assert.deepEqual(st?.objectives, [{ metric: 'loss', direction: 'minimize' }]);
      assert.deepEqual((await s.listTrials(st?.id ?? 0))[0]?.values, [0.25]);
    } finally {
      await s.close();
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await assert.rejects(PostgresStorage.connect({ url: serverUrl, schema: 'x"; DROP TABLE y; --' }), /Expected `schema` to be a plain identifier/);
  });

  it('reports an unknown database as CONNECTION_ERROR without the password', async () => {
    const u = new URL(serverUrl.replace(/^postgres:\/\/\//, 'postgres://127.0.0.1/'));
    u.password = 'sup3r-secret-pw';
    u.pathname = `/no_such_db_${runId}`;
    await assert.rejects(PostgresStorage.connect({ url: u.toString() }), (e: unknown) => {
      assert.ok(e instanceof HyperzoneError);
      assert.equal(e.code, 'CONNECTION_ERROR');
      assert.match(e.message, /Cannot connect to PostgreSQL at .*:\*\*\*@/);
      assert.match(e.message, /no_such_db/);
      assert.doesNotMatch(e.message, /sup3r-secret-pw/);
      return true;
    });
  });

  it('reports a refused connection as CONNECTION_ERROR without the password', async () => {
    await assert.rejects(PostgresStorage.connect({ url: 'postgres://someone:hunter2-secret@127.0.0.1:1/test' }), (e: unknown) => {
      assert.ok(e instanceof HyperzoneError);
      assert.equal(e.code, 'CONNECTION_ERROR');
      assert.match(e.message, /127\.0\.0\.1:1/);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    });
  });

  it('reads the password from a file and reports an unreadable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hz-pw-'));
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, 'file-secret-pw\n');
      // The server trusts local connections, so the password is accepted (and unused).
      const s = await PostgresStorage.connect({ url: serverUrl, schema: newSchema(), passwordFile: file });
      await s.close();
      await assert.rejects(PostgresStorage.connect({ url: serverUrl, passwordFile: join(dir, 'missing') }),
        (e: unknown) => e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR' && e.message.includes('password file'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports use after close as CONNECTION_ERROR', async () => {
    const s = await PostgresStorage.connect({ url: serverUrl, schema: newSchema() });
    await s.close();
    await assert.rejects(s.getStudy('x'), (e: unknown) => e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR');
  });
});
