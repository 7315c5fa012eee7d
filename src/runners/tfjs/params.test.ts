import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../util/rng.js';
import { initBackend } from './backend.js';
import { dropoutMasks } from './fnn.js';
import { parseFnnParams, TFJS_PARAMS } from './params.js';
import { ruleOf } from '../param-contract.js';

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
