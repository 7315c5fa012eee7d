// Fine-tuning a base network (trainer.base_model): a new head of the right shape, frozen layers that keep their
// weights (and a frozen batch norm its statistics), unfreezing at the epoch stated, separate step sizes for body and
// head, and the errors that name a value that does not fit the base. CPU backend, a small CNN on 8×8 images.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import { InputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { writeSyntheticIdx } from '../../datasets/testutil.js';
import { checkParams } from '../../spec/check-params.js';
import type { Metrics, Params } from '../../core/types.js';
import { readLayersModel, saveLayersModel, type LoadedModel } from './layers-model.js';
import { parseModel, planModel } from './model-spec.js';
import { createModel, type TrainableModel } from './model.js';
import { initNet } from './net.js';
import { parseFnnParams, TFJS_FINETUNE_PARAMS, TFJS_PARAMS } from './params.js';
import { createTfjsRunner } from './runner.js';

await tf.setBackend('cpu');

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'hz-ft-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// The base: conv(4) → bn → maxpool → flatten → dense(8) → output(3); weights and batch-norm statistics non-trivial.
const baseLayers = planModel(parseModel('conv4k3-bn-maxpool-dense8'), [8, 8, 1], 3);
const baseDir = tmp();
{
  const rng = new Rng(3);
  const s = initNet(tf, baseLayers, rng);
  const shake = (t: Tensor, lo: number, span: number): Tensor => tf.tensor(Array.from({ length: t.size }, () => lo + rng.next() * span), t.shape);
  const params = s.params.map((p) => tf.add(p, shake(p, -0.1, 0.2)));
  const stats = s.stats.map((t, i) => (i % 2 === 0 ? shake(t, -0.2, 0.4) : shake(t, 0.5, 1)));
  await saveLayersModel(tf, baseDir, baseLayers, [...params, ...stats].map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array })), {});
}
const base: LoadedModel = readLayersModel(baseDir);

const shape = { height: 8, width: 8, classes: 5 };
const cfgOf = (p: Params, epochs = 3) => parseFnnParams({ batch_size: 6, ...p }, epochs, true);

function batch(seed: number, classes: number): { x: Tensor2D; y: Tensor2D } {
  const rng = new Rng(seed);
  const x = tf.tensor2d(Array.from({ length: 6 * 64 }, () => rng.next()), [6, 64]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 6 }, (_, i) => i % classes), 'int32'), classes).toFloat() as Tensor2D;
  return { x, y };
}

/** `n` Adam steps; `lr` is the head's current rate (the schedule's), the body's follows in proportion. */
function steps(model: TrainableModel, n: number, seed: number, lr = 0.01, classes = 5): void {
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const out = tf.tidy(() => {
      const { x, y } = batch(seed * 10 + i, classes);
      return model.step(x, y, lr, rng);
    });
    model.commit(out.next);
    out.lossSum.dispose();
    out.correct.dispose();
  }
}

/** The model's params then statistics, as plain arrays. */
function weightsOf(model: TrainableModel): Float32Array[] {
  const snap = model.snapshot();
  const out = snap.map((t) => t.dataSync() as Float32Array);
  snap.forEach((t) => t.dispose());
  return out;
}

const same = (a: Float32Array, b: ArrayLike<number>): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

// Param order of the fine-tuned network: conv W, b (0, 1), bn γ, β (2, 3), dense8 W, b (4, 5), head…, then bn statistics.
describe('fine-tuning a base network', () => {
  it('replaces the output layer by a new head of the right shape, and starts the body from the base weights', () => {
    const model = createModel(tf, shape, cfgOf({ head_units: 6, head_dropout: 0.5 }), new Rng(1), base);
    assert.deepEqual(
      model.plan.map((l) => `${l.spec.kind}:${l.outShape.join('x')}`),
      ['conv2d:6x6x4', 'batchnorm:6x6x4', 'maxpool:3x3x4', 'flatten:36', 'dense:8', 'dense:6', 'dropout:6', 'dense:5'],
    );
    const head = model.plan.slice(5);
    assert.equal(head.reduce((a, l) => a + l.parameters, 0), 8 * 6 + 6 + 6 * 5 + 5);
    const w = weightsOf(model);
    // Body weights as saved: conv, bn, dense8, and the statistics at the end.
    base.layers.slice(0, 5).flatMap((l) => (l.spec.kind === 'batchnorm' ? l.weights.slice(0, 2) : l.weights)).forEach((bw, i) => assert.ok(same(w[i] as Float32Array, bw.data), `body weight ${i}`));
    assert.ok(same(w[w.length - 2] as Float32Array, (base.layers[1]?.weights[2] as { data: Float32Array }).data), 'moving mean');
    // A new output layer only (head_units 0): the base's dense8 feeds a fresh 8 → 5 layer.
    const bare = createModel(tf, shape, cfgOf({ head_units: 0 }), new Rng(1), base);
    assert.deepEqual(bare.plan[bare.plan.length - 1]?.inShape, [8]);
    assert.deepEqual(bare.plan[bare.plan.length - 1]?.outShape, [5]);
    [model, bare].forEach((m) => m.dispose());
  });

  it('keeps the base output layer without head_units, when the classes agree; otherwise names the layer', () => {
    const kept = createModel(tf, { ...shape, classes: 3 }, cfgOf({}), new Rng(1), base);
    const w = weightsOf(kept);
    const out = base.layers[base.layers.length - 1] as LoadedModel['layers'][number];
    assert.ok(same(w[6] as Float32Array, (out.weights[0] as { data: Float32Array }).data), 'output kernel from the base');
    kept.dispose();
    assert.throws(
      () => createModel(tf, shape, cfgOf({}), new Rng(1), base),
      (e: unknown) => e instanceof InputError && /output layer `dense_2` has 3 units, the dataset has 5 classes: give `head_units`/.test(e.message),
    );
  });

  it('does not change frozen weights (nor a frozen batch norm\'s statistics) and unfreezes them after the epoch stated', () => {
    const model = createModel(tf, shape, cfgOf({ freeze: 2, head_units: 0, unfreeze_after: 2 }), new Rng(1), base);
    const start = weightsOf(model);
    const frozen = [0, 1, 2, 3, start.length - 2, start.length - 1]; // conv W, b; bn γ, β; bn moving mean, variance
    const perEpoch: Float32Array[][] = [];
    const frozenCounts: number[] = [];
    for (let epoch = 1; epoch <= 3; epoch++) {
      model.startEpoch?.(epoch);
      frozenCounts.push(model.frozenParameters?.() ?? -1);
      steps(model, 3, epoch);
      perEpoch.push(weightsOf(model));
    }
    for (const e of [0, 1]) {
      for (const i of frozen) assert.ok(same(perEpoch[e]?.[i] as Float32Array, start[i] as Float32Array), `frozen weight ${i} unchanged after epoch ${e + 1}`);
      assert.ok(maxDiff(perEpoch[e]?.[4] as Float32Array, start[4] as Float32Array) > 1e-4, `dense8 (not frozen) trains in epoch ${e + 1}`);
    }
    for (const i of frozen) assert.ok(maxDiff(perEpoch[2]?.[i] as Float32Array, start[i] as Float32Array) > 1e-5, `weight ${i} trains after unfreezing (epoch 3)`);
    // conv 3·3·1·4 + 4 and bn 2·4 parameters are frozen in epochs 1–2, none in epoch 3.
    assert.deepEqual(frozenCounts, [40 + 8, 40 + 8, 0]);
    model.dispose();
  });

  it('steps the body at lr_body and the head at lr_head', () => {
    const delta = (lrBody: number, lrHead: number): { body: number; head: number } => {
      const m = createModel(tf, shape, cfgOf({ head_units: 6, lr_body: lrBody, lr_head: lrHead }), new Rng(1), base);
      const a = weightsOf(m);
      steps(m, 2, 9, lrHead);
      const b = weightsOf(m);
      m.dispose();
      return { body: maxDiff(a[4] as Float32Array, b[4] as Float32Array), head: maxDiff(a[6] as Float32Array, b[6] as Float32Array) };
    };
    // Adam moves each weight by about its step size per step.
    const slowBody = delta(1e-7, 1e-2);
    assert.ok(slowBody.body < 1e-6 && slowBody.head > 1e-3, JSON.stringify(slowBody));
    const slowHead = delta(1e-2, 1e-7);
    assert.ok(slowHead.head < 1e-6 && slowHead.body > 1e-3, JSON.stringify(slowHead));
  });

  it('refuses values that do not fit the base, naming them', () => {
    assert.throws(
      () => createModel(tf, shape, cfgOf({ freeze: 4, head_units: 0 }), new Rng(1), base),
      (e: unknown) => e instanceof InputError && /`freeze` to be at most 3 \(the base model .*'s layers with weights\), got 4/.test(e.message),
    );
    assert.throws(
      () => createModel(tf, { height: 10, width: 10, classes: 5 }, cfgOf({ head_units: 0 }), new Rng(1), base),
      (e: unknown) => e instanceof InputError && /takes inputs of 8×8×1, the dataset has 10×10×1 images/.test(e.message),
    );
    assert.throws(() => cfgOf({ head_dropout: 0.2 }), /`head_dropout` needs `head_units`/);
    assert.throws(() => cfgOf({ units: 8 }), /Unknown param `units`: the tfjs trainer fine-tuning a base model accepts/);
    assert.throws(() => parseFnnParams({ units: 8, batch_size: 4, freeze: 1 }, 1), /`freeze` is a fine-tuning param: it needs `trainer.base_model`/);
    assert.throws(() => checkParams(TFJS_PARAMS, {}, { units: 8, batch_size: 4, lr_head: 0.01 }), /`lr_head` is a fine-tuning param/);
    assert.throws(() => checkParams(TFJS_FINETUNE_PARAMS, { freeze: { type: 'int', low: -1, high: 2 } } as never, { batch_size: 4 }), /`space\.freeze\.low` to be an integer ≥ 0, got -1/);
    checkParams(TFJS_FINETUNE_PARAMS, { freeze: { type: 'int', low: 0, high: 3 }, lr_body: { type: 'float', low: 1e-5, high: 1e-3, log: true } } as never, { batch_size: 4, head_units: 16 });
  });
});

describe('saving and fine-tuning through the runner', () => {
  const idx = writeSyntheticIdx({ train: 400, test: 100 });
  dirs.push(idx);
  const saveDir = tmp();
  const common = { dataset: { idx }, backend: 'cpu' as const, workers: 1, metric: 'val_accuracy', direction: 'maximize' as const, evaluateTest: true };

  it('saves the best epoch of a trial, then fine-tunes it on other classes', async () => {
    const pre = createTfjsRunner({ ...common, classes: [0, 1, 2, 3, 4], saveModels: { dir: saveDir, study: 'pre' } });
    const ctx = (reports: Metrics[]) => ({ report: (_: number, m: Metrics) => void reports.push(m), signal: new AbortController().signal });
    const preReports: Metrics[] = [];
    const params = { model: 'conv4-maxpool-dense16', batch_size: 16, learning_rate: 0.01 };
    const o = await pre.run({ trialId: 1, number: 7, params, seed: 5, budget: 3 }, ctx(preReports));
    await pre.close?.();
    assert.equal(o.state, 'complete', JSON.stringify(o));
    const trialDir = join(saveDir, 'trial-7');
    const json = JSON.parse(readFileSync(join(trialDir, 'model.json'), 'utf8')) as { userDefinedMetadata: { hyperzone: Record<string, unknown> } };
    const meta = json.userDefinedMetadata.hyperzone;
    assert.deepEqual([meta['study'], meta['trial'], meta['seed'], meta['classes']], ['pre', 7, 5, [0, 1, 2, 3, 4]]);
    assert.deepEqual(meta['params'], params);
    assert.equal(meta['value'], o.state === 'complete' ? o.value : null, 'the best epoch is what was saved');

    const ft = createTfjsRunner({ ...common, classes: [5, 6, 7, 8, 9], labelFraction: 0.5, baseModel: trialDir });
    await ft.prepare?.();
    const reports: Metrics[] = [];
    const tune = { batch_size: 16, freeze: 1, head_units: 0, lr_head: 0.01, lr_body: 0.001, unfreeze_after: 1 };
    const f = await ft.run({ trialId: 2, number: 0, params: tune, seed: 1, budget: 2 }, ctx(reports));
    await ft.close?.();
    assert.equal(f.state, 'complete', JSON.stringify(f));
    // conv4 (3·3·1·4 + 4 = 40 parameters) frozen in epoch 1, trained from epoch 2.
    assert.deepEqual(reports.map((m) => m['frozen_parameters']), [40, 0]);
    assert.ok(f.state === 'complete' && f.metrics?.['test_accuracy'] !== undefined);
  });

  it('fails at start when the base model is unreadable', async () => {
    const bad = createTfjsRunner({ ...common, baseModel: join(saveDir, 'nowhere') });
    await assert.rejects(() => bad.prepare?.() ?? Promise.resolve(), (e: unknown) => e instanceof InputError && /nowhere.*model\.json cannot be read/.test(e.message));
    await bad.close?.();
  });
});
