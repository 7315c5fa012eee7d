import { test } from 'node:test';
import assert from 'node:assert/strict';
import { powerSeries, IntDistribution, FloatDistribution, SeriesDistribution, CategoricalDistribution } from './distribution.js';
import { Space } from './space.js';
import { Rng } from '../core/rng.js';

test('powers of two with midpoints: 128..8192 has the 13 values of the zone grid', () => {
  const s = powerSeries(128, 8192, 2, true);
  assert.deepEqual(s, [128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192]);
  assert.deepEqual(powerSeries(16, 1024), [16, 32, 64, 128, 256, 512, 1024]);
});

test('distributions: contains, unit mapping round trip, neighbours', () => {
  const series = new SeriesDistribution([512, 128, 256]);
  assert.deepEqual(series.values(), [128, 256, 512]);
  assert.equal(series.fromUnit(series.toUnit(256)), 256);
  assert.deepEqual(series.neighbours(256), [128, 512]);
  assert.deepEqual(series.neighbours(128), [256]);
  assert.equal(series.contains(300), false);

  const lr = new FloatDistribution(1e-4, 1e-1, true);
  assert.ok(Math.abs(lr.toUnit(Math.sqrt(1e-4 * 1e-1)) - 0.5) < 1e-9);
  assert.ok(Math.abs((lr.fromUnit(0.5) as number) - Math.sqrt(1e-4 * 1e-1)) < 1e-12);
  assert.equal(lr.contains(0.2), false);

  const units = new IntDistribution(16, 1024, 16);
  assert.equal(units.contains(48), true);
  assert.equal(units.contains(50), false);
  assert.equal(units.fromUnit(1), 1024);
  assert.deepEqual(units.neighbours(16), [32]);

  const act = new CategoricalDistribution(['relu', 'tanh', 'sigmoid']);
  assert.equal(act.ordered, false);
  assert.deepEqual(act.neighbours('tanh'), ['relu', 'sigmoid']);
});

test('samples stay in their domains and are repeatable for a seed', () => {
  const space = Space.fromSpec({ units: { type: 'int', low: 8, high: 4096, log: true }, lr: { type: 'float', low: 1e-5, high: 1, log: true }, act: { type: 'categorical', choices: ['relu', 'tanh'] } });
  const a = new Rng(7);
  const b = new Rng(7);
  for (let i = 0; i < 500; i++) {
    const p = space.sample(a);
    assert.ok(space.contains(p), JSON.stringify(p));
    assert.deepEqual(space.sample(b), p);
  }
});

test('grid is the full factorial product', () => {
  const space = Space.fromSpec({ u: { type: 'series', values: [1, 2, 3] }, b: { type: 'categorical', choices: ['x', 'y'] }, f: { type: 'float', low: 0, high: 1 } });
  const g = space.grid(3);
  assert.equal(g.length, 18);
  assert.equal(space.gridSize(3), 18);
  assert.equal(new Set(g.map((p) => JSON.stringify(p))).size, 18);
  assert.deepEqual(g[0], { u: 1, b: 'x', f: 0 });
});

test('check names the parameter outside its domain', () => {
  const space = Space.fromSpec({ batch_size: { type: 'series', values: [16, 32] } });
  assert.throws(() => space.check({ batch_size: 17 }), /`batch_size` = 17/);
  assert.throws(() => space.check({}), /`batch_size` is missing/);
});
