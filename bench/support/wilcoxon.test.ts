import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { wilcoxon } from './wilcoxon.js';
import { pythonPath } from './python.js';
import { scipy, skipUnless } from '../../test/support/peers.js';

// Reference values from scipy 1.10.1: scipy.stats.wilcoxon(a, b) (exact) and wilcoxon(a, b, method='approx').
const REFERENCE: [number[], number, number][] = [
  [[1.2, -0.5, 3.1, 0.7, -2.2, 4.0, 0.1, 1.9], 8, 0.1953125],
  [[0.3, -0.1, 0.25, 0.9, -0.6, 0.05, 0.44, -0.33, 0.8, 0.12, 0.61, -0.07], 21, 0.17626953125],
  [[1, 2, 2, -3, 4, 0, 5, -1, 6], 6.5, 0.1064659398902554], // a tie and a zero: the normal approximation
];

test('the Wilcoxon signed-rank test matches scipy.stats.wilcoxon', () => {
  for (const [d, stat, p] of REFERENCE) {
    const r = wilcoxon(d, d.map(() => 0));
    assert.equal(r.statistic, stat);
    assert.ok(Math.abs(r.p - p) <= 1e-9 * p, `${d.join(',')}: ${r.p} vs ${p}`);
  }
  const r = wilcoxon([1, 2, 3], [1, 2, 3]);
  assert.equal(r.p, 1);
  assert.equal(r.zeros, 3);
  // The sign of the difference matters only through the rank sums: swapping a and b keeps p.
  assert.equal(wilcoxon([3, 1, 4, 1.5, 9], [0, 0, 0, 0, 0]).p, wilcoxon([0, 0, 0, 0, 0], [3, 1, 4, 1.5, 9]).p);
  assert.throws(() => wilcoxon([1], [1, 2]), /equal lengths/);
});

test('the Wilcoxon test matches scipy live on random samples (exact and approximate paths)', { skip: skipUnless(scipy()) }, () => {
  let s = 12345;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const cases = Array.from({ length: 40 }, (_, i) => {
    const n = 5 + (i % 30) + (i >= 35 ? 30 : 0); // a few over 50: the normal approximation
    const shift = (i % 5) * 0.15;
    const round = i % 4 === 3; // rounded values: ties and zeros, the normal approximation
    const a = Array.from({ length: n }, () => rnd() + shift);
    const b = Array.from({ length: n }, () => rnd());
    return round ? [a.map((x) => Math.round(x * 10) / 10), b.map((x) => Math.round(x * 10) / 10)] : [a, b];
  });
  const methods = cases.map(([a, b]) => wilcoxon(a as number[], b as number[]).method);
  const script = 'import json, sys, scipy.stats as s\nprint(json.dumps([s.wilcoxon(a, b, method=m).pvalue for (a, b), m in json.load(sys.stdin)]))';
  const r = spawnSync(pythonPath(), ['-W', 'ignore', '-c', script], { input: JSON.stringify(cases.map((c, i) => [c, methods[i]])), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as number[];
  assert.ok(methods.includes('exact') && methods.includes('approx'));
  cases.forEach(([a, b], i) => {
    const got = wilcoxon(a as number[], b as number[]).p;
    assert.ok(Math.abs(got - (ref[i] as number)) <= 1e-9 + 1e-7 * (ref[i] as number), `case ${i} (${methods[i]}): ${got} vs ${ref[i]}`);
  });
  // Where scipy's 'auto' would choose exact (no ties, no zeros, n ≤ 50), it agrees with ours without naming a method.
  const untied = cases.filter((_, i) => methods[i] === 'exact');
  const r2 = spawnSync(pythonPath(), ['-c', 'import json, sys, scipy.stats as s\nprint(json.dumps([s.wilcoxon(a, b).pvalue for a, b in json.load(sys.stdin)]))'], { input: JSON.stringify(untied), encoding: 'utf8' });
  assert.equal(r2.status, 0, r2.stderr);
  (JSON.parse(r2.stdout) as number[]).forEach((p, i) => {
    const [a, b] = untied[i] as number[][];
    assert.ok(Math.abs(wilcoxon(a as number[], b as number[]).p - p) <= 1e-9 + 1e-7 * p);
  });
});
