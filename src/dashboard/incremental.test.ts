// The incremental aggregates against the from-scratch ones (aggregate.ts, stats/importance) after random sequences of
// writes (seeded): trials created, enqueued, claimed, stepped, re-stepped, renamed to another stage, finished in and
// out of order, requeued with their steps cleared, retried. A StudyCache over a real storage reads them as the
// dashboard does (in pages, then O(changes)); after each read every aggregate kept incrementally must equal the one
// computed over every row, and at the end the rows must equal a fresh cache's and every page the API answers a fresh
// API's. On memory and SQLite always; on PostgreSQL when a server answers (else skipped with the reason).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as peers from '../../test/support/peers.js';
import { Rng } from '../core/rng.js';
import type { Direction } from '../core/types.js';
import { importance } from '../stats/importance.js';
import { MemoryStorage } from '../storage/memory.js';
import { PostgresStorage } from '../storage/postgres.js';
import { SqliteStorage } from '../storage/sqlite.js';
import type { Storage } from '../storage/storage.js';
import { testSchemas } from '../storage/test-postgres.js';
import { bestSoFar, parallel, parallelOf, sizeFront, sortedIndices, surface, tally } from './aggregate.js';
import { DashboardApi } from './api.js';
import { makeAxis } from './axis.js';
import { BestSoFarAgg, FrontAgg, ImportanceAgg, mergeIn, ParallelOrderAgg, parallelPick, SortedTable, SurfaceAgg, TallyAgg } from './incremental.js';
import { StudyCache, type Change, type Incremental, type TrialRow } from './study-cache.js';
import type { TrialState } from '../core/types.js';

const UNITS = [16, 32, 64];
const BATCHES = [16, 32];
const STAGES = ['a', 'b'];

/** Deep equality with numbers equal to 1e-9 (relative): running sums round differently from one pass. */
function near(a: unknown, b: unknown, path = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return;
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${path}: ${a} against ${b}`);
    return;
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    assert.deepEqual(a, b, path);
    return;
  }
  assert.equal(Array.isArray(a), Array.isArray(b), path);
  const ka = Object.keys(a).sort();
  assert.deepEqual(ka, Object.keys(b).sort(), `${path}: keys`);
  for (const k of ka) near((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}

/** The storages' clock, which the writes move (and now and then set back). */
const time = { ms: 1_000_000 };
const now = (): number => time.ms;

/** Random writes to one study, with the cache read and every aggregate checked after each read. */
async function exercise(storage: Storage, seed: number, ops: number): Promise<void> {
  const rng = new Rng(seed);
  const direction: Direction = seed % 2 === 0 ? 'maximize' : 'minimize';
  const study = await storage.createStudy({
    name: `inc-${seed}`, direction, metric: 'acc',
    spec: { space: { units: { type: 'categorical', choices: UNITS }, batch: { type: 'categorical', choices: BATCHES }, lr: { type: 'float', low: 1e-4, high: 0.1, log: true } } },
  });
  // The axes are fixed for the aggregates checked here (the API builds its own from the values seen: checked at the end).
  const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-4 + (3 * i) / 29));
  const axes = [makeAxis('units', UNITS), makeAxis('batch', BATCHES), makeAxis('lr', lrs, true)];
  const [ax, ay] = axes as [ReturnType<typeof makeAxis>, ReturnType<typeof makeAxis>];
  const cache = new StudyCache(storage, study, 0, { first: 3, next: 4, waiting: 2 });
  const running: { id: number; worker: string }[] = [];
  const failed: number[] = [];
  // Values from a few levels half the time, so that best trials, cells and front points tie.
  const value = (): number => (rng.next() < 0.5 ? rng.pick([0, 0.25, 0.5, 0.75, 1]) : rng.next());
  const plan = () => ({
    // Some lr values fall outside the fixed axis (no cell: left out of a param's groups, kept in importance's total).
    params: { units: rng.pick(UNITS), batch: rng.pick(BATCHES), lr: 10 ** (-4.5 + rng.next() * 4) },
    seed: rng.int(0, 1e6), budget: 4, ...(rng.next() < 0.5 ? { attrs: { 'zones.stage': rng.pick(STAGES) } } : {}),
  });
  const tables = [
    { states: null, key: 'value', desc: true }, { states: null, key: 'number', desc: true }, { states: ['running', 'complete'] as const, key: 'epoch', desc: false },
    { states: ['waiting'] as const, key: 'number', desc: false }, { states: null, key: 'param:units', desc: false }, { states: null, key: 'stage', desc: true },
    { states: null, key: 'seconds', desc: false }, { states: null, key: 'state', desc: false },
  ];
  let checks = 0;
  const check = (): void => {
    const rows = cache.all();
    const t = cache.incremental('tally', () => new TallyAgg(direction));
    const ft = tally(rows, direction);
    assert.deepEqual(t.counts, ft.counts);
    assert.deepEqual(t.stages, ft.stages);
    assert.equal(t.best?.number, ft.best?.number, 'best trial');
    for (const by of ['epochs', 'seconds'] as const) assert.deepEqual(cache.incremental(`best:${by}`, () => new BestSoFarAgg(by, direction)), bestSoFar(rows, by, direction), `best so far by ${by}`);
    for (const tb of tables) {
      const states = tb.states === null ? null : [...tb.states];
      assert.deepEqual(cache.incremental(`table:${tb.key}:${tb.desc}:${String(states)}`, () => new SortedTable(states, tb.key, tb.desc)),
        sortedIndices(rows, states, tb.key, tb.desc), `table by ${tb.key}`);
    }
    for (const epoch of [null, 2, 3]) {
      for (const stage of [null, 'a']) {
        const inc = cache.incremental(`surface:${epoch}:${stage}`, () => new SurfaceAgg(ax, ay, epoch, stage, direction));
        const full = surface(stage === null ? rows : rows.filter((r) => r.stage === stage), ax, ay, epoch, direction);
        near({ ...inc, best: null }, { ...full, best: null }, `surface at ${epoch} over ${stage}`);
        // The best cell: the same mean (two cells whose means differ by rounding alone may swap).
        near(inc.best?.value ?? null, full.best?.value ?? null, 'best cell');
        if (inc.best) near((full.z[inc.best.yi] as (number | null)[])[inc.best.xi], inc.best.value, 'best cell\'s mean');
      }
    }
    const imp = cache.incremental('importance', () => new ImportanceAgg(axes));
    const fimp = importance(rows, axes);
    assert.equal(imp.trials, fimp.trials);
    near(Object.fromEntries(imp.params.map((p) => [p.param, p])), Object.fromEntries(fimp.params.map((p) => [p.param, p])), 'importance');
    const order = cache.incremental('parallel', () => new ParallelOrderAgg(direction));
    for (const limit of [3, 5, 12, 1000]) {
      assert.deepEqual(parallelOf(parallelPick(order, rows, limit), order.done.length, axes, 'acc'), parallel(rows, axes, limit, direction, 'acc'), `parallel, ${limit} lines`);
    }
    assert.deepEqual(cache.incremental('front', () => new FrontAgg(direction)), sizeFront(rows, direction), 'size front');
    checks++;
  };

  for (let op = 0; op < ops; op++) {
    // The clock mostly moves on; now and then it steps back (another machine's clock), so trials finish out of order.
    time.ms += rng.next() < 0.1 ? -rng.int(1, 3000) : rng.int(1, 2000);
    const u = rng.next();
    const r = running.length > 0 ? rng.pick(running) : null;
    if (u < 0.15 || (r === null && u < 0.5)) {
      const worker = `w${rng.int(0, 2)}`;
      const t = await storage.createRunningTrial(study.id, worker, plan());
      running.push({ id: t.id, worker });
    } else if (u < 0.22) {
      await storage.enqueueTrials(study.id, [plan(), plan()]);
    } else if (u < 0.3) {
      const worker = `w${rng.int(0, 2)}`;
      const t = await storage.claimTrial(study.id, worker);
      if (t) running.push({ id: t.id, worker });
    } else if (r === null) {
      continue;
    } else if (u < 0.55) {
      await storage.reportStep(r.id, r.worker, rng.int(1, 4), rng.next() < 0.85 ? { acc: value(), loss: rng.next() } : { loss: rng.next() });
    } else if (u < 0.6) {
      await storage.heartbeat(r.id, r.worker);
    } else if (u < 0.65) {
      await storage.setTrialAttrs(r.id, r.worker, { 'zones.stage': rng.pick(STAGES) });
    } else if (u < 0.88) {
      running.splice(running.indexOf(r), 1);
      const kind = rng.next();
      const metrics = rng.next() < 0.7 ? { parameters: rng.pick([100, 200, 300, 400]) } : {};
      if (kind < 0.7) await storage.finishTrial(r.id, r.worker, { state: 'complete', value: value(), metrics });
      else if (kind < 0.85) await storage.finishTrial(r.id, r.worker, { state: 'pruned', step: 1, ...(rng.next() < 0.5 ? { value: value() } : {}) });
      else {
        await storage.finishTrial(r.id, r.worker, { state: 'failed', error: 'boom' });
        failed.push((await storage.getTrial(r.id))?.number ?? -1);
      }
    } else if (u < 0.94) {
      // A worker is lost: its trials go back to waiting with their steps cleared, or fail after two attempts.
      await storage.requeueStale(study.id, { staleMs: 1e12, maxAttempts: 2, workerIds: [r.worker] });
      for (let i = running.length - 1; i >= 0; i--) if (running[i]?.worker === r.worker) running.splice(i, 1);
    } else if (failed.length > 0) {
      await storage.retryTrials(study.id, [rng.pick(failed)]);
    }
    if (rng.next() < 0.3) {
      await cache.refresh();
      check();
    }
  }
  await cache.loaded();
  await cache.refresh();
  check();
  assert.ok(checks > ops / 5, `checked ${checks} times`);
  const fresh = new StudyCache(storage, study, 0);
  await fresh.loaded();
  assert.deepEqual(cache.all(), fresh.all(), 'the rows read change by change equal one read of the study');

  // The API kept current read by read answers every page as one built from scratch over the same storage.
  const pages = ['', '/trials?sort=value&order=desc&limit=7&page=2', '/trials?state=complete,pruned&sort=param:lr&limit=9', '/trials?sort=number&order=desc&limit=5',
    '/best?by=seconds', '/importance', '/surface?x=units&y=batch&epoch=final', '/surface?x=lr&y=units&epoch=2', '/surface?x=batch&y=units&stage=a', '/parallel?limit=10'];
  const strip = (body: unknown): unknown => JSON.parse(JSON.stringify(body, (k, v: unknown) => (k === 'version' ? undefined : v)));
  const ask = (api: DashboardApi, p: string) => api.handle(`/api/studies/inc-${seed}${p.split('?')[0] ?? ''}`, new URLSearchParams(p.split('?')[1] ?? ''));
  const liveApi = new DashboardApi(storage, { minRefreshMs: 0, pages: { first: 3, next: 4, waiting: 2 } });
  const warm = async (api: DashboardApi): Promise<void> => {
    for (;;) {
      const s = (await ask(api, '')).body as { loading: unknown };
      if (s.loading === null) return;
      await new Promise((res) => setTimeout(res, 1));
    }
  };
  await warm(liveApi);
  for (let k = 0; k < 12; k++) {
    for (const p of pages) await ask(liveApi, p);
    const t = await storage.createRunningTrial(study.id, 'w9', plan());
    await storage.reportStep(t.id, 'w9', 2, { acc: value() });
    if (k % 3 !== 2) await storage.finishTrial(t.id, 'w9', { state: 'complete', value: value(), metrics: { parameters: rng.pick([100, 200, 300]) } });
  }
  const scratch = new DashboardApi(storage, { minRefreshMs: 0 });
  await warm(scratch);
  for (const p of pages) {
    const a = await ask(liveApi, p);
    const b = await ask(scratch, p);
    assert.equal(a.status, 200, `${p}: ${JSON.stringify(a.body)}`);
    near(strip(a.body), strip(b.body), p);
  }
}

/** A random row as the cache holds it: few distinct values, so that ties are common. */
function randomRow(rng: Rng, number: number): TrialRow {
  const states: TrialState[] = ['waiting', 'running', 'complete', 'complete', 'pruned', 'failed'];
  const state = rng.pick(states);
  const k = rng.int(0, 3);
  const steps = Array.from({ length: k }, (_, i) => i + 1);
  const finishedAt = state === 'complete' || state === 'pruned' || state === 'failed' ? rng.int(0, 20) : null;
  return {
    id: number + 1, number, state, params: { units: rng.pick(UNITS), batch: rng.pick(BATCHES), lr: 10 ** (-4.5 + rng.next() * 4) }, seed: 0, budget: null,
    value: state === 'complete' || (state === 'pruned' && rng.next() < 0.5) ? rng.pick([0, 0.5, 1, rng.next()]) : null,
    epoch: k || null, parameters: rng.next() < 0.7 ? rng.pick([100, 200, 300]) : null, seconds: rng.next() < 0.8 ? rng.int(0, 5) / 2 : null,
    startedAt: 0, finishedAt, workerId: null, stage: rng.next() < 0.5 ? rng.pick(STAGES) : null, steps,
    stepValues: steps.map(() => rng.pick([0.25, 0.5, rng.next()])), stepCount: k,
  };
}

test('incremental aggregates equal the from-scratch ones when any row changes, even a finished one (rebuilt where they cannot follow)', () => {
  // The storage never changes a finished trial; these changes do, to check the aggregates' removals and the rebuilds.
  for (const seed of [11, 12, 13, 14]) {
    const rng = new Rng(seed);
    const direction: Direction = seed % 2 === 0 ? 'maximize' : 'minimize';
    const axes = [makeAxis('units', UNITS), makeAxis('batch', BATCHES), makeAxis('lr', Array.from({ length: 30 }, (_, i) => 10 ** (-4 + (3 * i) / 29)), true)];
    const [ax, ay] = axes as [ReturnType<typeof makeAxis>, ReturnType<typeof makeAxis>];
    const rows: TrialRow[] = [];
    const makers: Record<string, () => Incremental<unknown>> = {
      tally: () => new TallyAgg(direction), best: () => new BestSoFarAgg('seconds', direction), table: () => new SortedTable(null, 'value', true),
      surface: () => new SurfaceAgg(ax, ay, 2, null, direction), importance: () => new ImportanceAgg(axes), parallel: () => new ParallelOrderAgg(direction),
      front: () => new FrontAgg(direction),
    };
    const aggs = new Map(Object.entries(makers).map(([k, make]) => [k, make()]));
    const rebuilt = new Map<string, number>();
    for (let step = 0; step < 1500; step++) {
      const changes: Change[] = [];
      for (let j = rng.int(1, 4); j > 0; j--) {
        const index = rows.length === 0 || rng.next() < 0.4 ? rows.length : rng.int(0, rows.length - 1);
        const row = randomRow(rng, index);
        changes.push({ index, old: rows[index], row });
        rows[index] = row;
      }
      for (const [k, agg] of aggs) {
        if (agg.update(changes, rows)) continue;
        rebuilt.set(k, (rebuilt.get(k) ?? 0) + 1);
        const fresh = (makers[k] as () => Incremental<unknown>)();
        fresh.update(rows.map((row, index) => ({ index, old: undefined, row })), rows);
        aggs.set(k, fresh);
      }
      const r = <T>(k: string): T => (aggs.get(k) as Incremental<T>).result();
      const t = r<ReturnType<typeof tally>>('tally');
      const ft = tally(rows, direction);
      assert.deepEqual([t.counts, t.stages, t.best?.number], [ft.counts, ft.stages, ft.best?.number], 'tally');
      assert.deepEqual(r('best'), bestSoFar(rows, 'seconds', direction), 'best so far');
      assert.deepEqual(r('table'), sortedIndices(rows, null, 'value', true), 'table');
      const inc = r<ReturnType<typeof surface>>('surface');
      const full = surface(rows, ax, ay, 2, direction);
      near({ ...inc, best: null }, { ...full, best: null }, 'surface');
      near(inc.best?.value ?? null, full.best?.value ?? null, 'best cell');
      const imp = r<ReturnType<typeof importance>>('importance');
      near(Object.fromEntries(imp.params.map((p) => [p.param, p])), Object.fromEntries(importance(rows, axes).params.map((p) => [p.param, p])), 'importance');
      assert.deepEqual(parallelOf(parallelPick(r('parallel'), rows, 6), r<{ done: number[] }>('parallel').done.length, axes, 'acc'), parallel(rows, axes, 6, direction, 'acc'), 'parallel');
      assert.deepEqual(r('front'), sizeFront(rows, direction), 'front');
    }
    // Both ways were taken: changes followed, and rebuilds where a finished or best row changed.
    for (const k of ['tally', 'best', 'parallel', 'front']) assert.ok((rebuilt.get(k) ?? 0) > 0, `${k} was never rebuilt`);
    for (const k of ['tally', 'best', 'parallel', 'front']) assert.ok((rebuilt.get(k) ?? 0) < 1500, `${k} was always rebuilt`);
  }
});

test('mergeIn merges a batch into a sorted list in one pass', () => {
  const rng = new Rng(7);
  for (let k = 0; k < 50; k++) {
    const all = Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 20));
    const cut = rng.int(0, all.length);
    const sorted = all.slice(0, cut).sort((a, b) => a - b);
    assert.deepEqual(mergeIn(sorted, all.slice(cut), (a, b) => a - b), [...all].sort((a, b) => a - b));
  }
});

test('incremental aggregates equal the from-scratch ones after random writes: memory', async () => {
  for (const seed of [1, 2, 3]) await exercise(new MemoryStorage({ now }), seed, 400);
});

test('incremental aggregates equal the from-scratch ones after random writes: SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hz-inc-'));
  try {
    for (const seed of [4, 5]) {
      const storage = new SqliteStorage(join(dir, `s${seed}.db`), { now });
      try {
        await exercise(storage, seed, 400);
      } finally {
        await storage.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const server = await peers.postgres();
const skip = peers.skipUnless(server);
const schema = testSchemas(server.url ?? '', 'hz_inc', () => skip);

test('incremental aggregates equal the from-scratch ones after random writes: PostgreSQL', { skip, timeout: 300_000 }, async () => {
  const storage = await PostgresStorage.connect({ url: server.url as string, schema: schema(), now });
  try {
    await exercise(storage, 6, 300);
  } finally {
    await storage.close();
  }
});
