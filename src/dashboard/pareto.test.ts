import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Direction, ObjectiveSpec, TrialState } from '../core/types.js';
import { paretoSummary } from '../reports/pareto.js';
import { MemoryStorage } from '../storage/memory.js';
import { SqliteStorage } from '../storage/sqlite.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardApi } from './api.js';
import { ParetoAgg, paretoView, type ParetoView } from './pareto.js';
import type { TrialRow } from './study-cache.js';
import { addParetoTrials, createParetoStudy } from './test-pareto-study.js';
import { createTestStudy } from './test-study.js';

/** A reproducible uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function row(number: number, state: TrialState, values: [number, number] | null): TrialRow {
  return {
    id: number + 1, number, state, params: {}, seed: 0, budget: null, value: values ? values[0] : null, values, epoch: null, parameters: null,
    seconds: null, startedAt: null, finishedAt: null, workerId: null, stage: null, steps: [], stepValues: [], stepCount: 0,
  };
}

test('ParetoAgg fed in batches equals paretoSummary (the front status lists, ties kept; hypervolume; reference) for every pair of directions', () => {
  for (const [dy, dx] of [['maximize', 'minimize'], ['minimize', 'minimize'], ['maximize', 'maximize'], ['minimize', 'maximize']] as [Direction, Direction][]) {
    const objectives: [ObjectiveSpec, ObjectiveSpec] = [{ metric: 'a', direction: dy }, { metric: 'b', direction: dx }];
    const r = rng(dy.length * 7 + dx.length);
    const agg = new ParetoAgg(objectives);
    const rows: TrialRow[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const changes = [];
      for (let k = Math.floor(r() * 12); k > 0; k--) {
        const n = rows.length;
        const state: TrialState = r() < 0.8 ? 'complete' : r() < 0.5 ? 'failed' : 'running';
        // Few distinct values: equal vectors and equal coordinates are common.
        const values: [number, number] | null = state === 'complete' ? [Math.floor(r() * 12) / 4, Math.floor(r() * 15) * 100] : null;
        rows.push(row(n, state, values));
        changes.push({ index: n, old: undefined, row: rows[n] as TrialRow });
      }
      assert.equal(agg.update(changes), true);
      const view = paretoView(agg.result(), rows, objectives, 10_000);
      const s = paretoSummary(rows.map((t) => ({ ...t, values: t.values ?? null })), objectives);
      assert.deepEqual([...view.front.numbers].sort((a, b) => a - b), s.front.map((t) => t.number).sort((a, b) => a - b), `${dy}/${dx} after batch ${batch}`);
      assert.deepEqual(view.front.numbers, s.front.map((t) => t.number).slice().sort((a, b) => {
        const ya = s.front.find((t) => t.number === a)?.value as number;
        const yb = s.front.find((t) => t.number === b)?.value as number;
        return (dy === 'maximize' ? yb - ya : ya - yb) || a - b;
      }), 'best first on the first objective, ties by number');
      assert.equal(view.total, s.complete);
      if (s.hypervolume === null) assert.equal(view.hypervolume, null);
      else assert.ok(Math.abs((view.hypervolume as number) - s.hypervolume) < 1e-12, `${view.hypervolume} against ${s.hypervolume}`);
      if (s.complete > 0) assert.deepEqual(view.reference, { y: s.ranges[0]?.worst, x: s.ranges[1]?.worst });
      // The shaded region: a closed staircase whose area (shoelace) is the hypervolume in the objectives' own units.
      if (s.complete === 0) assert.equal(view.region, null);
      else {
        const { x, y } = view.region as { x: number[]; y: number[] };
        let twice = 0;
        for (let i = 0; i < x.length; i++) {
          const j = (i + 1) % x.length;
          twice += (x[i] as number) * (y[j] as number) - (x[j] as number) * (y[i] as number);
        }
        const [ry, rx] = s.ranges as [{ best: number; worst: number }, { best: number; worst: number }];
        const scale = Math.abs(ry.worst - ry.best) * Math.abs(rx.worst - rx.best);
        const expected = s.hypervolume === null ? 0 : s.hypervolume * scale;
        assert.ok(Math.abs(Math.abs(twice) / 2 - expected) < 1e-9 * Math.max(1, scale), `${dy}/${dx} batch ${batch}: region area ${Math.abs(twice) / 2} against ${expected}`);
      }
    }
  }
});

test('a complete trial that changes makes ParetoAgg ask to be rebuilt; one that does not is skipped', () => {
  const agg = new ParetoAgg([{ metric: 'a', direction: 'maximize' }, { metric: 'b', direction: 'minimize' }]);
  const old = row(0, 'complete', [0.5, 10]);
  assert.equal(agg.update([{ index: 0, old: undefined, row: old }]), true);
  assert.equal(agg.update([{ index: 0, old, row: row(0, 'complete', [0.5, 10]) }]), true);
  assert.equal(agg.update([{ index: 0, old, row: row(0, 'complete', [0.6, 10]) }]), false);
});

test('100,000 trials: the answer stays small (the front and a bounded sample), an update costs little', () => {
  const objectives: [ObjectiveSpec, ObjectiveSpec] = [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }];
  const r = rng(5);
  const rows = Array.from({ length: 100_000 }, (_, n) => {
    const size = Math.round(10 ** (3 + 3 * r()));
    return row(n, 'complete', [0.99 - 0.2 / Math.log10(size) + 0.03 * r(), size]);
  });
  const agg = new ParetoAgg(objectives);
  let t0 = performance.now();
  agg.update(rows.map((rw, index) => ({ index, old: undefined, row: rw })));
  const first = performance.now() - t0;
  const view = paretoView(agg.result(), rows, objectives, 2000);
  const bytes = JSON.stringify(view).length;
  assert.equal(view.total, 100_000);
  assert.equal(view.points.numbers.length, 2000);
  assert.ok(view.front.numbers.length > 0 && view.front.numbers.length <= 2000);
  assert.ok(bytes < 150_000, `${bytes} bytes`);
  assert.equal(view.x.log, true, 'parameters over three decades on a log axis');
  assert.ok(view.x.ticks && view.x.ticks.values.length >= 3);
  // Ten more trials: an update and a new view.
  t0 = performance.now();
  const more = Array.from({ length: 10 }, (_, i) => row(100_000 + i, 'complete', [0.5 + i / 100, 500]));
  rows.push(...more);
  agg.update(more.map((rw, i) => ({ index: 100_000 + i, old: undefined, row: rw })));
  const next = paretoView(agg.result(), rows, objectives, 2000);
  const update = performance.now() - t0;
  // Fewer parameters than any before: the best of the ten joins the front (the other nine are beaten by it).
  assert.deepEqual(next.front.numbers.filter((n) => n >= 100_000), [100_009]);
  assert.equal(next.front.numbers.length, view.front.numbers.length + 1);
  process.stdout.write(`# pareto at 100,000 trials: first build ${first.toFixed(0)} ms, an update of 10 trials and the view ${update.toFixed(1)} ms, ${bytes} bytes\n`);
  assert.ok(update < 200, `${update} ms`);
});

async function checkApi(storage: MemoryStorage | SqliteStorage): Promise<void> {
  const study = await createParetoStudy(storage, 'mo');
  await addParetoTrials(storage, study, 0, 40);
  await createTestStudy(storage, 'single');
  const api = new DashboardApi(storage, { minRefreshMs: 0 });
  const expected = async (): Promise<number[]> => paretoSummary(await storage.listTrials(study.id), study.objectives).front.map((t) => t.number);
  const r = await api.handle('/api/studies/mo/pareto', new URLSearchParams('limit=10'));
  assert.equal(r.status, 200);
  const body = r.body as ParetoView;
  assert.deepEqual(body.front.numbers, await expected());
  assert.equal(body.points.numbers.length, 10);
  assert.equal(body.total, 40);
  assert.equal(body.y.metric, 'val_accuracy');
  assert.equal(body.x.metric, 'parameters');
  const summary = (await api.handle('/api/studies/mo', new URLSearchParams())).body as { objectives: ObjectiveSpec[] };
  assert.deepEqual(summary.objectives.map((o) => o.metric), ['val_accuracy', 'parameters']);
  // Live: more trials, the front follows.
  await addParetoTrials(storage, study, 40, 30);
  const after = (await api.handle('/api/studies/mo/pareto', new URLSearchParams())).body as ParetoView;
  assert.equal(after.total, 70);
  assert.deepEqual(after.front.numbers, await expected());
  const single = await api.handle('/api/studies/single/pareto', new URLSearchParams());
  assert.equal(single.status, 404);
  assert.match((single.body as { error: string }).error, /has 1 objective; the Pareto chart draws a study with two/);
  const bad = await api.handle('/api/studies/mo/pareto', new URLSearchParams('limit=5'));
  assert.equal(bad.status, 400);
  assert.match((bad.body as { error: string }).error, /`limit` to be an integer from 10 to 5000, got "5"/);
}

test('GET /api/studies/NAME/pareto on memory storage: the front status lists, a bounded sample, live; 404 for one objective; 400 for a bad limit', async () => {
  await checkApi(new MemoryStorage());
});

test('GET /api/studies/NAME/pareto on SQLite (value vectors read through listTrialDigests)', async () => {
  const s = new SqliteStorage(join(mkdtempSync(join(tmpdir(), 'hz-pareto-')), 's.db'));
  try {
    await checkApi(s);
  } finally {
    await s.close();
  }
});

test('log axes get d3 ticks from the server: powers of two for units, 1-2-5 decades for trainable parameters', async () => {
  const { logAxisTicks } = await import('./ticks.js');
  assert.deepEqual(logAxisTicks([16, 64, 512]), { values: [16, 32, 64, 128, 256, 512], labels: ['16', '32', '64', '128', '256', '512'] });
  assert.deepEqual(logAxisTicks([12_730, 407_050], 10), { values: [20_000, 50_000, 100_000, 200_000], labels: ['20,000', '50,000', '100,000', '200,000'] });
  assert.equal(logAxisTicks([NaN, -1]), null);
  const storage = new MemoryStorage();
  const { addTrials } = await import('./test-study.js');
  const study = await createTestStudy(storage, 's');
  await addTrials(storage, study, 0, 120, 1);
  const body = (await new DashboardApi(storage, { minRefreshMs: 0 }).handle('/api/studies/s/parallel', new URLSearchParams())).body as {
    dimensions: { label: string; log?: boolean; ticks?: { values: number[] } }[]; sizeTicks: { values: number[]; labels: string[] } | null;
  };
  const { withTicks } = await import('./ticks.js');
  const dims = withTicks({ dimensions: [{ label: 'learning_rate', values: [1e-4, 3e-3, 0.1], log: true }, { label: 'units', values: [1, 2] }], front: null });
  assert.deepEqual(dims.dimensions[0]?.ticks?.values, [1e-4, 1e-3, 1e-2, 0.1]);
  assert.equal(dims.dimensions[1]?.ticks, undefined, 'linear dimensions keep Plotly\'s ticks');
  assert.ok(body.sizeTicks && body.sizeTicks.values.length >= 2 && body.sizeTicks.labels.every((l) => /^[\d,]+$/.test(l)), JSON.stringify(body.sizeTicks));
});
