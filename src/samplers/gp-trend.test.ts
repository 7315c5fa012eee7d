// fitTrend is ordinary least squares with the slope clamped at 0: checked against scipy.stats.linregress (stored
// values from scipy 1.10.1, Debian's /usr/bin/python3; live where that Python is here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fitTrend, trendAt } from './gp-trend.js';
import { Rng } from '../core/rng.js';
import { skipUnless, scipy } from '../../test/support/peers.js';

const PY = process.env['HZ_PYTHON'] ?? '/usr/bin/python3';

/** Slope and intercept of y on m from fitTrend, in m's own units. */
function line(y: number[], m: number[]): { slope: number; intercept: number } {
  const t = fitTrend(y, m);
  return { slope: t.beta / t.mSd, intercept: trendAt(t, 0) };
}

const Y = [0.3, -1.2, 0.8, 1.9, -0.4, 0.1, 2.2, -0.9];
const M = [1.5, -0.5, 2.0, 3.1, 0.2, 1.0, 2.8, 0.4];

test('least-squares line matches scipy.stats.linregress (stored)', () => {
  // scipy.stats.linregress(M, Y): slope 0.9398570643210555, intercept -0.8835623969213853
  const { slope, intercept } = line(Y, M);
  assert.ok(Math.abs(slope - 0.9398570643210555) < 1e-12, `slope ${slope}`);
  assert.ok(Math.abs(intercept - -0.8835623969213853) < 1e-12, `intercept ${intercept}`);
});

test('a negative slope is clamped to 0 (the trend is the mean of y); a constant prediction gives slope 0', () => {
  const t = fitTrend(Y, M.map((v) => -v));
  assert.equal(t.beta, 0);
  const mean = Y.reduce((a, b) => a + b, 0) / Y.length;
  assert.ok(Math.abs(trendAt(t, 5) - mean) < 1e-15);
  const c = fitTrend(Y, Y.map(() => 2));
  assert.equal(c.beta, 0);
  assert.ok(Number.isFinite(trendAt(c, 3)));
  assert.throws(() => fitTrend([], []), /non-zero lengths/);
});

test('least-squares line against live scipy on random samples', { skip: skipUnless(scipy()) }, () => {
  const rng = new Rng(11);
  const cases = Array.from({ length: 30 }, (_, k) => {
    const n = 5 + k * 3;
    const m = Array.from({ length: n }, () => rng.normal() * (1 + k));
    const y = m.map((v) => 0.7 * v + rng.normal() * 2 + 3);
    return { m, y };
  });
  const r = spawnSync(PY, ['-c', 'import json, sys\nfrom scipy import stats\nd = json.load(sys.stdin)\nprint(json.dumps([[float(x) for x in stats.linregress(c["m"], c["y"])[:2]] for c in d]))'],
    { input: JSON.stringify(cases), encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as [number, number][];
  cases.forEach((c, i) => {
    const [slope, intercept] = ref[i] as [number, number];
    const got = line(c.y, c.m);
    if (slope > 0) {
      assert.ok(Math.abs(got.slope - slope) < 1e-9 * Math.max(1, Math.abs(slope)), `case ${i}: slope ${got.slope} vs ${slope}`);
      assert.ok(Math.abs(got.intercept - intercept) < 1e-9 * Math.max(1, Math.abs(intercept)), `case ${i}: intercept ${got.intercept} vs ${intercept}`);
    } else assert.equal(fitTrend(c.y, c.m).beta, 0);
  });
});
