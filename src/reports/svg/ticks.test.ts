import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTick, logTicks, niceDomain, niceStep, niceTicks, stepDecimals } from './ticks.js';

/** A reproducible uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether s is 1, 2 or 5 × 10^k (to 1e-9). */
function isNice(s: number): boolean {
  const m = s / 10 ** Math.floor(Math.log10(s) + 1e-12);
  return [1, 2, 5, 10].some((k) => Math.abs(m - k) < 1e-9);
}

/** Random domains over many magnitudes, negative ones and ones far from zero included. */
function domains(n: number): [number, number][] {
  const r = rng(7);
  return Array.from({ length: n }, () => {
    const span = 10 ** (r() * 12 - 6);
    const lo = (r() - 0.3) * span * 10 ** Math.floor(r() * 4);
    return [lo, lo + span * (0.1 + r())];
  });
}

test('niceStep: 1, 2 or 5 × 10^k giving about `count` intervals (d3\'s tickStep)', () => {
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0.0046, 5), 0.001);
  assert.equal(niceStep(700, 5), 100, 'd3 rounds 140 down to 100 (its thresholds are geometric: √2, √10, √50)');
  assert.equal(niceStep(0, 5), 1);
  for (const [lo, hi] of domains(300)) {
    for (const count of [4, 5, 8]) {
      const step = niceStep(hi - lo, count);
      assert.ok(isNice(step), `step ${step} over ${hi - lo}`);
      const intervals = (hi - lo) / step;
      assert.ok(intervals > count / 2.3 && intervals < count * 2.3, `${intervals} intervals for count ${count} over [${lo}, ${hi}]`);
    }
  }
});

test('niceTicks: evenly spaced multiples of a nice step covering the domain, without float noise', () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.95, 0.99, 4), [0.95, 0.96, 0.97, 0.98, 0.99]);
  assert.deepEqual(niceTicks(-3, 7, 5), [-2, 0, 2, 4, 6]);
  assert.deepEqual(niceTicks(5, 5), [5]);
  assert.deepEqual(niceTicks(1, 0, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(NaN, 1), []);
  for (const t of niceTicks(0.1, 0.7, 6)) assert.ok(String(t).length <= 4, `float noise in ${t}`);
  for (const [lo, hi] of domains(300)) {
    const ts = niceTicks(lo, hi, 6);
    assert.ok(ts.length >= 3 && ts.length <= 15, `${ts.length} ticks over [${lo}, ${hi}]`);
    const step = (ts[1] as number) - (ts[0] as number);
    assert.ok(isNice(step), `step ${step}`);
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      assert.ok(t >= lo - 1e-9 * Math.abs(lo) && t <= hi + 1e-9 * Math.abs(hi), `${t} outside [${lo}, ${hi}]`);
      assert.ok(Math.abs(t / step - Math.round(t / step)) < 1e-6, `${t} is not a multiple of ${step}`);
      if (i > 0) assert.ok(Math.abs(t - (ts[i - 1] as number) - step) < 1e-9 * Math.max(1, Math.abs(t)), 'evenly spaced');
      assert.ok(Number(t.toPrecision(12)) === t, `float noise in ${t}`);
    }
    // Covering: no gap of a whole step at either end.
    assert.ok((ts[0] as number) - lo < step * (1 + 1e-9) && hi - (ts[ts.length - 1] as number) < step * (1 + 1e-9), `[${lo}, ${hi}] not covered by ${ts.join(', ')}`);
  }
});

test('niceDomain widens to whole steps (d3\'s nice) and pads a single value', () => {
  assert.deepEqual(niceDomain(0.9573, 0.9858, 5), [0.955, 0.99]);
  assert.deepEqual(niceDomain(3, 97, 5), [0, 100]);
  const [a, b] = niceDomain(2, 2);
  assert.ok(a < 2 && b > 2);
  assert.deepEqual(niceDomain(NaN, 1), [0, 1]);
  assert.deepEqual(niceDomain(1, 0), [0, 1]);
  for (const [lo, hi] of domains(300)) {
    const [x, y] = niceDomain(lo, hi, 5);
    assert.ok(x <= lo && y >= hi, `[${x}, ${y}] does not contain [${lo}, ${hi}]`);
    const step = niceStep(y - x, 5);
    assert.ok(Math.abs(x / step - Math.round(x / step)) < 1e-6 && Math.abs(y / step - Math.round(y / step)) < 1e-6, `[${x}, ${y}] ends off the step ${step}`);
    assert.ok((y - x) / (hi - lo) < 3.5, `[${x}, ${y}] is much wider than [${lo}, ${hi}]`);
  }
});

test('logTicks: powers of two for unit and batch ranges, 1-2-5 decades for learning rates', () => {
  assert.deepEqual(logTicks(128, 8192), [128, 256, 512, 1024, 2048, 4096, 8192]);
  assert.deepEqual(logTicks(16, 1024), [16, 32, 64, 128, 256, 512, 1024]);
  assert.deepEqual(logTicks(1e-4, 1e-2), [1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01]);
  assert.deepEqual(logTicks(1e-6, 1, 10), [1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1]);
  assert.ok(logTicks(1, 2 ** 30, 6).length <= 6);
  assert.deepEqual(logTicks(-1, 10), []);
  assert.deepEqual(logTicks(12_000, 450_000, 8, 10), [20_000, 50_000, 100_000, 200_000], 'trainable parameters count in decades');
  assert.deepEqual(logTicks(300, 500, 8, 10), [300, 340, 380, 420, 460, 500], 'under a decade: d3\'s even ticks');
  for (const [lo, hi] of [[1e-5, 0.3], [3, 7e5], [16, 4096], [0.02, 0.9]] as const) {
    const ts = logTicks(lo, hi, 8);
    assert.ok(ts.length >= 2 && ts.length <= 8, `${ts.length} ticks over [${lo}, ${hi}]`);
    for (const t of ts) assert.ok(t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9) && Number(t.toPrecision(12)) === t, `${t} over [${lo}, ${hi}]`);
  }
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
