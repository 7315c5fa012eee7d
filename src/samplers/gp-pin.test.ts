// Pins GP proposals past the history cap (kernel-hyperparameter search spread over proposals, the kept Cholesky factor
// updated between them, pending trials as constant liars) on a mixed, a finite (avoidRepeats) and a conditional space.
// The fixture was written by the code before GP kept its buffers between proposals (commit cd1efdd): reusing them
// must not change a proposal. Regenerate only on purpose: HZ_WRITE_PIN=1 npx tsx --test src/samplers/gp-pin.test.ts
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { GpSampler, type GpOptions } from './gp.js';
import { Space } from '../space/space.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { makeTrial } from '../../bench/support/loop.js';
import type { Params, TrialRecord } from '../core/types.js';

const spaces: Record<string, Space> = {
  mixed: Space.fromSpec({
    units: { type: 'int', low: 8, high: 1024, log: true },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
    act: { type: 'categorical', choices: ['relu', 'tanh', 'elu', 'selu'] },
    drop: { type: 'float', low: 0, high: 0.8 },
    layers: { type: 'int', low: 1, high: 8 },
  }),
  finite: Space.fromSpec({
    act: { type: 'categorical', choices: ['relu', 'tanh'] },
    batch: { type: 'series', values: [8, 16, 32, 64] },
    drop: { type: 'series', values: [0, 0.3, 0.6] },
    lr: { type: 'series', values: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1] },
    units: { type: 'series', values: [16, 32, 64, 128, 256, 512] },
  }),
  conditional: Space.fromSpec({
    num_layers: { type: 'int', low: 1, high: 3 },
    units_1: { type: 'int', low: 16, high: 1024, log: true },
    units_2: { type: 'int', low: 16, high: 1024, log: true, when: { parent: 'num_layers', min: 2 } },
    units_3: { type: 'int', low: 16, high: 1024, log: true, when: { parent: 'num_layers', min: 3 } },
    lr: { type: 'float', low: 1e-5, high: 1, log: true },
    model: { type: 'categorical', choices: ['fnn', 'cnn'] },
    filters: { type: 'categorical', choices: [16, 32, 64], when: { parent: 'model', values: ['cnn'] } },
    kernel: { type: 'int', low: 1, high: 7, when: { parent: 'filters', values: [64] } },
  }),
};
const options: Record<string, GpOptions> = {
  mixed: { maxHistory: 40, maxFitPoints: 24 },
  finite: { maxHistory: 40, maxFitPoints: 24, avoidRepeats: true, yTransform: 'rank' },
  conditional: { maxHistory: 40, maxFitPoints: 24 },
};

/** Squared distance to a point of the unit cube, plus noise; inactive parameters add nothing. */
function value(space: Space, p: Params, rng: Rng): number {
  let s = 0;
  space.names.forEach((n, d) => {
    const v = p[n];
    if (v !== undefined) s += (space.get(n).toUnit(v) - (0.2 + 0.6 * ((d * 0.37) % 1))) ** 2;
  });
  return s + 0.01 * rng.normal();
}

/**
 * 40 proposals from 150 random trials, each proposal evaluated before the next, except the 4th, left running until the
 * 10th (a constant liar; while a trial runs the kept factor cannot be updated, after it is it can).
 */
function proposals(name: string): Params[] {
  const space = spaces[name] as Space;
  const rng = new Rng(5);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 150; i++) {
    const p = space.sample(rng);
    trials.push(makeTrial(i, p, value(space, p, rng)));
  }
  const gp = new GpSampler(options[name]);
  const out: Params[] = [];
  for (let i = 0; i < 40; i++) {
    const { params } = gp.sample({ space, direction: 'minimize', trials, rng: new Rng(deriveSeed(3, name, i)) });
    out.push(params);
    const n = trials.length;
    trials.push(i === 3 ? makeTrial(n, params, null, 'running') : makeTrial(n, params, value(space, params, rng)));
    if (i === 9) trials[153] = makeTrial(153, trials[153]?.params as Params, value(space, trials[153]?.params as Params, rng));
  }
  return out;
}

const fixture = new URL('./gp-pin.fixture.json', import.meta.url);

test('GP past the history cap proposes exactly the pinned configurations (mixed, finite with avoidRepeats, conditional)', () => {
  const got = JSON.parse(JSON.stringify(Object.fromEntries(Object.keys(spaces).map((k) => [k, proposals(k)])))) as Record<string, Params[]>;
  if (process.env['HZ_WRITE_PIN'] === '1') writeFileSync(fixture, JSON.stringify(got, null, 0) + '\n');
  const want = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, Params[]>;
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) assert.deepEqual(got[k], want[k], `space ${k}: GP changed its proposals`);
});

test('GP buffers kept between proposals: a sampler alternating between two spaces proposes what a fresh one does on each', () => {
  // Switching spaces drops the cached encoding, hyperparameters and factor, so each proposal after a switch is a
  // fresh sampler's: only the kept buffers (last written by the other space, of another width and size) carry over.
  const make = (name: string): { space: Space; trials: TrialRecord[] } => {
    const space = spaces[name] as Space;
    const rng = new Rng(8);
    const trials: TrialRecord[] = [];
    for (let i = 0; i < 120; i++) {
      const p = space.sample(rng);
      trials.push(i % 11 === 10 ? makeTrial(i, p, null, 'running') : makeTrial(i, p, value(space, p, rng)));
    }
    return { space, trials };
  };
  const a = make('mixed');
  const b = make('conditional');
  const opts = { maxHistory: 40, maxFitPoints: 24 };
  const alternating = new GpSampler(opts);
  for (let i = 0; i < 12; i++) {
    for (const { space, trials } of [a, b]) {
      const ctx = { space, direction: 'minimize' as const, trials: trials.slice(0, 60 + 5 * i) };
      const got = alternating.sample({ ...ctx, rng: new Rng(deriveSeed(2, i)) });
      const want = new GpSampler(opts).sample({ ...ctx, rng: new Rng(deriveSeed(2, i)) });
      assert.deepEqual(got, want, `proposal ${i} on ${space.names.length} parameters`);
    }
  }
});
