// bench/zones-cost.ts on one surface: each stage's epochs are its runs × that stage's budget (survey ⌈0.7 × 40⌉ = 28
// for stages 1–2, 40 for stages 3–4), the total is their sum, and stage 4's size follows top_k.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costOf } from './zones-cost.js';
import { SURFACES } from './zones-detection.js';

test('zones-cost accounts each stage at its own budget, and top_k sizes stage 4 without changing the pick', async () => {
  const surface = SURFACES.find((s) => s.name === 'a flat surface');
  assert.ok(surface);
  const r = await costOf(surface, 7);
  assert.equal(r.epochs.zones, (r.runs.zones as number) * 28);
  assert.equal(r.epochs.refine, (r.runs.refine as number) * 28);
  assert.equal(r.epochs.schedules, (r.runs.schedules as number) * 40);
  assert.equal(r.epochs.confirm, (r.runs.confirm as number) * 40);
  assert.equal(r.total, Object.values(r.epochs).reduce((a, b) => a + b, 0));
  // 91 grid points plus the repeat lattice's second seeds.
  assert.ok((r.runs.zones as number) > 91 + 15, `${r.runs.zones} stage-1 runs`);
  const small = await costOf(surface, 7, { topK: 2 });
  assert.ok((small.runs.confirm as number) < (r.runs.confirm as number), `${small.runs.confirm} vs ${r.runs.confirm} stage-4 runs`);
  assert.equal(small.runs.schedules, r.runs.schedules);
  assert.equal(small.gap, r.gap);
});
