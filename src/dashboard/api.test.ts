import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { DashboardApi } from './api.js';
import { addTrials, createTestStudy, trueAccuracy, UNITS, BATCHES } from './test-study.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

async function setup(n: number, epochs = 5): Promise<{ storage: MemoryStorage; api: DashboardApi }> {
  const storage = new MemoryStorage();
  const study = await createTestStudy(storage, 's1');
  await addTrials(storage, study, 0, n, epochs);
  return { storage, api: new DashboardApi(storage, { minRefreshMs: 0 }) };
}

test('studies: every study with its counts', async () => {
  const { storage, api } = await setup(7);
  await createTestStudy(storage, 'empty');
  const r = await api.handle('/api/studies', q());
  assert.equal(r.status, 200);
  const body = r.body as { studies: { name: string; total: number; counts: { complete: number } }[] };
  assert.deepEqual(body.studies.map((s) => [s.name, s.total, s.counts.complete]), [['s1', 7, 7], ['empty', 0, 0]]);
});

test('an unknown study is a 404 naming the studies there; an unknown endpoint or trial a 404', async () => {
  const { api } = await setup(3);
  const r = await api.handle('/api/studies/nope/trials', q());
  assert.equal(r.status, 404);
  assert.match((r.body as { error: string }).error, /No study named "nope"; studies here: s1/);
  assert.equal((await api.handle('/api/studies/s1/bogus', q())).status, 404);
  assert.equal((await api.handle('/api/nothing', q())).status, 404);
  const t = await api.handle('/api/studies/s1/trials/99', q());
  assert.equal(t.status, 404);
  assert.match((t.body as { error: string }).error, /no trial number 99 \(it has 3 trials/);
});

test('bad query parameters are 400s naming the parameter and the value, never a stack', async () => {
  const { api } = await setup(3);
  const cases: [string, string, RegExp][] = [
    ['/api/studies/s1/trials', 'limit=0', /`limit` to be an integer from 1 to 500, got "0"/],
    ['/api/studies/s1/trials', 'limit=abc', /`limit`.*got "abc"/],
    ['/api/studies/s1/trials', 'page=1.5', /`page`.*got "1.5"/],
    ['/api/studies/s1/trials', 'state=done', /`state` to be a comma-separated list of waiting, running, complete, pruned, failed, got "done"/],
    ['/api/studies/s1/trials', 'sort=colour', /`sort` to be one of number, state, value, .*param:hidden_units.*got "colour"/],
    ['/api/studies/s1/trials', 'order=up', /`order` to be one of asc, desc/],
    ['/api/studies/s1/trials/x1', '', /`trial number` to be an integer ≥ 0, got "x1"/],
    ['/api/studies/s1/surface', 'x=hidden_units', /Expected both `x` and `y`/],
    ['/api/studies/s1/surface', 'x=hidden_units&y=depth', /`y` to be one of the study's params \(hidden_units, batch_size, learning_rate\), got "depth"/],
    ['/api/studies/s1/surface', 'x=batch_size&y=batch_size', /name the same param/],
    ['/api/studies/s1/surface', 'x=batch_size&y=hidden_units&epoch=soon', /`epoch` to be a step number or "final", got "soon"/],
    ['/api/studies/s1/best', 'by=dollars', /`by` to be one of epochs, seconds/],
    ['/api/studies/s1/parallel', 'limit=999999', /`limit` to be an integer from 10 to 5000/],
  ];
  for (const [path, query, message] of cases) {
    const r = await api.handle(path, q(query));
    assert.equal(r.status, 400, `${path}?${query}`);
    const error = (r.body as { error: string }).error;
    assert.match(error, message);
    assert.doesNotMatch(error, /\n\s+at /, 'no stack trace');
  }
});

test('trials: pages, sorting (nulls last), state filter', async () => {
  const { storage, api } = await setup(45);
  const study = (await storage.getStudy('s1'))!;
  await storage.enqueueTrials(study.id, [{ params: { hidden_units: 16, batch_size: 16, learning_rate: 0.1 }, seed: 999, budget: 5 }]);
  const p2 = (await api.handle('/api/studies/s1/trials', q('limit=10&page=2'))).body as { total: number; pages: number; rows: { number: number }[] };
  assert.equal(p2.total, 46);
  assert.equal(p2.pages, 5);
  assert.deepEqual(p2.rows.map((r) => r.number), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  const last = (await api.handle('/api/studies/s1/trials', q('limit=10&page=5'))).body as { rows: { number: number }[] };
  assert.deepEqual(last.rows.map((r) => r.number), [40, 41, 42, 43, 44, 45]);
  const byValue = (await api.handle('/api/studies/s1/trials', q('sort=value&order=desc&limit=500'))).body as { rows: { number: number; value: number | null }[] };
  const values = byValue.rows.map((r) => r.value);
  assert.equal(values[values.length - 1], null, 'the waiting trial (no value) sorts last');
  const finite = values.filter((v): v is number => v !== null);
  assert.deepEqual(finite, [...finite].sort((a, b) => b - a));
  const waiting = (await api.handle('/api/studies/s1/trials', q('state=waiting,running'))).body as { total: number; rows: { number: number; state: string }[] };
  assert.deepEqual(waiting.rows.map((r) => [r.number, r.state]), [[45, 'waiting']]);
  const byParam = (await api.handle('/api/studies/s1/trials', q('sort=param:hidden_units&order=desc&limit=3'))).body as { rows: { params: { hidden_units: number } }[] };
  assert.deepEqual(byParam.rows.map((r) => r.params.hidden_units), [512, 512, 512]);
});

test('surface: the metric at the chosen epoch, averaged per cell over seeds', async () => {
  // 60 trials = the 6 × 5 grid of units × batch twice: seeds 0–29 at learning rate 1e-4, seeds 30–59 at 1e-3.
  const { api } = await setup(60, 8);
  const r = await api.handle('/api/studies/s1/surface', q('x=hidden_units&y=batch_size&epoch=3'));
  assert.equal(r.status, 200);
  type Axis = { positions: number[] };
  type Grid = { x: Axis; y: Axis; z: number[][]; n: number[][]; trials: number; epoch: number; best: { xi: number; yi: number } };
  const s = r.body as Grid;
  assert.deepEqual(s.x.positions, UNITS);
  assert.deepEqual(s.y.positions, BATCHES);
  assert.equal(s.trials, 60);
  assert.ok(s.n.every((row) => row.every((k) => k === 2)));
  // Seed noise is ±0.005, so each cell's mean is within that of the true accuracy at epoch 3.
  UNITS.forEach((u, xi) => BATCHES.forEach((b, yi) => {
    const expected = (trueAccuracy(u, b, 1e-4, 3) + trueAccuracy(u, b, 1e-3, 3)) / 2;
    assert.ok(Math.abs((s.z[yi] as number[])[xi] as number - expected) <= 0.005, `cell ${u} × ${b}: ${(s.z[yi] as number[])[xi]} vs ${expected}`);
  }));
  assert.deepEqual([UNITS[s.best.xi], BATCHES[s.best.yi]], [128, 64], 'the best cell is the peak of the true surface');
  const later = (await api.handle('/api/studies/s1/surface', q('x=hidden_units&y=batch_size&epoch=8'))).body as { z: number[][] };
  assert.ok(((later.z[0] as number[])[0] as number) > ((s.z[0] as number[])[0] as number), 'accuracy rises with epochs');
  const none = (await api.handle('/api/studies/s1/surface', q('x=hidden_units&y=batch_size&epoch=50'))).body as { z: (number | null)[][]; trials: number };
  assert.equal(none.trials, 0);
  assert.ok(none.z.every((row) => row.every((z) => z === null)), 'no trial reached epoch 50');
});

test('summary, trial curve and live refresh: a trial added after the first read shows up', async () => {
  const { storage, api } = await setup(4, 3);
  const before = (await api.handle('/api/studies/s1', q())).body as { version: number; total: number; epochs: number[]; best: { number: number } };
  assert.equal(before.total, 4);
  assert.deepEqual(before.epochs, [1, 2, 3]);
  await addTrials(storage, (await storage.getStudy('s1'))!, 4, 1, 3);
  const after = (await api.handle('/api/studies/s1', q())).body as { version: number; total: number };
  assert.equal(after.total, 5);
  assert.ok(after.version > before.version);
  const t = (await api.handle('/api/studies/s1/trials/4', q())).body as { number: number; steps: { step: number; metrics: Record<string, number> }[] };
  assert.equal(t.number, 4);
  assert.deepEqual(t.steps.map((s) => s.step), [1, 2, 3]);
  assert.ok('val_loss' in (t.steps[0] as { metrics: object }).metrics);
});

test('best so far: only the improving points, with compute in epochs of every finished trial', async () => {
  const { api } = await setup(30, 4);
  const b = (await api.handle('/api/studies/s1/best', q())).body as { points: { compute: number; best: number }[]; total: number; finished: number };
  assert.equal(b.total, 120);
  assert.equal(b.finished, 30);
  for (let i = 1; i < b.points.length; i++) {
    assert.ok(b.points[i]!.best >= b.points[i - 1]!.best);
    assert.ok(b.points[i]!.compute > b.points[i - 1]!.compute);
  }
  assert.equal(b.points[b.points.length - 1]!.compute, 120);
});

test('importance: the share of variance each param explains alone', async () => {
  // Units and batch size vary, the learning rate is 1e-4 for all 30 trials: it explains nothing.
  const { api } = await setup(30, 4);
  const r = (await api.handle('/api/studies/s1/importance', q())).body as { params: { param: string; share: number; eta2: number }[]; trials: number };
  assert.equal(r.trials, 30);
  const share = Object.fromEntries(r.params.map((p) => [p.param, p.share]));
  assert.equal(share.learning_rate, 0);
  // At epoch 4 the batch size matters most (it slows the rise); units matter less (0.02 per squared octave).
  assert.ok(share.batch_size! > 0.5 && share.hidden_units! > 0.03, JSON.stringify(share));
  assert.ok(share.hidden_units! + share.batch_size! <= 1.0001);
  for (const p of r.params) assert.ok(p.share <= p.eta2 + 1e-12, 'ε² never exceeds η²');
});

test('parallel coordinates: a sample past the limit keeps the best', async () => {
  const { api } = await setup(60, 2);
  const r = (await api.handle('/api/studies/s1/parallel', q('limit=20'))).body as { shown: number; total: number; numbers: number[]; dimensions: { label: string; values: number[] }[] };
  assert.equal(r.total, 60);
  assert.equal(r.shown, 20);
  assert.deepEqual(r.dimensions.map((d) => d.label), ['hidden_units', 'batch_size', 'learning_rate', 'parameters', 'val_accuracy']);
  const all = (await api.handle('/api/studies/s1/parallel', q('limit=100'))).body as { dimensions: { values: number[] }[] };
  const best = Math.max(...all.dimensions[4]!.values);
  assert.ok(r.dimensions[4]!.values.includes(best));
});

test('a large study answers from its first page while the rest is read, and says how far the read is', async () => {
  const storage = new MemoryStorage();
  const study = await createTestStudy(storage, 'big');
  await addTrials(storage, study, 0, 30, 2);
  const api = new DashboardApi(storage, { minRefreshMs: 0, pages: { first: 10, next: 10 } });
  const first = (await api.handle('/api/studies/big', q())).body as { total: number; loading: { loaded: number; total: number } | null };
  assert.deepEqual([first.total, first.loading], [10, { loaded: 10, total: 30 }]);
  const page = (await api.handle('/api/studies/big/trials', q('limit=5'))).body as { loading: unknown; rows: { number: number }[] };
  assert.deepEqual(page.rows.map((r) => r.number), [0, 1, 2, 3, 4], 'the first page of the table is there at once');
  for (let i = 0; i < 100; i++) {
    const s = (await api.handle('/api/studies/big', q())).body as { total: number; loading: unknown };
    if (s.loading === null) {
      assert.equal(s.total, 30);
      return;
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.fail('the read never finished');
});

test('the size chart\'s Pareto front is over every complete trial (brute force agrees), not the parallel-coordinates sample', async () => {
  const { api } = await setup(300);
  const d = (await api.handle('/api/studies/s1/parallel', q('limit=10'))).body as {
    shown: number; total: number; front: { parameters: number[]; values: number[]; numbers: number[]; trials: number };
  };
  assert.equal(d.shown, 10);
  assert.equal(d.front.trials, 300);
  const all = ((await api.handle('/api/studies/s1/trials', q('limit=500'))).body as { rows: { number: number; parameters: number; value: number }[] }).rows;
  // Brute force: a trial is on the front when no other has fewer-or-equal parameters and a higher-or-equal value with one strictly better
  // (of exact duplicates, the lowest number).
  const onFront = all.filter((a) => !all.some((b) => b !== a && b.parameters <= a.parameters && b.value >= a.value
    && (b.parameters < a.parameters || b.value > a.value || b.number < a.number)));
  assert.deepEqual([...d.front.numbers].sort((x, y) => x - y), onFront.map((r) => r.number).sort((x, y) => x - y));
  assert.ok(d.front.numbers.length >= 3);
});
