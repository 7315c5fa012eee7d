import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LCBENCH_DEV_TASKS, YahpoLcbench, lcbenchSpace } from './yahpo-lcbench.js';
import { Rng } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import * as peers from '../../test/support/peers.js';
import { benchDataPath } from '../support/data-dir.js';

const lcbench = peers.benchData('yahpo-lcbench', 'model.onnx');
const DIR = benchDataPath('yahpo-lcbench');
const skip = peers.skipUnless(lcbench);

// YAHPO's default configuration (config_space.json defaults).
const DEFAULT = { batch_size: 91, learning_rate: 0.0031622777, momentum: 0.545, weight_decay: 0.050005, num_layers: 3, max_units: 256, max_dropout: 0.5 };

test('the space has the seven LCBench parameters with their bounds', () => {
  const s = lcbenchSpace();
  assert.deepEqual(s.names, ['batch_size', 'learning_rate', 'momentum', 'weight_decay', 'num_layers', 'max_units', 'max_dropout']);
  assert.deepEqual(s.get('batch_size').toJSON(), { type: 'int', low: 16, high: 512, log: true });
  assert.ok(s.contains(DEFAULT));
});

test('known evaluations on the development tasks fall in the expected ranges', { skip }, async () => {
  // Values checked by hand against the surrogate (onnxruntime CPU); ranges leave room for float32 kernels.
  const expected: Record<string, [number, number]> = { '167168': [45.0, 46.1], '189873': [0.3, 0.7], '189906': [54.8, 55.9] };
  for (const task of LCBENCH_DEV_TASKS) {
    const o = await YahpoLcbench.load(DIR, task);
    const v = await o.evaluate(DEFAULT);
    const [lo, hi] = expected[task] as [number, number];
    assert.ok(v >= lo && v <= hi, `task ${task}: default config gave ${v}, expected ${lo}–${hi}`);
    assert.ok(o.range.max > o.range.min && o.range.max <= 100, `task ${task} range ${JSON.stringify(o.range)}`);
    assert.equal(o.normalizedRegret(o.range.max), 0);
    assert.equal(o.normalizedRegret(o.range.min), 1);
  }
  const o = await YahpoLcbench.load(DIR, '167168');
  // A good configuration of task 167168 beats the default clearly; learning curves rise over epochs.
  const good = { batch_size: 28, learning_rate: 0.0014895, momentum: 0.4507, weight_decay: 0.0587, num_layers: 2, max_units: 557, max_dropout: 0.1098 };
  assert.ok((await o.evaluate(good)) > 60);
  const c = await o.curve(DEFAULT);
  assert.equal(c.length, 52);
  assert.ok((c[51] as number) > (c[0] as number) + 10, `curve ${c[0]} → ${c[51]}`);
});

test('a batch gives the single-call values (within float32 kernel rounding), and is deterministic', { skip }, async () => {
  const o = await YahpoLcbench.load(DIR, '189906');
  const rng = new Rng(3);
  const ps = Array.from({ length: 40 }, () => o.space.sample(rng));
  const epochs = ps.map((_, i) => 1 + (i % 52));
  const batch = await o.evaluateBatch(ps, epochs);
  assert.deepEqual(await o.evaluateBatch(ps, epochs), batch);
  for (let i = 0; i < ps.length; i++) {
    const single = await o.evaluate(ps[i] as (typeof ps)[number], epochs[i]);
    assert.ok(Math.abs(single - (batch[i] as number)) < 1e-3, `row ${i}: single ${single} vs batch ${batch[i]}`);
  }
  assert.ok(new Set(batch.map((v) => v.toFixed(3))).size > 30, 'different configurations give different values');
});

test('bad input names the field and the value', { skip }, async () => {
  await assert.rejects(YahpoLcbench.load(DIR, '999'), (e: unknown) => e instanceof InputError && /task `999`/.test(e.message));
  const o = await YahpoLcbench.load(DIR, '167168');
  await assert.rejects(o.evaluate(DEFAULT, 0), /`epoch`.*got 0/);
  await assert.rejects(o.evaluate({ ...DEFAULT, batch_size: 8 }), /`batch_size`/);
});
