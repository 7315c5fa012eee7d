import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINS, makeAxis } from './axis.js';

test('few distinct numbers stay cells; many are binned, in log space when they span ≥ 100×', () => {
  const grid = makeAxis('units', [64, 16, 64, 32, undefined]);
  assert.equal(grid.kind, 'values');
  assert.deepEqual(grid.positions, [16, 32, 64]);
  assert.equal(grid.cellOf(32), 1);
  assert.equal(grid.cellOf(33), -1);
  const rates = Array.from({ length: 100 }, (_, i) => 10 ** (-5 + (4 * i) / 99));
  const lr = makeAxis('lr', rates);
  assert.equal(lr.kind, 'bins');
  assert.equal(lr.log, true);
  assert.equal(lr.positions.length, BINS);
  assert.equal(lr.cellOf(1e-5), 0);
  assert.equal(lr.cellOf(0.1), BINS - 1);
  // In log space 1e-3 is half-way: the first bin of the upper half.
  assert.equal(lr.cellOf(1.0001e-3), BINS / 2);
  assert.ok(Math.abs(Math.log10(lr.positions[0]!) - (-5 + 4 / BINS / 2)) < 1e-9, 'bin centres are geometric');
  const lin = makeAxis('dropout', Array.from({ length: 50 }, (_, i) => i / 49));
  assert.equal(lin.log, false);
  assert.equal(lin.cellOf(0.5), BINS / 2);
});

test('log bins only for values spread on a log scale, or when the space says log', () => {
  // A uniform dropout in (0, 0.5] with one tiny value spans ≥ 100× but is not log-spread.
  const dropout = [0.0003, ...Array.from({ length: 60 }, (_, i) => 0.5 * (i + 1) / 60)];
  assert.equal(makeAxis('dropout', dropout).log, false);
  assert.equal(makeAxis('dropout', dropout, true).log, true, 'the space\'s log wins');
  const lr = Array.from({ length: 60 }, (_, i) => 10 ** (-5 + (4 * i) / 59));
  assert.equal(makeAxis('lr', lr, false).log, false);
});

test('strings and booleans are categories', () => {
  const a = makeAxis('act', ['relu', 'tanh', 'relu', true]);
  assert.equal(a.kind, 'categories');
  assert.deepEqual(a.labels, ['relu', 'tanh', 'true']);
  assert.equal(a.cellOf('tanh'), 1);
  assert.equal(a.cellOf(undefined), -1);
});

test('positionOf: a grid value at its cell, a value between two at its fraction (log where the axis is), outside at -1', () => {
  const units = makeAxis('units', [16, 32, 64, 128, 256, 512]);
  assert.equal(units.positionOf(128), 3);
  assert.equal(units.positionOf(160), 3 + 32 / 128, 'linear: 16–512 spans 32×, under the log threshold');
  assert.equal(units.positionOf(8), -1);
  assert.equal(units.positionOf('x'), -1);
  const lr = makeAxis('lr', [1e-4, 1e-3, 1e-2], true);
  assert.ok(Math.abs(lr.positionOf(Math.sqrt(1e-4 * 1e-3)) - 0.5) < 1e-12, 'log axis: the geometric mean is half way');
  const many = makeAxis('x', Array.from({ length: 100 }, (_, i) => i));
  assert.equal(many.kind, 'bins');
  assert.equal(many.positionOf(0), -0.5);
  assert.ok(Math.abs(many.positionOf(99) - 15.5) < 1e-12);
  assert.equal(many.cellOf(50), Math.floor(many.positionOf(50) + 0.5));
  const cats = makeAxis('act', ['relu', 'tanh']);
  assert.equal(cats.positionOf('tanh'), 1);
});
