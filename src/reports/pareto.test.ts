import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectiveSpec } from '../core/types.js';
import { paretoSummary, type ParetoTrial } from './pareto.js';

const OBJ: ObjectiveSpec[] = [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'parameters', direction: 'minimize' }];

function trial(number: number, acc: number, size: number): ParetoTrial {
  return { number, state: 'complete', value: acc, values: [acc, size] };
}

test('paretoSummary: the front best first, the ranges, the hypervolume scaled to [0, 1] against the worst observed', () => {
  const s = paretoSummary([trial(0, 0.9, 100), trial(1, 0.95, 400), trial(2, 0.85, 300), trial(3, 0.97, 900), { number: 4, state: 'failed', value: null, values: null }], OBJ);
  assert.deepEqual(s.front.map((t) => t.number), [3, 1, 0]);
  assert.equal(s.complete, 4);
  assert.deepEqual(s.ranges, [{ best: 0.97, worst: 0.85 }, { best: 100, worst: 900 }]);
  // Scaled (minimisation): #0 (0.5833, 0), #1 (0.1667, 0.375), #3 (0, 1); reference (1, 1).
  const hv = (1 - 0.07 / 0.12) * 1 + (0.07 / 0.12 - 0.02 / 0.12) * (1 - 300 / 800);
  assert.ok(Math.abs((s.hypervolume as number) - hv) < 1e-12, `${s.hypervolume} against ${hv}`);
});

test('paretoSummary over 200,000 trials (Math.min(...values) would overflow the stack)', () => {
  const trials = Array.from({ length: 200_000 }, (_, i) => trial(i, 0.5 + ((i * 7919) % 1000) / 2000, 1000 + ((i * 104729) % 5000)));
  const s = paretoSummary(trials, OBJ);
  assert.equal(s.complete, 200_000);
  assert.ok(s.front.length > 0 && s.hypervolume !== null);
});
