// Every statistics formula against scipy / statsmodels: reference values computed once with scipy 1.10.1 and
// statsmodels 0.13.5 (Debian's /usr/bin/python3) are checked always; where that Python is here the same checks
// also run live on many more inputs (skipped with the reason printed otherwise; HZ_REQUIRE_SCIPY=1 makes a
// missing SciPy a failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  bartlettTest,
  chiSquareQuantile,
  chiSquareTail,
  holmAdjust,
  holmReject,
  normalCdf,
  spearman,
  pairedTTest,
  sdInterval,
  studentTQuantile,
  studentTTail,
  studentTTwoSided,
  welchTTest,
} from './index.js';
import { Rng } from '../core/rng.js';
import { skipUnless, scipy as scipyPeer } from '../../test/support/peers.js';

const PY = process.env['HZ_PYTHON'] ?? '/usr/bin/python3';
const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));

const scipy = scipyPeer();

/** Runs a Python snippet that reads JSON `data` and prints JSON. */
function py(code: string, data: unknown): unknown {
  const r = spawnSync(PY, ['-c', `import json, sys\ndata = json.load(sys.stdin)\n${code}`], { input: JSON.stringify(data), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('t tails match scipy far out (p ~ 1e-12 and below) and at any df, with no normal switch', () => {
  const refs: [number, number, number][] = [
    [8.0, 10, 5.887471394833078e-6],
    [7.5, 1e6, 3.193505736857443e-14],
    [7.0, 1e9, 1.2798133431740976e-12],
    [15.0, 30, 8.766648278742426e-16],
    [9.0, 1e12, 1.1285884078504535e-19],
  ];
  for (const [t, df, p] of refs) assert.ok(rel(studentTTail(t, df), p) < 1e-11, `sf(${t}, ${df}) = ${studentTTail(t, df)}, scipy ${p}`);
  // The normal (df = ∞) in both tails, as scipy.stats.norm.
  assert.ok(rel(normalCdf(-8), 6.22096057427174e-16) < 1e-11 && rel(normalCdf(1.5), 0.9331927987311419) < 1e-13);
  assert.ok(rel(studentTTail(30, Infinity), 4.906713927147908e-198) < 1e-10);
  // The two-sided p of t = 15, df = 30 is 1.75e-15, not the 0 that 2·(1 − cdf) gives.
  assert.ok(rel(studentTTwoSided(-15, 30), 2 * 8.766648278742426e-16) < 1e-11);
});

test('t tails, quantiles and chi-square against live scipy', { skip: skipUnless(scipy) }, () => {
  const dfs = [1, 1.5, 2, 3.7, 5, 10, 30, 100, 1e3, 1e5, 1e7, 1e9, 1e12, 1e15];
  const ts = [0, 0.05, 0.5, 0.99, 1, 1.7, 2, 3, 5, 8, 12, 30, 100, 1e4];
  const cases = dfs.flatMap((df) => ts.map((t) => [t, df]));
  const ref = py('from scipy import stats\nprint(json.dumps([stats.t.sf(t, df) for t, df in data]))', cases) as number[];
  cases.forEach(([t, df], i) => {
    const want = ref[i] as number;
    const got = studentTTail(t as number, df as number);
    if (want < 1e-300) assert.ok(got < 1e-290, `sf(${t}, ${df})`);
    else assert.ok(rel(got, want) < 1e-11, `sf(${t}, ${df}) = ${got}, scipy ${want}`);
  });
  // Quantiles: scipy's own ppf errs by up to ~1e-9 here, so check that scipy's sf at our quantile gives back p.
  const qs: [number, number][] = [];
  for (const df of [1, 2, 3.5, 5, 10, 30, 1e3, 1e7]) for (const p of [0.9, 0.975, 0.995, 1 - 1e-10]) qs.push([p, df]);
  const back = py('from scipy import stats\nprint(json.dumps([stats.t.sf(q, df) for q, df in data]))', qs.map(([p, df]) => [studentTQuantile(p, df), df])) as number[];
  qs.forEach(([p, df], i) => assert.ok(rel(back[i] as number, 1 - p) < 1e-9, `t quantile ${p}, ${df}`));
  const chi: [number, number][] = [];
  for (const df of [1, 2, 4.5, 9, 18, 60, 400]) for (const x of [0.01, 0.5, 1, 5, 18, 40, 120, 900]) chi.push([x, df]);
  const cref = py('from scipy import stats\nprint(json.dumps([stats.chi2.sf(x, df) for x, df in data]))', chi) as number[];
  chi.forEach(([x, df], i) => {
    const want = cref[i] as number;
    if (want > 1e-290) assert.ok(rel(chiSquareTail(x, df), want) < 1e-10, `chi2.sf(${x}, ${df}) = ${chiSquareTail(x, df)}, scipy ${want}`);
  });
  const cq: [number, number][] = [];
  for (const df of [1, 3, 9, 18, 100]) for (const p of [0.025, 0.5, 0.975]) cq.push([p, df]);
  const qref = py('from scipy import stats\nprint(json.dumps([stats.chi2.ppf(p, df) for p, df in data]))', cq) as number[];
  cq.forEach(([p, df], i) => assert.ok(rel(chiSquareQuantile(p, df), qref[i] as number) < 1e-9, `chi2.ppf(${p}, ${df})`));
});

test('paired, Welch, Holm and Bartlett match scipy / statsmodels (stored values)', () => {
  const a = [0.981, 0.984, 0.979, 0.983, 0.982];
  const b = [0.975, 0.978, 0.974, 0.977, 0.976];
  const r = pairedTTest(a, b);
  assert.ok(rel(r.t, 29.0) < 1e-9 && r.df === 4 && rel(r.p, 8.416361814577833e-6) < 1e-8, JSON.stringify(r));
  // A shared per-seed effect: Welch p = 0.476, paired p = 5.7e-5 (the power example in miniature).
  const a2 = [0.9812, 0.9801, 0.983, 0.979, 0.9825];
  const b2 = [0.9805, 0.9792, 0.9822, 0.9781, 0.9818];
  assert.ok(rel(pairedTTest(a2, b2).p, 5.739277787186091e-5) < 1e-8);
  assert.ok(rel(welchTTest(a2, b2).p, 0.4761557846310325) < 1e-9);
  const holm = holmAdjust([0.01, 0.04, 0.03, 0.005, 0.0125]);
  [0.04, 0.06, 0.06, 0.025, 0.04].forEach((p, i) => assert.ok(Math.abs((holm[i] as number) - p) < 1e-15));
  const v = (x: number[]): { variance: number; df: number } => {
    const m = x.reduce((s, y) => s + y, 0) / x.length;
    return { variance: x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1), df: x.length - 1 };
  };
  const bt = bartlettTest([v([1, 2, 3, 4, 5.5]), v([2, 4, 6, 8, 1]), v([1, 1.1, 1.3, 0.9, 1.05])]);
  assert.ok(rel(bt.statistic, 16.44683593866877) < 1e-9 && rel(bt.p, 0.0002682964668337706) < 1e-8, JSON.stringify(bt));
  const sd = sdInterval(1, 18);
  assert.ok(rel(sd.low, Math.sqrt(18 / 31.52637844)) < 1e-8 && rel(sd.high, Math.sqrt(18 / 8.23074619)) < 1e-8);
});

test('paired, Welch, Holm and Bartlett against live scipy / statsmodels on random samples', { skip: skipUnless(scipy) }, () => {
  const rng = new Rng(20261202);
  const pairs: { a: number[]; b: number[] }[] = [];
  for (let k = 0; k < 60; k++) {
    const n = 2 + (k % 9);
    const m = 2 + ((k * 7) % 11);
    const shift = (k % 5) * 0.0007;
    const sd = [1e-4, 5e-4, 2e-3][k % 3] as number;
    const seedEffect = Array.from({ length: Math.max(n, m) }, () => rng.normal() * 0.001);
    pairs.push({
      a: Array.from({ length: n }, (_, i) => 0.98 + shift + (seedEffect[i] as number) + sd * rng.normal()),
      b: Array.from({ length: k % 2 === 0 ? n : m }, (_, i) => 0.98 + (seedEffect[i] as number) + sd * rng.normal()),
    });
  }
  const ref = py(
    [
      'from scipy import stats',
      'out = []',
      'for c in data:',
      '    w = stats.ttest_ind(c["a"], c["b"], equal_var=False)',
      '    p = stats.ttest_rel(c["a"], c["b"]) if len(c["a"]) == len(c["b"]) else None',
      '    out.append([w.statistic, w.pvalue, None if p is None else p.statistic, None if p is None else p.pvalue])',
      'print(json.dumps(out))',
    ].join('\n'),
    pairs,
  ) as (number | null)[][];
  pairs.forEach(({ a, b }, i) => {
    const [wt, wp, pt, pp] = ref[i] as (number | null)[];
    const w = welchTTest(a, b);
    assert.ok(rel(w.t, wt as number) < 1e-9 && rel(w.p, wp as number) < 1e-9, `welch ${i}: ${w.t} ${w.p} vs ${wt} ${wp}`);
    if (pt !== null && pt !== undefined) {
      const p = pairedTTest(a, b);
      assert.ok(rel(p.t, pt) < 1e-9 && rel(p.p, pp as number) < 1e-9, `paired ${i}: ${p.t} ${p.p} vs ${pt} ${pp}`);
    }
  });
  const families = Array.from({ length: 40 }, (_, k) => Array.from({ length: 1 + (k % 8) }, () => rng.next() ** 3 * 0.2));
  families.push([0.025, 0.025], [0.0125, 0.025, 0.05], [0.01, 0.01, 0.01, 0.0125]);
  const holm = py(
    'from statsmodels.stats.multitest import multipletests\nprint(json.dumps([[list(map(bool, r[0])), list(r[1])] for r in (multipletests(p, alpha=0.05, method="holm") for p in data)]))',
    families,
  ) as [boolean[], number[]][];
  families.forEach((ps, i) => {
    const [rej, adj] = holm[i] as [boolean[], number[]];
    assert.deepEqual(holmReject(ps, 0.05), rej, `holm rejections ${JSON.stringify(ps)}`);
    holmAdjust(ps).forEach((p, j) => assert.ok(Math.abs(p - (adj[j] as number)) < 1e-12));
  });
  const group = (k: number, g: number): number[] => Array.from({ length: 2 + ((k + g) % 4) }, () => rng.normal() * (1 + g * (k % 3)));
  const groups = Array.from({ length: 20 }, (_, k) => Array.from({ length: 2 + (k % 6) }, (_, g) => group(k, g)));
  const bref = py('from scipy import stats\nprint(json.dumps([list(stats.bartlett(*g)) for g in data]))', groups) as number[][];
  groups.forEach((gs, i) => {
    const st = gs.map((x) => {
      const m = x.reduce((s, y) => s + y, 0) / x.length;
      return { variance: x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1), df: x.length - 1 };
    });
    const r = bartlettTest(st);
    const [s, p] = bref[i] as [number, number];
    assert.ok(rel(r.statistic, s) < 1e-9 && rel(r.p, p) < 1e-8, `bartlett ${i}: ${r.statistic} ${r.p} vs ${s} ${p}`);
  });
});

test('Spearman rank correlation (average ranks for ties) matches scipy', () => {
  const a = [0.98, 0.97, 0.97, 0.99, 0.95, 0.96];
  const b = [0.5, 0.1, 0.3, 0.9, 0.2, 0.2];
  assert.ok(Math.abs(spearman(a, b) - 0.7352941176470588) < 1e-12);
});

test('Spearman against live scipy on random samples with ties', { skip: skipUnless(scipy) }, () => {
  const rng = new Rng(7);
  const cases = Array.from({ length: 30 }, (_, k) => {
    const n = 3 + k;
    const a = Array.from({ length: n }, () => Math.round(rng.next() * 20) / 20);
    return { a, b: a.map((x) => x + rng.normal() * 0.3 * (k % 4)) };
  });
  const ref = py('from scipy import stats\nprint(json.dumps([stats.spearmanr(c["a"], c["b"]).correlation for c in data]))', cases) as number[];
  cases.forEach((c, i) => assert.ok(Math.abs(spearman(c.a, c.b) - (ref[i] as number)) < 1e-12, `case ${i}`));
});
