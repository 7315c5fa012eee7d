// A trial limit (`maxTrials`, `sampler.trials` in a spec) holds exactly with many workers on every backend:
// each worker's check-then-create goes through Storage.createRunningTrialIfBelow, which is atomic.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MemoryStorage } from '../storage/memory.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { PostgresStorage } from '../storage/postgres.js';
import * as peers from '../../test/support/peers.js';
import type { Storage } from '../storage/storage.js';
import { randomSampler } from '../samplers/random.js';
import { Space } from '../space/space.js';
import type { Runner } from '../runners/runner.js';
import { runWorker, type WorkerSummary } from './engine.js';

const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } });
/** Yields between steps, so workers interleave between their trial-count check and their create. */
const runner: Runner = {
  name: 'yielding',
  async run(trial, ctx) {
    await new Promise((r) => setTimeout(r, 1 + (trial.number % 3)));
    await ctx.report(1, { acc: trial.params.x as number });
    return { state: 'complete', value: trial.params.x as number };
  },
};

/**
 * The storage as a remote worker sees it: every call waits 0–3 ms first (network latency), so workers in one
 * process interleave between their reads and their writes as workers on several machines do. Memory and
 * SQLite calls are otherwise synchronous inside, which would hide a non-atomic check-then-create.
 */
function withLatency(s: Storage): Storage {
  let calls = 0;
  return new Proxy(s, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || prop === 'close') return v;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, calls++ % 4));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** 8 runWorker loops (2 slots each) spread over the given connections, on a study limited to `limit` trials. */
async function raceToLimit(storages: readonly Storage[], limit: number): Promise<void> {
  const connections = storages.map(withLatency);
  const [first] = connections;
  assert.ok(first);
  const study = await first.createStudy({ name: `limit-${randomBytes(3).toString('hex')}`, direction: 'maximize', metric: 'acc', spec: {} });
  const summaries: WorkerSummary[] = await Promise.all(Array.from({ length: 8 }, (_, w) => runWorker({
    storage: connections[w % connections.length] as Storage, study, space, sampler: randomSampler(), runner,
    workerId: `w${w}`, parallel: 2, seed: w, budget: 1, maxAttempts: 3, heartbeatMs: 1000, maxTrials: limit,
  })));
  const trials = await first.listTrials(study.id);
  assert.equal(trials.length, limit, `exactly ${limit} trials, got ${trials.length}`);
  assert.deepEqual(trials.map((t) => t.number), Array.from({ length: limit }, (_, i) => i));
  assert.ok(trials.every((t) => t.state === 'complete'));
  assert.equal(summaries.reduce((n, s) => n + s.complete, 0), limit);
  assert.ok(new Set(trials.map((t) => t.workerId)).size > 1, 'several workers took part');
}

const server = await peers.postgres();
const url = server.url;
const skip = peers.skipUnless(server);
const schema = `hz_test_limit_${randomBytes(4).toString('hex')}`;
after(async () => {
  if (skip) return;
  const c = new pg.Client({ connectionString: url ?? 'postgres://postgres@127.0.0.1:5432/test' });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

describe('trial limit with 8 concurrent workers', () => {
  it('memory: exactly N trials', async () => {
    const s = new MemoryStorage();
    await raceToLimit([s], 21);
    await s.close();
  });

  it('SQLite: exactly N trials over 4 connections to one file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hz-limit-'));
    const path = join(dir, 'limit.db');
    const conns = Array.from({ length: 4 }, () => new SqliteStorage(path));
    try {
      await raceToLimit(conns, 21);
    } finally {
      for (const c of conns) await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: exactly N trials over 4 pools (as 4 machines would)', { skip }, async () => {
    const serverUrl = url ?? 'postgres://postgres@127.0.0.1:5432/test';
    const conns: PostgresStorage[] = [];
    try {
      for (let i = 0; i < 4; i++) conns.push(await PostgresStorage.connect({ url: serverUrl, schema, poolSize: 4 }));
      await raceToLimit(conns, 21);
    } finally {
      for (const c of conns) await c.close();
    }
  });
});
