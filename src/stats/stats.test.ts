import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareAgainstBest,
  holmAdjust,
  holmReject,
  pairedTTest,
  verdictText,
  meanInterval,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
  welchTTest,
  wilsonInterval,
} from './index.js';
import { HyperzoneError } from '../core/errors.js';

// Reference values computed with mpmath 1.2.1 (30 digits) from the definitions.
const close = (actual: number, expected: number, tol: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);

test('Wilson interval of 98.60% on 10,000 at 95% is 98.35%–98.81%', () => {
  const w = wilsonInterval(0.986, 10_000);
  close(w.low, 0.983503497633, 1e-8, 'low');
  close(w.high, 0.988123255951, 1e-8, 'high');
  assert.equal((w.low * 100).toFixed(2), '98.35');
  assert.equal((w.high * 100).toFixed(2), '98.81');
  // Edges stay inside [0, 1] and are not degenerate.
  const zero = wilsonInterval(0, 100);
  assert.equal(zero.low, 0);
  assert.ok(zero.high > 0.03 && zero.high < 0.04);
  assert.throws(() => wilsonInterval(1.2, 10), (e: unknown) => e instanceof HyperzoneError && /proportion/.test(e.message));
  assert.throws(() => wilsonInterval(0.5, 0), /`n`/);
});

test('normal quantile', () => {
  close(normalQuantile(0.975), 1.95996398454005, 1e-8, 'z0.975');
  close(normalQuantile(0.025), -1.95996398454005, 1e-8, 'z0.025');
});

test('Student-t quantiles match mpmath', () => {
  const refs: [number, number][] = [
    [1, 12.7062047361747],
    [2, 4.30265272974946],
    [5, 2.57058183563632],
    [10, 2.22813885198627],
    [30, 2.04227245630124],
    [7.3, 2.3450667365477],
  ];
  for (const [df, q] of refs) {
    close(studentTQuantile(0.975, df), q, 1e-9, `t(0.975, ${df})`);
    close(studentTQuantile(0.025, df), -q, 1e-9, `t(0.025, ${df})`);
  }
  close(studentTQuantile(0.975, Infinity), 1.95996398454005, 1e-8, 't(inf)');
});

test('Student-t CDF matches mpmath', () => {
  const refs: [number, number, number][] = [
    [2, 5, 0.949030260585071],
    [-1.5, 3.7, 0.106799084601007],
    [0.3, 100, 0.617600059849848],
    [4, 12.5, 0.999185468539677],
  ];
  for (const [t, df, p] of refs) close(studentTCdf(t, df), p, 1e-12, `cdf(${t}, ${df})`);
  assert.equal(studentTCdf(0, 3), 0.5);
});

test('mean ± t interval', () => {
  const m = meanInterval([0.981, 0.984, 0.979, 0.983, 0.982]);
  close(m.mean, 0.9818, 1e-12, 'mean');
  // sd = sqrt(0.0000037) ; half = t(0.975,4) * sd / sqrt(5)
  const sd = Math.sqrt(((0.981 - 0.9818) ** 2 + (0.984 - 0.9818) ** 2 + (0.979 - 0.9818) ** 2 + (0.983 - 0.9818) ** 2 + (0.982 - 0.9818) ** 2) / 4);
  close(m.halfWidth, (2.77644510519779 * sd) / Math.sqrt(5), 1e-9, 'half');
  assert.ok(Number.isNaN(meanInterval([0.5]).halfWidth));
});

test("Welch's t-test matches mpmath", () => {
  const a = [0.981, 0.984, 0.979, 0.983, 0.982];
  const b = [0.975, 0.978, 0.974, 0.977, 0.976, 0.973];
  const r = welchTTest(a, b);
  close(r.t, 5.47653570470771, 1e-9, 't');
  close(r.df, 8.54434565759514, 1e-9, 'df');
  close(r.p, 0.000469749735163713, 1e-9, 'p');
  const r2 = welchTTest([0.9812, 0.9801, 0.983, 0.979], [0.9805, 0.9822, 0.9783, 0.9811]);
  close(r2.t, 0.253433161857372, 1e-9, 't2');
  close(r2.df, 5.99132061874849, 1e-9, 'df2');
  close(r2.p, 0.808405775105748, 1e-9, 'p2');
  assert.throws(() => welchTTest([1], [1, 2]), /at least 2/);
  assert.equal(welchTTest([1, 1], [1, 1]).p, 1);
  assert.equal(welchTTest([2, 2], [1, 1]).p, 0);
});

test('Holm adjustment (textbook example)', () => {
  // p = 0.01, 0.04, 0.03, 0.005 → sorted 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04→max 0.06
  assert.deepEqual(
    holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => +p.toFixed(10)),
    [0.03, 0.06, 0.06, 0.02],
  );
  assert.deepEqual(holmAdjust([0.9, 0.8]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
});

test('verdicts: better only when significant after Holm; a reference picked on the same runs gives descriptive verdicts', () => {
  const samples = [
    { label: 'B', values: [0.975, 0.978, 0.974, 0.977, 0.976, 0.973] },
    { label: 'A', values: [0.981, 0.984, 0.979, 0.983, 0.982] },
    { label: 'C', values: [0.9805, 0.9822, 0.9783, 0.9811, 0.983] },
  ];
  const res = compareAgainstBest(samples, 'maximize', 0.05, 'A');
  assert.equal(res.best, 'A');
  assert.equal(res.choice, 'independent');
  const byOther = Object.fromEntries(res.comparisons.map((c) => [c.other, c]));
  assert.equal(byOther.B?.significant, true);
  assert.equal(byOther.B?.test.kind, 'welch');
  assert.match(byOther.B?.verdict ?? '', /^A is better than B \(Welch's t-test/);
  assert.equal(byOther.C?.significant, false);
  assert.match(byOther.C?.verdict ?? '', /indistinguishable within noise/);
  // Without a reference chosen elsewhere the best mean of these runs is the reference: nothing is a test.
  const same = compareAgainstBest(samples, 'maximize');
  assert.equal(same.best, 'A');
  assert.equal(same.choice, 'same-runs');
  assert.ok(same.comparisons.every((c) => !c.significant && /descriptive/.test(c.verdict)));
  // Minimize: the lowest mean is the best.
  const min = compareAgainstBest(
    [
      { label: 'low', values: [1, 1.1, 0.9] },
      { label: 'high', values: [5, 5.1, 4.9] },
    ],
    'minimize',
    0.05,
    'low',
  );
  assert.equal(min.best, 'low');
  assert.equal(min.comparisons[0]?.significant, true);
});

test('constant samples are constant: no "better" from summation rounding', () => {
  const seven = Array<number>(7).fill(0.9);
  const two = [0.9, 0.9];
  const w = welchTTest(seven, two);
  assert.equal(w.p, 1);
  assert.equal(w.meanDiff, 0);
  const c = compareAgainstBest([{ label: 'A', values: seven }, { label: 'B', values: two }], 'maximize', 0.05, 'A');
  assert.equal(c.comparisons[0]?.significant, false);
  assert.match(c.comparisons[0]?.verdict ?? '', /indistinguishable/);
  // Values that differ only in the last bits are still constant; genuinely different constants differ.
  assert.equal(welchTTest([0.1 + 0.2, 0.3, 0.3], [0.3, 0.3]).p, 1);
  assert.equal(welchTTest([0.91, 0.91], [0.9, 0.9]).p, 0);
  assert.equal(pairedTTest([0.9, 0.9, 0.9], [0.9, 0.9, 0.9]).p, 1);
});

test('paired on shared seeds, Welch otherwise; the comparison says which', () => {
  // A per-seed effect shared by both configurations: Welch sees noise, the paired test sees the constant gap.
  const a = { label: 'a', values: [0.9812, 0.9801, 0.983, 0.979, 0.9825], seeds: [1, 2, 3, 4, 5] };
  const b = { label: 'b', values: [0.9805, 0.9792, 0.9822, 0.9781, 0.9818], seeds: [1, 2, 3, 4, 5] };
  const r = compareAgainstBest([a, b], 'maximize', 0.05, 'a');
  assert.equal(r.comparisons[0]?.test.kind, 'paired');
  assert.equal(r.comparisons[0]?.significant, true);
  assert.match(r.comparisons[0]?.verdict ?? '', /paired t-test on shared seeds/);
  // Seeds in another order pair up by seed, not by position.
  const shuffled = { label: 'b', values: [...b.values].reverse(), seeds: [...b.seeds].reverse() };
  assert.equal(compareAgainstBest([a, shuffled], 'maximize', 0.05, 'a').comparisons[0]?.test.p, r.comparisons[0]?.test.p);
  const other = { label: 'b', values: b.values, seeds: [6, 7, 8, 9, 10] };
  const u = compareAgainstBest([a, other], 'maximize', 0.05, 'a');
  assert.equal(u.comparisons[0]?.test.kind, 'welch');
  assert.equal(u.comparisons[0]?.significant, false);
});

test('Holm rejects at p ≤ alpha/(m − i), as statsmodels does', () => {
  assert.deepEqual(holmReject([0.025, 0.025], 0.05), [true, true]);
  assert.deepEqual(holmReject([0.01, 0.04, 0.03, 0.005, 0.0125], 0.05), [true, false, false, true, true]);
  assert.match(verdictText('X', 'Y', 0.05, 0.05), /X is better than Y/);
});

test('quantile interpolates between order statistics; median of an even count is the midpoint', async () => {
  const { quantile } = await import('./index.js');
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([0, 10], 0.25), 2.5);
  assert.equal(quantile([5], 0.75), 5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});
