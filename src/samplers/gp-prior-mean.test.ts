import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpSampler } from './gp.js';
import { AutoSampler } from './auto.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import type { Params, TrialRecord } from '../core/types.js';

const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } });
/** A narrow bowl at (0.83, 0.17) on a gentle slope: 10 random points rarely find it. */
const f = (p: Params): number => {
  const x = p['x'] as number, y = p['y'] as number;
  return 0.3 * x - 1 * Math.exp(-((x - 0.83) ** 2 + (y - 0.17) ** 2) / (2 * 0.04 ** 2));
};
const dist = (p: Params): number => Math.hypot((p['x'] as number) - 0.83, (p['y'] as number) - 0.17);

const trial = (number: number, params: Params, value: number): TrialRecord => ({
  id: number + 1, studyId: 1, number, state: 'complete', params, seed: number, budget: null, value,
  metrics: {}, steps: [], attrs: {}, error: null, workerId: null, attempts: 1, createdAt: 0, startedAt: 0, finishedAt: 0, heartbeatAt: null,
});

function startup(seed: number): TrialRecord[] {
  const rng = new Rng(seed);
  return Array.from({ length: 10 }, (_, i) => { const p = space.sample(rng); return trial(i, p, f(p)); });
}

test('a prior mean that knows the surface leads the first GP proposal to the optimum random points missed', () => {
  let withPrior = 0, without = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const trials = startup(seed);
    const ctx = { space, direction: 'minimize' as const, trials, rng: new Rng(1000 + seed) };
    const a = new GpSampler({ priorMean: f }).sample({ ...ctx, rng: new Rng(1000 + seed) }).params;
    const b = new GpSampler().sample(ctx).params;
    if (dist(a) < 0.05) withPrior++;
    if (dist(b) < 0.05) without++;
  }
  assert.ok(withPrior >= 7, `with the prior mean ${withPrior} of 8 first proposals land in the bowl`);
  assert.ok(without <= 2, `without it ${without} of 8`);
});

test('a prior mean that ranks the study backwards gets slope 0: proposals as without one', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const trials = startup(seed);
    const a = new GpSampler({ priorMean: (p) => -f(p) }).sample({ space, direction: 'minimize', trials, rng: new Rng(seed) }).params;
    const b = new GpSampler().sample({ space, direction: 'minimize', trials, rng: new Rng(seed) }).params;
    for (const k of ['x', 'y']) assert.ok(Math.abs((a[k] as number) - (b[k] as number)) < 1e-6, `seed ${seed} ${k}: ${a[k]} vs ${b[k]}`);
  }
});

test('the direction applies to the prior mean as to the values, and the model\'s pick uses it', () => {
  // Maximising −f with prior −f is the same search as minimising f with prior f.
  const trials = startup(3);
  const neg = trials.map((t) => ({ ...t, value: -(t.value as number) }));
  const a = new GpSampler({ priorMean: f }).sample({ space, direction: 'minimize', trials, rng: new Rng(5) }).params;
  const b = new GpSampler({ priorMean: (p) => -f(p) }).sample({ space, direction: 'maximize', trials: neg, rng: new Rng(5) }).params;
  assert.deepEqual(a, b);
  // Observed: the 10 start-up points plus one in the bowl; the posterior at observed points includes the trend.
  const bowl = { x: 0.83, y: 0.17 };
  const all = [...trials, trial(10, bowl, f(bowl))];
  const gp = new GpSampler({ priorMean: f });
  const post = gp.posteriorAtObserved(space, 'minimize', all);
  assert.ok(post !== null);
  const best = post.reduce((m, p) => (p.mu < m.mu ? p : m));
  assert.deepEqual(best.params, bowl);
  assert.deepEqual(gp.bestByModel(space, 'minimize', all), bowl);
  // auto passes it to its GP phase.
  const auto = new AutoSampler({ switchAt: 10, gp: { priorMean: f } });
  assert.ok(dist(auto.sample({ space, direction: 'minimize', trials, rng: new Rng(5) })?.params as Params) < 0.05);
});
