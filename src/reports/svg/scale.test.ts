import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLogAxis, linearScale, logScale } from './scale.js';

test('linear scale maps the domain onto the range (an inverted y range too)', () => {
  const s = linearScale([0, 10], [100, 0]);
  assert.equal(s.map(0), 100);
  assert.equal(s.map(10), 0);
  assert.equal(s.map(2.5), 75);
  assert.deepEqual(s.ticks(5), [0, 2, 4, 6, 8, 10]);
  const flat = linearScale([3, 3], [0, 100]);
  assert.equal(flat.map(3), 50);
});

test('log scale gives equal distances to equal ratios', () => {
  const s = logScale([16, 1024], [0, 600]);
  assert.ok(Math.abs(s.map(32) - s.map(16) - (s.map(1024) - s.map(512))) < 1e-9);
  assert.equal(s.map(16), 0);
  assert.equal(s.map(1024), 600);
  assert.deepEqual(s.ticks(), [16, 32, 64, 128, 256, 512, 1024]);
  assert.throws(() => logScale([0, 10], [0, 1]), /positive domain/);
  const params = logScale([12_000, 450_000], [0, 500], 10);
  assert.deepEqual(params.ticks(8), [20_000, 50_000, 100_000, 200_000], 'base 10 for counts such as trainable parameters');
  assert.equal(params.format(200_000), '200,000');
  const rate = logScale([1e-5, 1e-1], [0, 400]);
  assert.deepEqual(rate.ticks(), [1e-5, 1e-4, 0.001, 0.01, 0.1], 'a learning rate: whole decades');
  assert.equal(rate.format(1e-5), '1e-5');
});

test('linear labels carry the decimals of the step their tick count gives', () => {
  const s = linearScale([0.95, 0.99], [0, 100]);
  assert.deepEqual(s.ticks(4).map((v) => s.format(v, 4)), ['0.95', '0.96', '0.97', '0.98', '0.99']);
  assert.deepEqual(s.ticks(8).map((v) => s.format(v, 8)), ['0.950', '0.955', '0.960', '0.965', '0.970', '0.975', '0.980', '0.985', '0.990']);
  const reversed = linearScale([10, 0], [0, 100]);
  assert.equal(reversed.map(10), 0);
  assert.deepEqual([...reversed.ticks(5)].sort((a, b) => a - b), [0, 2, 4, 6, 8, 10]);
});

test('isLogAxis: log distributions, powers of two (with midpoints), geometric series', () => {
  assert.equal(isLogAxis({ type: 'float', low: 1e-5, high: 1e-1, log: true }, []), true);
  assert.equal(isLogAxis({ type: 'float', low: 0, high: 1 }, [0.001, 0.01, 0.1]), false, 'a linear distribution stays linear');
  assert.equal(isLogAxis({ type: 'series', values: [16, 32, 64, 128, 256, 512, 1024] }, []), true);
  assert.equal(isLogAxis({ type: 'series', values: [128, 192, 256, 384, 512, 768, 1024] }, []), true, 'powers of two with midpoints');
  assert.equal(isLogAxis(undefined, [1, 10, 100, 1000]), true, 'geometric');
  assert.equal(isLogAxis(undefined, [1, 2, 3, 4, 5, 6, 7, 8]), false, 'evenly spaced');
  assert.equal(isLogAxis(undefined, [2, 4]), false, 'too few values');
  assert.equal(isLogAxis(undefined, [128, 256, 384]), false, 'spans under a factor of 4');
  assert.equal(isLogAxis(undefined, [0, 1, 2, 4, 8]), false, 'not all positive');
  assert.equal(isLogAxis({ type: 'series', values: [16, 32, 64] }, [16, 20, 40, 64]), true, 'a series decides by its own values');
});
