import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectiveSpec } from '../core/types.js';
import { hypervolume, toMinimization } from '../stats/pareto.js';
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

test('ParetoAccumulator: a study read in pages gives what paretoSummary gives over all of it (ties, duplicates, 2 and 3 objectives, every direction)', async () => {
  const { ParetoAccumulator } = await import('./pareto.js');
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let rep = 0; rep < 60; rep++) {
    const m = rep % 3 === 0 ? 3 : 2;
    const objectives: ObjectiveSpec[] = Array.from({ length: m }, (_, k) => ({ metric: `m${k}`, direction: (rep >> k) & 1 ? 'maximize' : 'minimize' }));
    const n = 1 + Math.floor(rand() * 120);
    const trials: ParetoTrial[] = Array.from({ length: n }, (_, i) => {
      if (rand() < 0.1) return { number: i, state: rand() < 0.5 ? 'failed' : 'running', value: null, values: null };
      // Few distinct values, so ties and duplicate points are common.
      const values = Array.from({ length: m }, () => Math.floor(rand() * 6) / 5);
      return { number: i, state: 'complete', value: values[0] as number, values };
    });
    // The reference, by definition: complete trials no other complete trial dominates; ranges and the hypervolume over
    // every complete trial's scaled point (brute force, not the accumulator that paretoSummary is built on).
    const dirs = objectives.map((o) => o.direction);
    const done = trials.filter((t) => t.state === 'complete');
    const pts = done.map((t) => toMinimization(t.values as number[], dirs));
    const dominated = (a: readonly number[], b: readonly number[]) => a.every((v, k) => v <= (b[k] as number)) && a.some((v, k) => v < (b[k] as number));
    const frontNumbers = done.filter((_, i) => !pts.some((q) => dominated(q, pts[i] as number[])))
      .sort((a, b) => (dirs[0] === 'maximize' ? -1 : 1) * ((a.value as number) - (b.value as number)) || a.number - b.number).map((t) => t.number);
    const lo = dirs.map((_, k) => Math.min(...pts.map((p) => p[k] as number)));
    const hi = dirs.map((_, k) => Math.max(...pts.map((p) => p[k] as number)));
    const spread = pts.length > 0 && lo.every((l, k) => (hi[k] as number) > l);
    const whole = {
      front: frontNumbers, complete: done.length,
      ranges: dirs.map((d, k) => (d === 'maximize' ? { best: -(lo[k] as number), worst: -(hi[k] as number) } : { best: lo[k] as number, worst: hi[k] as number })),
      hypervolume: spread
        ? hypervolume(pts.map((p) => p.map((v, k) => (v - (lo[k] as number)) / ((hi[k] as number) - (lo[k] as number)))), dirs.map(() => 1))
        : null,
    };
    assert.deepEqual(paretoSummary(trials, objectives).front.map((t) => t.number), whole.front, `rep ${rep}: paretoSummary`);
    const acc = new ParetoAccumulator<ParetoTrial>(objectives);
    const page = 1 + Math.floor(rand() * 20);
    for (let i = 0; i < n; i += page) acc.add(trials.slice(i, i + page));
    const paged = acc.summary();
    assert.deepEqual(paged.front.map((t) => t.number), whole.front, `rep ${rep}`);
    assert.equal(paged.complete, whole.complete);
    assert.deepEqual(paged.ranges, whole.ranges);
    if (whole.hypervolume === null) assert.equal(paged.hypervolume, null);
    else assert.ok(Math.abs((paged.hypervolume as number) - whole.hypervolume) < 1e-12, `rep ${rep}: ${paged.hypervolume} vs ${whole.hypervolume}`);
  }
});
