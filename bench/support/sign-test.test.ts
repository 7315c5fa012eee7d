import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { signTest } from './sign-test.js';
import { pythonPath } from './python.js';
import { scipy, skipUnless } from '../../test/support/peers.js';

// Reference values from scipy 1.10.1: scipy.stats.binomtest(k, n).pvalue (two-sided).
const REFERENCE: [number, number, number][] = [
  [0, 5, 0.0625], [1, 10, 0.021484375], [3, 10, 0.34375], [5, 10, 1], [7, 40, 4.2277022657799534e-05], [18, 40, 0.6358280026288412],
];

test('the sign test matches scipy.stats.binomtest', () => {
  for (const [k, n, p] of REFERENCE) {
    const a = Array.from({ length: n + 2 }, (_, i) => (i < k ? 0 : i < n ? 2 : 1));
    const r = signTest(a, a.map(() => 1));
    assert.deepEqual([r.less, r.greater, r.ties], [k, n - k, 2]);
    assert.ok(Math.abs(r.p - p) <= 1e-4 * p, `k ${k} n ${n}: ${r.p} vs ${p}`);
  }
  assert.equal(signTest([1, 2], [1, 2]).p, 1);
  assert.throws(() => signTest([1], [1, 2]), /equal lengths/);
});

test('the sign test matches scipy live on many (k, n)', { skip: skipUnless(scipy()) }, () => {
  const cases = Array.from({ length: 60 }, (_, i) => [i % 23, 22 + (i % 37)] as [number, number]).map(([k, n]) => [Math.min(k, n), n]);
  const r = spawnSync(pythonPath(), ['-c', 'import json, sys, scipy.stats as s\nprint(json.dumps([s.binomtest(k, n).pvalue for k, n in json.load(sys.stdin)]))'], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as number[];
  cases.forEach(([k, n], i) => {
    const a = Array.from({ length: n as number }, (_, j) => (j < (k as number) ? 0 : 2));
    const got = signTest(a, a.map(() => 1)).p;
    assert.ok(Math.abs(got - (ref[i] as number)) <= 1e-9 + 1e-7 * (ref[i] as number), `k ${k} n ${n}: ${got} vs ${ref[i]}`);
  });
});
