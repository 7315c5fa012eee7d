import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Study } from '../study/study.js';
import { MemoryStorage } from '../storage/memory.js';
import type { Sampler } from './sampler.js';
import { Nsga2Sampler, NSGA2_GENERATION_ATTR, generationOf, sbx } from './nsga2.js';
import { MotpeSampler } from './motpe.js';
import { belowWeightsOf, selectBelow } from './motpe-split.js';
import { randomSampler } from './random.js';
import { hypervolume } from '../stats/pareto.js';
import { valuesOf } from '../core/types.js';
import { Rng } from '../core/rng.js';
import { zdt1, zdt1OptimalHypervolume, zdtSpace } from '../../bench/objectives/zdt.js';
import { conditionalToyObjective, conditionalToySpace } from '../../bench/objectives/conditional-toy.js';

const N = 6;
const REF = [1.1, 11];

async function runZdt(sampler: Sampler, seed: number, trials: number): Promise<number> {
  const study = await Study.create({ space: zdtSpace(N), directions: ['minimize', 'minimize'], sampler, seed, storage: new MemoryStorage() });
  await study.optimize(({ params }) => zdt1(params, N), { nTrials: trials });
  const pts = (await study.trials()).map((t) => valuesOf(t) as number[]);
  return hypervolume(pts, REF);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

describe('multi-objective samplers', () => {
  it('NSGA-II: generations of `population` trials, the first random; children carry their generation', async () => {
    const study = await Study.create({ space: zdtSpace(3), directions: ['minimize', 'minimize'], sampler: new Nsga2Sampler({ population: 8 }), seed: 2 });
    await study.optimize(({ params }) => zdt1(params, 3), { nTrials: 30 });
    const gens = (await study.trials()).map((t) => t.attrs[NSGA2_GENERATION_ATTR]);
    assert.deepEqual(gens, [...Array(8).fill(0), ...Array(8).fill(1), ...Array(8).fill(2), ...Array(6).fill(3)]);
    assert.equal(generationOf(await study.trials(), 8), 3);
  });

  it('NSGA-II and MOTPE beat random search on ZDT1 (6 variables, 200 trials, hypervolume, median of 5 seeds)', async () => {
    const seeds = [1, 2, 3, 4, 5];
    const hv = async (make: () => Sampler) => median(await Promise.all(seeds.map((s) => runZdt(make(), s, 200))));
    const random = await hv(() => randomSampler());
    const nsga2 = await hv(() => new Nsga2Sampler({ population: 20 }));
    const sbxHv = await hv(() => new Nsga2Sampler({ population: 20, crossover: 'sbx' }));
    const motpe = await hv(() => new MotpeSampler());
    const best = zdt1OptimalHypervolume(1.1) + 10 * 1.1; // the box above the front up to f2 = 11
    for (const [name, v] of [['nsga2', nsga2], ['nsga2 sbx', sbxHv], ['motpe', motpe]] as const) {
      assert.ok(v > random, `${name} ${v.toFixed(3)} should beat random ${random.toFixed(3)}`);
      assert.ok(v <= best + 1e-9, `${name} ${v} cannot exceed the true front's ${best}`);
    }
  });

  it('proposals are repeatable from the seed', async () => {
    for (const make of [() => new Nsga2Sampler({ population: 6 }), () => new MotpeSampler({ nStartupTrials: 5 })]) {
      const run = async () => {
        const s = await Study.create({ space: zdtSpace(3), directions: ['minimize', 'minimize'], sampler: make(), seed: 9 });
        await s.optimize(({ params }) => zdt1(params, 3), { nTrials: 25 });
        return (await s.trials()).map((t) => t.params);
      };
      assert.deepEqual(await run(), await run());
    }
  });

  it('conditional spaces: every proposal is a valid configuration and every branch stays in play', async () => {
    // Two objectives on the conditional toy: its loss, and the total units (a size).
    const size = (p: Record<string, unknown>) => ['units_1', 'units_2', 'units_3'].reduce((a, k) => a + (typeof p[k] === 'number' ? p[k] as number : 0), 0);
    for (const sampler of [new Nsga2Sampler({ population: 12 }), new Nsga2Sampler({ population: 12, crossover: 'sbx' }), new MotpeSampler()]) {
      const study = await Study.create({ space: conditionalToySpace, directions: ['minimize', 'minimize'], sampler, seed: 4 });
      await study.optimize(({ params }) => [conditionalToyObjective(params), size(params)], { nTrials: 80 });
      const trials = await study.trials();
      for (const t of trials) assert.doesNotThrow(() => conditionalToySpace.check(t.params), `${sampler.name}: ${JSON.stringify(t.params)}`);
      const late = trials.slice(40);
      assert.ok(new Set(late.map((t) => t.params.num_layers)).size >= 2, `${sampler.name}: depth still varies`);
      assert.ok(late.some((t) => t.params.model === 'cnn'), `${sampler.name}: the cnn branch is still sampled`);
    }
  });

  it('SBX children stay in [0, 1] and near close parents', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 500; i++) {
      const a = rng.next(), b = rng.next();
      const c = sbx(a, b, 20, rng);
      assert.ok(c >= 0 && c <= 1);
      assert.ok(Math.abs(c - (a + b) / 2) <= Math.abs(a - b) * 2 + 1e-9, `${c} far from ${a}, ${b}`);
    }
    assert.equal(sbx(0.3, 0.3, 20, rng), 0.3);
  });

  it('MOTPE split: whole fronts first, then the greedy hypervolume subset; weights by contribution', () => {
    // Front 0: three points; front 1: (2,2) dominated by (1,1)… a hand-made set.
    const pts = [[1, 4], [2, 2], [4, 1], [3, 3], [5, 5], [2.5, 2.5]];
    assert.deepEqual(selectBelow(pts, 3), [0, 1, 2]);
    assert.deepEqual(selectBelow(pts, 4), [0, 1, 2, 5], 'then the best of front 1');
    // From one front of four, two: the pair adding most hypervolume greedily.
    const front = [[0, 10], [1, 3], [3, 1], [10, 0]];
    const two = selectBelow(front, 2);
    assert.equal(two.length, 2);
    const w = belowWeightsOf([[1, 3], [2, 2], [3, 1]]);
    assert.equal(Math.max(...w), 1);
    assert.ok(w.every((x) => x > 0 && x <= 1));
    assert.deepEqual(belowWeightsOf([[1, 1]]), [1]);
  });

  it('MOTPE weights: recomputing only the front\'s points gives, bit for bit, every point\'s exclusive hypervolume', () => {
    const rng = new Rng(8);
    for (let rep = 0; rep < 40; rep++) {
      // Coarse values: duplicates and dominated points; 2 and 3 objectives.
      const m = 2 + (rep % 2);
      const pts = Array.from({ length: 2 + Math.floor(rng.next() * 60) }, () => Array.from({ length: m }, () => Math.round(rng.next() * 8) / 4));
      const ref = pts[0]!.map((_, k) => { const w = Math.max(...pts.map((p) => p[k]!)); const r = Math.max(1.1 * w, 0.9 * w); return r === 0 ? 1e-12 : r; });
      const total = hypervolume(pts, ref);
      const contrib = pts.map((_, i) => total - hypervolume(pts.filter((_, j) => j !== i), ref) + 1e-12);
      const max = Math.max(...contrib);
      assert.deepEqual(belowWeightsOf(pts), contrib.map((c) => Math.min(1, Math.max(0, c / max))), `${pts.length} points, ${m} objectives`);
    }
  });
});
