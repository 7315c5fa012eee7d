import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, logTicks, niceDomain, niceStep, niceTicks, stepDecimals } from './ticks.js';

test('niceStep picks 1, 2 or 5 × 10^k', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0.0046, 5), 0.001);
  assert.equal(niceStep(700, 5), 200);
  assert.equal(niceStep(0, 5), 1);
});

test('niceTicks: multiples of the step inside the range, without float noise', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.95, 0.99, 4), [0.95, 0.96, 0.97, 0.98, 0.99]);
  assert.deepEqual(niceTicks(-3, 7, 5), [-2, 0, 2, 4, 6]);
  assert.deepEqual(niceTicks(5, 5), [5]);
  assert.deepEqual(niceTicks(1, 0, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  for (const t of niceTicks(0.1, 0.7, 6)) assert.ok(String(t).length <= 4, `float noise in ${t}`);
});

test('niceDomain widens to whole steps and pads a single value', () => {
  assert.deepEqual(niceDomain(0.9573, 0.9858, 5), [0.95, 0.99]);
  assert.deepEqual(niceDomain(0.9573, 0.9858, 8), [0.955, 0.99]);
  assert.deepEqual(niceDomain(3, 97, 5), [0, 100]);
  const [a, b] = niceDomain(2, 2);
  assert.ok(a < 2 && b > 2);
  assert.deepEqual(niceDomain(NaN, 1), [0, 1]);
});

test('logTicks: powers of two for unit and batch ranges, 1-2-5 decades for learning rates', () => {
  assert.deepEqual(logTicks(128, 8192), [128, 256, 512, 1024, 2048, 4096, 8192]);
  assert.deepEqual(logTicks(16, 1024), [16, 32, 64, 128, 256, 512, 1024]);
  assert.deepEqual(logTicks(1e-4, 1e-2), [1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01]);
  assert.deepEqual(logTicks(1e-6, 1, 10), [1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1]);
  assert.ok(logTicks(1, 2 ** 30, 6).length <= 6);
  assert.deepEqual(logTicks(-1, 10), []);
});

test('formatTick: thousands separators, step decimals, exponents for tiny and huge', () => {
  assert.equal(formatTick(8192), '8,192');
  assert.equal(formatTick(0.98, 0.005), '0.980');
  assert.equal(formatTick(0.5, 0.25), '0.50');
  assert.equal(formatTick(1e-5), '1e-5');
  assert.equal(formatTick(2.5e7), '2.5e7');
  assert.equal(formatTick(0), '0');
  assert.equal(stepDecimals(0.001), 3);
  assert.equal(stepDecimals(5), 0);
  assert.equal(stepDecimals(0.25), 2);
  assert.equal(stepDecimals(0.0005), 4);
});
