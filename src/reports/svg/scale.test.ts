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
