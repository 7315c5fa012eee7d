// Simulations of how stage 4's runs are made (issue 12): k configurations × n shared seeds, a per-seed effect
// common to all configurations. Checks that the tests used keep their error rates and gain the power pairing gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAgainstBest } from './verdict.js';
import { Rng } from '../core/rng.js';

const K = 6;
const N = 5;
const seeds = Array.from({ length: N }, (_, i) => 100 + i);

/** One stage-4 table: config j's run on seed i = base + shift_j + seedEffect_i + noise. */
function draw(rng: Rng, shifts: readonly number[], seedSd: number, noiseSd: number): { label: string; values: number[]; seeds: number[] }[] {
  const effect = seeds.map(() => seedSd * rng.normal());
  return shifts.map((s, j) => ({ label: `c${j}`, values: effect.map((e) => 0.98 + s + e + noiseSd * rng.normal()), seeds }));
}

test('global null: a reference chosen on other runs keeps the family-wise error at α (paired + Holm)', () => {
  const rng = new Rng(12);
  const sims = 4000;
  let errors = 0;
  for (let s = 0; s < sims; s++) {
    const samples = draw(rng, Array(K).fill(0), 0.001, 0.0005);
    // Stage 3's pick: independent of these runs, so under the null any configuration; take a random one.
    const ref = `c${rng.int(0, K - 1)}`;
    if (compareAgainstBest(samples, 'maximize', 0.05, ref).comparisons.some((c) => c.significant)) errors++;
  }
  const rate = errors / sims;
  // Holm is conservative here; 0.05 + 3 Monte-Carlo standard errors.
  assert.ok(rate <= 0.05 + 3 * Math.sqrt((0.05 * 0.95) / sims), `family-wise error ${rate}`);
  assert.ok(rate > 0.01, `the test is not dead: ${rate}`);
});

test('a reference picked on the same runs is never called significant (its p-values would be biased)', () => {
  const rng = new Rng(13);
  for (let s = 0; s < 200; s++) {
    const r = compareAgainstBest(draw(rng, Array(K).fill(0), 0.001, 0.0005), 'maximize', 0.05);
    assert.equal(r.choice, 'same-runs');
    assert.ok(r.comparisons.every((c) => !c.significant));
  }
});

test('shared seeds: the paired test finds a real difference that Welch misses', () => {
  const rng = new Rng(14);
  const sims = 1000;
  let paired = 0;
  let welch = 0;
  for (let s = 0; s < sims; s++) {
    type Sample = { label: string; values: number[]; seeds: number[] };
    const [a, b] = draw(rng, [0.0008, 0], 0.002, 0.0004) as [Sample, Sample];
    if (compareAgainstBest([a, b], 'maximize', 0.05, 'c0').comparisons[0]?.significant) paired++;
    if (compareAgainstBest([a, { ...b, seeds: seeds.map((x) => x + 1000) }], 'maximize', 0.05, 'c0').comparisons[0]?.significant) welch++;
  }
  assert.ok(paired / sims > 0.5, `paired power ${paired / sims}`);
  assert.ok(welch / sims < 0.1, `Welch power ${welch / sims}`);
});
