import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MotpeSampler } from './motpe.js';
import { Rng, deriveSeed } from '../core/rng.js';
import type { Params } from '../core/types.js';
import { makeTrial } from '../../bench/support/loop.js';
import { spaceOf } from '../../bench/proposal-latency.js';

// MOTPE on a conditional space (proposal-latency's: num_layers 1–4 with units_i, lr, dropout, model fnn | cnn,
// filters for cnn, kernel for 64 filters) with two objectives that pull towards different branches.
const space = spaceOf('cond');
const rng = new Rng(3);
const trials = Array.from({ length: 200 }, (_, i) => {
  const p = space.sample(rng) as Record<string, number | string>;
  const cnn = p['model'] === 'cnn';
  const f1 = Math.abs(Math.log10(p['lr'] as number) + 2.5) + (cnn ? 0.2 * (p['filters'] === 64 ? ((p['kernel'] as number) - 3) ** 2 / 9 : 1) : 1) + 0.1 * rng.next();
  const f2 = 0.3 * (p['num_layers'] as number) + (p['dropout'] as number) + (cnn ? 1 : 0) + 0.1 * rng.next();
  return { ...makeTrial(i, p as Params, f1), values: [f1, f2] };
});

/**
 * Pinned to what MOTPE proposed before blocks observed by the same trials shared one split (every block then made its
 * own fronts, hypervolume subset and weights): sharing must not change a proposal.
 */
const PINNED = [
  { num_layers: 1, units_1: 157, lr: 0.0030824017518822303, dropout: 0.11897718906279048, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 53, lr: 0.0026701091476326808, dropout: 0.10650580200778488, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 54, lr: 0.00319403373179405, dropout: 0.11155275024192518, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 33, lr: 0.002737319660926437, dropout: 0.10294398437239441, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 35, lr: 0.0011864113493800057, dropout: 0.027925210144959967, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 34, lr: 0.0021199214170916753, dropout: 0.027053694977742595, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 32, lr: 0.0011055544452126236, dropout: 0.11102878415022835, model: 'cnn', filters: 64, kernel: 1 },
  { num_layers: 1, units_1: 31, lr: 0.0010394521740752284, dropout: 0.02515913367648794, model: 'cnn', filters: 64, kernel: 1 },
] as const;

test('MOTPE on a conditional space: the proposals made before the split was shared between blocks (cnn branch, kernel under filters 64)', () => {
  const s = new MotpeSampler({ nStartupTrials: 10 });
  const got = Array.from({ length: 8 }, (_, i) => s.sample({
    space, direction: 'minimize', directions: ['minimize', 'minimize'], trials: trials.slice(0, 120 + 10 * i), rng: new Rng(deriveSeed(5, i)),
  }).params);
  assert.deepEqual(got, PINNED);
});
