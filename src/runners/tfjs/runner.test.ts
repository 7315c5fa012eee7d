import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { InputError } from '../../core/errors.js';
import type { Metrics, Outcome, Params } from '../../core/types.js';
import type { RunContext, TrialInput } from '../runner.js';
import { countParameters, parseFnnParams } from './params.js';
import { createTfjsRunner } from './runner.js';
import { EPOCH_METRICS } from './train.js';

const runner = createTfjsRunner({
  dataset: 'mnist',
  trainLimit: 600,
  testLimit: 200,
  evaluateTest: true,
  backend: 'wasm',
  workers: 2,
  metric: 'val_accuracy',
  direction: 'maximize',
  abortGraceSeconds: 0.2,
});
after(() => runner.close?.());

let nextId = 1;
function trial(params: Params, seed: number, budget: number | null): TrialInput {
  const id = nextId++;
  return { trialId: id, number: id, params, seed, budget };
}

async function run(t: TrialInput, onReport?: (step: number, m: Metrics, ac: AbortController) => void) {
  const reports: { step: number; metrics: Metrics }[] = [];
  let progress = 0;
  const ac = new AbortController();
  const ctx: RunContext = {
    report(step, metrics) {
      reports.push({ step, metrics });
      onReport?.(step, metrics, ac);
    },
    progress() {
      progress++;
    },
    signal: ac.signal,
  };
  const outcome: Outcome = await runner.run(t, ctx);
  return { outcome, reports, progress };
}

const base = { units: 32, batch_size: 32, learning_rate: 0.003 };

describe('tfjs runner', () => {
  it('prepares (loads the dataset) and names its backend', async () => {
    await runner.prepare?.();
    assert.equal(runner.name, 'tfjs (wasm)');
  });

  it('trains, reports every epoch metric, and repeats exactly with the same seed', async () => {
    const [a, b, c] = await Promise.all([run(trial(base, 7, 2)), run(trial(base, 7, 2)), run(trial(base, 8, 2))]);
    assert.equal(a.outcome.state, 'complete');
    if (a.outcome.state !== 'complete') return;
    assert.deepEqual(a.reports.map((r) => r.step), [1, 2]);
    for (const r of a.reports) assert.deepEqual(Object.keys(r.metrics).sort(), [...EPOCH_METRICS].sort());
    assert.ok(a.progress >= 2, 'per-batch progress was reported');
    const m = a.outcome.metrics ?? {};
    assert.equal(m['parameters'], 784 * 32 + 32 + 32 * 10 + 10);
    const bestEpoch = m['best_epoch'] as number;
    assert.ok(bestEpoch === 1 || bestEpoch === 2);
    const bestReport = a.reports[bestEpoch - 1]?.metrics;
    assert.equal(a.outcome.value, bestReport?.['val_accuracy']);
    assert.equal(m['val_accuracy'], a.outcome.value);
    assert.ok((m['test_accuracy'] as number) > 0.5, `learned something: test_accuracy ${m['test_accuracy']}`);
    assert.ok(Number.isFinite(m['test_loss']) && Number.isFinite(m['train_seconds']));
    assert.ok((a.reports[1]?.metrics['val_accuracy'] as number) > 0.6);
    // Same seed → identical validation curves; another seed → different weights.
    assert.deepEqual(
      a.reports.map((r) => [r.metrics['val_loss'], r.metrics['val_accuracy'], r.metrics['loss']]),
      b.reports.map((r) => [r.metrics['val_loss'], r.metrics['val_accuracy'], r.metrics['loss']]),
    );
    assert.notDeepEqual(a.reports.map((r) => r.metrics['val_loss']), c.reports.map((r) => r.metrics['val_loss']));
  });

  it('applies dropout, several layers and the lr schedule', async () => {
    const { outcome, reports } = await run(trial({ units_1: 24, units_2: 16, dropout: 0.3, batch_size: 64, lr_schedule: 'step:1', activation: 'tanh' }, 3, 2));
    assert.equal(outcome.state, 'complete');
    assert.equal(outcome.metrics?.['parameters'], countParameters(784, [24, 16], 10));
    assert.deepEqual(reports.map((r) => r.metrics['lr']), [0.001, 0.0005]);
  });

  it('fails a diverging trial with "diverged: loss is NaN at epoch N"', async () => {
    const { outcome } = await run(trial({ ...base, learning_rate: 1e30 }, 1, 3));
    assert.equal(outcome.state, 'failed');
    if (outcome.state === 'failed') assert.match(outcome.error, /^diverged: loss is (NaN|Infinity) at epoch 1$/);
  });

  it('fails bad params with a message naming the field', async () => {
    for (const [params, re] of [
      [{ ...base, batch_size: 0 }, /`batch_size`.*≥ 1.*got 0/],
      [{ ...base, units: -3 }, /`units`.*got -3/],
      [{ units: 32 }, /`batch_size`/],
      [{ ...base, dropout: 1.5 }, /`dropout`/],
      [{ ...base, lr_schedule: 'cosine' }, /`lr_schedule`.*cosine/],
      [{ ...base, activation: 'swish' }, /`activation`.*swish/],
    ] as const) {
      const { outcome } = await run(trial(params, 1, 1));
      assert.equal(outcome.state, 'failed');
      if (outcome.state === 'failed') assert.match(outcome.error, re);
    }
    assert.throws(() => parseFnnParams({ units_1: 0, units_2: 8, batch_size: 1 }, 1), InputError);
    assert.deepEqual(parseFnnParams({ units_1: 8, units_2: 0, batch_size: 1 }, 1).units, [8]);
    assert.throws(() => createTfjsRunner({ dataset: 'mnist', workers: 1, metric: 'f1', direction: 'maximize' }), /`metric`/);
  });

  it('trains a layer-list CNN (NHWC) with augmentation, records its parameters, and names a bad layer', async () => {
    const model = 'conv4:same-maxpool-bn-conv8-avgpool-dropout0.2-flatten-dense16:tanh';
    const a = await run(trial({ model, batch_size: 32, augment_shift: 2, augment_rotate: 10 }, 4, 2));
    assert.equal(a.outcome.state, 'complete');
    // conv 3·3·1·4+4, batch norm 2·4, conv 3·3·4·8+8, dense 6·6·8·16+16, output 16·10+10 (Keras' counts).
    assert.equal(a.outcome.metrics?.['parameters'], 40 + 8 + 296 + 4624 + 170);
    assert.ok((a.outcome.metrics?.['test_accuracy'] as number) > 0.3, `learned something: ${a.outcome.metrics?.['test_accuracy']}`);
    const b = await run(trial({ model, batch_size: 32, augment_shift: 2, augment_rotate: 10 }, 4, 2));
    assert.deepEqual(b.reports.map((r) => r.metrics['val_loss']), a.reports.map((r) => r.metrics['val_loss']), 'same seed, same run');
    for (const [params, re] of [
      [{ model: 'conv4-pool-flatten', batch_size: 8 }, /`model`.*layer 2 `pool`: unknown layer/],
      [{ model: 'conv4k30', batch_size: 8 }, /`model` to fit 28×28×1 inputs: layer 1 \(conv2d\) has a 30×30 kernel larger than its 28×28 input/],
      [{ model: 'flatten-conv4', batch_size: 8 }, /`model`.*layer 2 \(conv2d\) needs images, but layer 1 \(flatten\) made them flat/],
      [{ model: 'conv4', units: 8, batch_size: 8 }, /either `model`/],
    ] as const) {
      const { outcome } = await run(trial(params, 1, 1));
      assert.equal(outcome.state, 'failed');
      if (outcome.state === 'failed') assert.match(outcome.error, re);
    }
  });

  it('stops on abort and resolves as pruned at the last completed epoch', async () => {
    const { outcome, reports } = await run(trial({ ...base, batch_size: 8 }, 2, 50), (step, _m, ac) => {
      if (step === 1) ac.abort();
    });
    assert.equal(outcome.state, 'pruned');
    if (outcome.state === 'pruned') assert.equal(outcome.step, reports.length);
    assert.ok(reports.length >= 1 && reports.length < 50);
  });

  it('fails a trial on a missing dataset at prepare time', async () => {
    const r = createTfjsRunner({ dataset: { idx: '/nonexistent/dir' }, workers: 1, metric: 'val_loss', direction: 'minimize' });
    await assert.rejects(() => r.prepare?.() ?? Promise.resolve(), /\/nonexistent\/dir/);
  });
});
