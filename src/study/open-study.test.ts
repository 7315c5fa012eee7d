import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { compile } from '../spec/compile.js';
import { codeStudySpec } from '../spec/stored.js';
import { Space } from '../space/space.js';
import { openStudyForPlan } from './open-study.js';

const spec = { study: 'o', space: { units: [16, 32], batch_size: [64] }, budget: { epochs: 2 }, trainer: { type: 'tfjs', dataset: 'mnist' }, sampler: { type: 'grid' } };

test('resume: same spec resumes; a different definition names the first differing field with both values', async () => {
  const storage = new MemoryStorage();
  const first = await openStudyForPlan(storage, compile(spec));
  assert.equal(first.resumed, false);
  assert.equal((await openStudyForPlan(storage, compile(spec))).resumed, true);
  // More trials or another scheduler does not change what a trial means.
  await assert.rejects(() => openStudyForPlan(storage, compile({ ...spec, trainer: { type: 'tfjs', dataset: 'fashion-mnist' } })), {
    code: 'STUDY_EXISTS',
    message: 'Study `o` already exists with a different `trainer.dataset`: stored "mnist", this spec "fashion-mnist"; resume it with the same spec, or give a new name with --study',
  });
  await assert.rejects(() => openStudyForPlan(storage, compile({ ...spec, budget: { epochs: 3 } })), /different `budget\.epochs`: stored 2, this spec 3/);
  await assert.rejects(() => openStudyForPlan(storage, compile({ ...spec, fixed: { learning_rate: 0.1 } })), /different `fixed\.learning_rate`: stored nothing, this spec 0\.1/);
});

test('switching the sampler type between runs is refused, naming sampler.type old and new, unless allowed', async () => {
  const storage = new MemoryStorage();
  await openStudyForPlan(storage, compile(spec));
  const random = compile({ ...spec, sampler: { type: 'random', trials: 4 } });
  await assert.rejects(() => openStudyForPlan(storage, random), {
    code: 'STUDY_EXISTS',
    message: /^Study `o` was run with `sampler\.type` "grid", this spec has "random": .*--allow-sampler-change$/,
  });
  assert.equal((await openStudyForPlan(storage, random, { allowSamplerChange: true })).resumed, true);
  // Other sampler settings (points per axis, trial counts) may change.
  assert.equal((await openStudyForPlan(storage, compile({ ...spec, sampler: { type: 'grid', points_per_axis: 3 } }))).resumed, true);
});

test('a study made in code is not resumed from a spec file', async () => {
  const storage = new MemoryStorage();
  await storage.createStudy({ name: 'o', direction: 'maximize', metric: 'val_accuracy', spec: codeStudySpec(Space.fromSpec({ x: { type: 'float', low: 0, high: 1 } }), 0) });
  await assert.rejects(() => openStudyForPlan(storage, compile(spec)), /created in code/);
});
