import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpSampler } from './gp.js';
import { branin } from '../objectives/test-functions.js';
import { makeTrial, runSequential } from '../bench-support/loop.js';
import { randomSampler } from './random.js';
import { Space } from '../space/space.js';
import { Rng } from '../util/rng.js';
import type { Params, TrialRecord } from '../study/types.js';

test('GP-EI beats random search on Branin at 40 evaluations (4 seeds)', () => {
  const fn = branin();
  const regret = (make: () => Parameters<typeof runSequential>[0], seed: number): number =>
    Math.min(...runSequential(make(), fn.space, 'minimize', (p) => fn.evaluate(p), 40, seed).values) - fn.optimum;
  let wins = 0;
  const gp: number[] = [], rnd: number[] = [];
  for (const seed of [1, 2, 3, 4]) {
    gp.push(regret(() => new GpSampler(), seed));
    rnd.push(regret(() => randomSampler(), seed));
    if ((gp.at(-1) as number) < (rnd.at(-1) as number)) wins++;
  }
  assert.equal(wins, 4, `gp ${gp}, random ${rnd}`);
  assert.ok(Math.max(...gp) < 0.1, `GP regrets ${gp}`);
});

test('mixed spaces: categoricals one-hot, ints and series stay valid; maximising finds the good category', () => {
  const space = Space.fromSpec({
    act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] },
    units: { type: 'series', values: [16, 32, 64, 128, 256] },
    lr: { type: 'float', low: 1e-4, high: 1e-1, log: true },
    layers: { type: 'int', low: 1, high: 4 },
  });
  const f = (p: Params): number => (p.act === 'gelu' ? 1 : 0) - (Math.log10(p.lr as number) + 2.5) ** 2 - Math.abs((p.units as number) - 64) / 100 - 0.1 * Math.abs((p.layers as number) - 2);
  const r = runSequential(new GpSampler({ nStartupTrials: 6 }), space, 'maximize', f, 30, 7);
  assert.ok(r.params.every((p) => space.contains(p)));
  const late = r.params.slice(15);
  assert.ok(late.filter((p) => p.act === 'gelu').length >= 10, `gelu chosen ${late.filter((p) => p.act === 'gelu').length} of 15`);
  assert.ok(Math.max(...r.values) > 0.85, `best ${Math.max(...r.values)}`);
});

test('start-up is random; pending trials (constant liar) move the next proposal away', () => {
  const fn = branin();
  const rng = new Rng(2);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 15; i++) { const p = fn.space.sample(rng); trials.push(makeTrial(i, p, fn.evaluate(p))); }
  const gp = new GpSampler();
  const ctx = (ts: readonly TrialRecord[]) => ({ space: fn.space, direction: 'minimize' as const, trials: ts, rng: new Rng(99) });
  const a = gp.sample(ctx(trials)).params;
  const withPending = [...trials, makeTrial(15, a, null, 'running')];
  const b = gp.sample(ctx(withPending)).params;
  const dist = Math.hypot(((a.x0 as number) - (b.x0 as number)) / 15, ((a.x1 as number) - (b.x1 as number)) / 15);
  assert.ok(dist > 0.01, `proposal moved by ${dist}`);
  // Fewer completed trials than nStartupTrials: a plain draw from the space.
  assert.deepEqual(gp.sample(ctx(trials.slice(0, 5))).params, fn.space.sample(new Rng(99)));
});

test('1,000 trials: history is capped and the proposal is still valid and near the best region', () => {
  const fn = branin();
  const rng = new Rng(4);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 1000; i++) { const p = fn.space.sample(rng); trials.push(makeTrial(i, p, fn.evaluate(p))); }
  const p = new GpSampler().sample({ space: fn.space, direction: 'minimize', trials, rng: new Rng(1) }).params;
  assert.ok(fn.space.contains(p));
  assert.ok(fn.evaluate(p) < 2, `proposal value ${fn.evaluate(p)}`);
  assert.throws(() => new GpSampler({ maxHistory: 1 }), /`maxHistory` to be an integer ≥ 2, got 1/);
});
