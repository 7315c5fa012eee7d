import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TabularObjective, splitCsvLine } from './tabular.js';
import { Rng } from '../../src/core/rng.js';
import * as peers from '../../test/support/peers.js';

// 2 × 3 grid, 2 seeds, plus a fidelity column and an extra metric.
const CSV = [
  'act,lr,epochs,seed,loss,acc',
  ...['relu', 'tanh'].flatMap((act, a) =>
    [0.1, 0.01, 0.001].flatMap((lr, l) =>
      [0, 1].flatMap((seed) => [10, 20].map((ep) => `${act},${lr},${ep},${seed},${(a * 3 + l + 1) * (ep === 20 ? 1 : 2) + seed * 0.5},0.5`)),
    ),
  ),
].join('\n');

test('infers the space and averages seeds at the chosen fidelity', async () => {
  const t = await TabularObjective.fromCsvText(CSV, { metric: 'loss', direction: 'minimize', fidelityColumn: 'epochs', ignore: ['acc'] });
  assert.deepEqual(t.space.toJSON(), {
    act: { type: 'categorical', choices: ['relu', 'tanh'] },
    lr: { type: 'series', values: [0.001, 0.01, 0.1] },
  });
  assert.equal(t.size, 6);
  assert.equal(t.trueValue({ act: 'relu', lr: 0.1 }), 1.25);
  assert.deepEqual([...t.seedValuesOf({ act: 'tanh', lr: 0.001 })].sort(), [6, 6.5]);
  assert.deepEqual(t.best(), { params: { act: 'relu', lr: 0.1 }, value: 1.25 });
  assert.equal(t.rankRegret({ act: 'relu', lr: 0.1 }), 0);
  assert.equal(t.rankRegret({ act: 'relu', lr: 0.01 }), 1 / 6);
  assert.equal(t.rankRegret({ act: 'tanh', lr: 0.001 }), 5 / 6);
  const low = await TabularObjective.fromCsvText(CSV, { metric: 'loss', direction: 'minimize', fidelityColumn: 'epochs', fidelity: 10, ignore: ['acc'] });
  assert.equal(low.trueValue({ act: 'relu', lr: 0.1 }), 2.25);
});

test('maximize flips the ranking; noisy evaluations return seed values', async () => {
  const t = await TabularObjective.fromCsvText(CSV, { metric: 'loss', direction: 'maximize', fidelityColumn: 'epochs', params: ['act', 'lr'] });
  assert.equal(t.rankRegret({ act: 'tanh', lr: 0.001 }), 0);
  assert.equal(t.rankRegret({ act: 'relu', lr: 0.1 }), 5 / 6);
  const rng = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) seen.add(t.evaluate({ act: 'relu', lr: 0.1 }, rng));
  assert.deepEqual([...seen].sort(), [1, 1.5]);
  assert.throws(() => t.evaluate({ act: 'gelu', lr: 0.1 }, rng), /not in the table/);
});

test('reads gzip files and reports missing columns by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tab-'));
  const p = join(dir, 't.csv.gz');
  writeFileSync(p, gzipSync(CSV));
  const t = await TabularObjective.load(p, { metric: 'acc', direction: 'maximize', fidelityColumn: 'epochs', ignore: ['loss'] });
  assert.equal(t.size, 6);
  await assert.rejects(TabularObjective.load(p, { metric: 'nope', direction: 'minimize' }), /metric column `nope`/);
  assert.deepEqual(splitCsvLine('a,"b,c",""""'), ['a', 'b,c', '"']);
});

const naval = peers.benchData('fcnet-naval_propulsion.csv.gz');
const NAVAL = naval.path;
test('loads the FCNet naval table', { skip: peers.skipUnless(naval) }, async () => {
  const t = await TabularObjective.load(NAVAL, { metric: 'valid_mse', direction: 'minimize' });
  assert.equal(t.size, 62208);
  assert.equal(t.space.gridSize(), 62208);
  assert.equal(t.rankRegret(t.best().params), 0);
  assert.equal(t.seedValuesOf(t.best().params).length, 4);
  // Rank regret is the share of configurations whose true value (seed mean) is strictly better.
  const rng = new Rng(1);
  const p = t.space.sample(rng);
  const truth = t.configurations().map((c) => t.trueValue(c));
  const mine = t.trueValue(p);
  assert.equal(t.rankRegret(p), truth.filter((v) => v < mine).length / truth.length);
  const seeds = t.seedValuesOf(p);
  assert.equal(mine, seeds.reduce((x, y) => x + y, 0) / seeds.length);
});
