// The helpers of bench/zones-screen.ts on small constructed inputs (the bench itself reads the stored MNIST studies).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultEntry } from '../src/results/index.js';
import { constantLrValue, keepByBand, keepTopShare, rankOf, screenCostRatio, seedSdAt } from './zones-screen.js';

const run = (units: number, batch: number, seed: number, vals: readonly number[], lrs: readonly number[] = vals.map(() => 0.001), schedule = 'none'): ResultEntry => ({
  params: { units, batch_size: batch, lr_schedule: schedule },
  seed,
  budget: vals.length,
  value: Math.max(...vals),
  steps: vals.map((v, i) => ({ step: i + 1, metrics: { val_accuracy: v, lr: lrs[i] as number } })),
  metrics: {},
});

test('constantLrValue: best so far while the learning rate is unchanged, null after a schedule changed it or past the run', () => {
  const e = run(128, 16, 1, [0.9, 0.95, 0.93, 0.97], [0.001, 0.001, 0.001, 0.0005], 'step:3');
  assert.equal(constantLrValue(e, 'val_accuracy', 3), 0.95);
  assert.equal(constantLrValue(e, 'val_accuracy', 4), null);
  assert.equal(constantLrValue(e, 'val_accuracy', 5), null);
  // Without per-epoch metrics: the run's value only at its own budget and without a schedule.
  const flat: ResultEntry = { params: { units: 128, batch_size: 16 }, seed: 1, budget: 10, value: 0.97, steps: [], metrics: {} };
  assert.equal(constantLrValue(flat, 'val_accuracy', 10), 0.97);
  assert.equal(constantLrValue(flat, 'val_accuracy', 9), null);
  assert.equal(constantLrValue({ ...flat, params: { ...flat.params, lr_schedule: 'step:7' } }, 'val_accuracy', 10), null);
});

test('seedSdAt pools one value per distinct seed per grid point (same seed under two schedules counts once)', () => {
  const entries = [
    run(128, 16, 1, [0.90, 0.94]),
    run(128, 16, 1, [0.90, 0.94], undefined, 'plateau:3'),
    run(128, 16, 2, [0.91, 0.92]),
    run(256, 16, 1, [0.95, 0.96]),
    run(256, 16, 2, [0.95, 0.99]),
    run(512, 16, 1, [0.8, 0.9]),
  ];
  const r = seedSdAt(entries, 'val_accuracy', 2);
  // Pairs (0.94, 0.92) and (0.96, 0.99): ss = 0.02²/2 + 0.03²/2, 2 df.
  assert.equal(r.df, 2);
  assert.equal(r.points, 2);
  assert.ok(Math.abs(r.sd - Math.sqrt((0.0002 + 0.00045) / 2)) < 1e-12, `${r.sd}`);
});

test('keepByBand keeps what is within t·sd·√2 of the best; keepTopShare and rankOf', () => {
  const v = new Map([['a', 0.98], ['b', 0.979], ['c', 0.975], ['d', 0.97]]);
  // t(0.975, 10) = 2.2281388519649385.
  const { kept, band } = keepByBand(v, 0.001, 10);
  assert.ok(Math.abs(band - 2.2281388519649385 * 0.001 * Math.SQRT2) < 1e-12);
  assert.deepEqual([...kept].sort(), ['a', 'b']);
  assert.deepEqual([...keepByBand(v, 0.002, 10).kept].sort(), ['a', 'b', 'c']);
  assert.deepEqual([...keepTopShare(v, 0.5)].sort(), ['a', 'b']);
  assert.deepEqual([...keepTopShare(v, 0.6)].sort(), ['a', 'b', 'c']);
  assert.equal(rankOf(v, 'c'), 3);
});

test('screenCostRatio: restarting kept points pays only while the kept share is below 1 − s/S', () => {
  assert.ok(Math.abs(screenCostRatio(10, 28, 0.5, true) - (10 + 14) / 28) < 1e-12);
  assert.ok(screenCostRatio(13, 28, 1 - 13 / 28 - 0.01, true) < 1);
  assert.ok(screenCostRatio(13, 28, 1 - 13 / 28 + 0.01, true) > 1);
  // Resuming always pays something when anything is dropped.
  assert.ok(screenCostRatio(13, 28, 0.9, false) < 1);
});
