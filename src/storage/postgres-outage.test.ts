import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { HyperzoneError, InputError } from '../core/errors.js';
import { gridPlans } from './contract.js';
import { PostgresStorage } from './postgres.js';
import { openStorage } from './open.js';
import { pgProxy } from '../../test/support/pg-proxy.js';
import * as peers from '../../test/support/peers.js';
import { testSchemas } from './test-postgres.js';

const server = await peers.postgres();
const skip = peers.skipUnless(server);
const serverUrl = server.url ?? 'postgres://postgres@127.0.0.1:5432/test';
const newSchema = testSchemas(serverUrl, 'hz_outage', () => skip);

const proxy = () => pgProxy(serverUrl);

describe('postgres: outages and read-only opens', { skip }, () => {
  it('an outage longer than retryMs is STORAGE_UNAVAILABLE, and the worker\'s trial stays recoverable', async () => {
    const schema = newSchema();
    const p = await proxy();
    const flaky = await PostgresStorage.connect({ url: p.url, schema, retryMs: 600, asyncReports: false });
    const direct = await PostgresStorage.connect({ url: serverUrl, schema });
    try {
      const st = await flaky.createStudy({ name: 'outage', direction: 'maximize', metric: 'v', spec: null });
      await flaky.enqueueTrials(st.id, gridPlans(2));
      const t = await flaky.claimTrial(st.id, 'w-gone');
      assert.ok(t);
      await p.cut();
      const started = Date.now();
      await assert.rejects(flaky.reportStep(t.id, 'w-gone', 0, { v: 1 }), (e: unknown) =>
        e instanceof HyperzoneError && e.code === 'STORAGE_UNAVAILABLE' && /unreachable for over 600 ms/.test(e.message));
      assert.ok(Date.now() - started >= 400, 'retried for about retryMs first');
      // The trial is still running under the lost worker: another worker requeues it by worker id (dead local pid) or heartbeat age.
      assert.equal((await direct.getTrial(t.id))?.state, 'running');
      assert.equal(await direct.requeueStale(st.id, { staleMs: 60_000, maxAttempts: 3, workerIds: ['w-gone'] }), 1);
      const again = await direct.claimTrial(st.id, 'w-new');
      assert.equal(again?.id, t.id);
    } finally {
      await flaky.close();
      await direct.close();
    }
  });

  it('a server at max_connections (53300, too many clients) is waited for, not a failed statement', async () => {
    const schema = newSchema();
    const p = await proxy();
    const busy = await PostgresStorage.connect({ url: p.url, schema, retryMs: 30_000, asyncReports: false });
    try {
      const st = await busy.createStudy({ name: 'full', direction: 'maximize', metric: 'v', spec: null });
      await busy.enqueueTrials(st.id, gridPlans(2));
      const t = await busy.claimTrial(st.id, 'w');
      assert.ok(t);
      assert.ok(await p.full(700) >= 1, 'the pool\'s connections were dropped');
      const started = Date.now();
      // Every statement needs a new connection while the server is full; each waits for a slot.
      const [reported, beat] = await Promise.all([busy.reportStep(t.id, 'w', 0, { v: 1 }), busy.heartbeat(t.id, 'w')]);
      assert.equal(reported, true);
      assert.equal(beat, true);
      assert.ok(Date.now() - started >= 500, 'it waited for the server to have room');
      assert.deepEqual((await busy.getTrial(t.id))?.steps.map((s) => s.step), [0]);
    } finally {
      await busy.close();
      await p.cut();
    }
  });

  it('a full server at connect time is waited for too (a refused one still fails at once, below)', async () => {
    const p = await proxy();
    await p.full(600);
    const started = Date.now();
    try {
      const s = await PostgresStorage.connect({ url: p.url, schema: newSchema(), retryMs: 30_000 });
      await s.close();
    } finally {
      await p.cut();
    }
    assert.ok(Date.now() - started >= 400, 'it waited for a slot');
  });

  it('a server that cannot be reached at connect time stays CONNECTION_ERROR (bad input, exit code 2)', async () => {
    const p = await proxy();
    await p.cut();
    await assert.rejects(PostgresStorage.connect({ url: p.url, schema: newSchema(), retryMs: 10_000 }), (e: unknown) => e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR');
  });

  it('mustExist refuses a schema without hyperzone tables and creates nothing', async () => {
    const schema = newSchema();
    await assert.rejects(openStorage(`${serverUrl}${serverUrl.includes('?') ? '&' : '?'}schema=${schema}`, { mustExist: true }), (e: unknown) =>
      e instanceof InputError && /No storage at/.test(e.message) && e.message.includes(schema));
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    const r = await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    await c.end();
    assert.equal(r.rowCount, 0, 'no schema created');
    const made = await PostgresStorage.connect({ url: serverUrl, schema });
    await made.close();
    const opened = await PostgresStorage.connect({ url: serverUrl, schema, mustExist: true });
    await opened.close();
  });
});
