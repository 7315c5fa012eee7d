import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionalToyObjective, conditionalToySpace } from '../../bench/objectives/conditional-toy.js';
import { Space } from '../space/space.js';
import { makeTrial, runSequential } from '../../bench/support/loop.js';
import { randomSampler } from './random.js';
import { gridSampler } from './grid.js';
import { SobolSampler } from './sobol.js';
import { TpeSampler } from './tpe.js';
import { GpSampler } from './gp.js';
import { AutoSampler } from './auto.js';
import type { Sampler } from './sampler.js';
import type { Params } from '../core/types.js';
import { Rng } from '../core/rng.js';

const space = conditionalToySpace;
const objective = conditionalToyObjective;

/** The branch a configuration is on: its depth and model (with filters). */
const branch = (p: Params): string => `${String(p['num_layers'])}/${String(p['model'])}/${String(p['filters'] ?? '-')}`;

const samplers: Record<string, () => Sampler> = {
  random: () => randomSampler(),
  sobol: () => new SobolSampler(),
  tpe: () => new TpeSampler(),
  'tpe-multivariate': () => new TpeSampler({ multivariate: true }),
  'tpe-group': () => new TpeSampler({ multivariate: true, group: true }),
  gp: () => new GpSampler({ nRandomCandidates: 64, nLocalCandidates: 32 }),
  auto: () => new AutoSampler({ switchAt: 20, gp: { nRandomCandidates: 64, nLocalCandidates: 32 } }),
};

for (const [name, make] of Object.entries(samplers)) {
  test(`${name} on a conditional space: only valid configurations, every branch visited`, () => {
    const { params } = runSequential(make(), space, 'minimize', objective, 60, 3);
    for (const p of params) assert.doesNotThrow(() => space.check(p), `${name} proposed ${JSON.stringify(p)}`);
    const branches = new Set(params.map(branch));
    // 3 depths × (fnn, cnn/16, cnn/32) = 9 branches; a model-based sampler may focus, but not before it has seen them.
    assert.ok(branches.size >= (name === 'random' || name === 'sobol' ? 9 : 6), `${name} visited ${[...branches].join(', ')}`);
    assert.ok(params.some((p) => 'kernel' in p) && params.some((p) => !('filters' in p)));
  });
}

test('grid on a conditional space: every valid configuration once, no duplicates from inactive params', () => {
  const small = Space.fromSpec({
    num_layers: { type: 'int', low: 1, high: 2 },
    units_2: { type: 'series', values: [32, 64], when: { parent: 'num_layers', min: 2 } },
    model: { type: 'categorical', choices: ['fnn', 'cnn'] },
    filters: { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } },
  });
  const plans = gridSampler({ seeds: [0], budget: null }).plan?.({ space: small, direction: 'minimize', trials: [], rng: null as never }) ?? [];
  const keys = plans.map((t) => JSON.stringify(t.params)).sort();
  assert.deepEqual(keys, [
    { num_layers: 1, model: 'cnn', filters: 16 }, { num_layers: 1, model: 'cnn', filters: 32 }, { num_layers: 1, model: 'fnn' },
    { num_layers: 2, units_2: 32, model: 'cnn', filters: 16 }, { num_layers: 2, units_2: 32, model: 'cnn', filters: 32 }, { num_layers: 2, units_2: 32, model: 'fnn' },
    { num_layers: 2, units_2: 64, model: 'cnn', filters: 16 }, { num_layers: 2, units_2: 64, model: 'cnn', filters: 32 }, { num_layers: 2, units_2: 64, model: 'fnn' },
  ].map((p) => JSON.stringify(p)).sort());
});

const bestOf = (values: readonly number[]): number => Math.min(...values);
const meanBest = (make: () => Sampler, budget: number, seeds: number): number => {
  let s = 0;
  for (let seed = 0; seed < seeds; seed++) s += bestOf(runSequential(make(), space, 'minimize', objective, budget, 100 + seed).values);
  return s / seeds;
};

for (const name of ['tpe', 'tpe-multivariate', 'tpe-group'] as const) {
  test(`${name} beats random on a conditional toy problem (mean best of 8 runs, 80 trials)`, () => {
    const rnd = meanBest(samplers['random'] as () => Sampler, 80, 8);
    const tpe = meanBest(samplers[name] as () => Sampler, 80, 8);
    assert.ok(tpe < rnd * 0.8, `${name} ${tpe.toFixed(3)} vs random ${rnd.toFixed(3)}`);
  });
}

test('gp beats random on the conditional toy problem (inactive dimensions imputed; mean best of 4 runs, 40 trials)', () => {
  const rnd = meanBest(samplers['random'] as () => Sampler, 40, 4);
  const gp = meanBest(samplers['gp'] as () => Sampler, 40, 4);
  assert.ok(gp < rnd * 0.8, `gp ${gp.toFixed(3)} vs random ${rnd.toFixed(3)}`);
});

test('spec sampler `tpe` with `group: true` builds a grouped multivariate TPE', async () => {
  const { compile } = await import('../spec/compile.js');
  const { createSampler } = await import('../spec/build.js');
  const plan = compile({ study: 'g', objective: { metric: 'loss', direction: 'minimize' }, space: { a: [1, 2], b: { type: 'int', low: 1, high: 4, when: { a: 2 } } }, sampler: { type: 'tpe', trials: 20, multivariate: true, group: true }, trainer: { type: 'command', command: ['x'] } });
  const s = createSampler(plan);
  assert.equal(s.name, 'tpe-multivariate');
  const { params } = runSequential(s, plan.space, 'minimize', (p) => Number(p['a']) + Number(p['b'] ?? 0), 20, 1);
  for (const p of params) plan.space.check(p);
});

test('auto on an all-finite conditional space: valid configurations, no repeat in the GP phase (avoidRepeats on imputed encodings)', () => {
  const finite = Space.fromSpec({
    num_layers: { type: 'int', low: 1, high: 3 },
    units_1: { type: 'series', values: [32, 64, 128, 256] },
    units_2: { type: 'series', values: [32, 64, 128, 256], when: { parent: 'num_layers', min: 2 } },
    model: { type: 'categorical', choices: ['fnn', 'cnn'] },
    filters: { type: 'categorical', choices: [16, 32], when: { parent: 'model', values: ['cnn'] } },
  });
  const f = (p: Params): number => Math.abs(Math.log2(Number(p['units_1']) / 128)) + Math.abs(Math.log2(Number(p['units_2'] ?? 32) / 64)) + (p['filters'] === 32 ? 0 : 1);
  const { params } = runSequential(new AutoSampler({ switchAt: 15, gp: { nRandomCandidates: 64, nLocalCandidates: 32 } }), finite, 'minimize', f, 40, 5);
  for (const p of params) finite.check(p);
  const gpPhase = params.slice(15).map((p) => JSON.stringify(p));
  const earlier = new Set(params.slice(0, 15).map((p) => JSON.stringify(p)));
  const repeats = gpPhase.filter((k, i) => earlier.has(k) || gpPhase.indexOf(k) !== i);
  // (4 + 16) × 3 = 60 configurations, 40 trials: unseen ones always remain.
  assert.deepEqual(repeats, []);
});

test('TPE on a conditional space: the same proposals from a sampler reused across a study (cached encodings, one ranking) as from a fresh one, and with the trials in any order', () => {
  const run = runSequential(randomSampler(), space, 'minimize', objective, 80, 4);
  const trials = run.params.map((p, i) => makeTrial(i, p, run.values[i] as number));
  for (const options of [{}, { multivariate: true }, { multivariate: true, group: true }]) {
    const reused = new TpeSampler(options);
    for (let n = 40; n <= 80; n += 10) {
      const ctx = (ts: typeof trials) => ({ space, direction: 'minimize' as const, trials: ts, rng: new Rng(n) });
      const want = new TpeSampler(options).sample(ctx(trials.slice(0, n))).params;
      assert.deepEqual(reused.sample(ctx(trials.slice(0, n))).params, want, `${JSON.stringify(options)} at ${n}`);
      // Out of trial-number order the split sorts instead of reading the order off the trials: the same groups.
      assert.deepEqual(new TpeSampler(options).sample(ctx(trials.slice(0, n).reverse())).params, want, `${JSON.stringify(options)} reversed at ${n}`);
    }
  }
});
