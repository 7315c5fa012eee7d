import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../core/rng.js';
import { initBackend } from './backend.js';
import { dropoutMasks } from './fnn.js';
import { parseFnnParams, TFJS_PARAMS } from './params.js';
import { ruleOf } from '../param-contract.js';

test('parseFnnParams: num_layers uses units_1…units_n and ignores the rest (KerasTuner idiom, conditional spaces)', () => {
  const four = { units_1: 64, units_2: 32, units_3: 16, units_4: 8, dropout_3: 0.4, batch_size: 4 };
  assert.deepEqual(parseFnnParams({ ...four, num_layers: 2 }, 1).units, [64, 32]);
  assert.deepEqual(parseFnnParams({ ...four, num_layers: 2 }, 1).dropout, [0, 0], 'dropout_3 belongs to an unused layer');
  assert.deepEqual(parseFnnParams({ ...four, num_layers: 3 }, 1).dropout, [0, 0, 0.4]);
  assert.deepEqual(parseFnnParams(four, 1).units, [64, 32, 16, 8], 'without num_layers every units_k is a layer');
  // A conditional space gives only the active units_k: num_layers 3 with units_1, units_2 only is a mistake.
  assert.throws(() => parseFnnParams({ units_1: 64, units_2: 32, num_layers: 3, batch_size: 4 }, 1), /`num_layers` is 3 but `units_3` has no value/);
  assert.throws(() => parseFnnParams({ units: 64, num_layers: 1, batch_size: 4 }, 1), /`num_layers` chooses among `units_1`/);
  assert.throws(() => parseFnnParams({ units_1: 64, num_layers: 0, batch_size: 4 }, 1), /`num_layers` to be an integer ≥ 1, got 0/);
  assert.throws(() => parseFnnParams({ model: 'dense16', num_layers: 1, batch_size: 4 }, 1), /either `model`.*`num_layers`/);
  assert.match(TFJS_PARAMS.checkNames?.(new Set(['num_layers', 'units', 'batch_size'])) ?? '', /`num_layers` chooses among/);
  assert.equal(TFJS_PARAMS.checkNames?.(new Set(['num_layers', 'units_1', 'units_2', 'batch_size'])), null);
});

test('parseFnnParams: per-layer dropout, one shared rate, and the same rules as the contract', () => {
  assert.deepEqual(parseFnnParams({ units_1: 16, units_2: 8, dropout: 0.2, batch_size: 4 }, 1).dropout, [0.2, 0.2]);
  assert.deepEqual(parseFnnParams({ units_1: 16, units_2: 8, dropout_2: 0.3, batch_size: 4 }, 1).dropout, [0, 0.3]);
  assert.deepEqual(parseFnnParams({ units: 16, batch_size: 4 }, 1).dropout, [0]);
  assert.throws(() => parseFnnParams({ units_1: 16, dropout: 0.1, dropout_1: 0.2, batch_size: 4 }, 1), /either `dropout`/);
  assert.throws(() => parseFnnParams({ units_1: 16, dropout_2: 0.2, batch_size: 4 }, 1), /`dropout_2` for one of the 1 hidden layer/);
  assert.throws(() => parseFnnParams({ units: 16, dropout_1: 1.2, batch_size: 4 }, 1), /`dropout_1` to be a number in \[0, 1\), got 1\.2/);
  // The trainer no longer ignores what it does not know.
  assert.throws(() => parseFnnParams({ units: 16, batch_size: 4, activaton: 'relu' }, 1), /Unknown param `activaton`: the tfjs trainer accepts/);
  assert.equal(ruleOf(TFJS_PARAMS, 'units_3')?.expected, 'an integer ≥ 0 (0: no such layer)');
  assert.equal(ruleOf(TFJS_PARAMS, 'units_0'), null, 'layers count from 1');
  assert.equal(ruleOf(TFJS_PARAMS, 'momentum'), null);
});

test('dropout masks: a rate per layer; a layer at rate 0 gets none; one shared rate keeps the draws of every layer', async () => {
  const { tf } = await initBackend('cpu');
  const zeros = (m: { dataSync(): ArrayLike<number> } | undefined): number => Array.from(m?.dataSync() ?? []).filter((v) => v === 0).length;
  const shared = dropoutMasks(tf, new Rng(1), 50, [40, 40], [0.5, 0.5]);
  const perLayer = dropoutMasks(tf, new Rng(1), 50, [40, 40], [0, 0.5]);
  assert.equal(shared.length, 2);
  assert.equal(perLayer[0], undefined);
  const dropped = zeros(perLayer[1]) / 2000;
  assert.ok(dropped > 0.4 && dropped < 0.6, `about half dropped, got ${dropped}`);
  // The first layer of the shared-rate masks uses the stream the second layer of the per-layer masks starts with.
  assert.deepEqual(Array.from(shared[0]?.dataSync() ?? []), Array.from(perLayer[1]?.dataSync() ?? []));
  assert.deepEqual(dropoutMasks(tf, new Rng(1), 5, [4], [0]), []);
});

test('model: a layer list in one string, checked at start with the field and the bad token named', async () => {
  const { checkParams } = await import('../../spec/check-params.js');
  const cnn = 'conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5';
  // A categorical choice among architectures passes; the dense params are refused beside it.
  checkParams(TFJS_PARAMS, { model: { type: 'categorical', choices: [cnn, 'conv16k5:same:tanh-avgpool3-bn-gap'] } } as never, { batch_size: 128 });
  assert.throws(
    () => checkParams(TFJS_PARAMS, { model: { type: 'categorical', choices: [cnn, 'conv32-maxpol-dense10'] } } as never, { batch_size: 128 }),
    /Expected `space\.model\.choices\[1\]` to be a layer list.*got "conv32-maxpol-dense10": layer 2 `maxpol`: unknown layer/,
  );
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: 'conv32:swish', batch_size: 8 }), /`fixed\.model`.*layer 1 `conv32:swish`: unknown option `swish`/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: 'dropout1.5', batch_size: 8 }), /layer 1 `dropout1\.5`: rate must be in \[0, 1\)/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: 'conv8-dense16-maxpool', batch_size: 8 }), /layer 3 \(maxpool\) needs images, but layer 2 \(dense\) made them flat/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: 'conv8-gap-gap', batch_size: 8 }), /layer 3 \(gap\) needs images, but layer 2 \(gap\)/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: cnn, units: 8, batch_size: 8 }), /either `model`.*or `units`/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: cnn }), /Missing param `batch_size`/);
  assert.throws(() => checkParams(TFJS_PARAMS, {}, { model: cnn, batch_size: 8, augment_shift: 9 }), /`fixed\.augment_shift` to be an integer in \[0, 8\]/);
  const cfg = parseFnnParams({ model: 'conv8:tanh-dense4', activation: 'elu', batch_size: 8, augment_shift: 2 }, 1);
  assert.deepEqual(cfg.model, [
    { kind: 'conv2d', filters: 8, kernel: 3, padding: 'valid', activation: 'tanh' },
    { kind: 'dense', units: 4, activation: 'elu' },
  ]);
  assert.deepEqual(cfg.augment, { shift: 2, rotate: 0 });
  assert.equal(parseFnnParams({ units: 4, batch_size: 8 }, 1).model, null, 'the dense params keep working unchanged');
});

test('model: shapes and Keras parameter counts of mnist_cnn', async () => {
  const { planModel, parseModel } = await import('./model-spec.js');
  const plan = planModel(parseModel('conv32-conv64-maxpool-dropout0.25-flatten-dense128-dropout0.5'), [28, 28, 1], 10);
  assert.deepEqual(plan.map((l) => l.outShape), [[26, 26, 32], [24, 24, 64], [12, 12, 64], [12, 12, 64], [9216], [128], [128], [10]]);
  assert.equal(plan.reduce((a, l) => a + l.parameters, 0), 1199882, "Keras' model.summary() total for mnist_cnn");
  assert.throws(() => planModel(parseModel('conv8k30'), [28, 28, 1], 10), /layer 1 \(conv2d\) has a 30×30 kernel larger than its 28×28 input/);
});
