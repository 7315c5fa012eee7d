import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GpSampler, rankTransform, type ObservedPosterior } from './gp.js';
import { branin } from '../../bench/objectives/test-functions.js';
import { makeTrial, runSequential } from '../../bench/support/loop.js';
import { randomSampler } from './random.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import type { Params, TrialRecord } from '../core/types.js';

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

test('rank transform: monotone, ties share a value, standardised; huge values do not dominate', () => {
  const z = rankTransform([3, 1, 1e9, 2, 2]);
  assert.ok((z[1] as number) < (z[3] as number) && z[3] === z[4] && (z[3] as number) < (z[0] as number) && (z[0] as number) < (z[2] as number));
  const mean = z.reduce((a, b) => a + b, 0) / z.length;
  assert.ok(Math.abs(mean) < 1e-12);
  assert.ok(Math.abs(z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length - 1) < 1e-9);
  // The gap between the two best values is not squashed by the outlier.
  assert.ok((z[3] as number) - (z[1] as number) > 0.5, `gap ${(z[3] as number) - (z[1] as number)}`);
  assert.throws(() => new GpSampler({ yTransform: 'log' as 'rank' }), /`yTransform` to be standardize or rank/);
});

test('yTransform rank: finds the good region of an objective with a few huge (diverged) values', () => {
  const fn = branin();
  // Branin plus "diverged" blow-ups on a fifth of the square: plain standardisation sees mostly one huge spread.
  const f = (p: Params): number => fn.evaluate(p) + ((p.x0 as number) < -2 ? 1e6 : 0);
  let rank = 0, std = 0;
  for (const seed of [1, 2, 3]) {
    rank += Math.min(...runSequential(new GpSampler({ yTransform: 'rank' }), fn.space, 'minimize', f, 35, seed).values) - fn.optimum;
    std += Math.min(...runSequential(new GpSampler(), fn.space, 'minimize', f, 35, seed).values) - fn.optimum;
  }
  assert.ok(rank / 3 < 0.3, `rank-transformed GP mean regret ${rank / 3} (standardised: ${std / 3})`);
});

test('avoidRepeats: on a finite space no evaluated or running configuration is proposed again', () => {
  const space = Space.fromSpec({
    a: { type: 'series', values: [1, 2, 4, 8, 16] },
    b: { type: 'series', values: [0, 0.5, 1] },
    c: { type: 'categorical', choices: ['x', 'y'] },
  });
  const f = (p: Params): number => Math.abs(Math.log2(p.a as number) - 2) + (p.b as number) + (p.c === 'y' ? 0.3 : 0);
  const key = (p: Params): string => JSON.stringify(p);
  const count = (avoidRepeats: boolean): number => {
    let n = 0;
    for (const seed of [1, 2, 3]) {
      const r = runSequential(new GpSampler({ avoidRepeats, nStartupTrials: 5 }), space, 'minimize', f, 25, seed);
      const seen = new Set(r.params.slice(0, 5).map(key));
      for (const p of r.params.slice(5)) { if (seen.has(key(p))) n++; seen.add(key(p)); }
    }
    return n;
  };
  assert.equal(count(true), 0);
  assert.ok(count(false) > 0, 'plain GP-EI re-proposes evaluated points of a 30-point space');
  // A running trial's configuration is not proposed either.
  const trials: TrialRecord[] = [];
  const rng = new Rng(5);
  for (let i = 0; i < 12; i++) { const p = space.sample(rng); trials.push(makeTrial(i, p, f(p))); }
  const gp = new GpSampler({ avoidRepeats: true });
  const first = gp.sample({ space, direction: 'minimize', trials, rng: new Rng(1) }).params;
  const next = gp.sample({ space, direction: 'minimize', trials: [...trials, makeTrial(12, first, null, 'running')], rng: new Rng(1) }).params;
  assert.notDeepEqual(next, first);
});

test('posteriorAtObserved: ranks, posterior means that bestByModel picks from, sd smaller where evaluations are dense', () => {
  const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } });
  const rng = new Rng(3);
  const trials: TrialRecord[] = [];
  // 30 noisy evaluations packed in [0.2, 0.4], one lone evaluation at x = 0.95.
  for (let i = 0; i < 30; i++) { const x = 0.2 + 0.2 * rng.next(); trials.push(makeTrial(i, { x }, (x - 0.3) ** 2 + 0.02 * rng.normal())); }
  trials.push(makeTrial(30, { x: 0.95 }, 0.4));
  const gp = new GpSampler();
  assert.equal(gp.posteriorAtObserved(space, 'minimize', trials.slice(0, 5)), null, 'no model before start-up');
  const post = gp.posteriorAtObserved(space, 'minimize', trials);
  assert.ok(post);
  assert.equal(post.length, 31);
  assert.deepEqual(post.map((p) => p.rank).sort((a, b) => a - b), [...Array(31).keys()]);
  const byRank = [...post].sort((a, b) => a.rank - b.rank);
  for (let i = 1; i < byRank.length; i++) assert.ok((byRank[i] as { y: number }).y >= (byRank[i - 1] as { y: number }).y);
  const lone = post.find((p) => p.params.x === 0.95);
  assert.ok(lone);
  const dense = post.filter((p) => p !== lone).map((p) => p.sd);
  assert.ok(Math.max(...dense) < lone.sd, `dense sd ≤ ${Math.max(...dense)}, lone ${lone.sd}`);
  assert.ok(post.every((p) => Number.isFinite(p.mu) && p.sd >= 0));
  // bestByModel is the lowest posterior mean among the `among` best observed.
  for (const among of [1, 5, Infinity]) {
    const ok: ObservedPosterior[] = post.filter((p) => p.rank < among);
    const want: Params = ok.reduce((a, b) => (b.mu < a.mu ? b : a)).params;
    assert.deepEqual(gp.bestByModel(space, 'minimize', trials, among), want);
  }
  // Maximising flips the order: the lone point (worst when minimising) is the best observed.
  const up = gp.posteriorAtObserved(space, 'maximize', trials);
  assert.equal(up?.find((p) => p.rank === 0)?.params.x, 0.95);
});

test('past the history cap, kernel hyperparameters are re-chosen only every maxHistory/10 new trials, spread over proposals; below it, every time', () => {
  const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } });
  const rng = new Rng(3);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 70; i++) { const p = space.sample(rng); trials.push(makeTrial(i, p, ((p.x as number) - 0.3) ** 2 + (p.y as number))); }
  const gp = new GpSampler({ maxHistory: 40 });
  const proto = GpSampler.prototype as unknown as { hyperSearch: (...a: unknown[]) => unknown };
  const original = proto.hyperSearch;
  let searches = 0;
  proto.hyperSearch = function (this: unknown, ...a: unknown[]) { searches++; return original.apply(this, a); };
  const state = gp as unknown as { hyper: { nDone: number } | null; search: object | null };
  try {
    const propose = (n: number): void => { gp.sample({ space, direction: 'minimize', trials: trials.slice(0, n), rng: new Rng(n) }); };
    // Below the cap (≤ 40 complete): every proposal chooses, whole.
    for (const n of [20, 21, 40]) propose(n);
    assert.equal(searches, 3);
    assert.equal(state.search, null);
    // Past it: the first chooses at once, the next three (fewer than 4 = 40/10 new trials) reuse.
    for (const n of [41, 42, 43, 44]) propose(n);
    assert.equal(searches, 4);
    assert.equal(state.hyper?.nDone, 41);
    assert.equal(state.search, null);
    // The fourth new trial starts a search, spread over proposals (8 fits each; 40 grid fits + 3 per parameter = 46 here):
    // the previous choice serves until it ends, 6 proposals later.
    propose(45);
    assert.equal(searches, 5);
    assert.notEqual(state.search, null);
    assert.equal(state.hyper?.nDone, 41, 'the search has not ended: the old choice serves');
    let n = 46;
    while (state.search !== null && n < 60) propose(n++);
    assert.equal(n - 45, 6, 'ended on the sixth proposal of the search');
    assert.equal(state.hyper?.nDone, 45, 'the new choice, made on the trials of trial 45');
    assert.equal(searches, 5, 'no other search started meanwhile');
    // Another space: chosen afresh, at once.
    const other = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 2 } });
    gp.sample({ space: other, direction: 'minimize', trials: trials.slice(0, 52), rng: new Rng(1) });
    assert.equal(searches, 6);
    assert.equal(state.search, null);
  } finally {
    proto.hyperSearch = original;
  }
});

test('posteriorAtObserved with an rng: past the cap, the proposals\' cached hyperparameters (no search per call); below it, as without', () => {
  const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, y: { type: 'float', low: 0, high: 1 } });
  const rng = new Rng(5);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const p = space.sample(rng);
    trials.push(makeTrial(i, p, ((p.x as number) - 0.3) ** 2 + (p.y as number) + 0.05 * rng.normal()));
  }
  const proto = GpSampler.prototype as unknown as { hyperSearch: (...a: unknown[]) => unknown };
  const original = proto.hyperSearch;
  let searches = 0;
  proto.hyperSearch = function (this: unknown, ...a: unknown[]) { searches++; return original.apply(this, a); };
  try {
    // Below the cap an rng changes nothing: the same fixed-seed search.
    const below = trials.slice(0, 30);
      const mus = (r: Rng | undefined) => new GpSampler({ maxHistory: 40 }).posteriorAtObserved(space, 'minimize', below, r)?.map((p) => p.mu);
    assert.deepEqual(mus(new Rng(9)), mus(undefined));
    // Past it: without an rng, a whole search per call; with one, one search, then the cached choice.
    const gp = new GpSampler({ maxHistory: 40 });
    searches = 0;
    for (let n = 41; n <= 43; n++) gp.posteriorAtObserved(space, 'minimize', trials.slice(0, n));
    assert.equal(searches, 3);
    searches = 0;
    for (let n = 41; n <= 43; n++) assert.notEqual(gp.posteriorAtObserved(space, 'minimize', trials.slice(0, n), new Rng(n)), null);
    assert.equal(searches, 1);
    // The choice is the one proposals use: a proposal right after starts no search of its own.
    gp.sample({ space, direction: 'minimize', trials: trials.slice(0, 44), rng: new Rng(1) });
    assert.equal(searches, 1);
  } finally {
    proto.hyperSearch = original;
  }
});
