import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TpeSampler } from './tpe.js';
import { FAR, defaultGamma, defaultWeights, logNormMass, normCdf } from './tpe-math.js';
import { CategoricalDistribution, FloatDistribution, IntDistribution, SeriesDistribution, type Distribution } from '../space/distribution.js';
import { Space } from '../space/space.js';
import { Rng } from '../core/rng.js';
import { makeTrial, runSequential } from '../../bench/support/loop.js';
import { randomSampler } from './random.js';
import { branin } from '../../bench/objectives/test-functions.js';
import type { TrialRecord } from '../core/types.js';

test('normal masses are accurate in the middle and the far tails', () => {
  assert.ok(Math.abs(Math.exp(logNormMass(-1, 1)) - 0.682689492) < 1e-6);
  assert.ok(Math.abs(Math.exp(logNormMass(5, 6)) / 2.85664e-7 - 1) < 1e-4);
  assert.ok(Math.abs(logNormMass(-41, -40) - logNormMass(40, 41)) < 1e-9);
  assert.ok(Number.isFinite(logNormMass(40, 41)) && logNormMass(40, 41) < -800);
  assert.ok(Math.abs(normCdf(1.96) - 0.9750021) < 1e-6);
  assert.equal(defaultGamma(100), 10);
  assert.equal(defaultGamma(1000), 25);
  const w = defaultWeights(30);
  assert.equal(w.length, 30);
  assert.ok(Math.abs((w[0] as number) - 1 / 30) < 1e-12 && w[4] === 1 && w[29] === 1);
});

const mixed = new Space(new Map<string, Distribution>([
  ['act', new CategoricalDistribution(['relu', 'tanh', 'gelu'])],
  ['units', new SeriesDistribution([16, 32, 64, 128, 256])],
  ['layers', new IntDistribution(1, 6)],
  ['lr', new FloatDistribution(1e-5, 1e-1, true)],
  ['fixed', new SeriesDistribution([7])],
]));
const mixedObjective = (p: Record<string, unknown>): number =>
  (p['act'] === 'tanh' ? 0 : 1) + Math.abs(Math.log2(Number(p['units']) / 64)) + Math.abs(Number(p['layers']) - 3) + Math.abs(Math.log10(Number(p['lr'])) + 3);

for (const multivariate of [false, true]) {
  test(`${multivariate ? 'multivariate' : 'independent'} TPE proposes valid mixed configurations and improves on random`, () => {
    const tpe = new TpeSampler({ multivariate });
    const tpeBest: number[] = [], rndBest: number[] = [];
    for (let seed = 0; seed < 5; seed++) {
      const a = runSequential(tpe, mixed, 'minimize', (p) => mixedObjective(p), 60, seed);
      for (const p of a.params) mixed.check(p);
      tpeBest.push(Math.min(...a.values));
      rndBest.push(Math.min(...runSequential(randomSampler(), mixed, 'minimize', (p) => mixedObjective(p), 60, seed).values));
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(mean(tpeBest) < mean(rndBest), `tpe ${tpeBest} vs random ${rndBest}`);
  });
}

test('normal masses: past FAR both tails round away (the shortcut to 0 is what the long way gives)', () => {
  // Φ(−z) = the upper tail at z as logNormMass computes it; below 2⁻⁵⁴ from FAR on, so 1 − qa − qb rounds to 1.
  for (let z = FAR; z < 60; z += 0.01) assert.ok(normCdf(-z) <= 2 ** -54, `tail at ${z}`);
  const q = normCdf(-FAR);
  assert.equal(1 - q - q, 1);
  assert.equal(logNormMass(-FAR, FAR), 0);
  assert.equal(logNormMass(-30, 12.5), 0);
  // Just inside FAR the mass is computed: still 0 to double precision at 8.5, below 1 at 5.
  assert.ok(logNormMass(-5, 5) < 0 && logNormMass(-5, 5) > -1e-6);
});

test('TPE finds Branin near its optimum and maximises a negated objective', () => {
  const fn = branin();
  const min = runSequential(new TpeSampler({ multivariate: true }), fn.space, 'minimize', (p) => fn.evaluate(p), 100, 1);
  assert.ok(Math.min(...min.values) - fn.optimum < 0.5);
  const max = runSequential(new TpeSampler({ multivariate: true }), fn.space, 'maximize', (p) => -fn.evaluate(p), 100, 1);
  assert.ok(-Math.max(...max.values) - fn.optimum < 0.5);
});

test('the first nStartupTrials proposals are random and repeatable from the rng', () => {
  const tpe = new TpeSampler({ nStartupTrials: 5 });
  const a = runSequential(tpe, mixed, 'minimize', (p) => mixedObjective(p), 12, 9);
  const b = runSequential(new TpeSampler({ nStartupTrials: 5 }), mixed, 'minimize', (p) => mixedObjective(p), 12, 9);
  assert.deepEqual(a.params, b.params);
  const r = runSequential(randomSampler(), mixed, 'minimize', (p) => mixedObjective(p), 5, 9);
  assert.deepEqual(a.params.slice(0, 5), r.params);
  assert.throws(() => new TpeSampler({ nEiCandidates: 0 }), /nEiCandidates/);
});

test('constant liar: running trials push proposals away from where workers already are', () => {
  const space = new Space(new Map<string, Distribution>([['c', new CategoricalDistribution(['a', 'b', 'c', 'd', 'e'])]]));
  const score: Record<string, number> = { a: 0, b: 1, c: 1.1, d: 1.2, e: 1.3 };
  const done: TrialRecord[] = [];
  for (let i = 0; i < 30; i++) {
    const c = ['a', 'b', 'c', 'd', 'e'][i % 5] as string;
    done.push(makeTrial(i, { c }, (score[c] as number) + i * 1e-3));
  }
  const running = Array.from({ length: 40 }, (_, i) => makeTrial(30 + i, { c: 'a' }, null));
  const count = (liar: boolean, trials: TrialRecord[]): number => {
    const s = new TpeSampler({ constantLiar: liar });
    let n = 0;
    for (let seed = 0; seed < 40; seed++) if (s.sample({ space, direction: 'minimize', trials, rng: new Rng(seed) }).params['c'] === 'a') n++;
    return n;
  };
  const plain = count(true, done);
  const liar = count(true, [...done, ...running]);
  const ignored = count(false, [...done, ...running]);
  assert.equal(ignored, plain);
  assert.ok(plain > 30, `without running trials 'a' is chosen ${plain}/40`);
  assert.ok(liar < plain, `with 40 running trials at 'a' it is chosen ${liar}/40 vs ${plain}/40`);
});

test('failed trials are ignored and pruned ones rank below complete ones', () => {
  const space = new Space(new Map<string, Distribution>([['x', new FloatDistribution(0, 1)]]));
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 20; i++) trials.push(makeTrial(i, { x: i / 20 }, i / 20));
  trials.push({ ...makeTrial(20, { x: 0.99 }, null), state: 'failed' });
  trials.push({ ...makeTrial(21, { x: 0.98 }, null), state: 'pruned' });
  const s = new TpeSampler();
  const xs = Array.from({ length: 20 }, (_, seed) => Number(s.sample({ space, direction: 'minimize', trials, rng: new Rng(seed) }).params['x']));
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean < 0.3, `proposals should favour small x, mean ${mean}`);
});

const grid3 = new Space(new Map<string, Distribution>([
  ['a', new SeriesDistribution([1, 2, 4, 8, 16, 32])],
  ['b', new SeriesDistribution([0, 0.3, 0.6])],
  ['c', new CategoricalDistribution(['x', 'y'])],
  ['d', new IntDistribution(1, 4)],
]));
const grid3Objective = (p: Record<string, unknown>): number =>
  Math.abs(Math.log2(Number(p['a'])) - 3) + 2 * Number(p['b']) + (p['c'] === 'y' ? 0.5 : 0) + 0.3 * Math.abs(Number(p['d']) - 2);

for (const finite of ['categorical', 'hybrid'] as const) {
  test(`multivariate TPE with finite axes as ${finite}: valid proposals, better than random`, () => {
    let tpeSum = 0, rndSum = 0;
    for (let seed = 0; seed < 6; seed++) {
      const a = runSequential(new TpeSampler({ multivariate: true, finite }), grid3, 'minimize', grid3Objective, 40, seed);
      for (const p of a.params) grid3.check(p);
      tpeSum += Math.min(...a.values);
      rndSum += Math.min(...runSequential(randomSampler(), grid3, 'minimize', grid3Objective, 40, seed).values);
    }
    assert.ok(tpeSum < rndSum, `tpe ${tpeSum} vs random ${rndSum}`);
  });
}

test('hybrid kernels favour the neighbours of good values over far values', () => {
  // One good observation at a = 8 among many bad ones elsewhere: neighbours 4 and 16 should be drawn more than 1 and 32.
  const trials: TrialRecord[] = [];
  const rng = new Rng(3);
  for (let i = 0; i < 30; i++) {
    const p = grid3.sample(rng);
    trials.push(makeTrial(i, p, p['a'] === 8 ? 0 : 1 + rng.next()));
  }
  const count = (finite: 'categorical' | 'hybrid'): { near: number; far: number } => {
    const s = new TpeSampler({ multivariate: true, finite, nEiCandidates: 1 });
    let near = 0, far = 0;
    for (let seed = 0; seed < 300; seed++) {
      const a = s.sample({ space: grid3, direction: 'minimize', trials, rng: new Rng(seed) }).params['a'];
      if (a === 4 || a === 16) near++;
      if (a === 1 || a === 32) far++;
    }
    return { near, far };
  };
  const h = count('hybrid'), c = count('categorical');
  assert.ok(h.near > h.far * 1.5, `hybrid near ${h.near} far ${h.far}`);
  assert.ok(h.near - h.far > c.near - c.far, `hybrid ${JSON.stringify(h)} vs categorical ${JSON.stringify(c)}`);
  assert.throws(() => new TpeSampler({ finite: 'x' as 'hybrid' }), /`finite` to be ordered, categorical or hybrid/);
});

test('avoidRepeats: on a finite space no configuration is proposed twice after start-up; without it some are', () => {
  const key = (p: Record<string, unknown>): string => JSON.stringify(p);
  const repeatsAfterStartup = (avoidRepeats: boolean): number => {
    let n = 0;
    for (let seed = 0; seed < 4; seed++) {
      const r = runSequential(new TpeSampler({ multivariate: true, avoidRepeats }), grid3, 'minimize', grid3Objective, 60, seed);
      const seen = new Set(r.params.slice(0, 10).map(key));
      for (const p of r.params.slice(10)) { if (seen.has(key(p))) n++; seen.add(key(p)); }
    }
    return n;
  };
  assert.equal(repeatsAfterStartup(true), 0);
  assert.ok(repeatsAfterStartup(false) > 5, 'plain TPE re-proposes good configurations');
});
