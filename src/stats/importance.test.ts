// η² and ε² importance against statsmodels' one-way ANOVA (from its sum_sq and df), live where Debian's python3
// has statsmodels, and against a hand-checked reference always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { ParamValue } from '../core/types.js';
import { Rng } from '../core/rng.js';
import { importance, type ImportanceAxis, type ImportanceRow } from './importance.js';
import { skipUnless, type Peer } from '../../test/support/peers.js';

const PY = process.env['HZ_PYTHON'] ?? '/usr/bin/python3';
function statsmodelsPeer(): Peer {
  const r = spawnSync(PY, ['-c', 'import statsmodels.formula.api, pandas'], { encoding: 'utf8', timeout: 60_000 });
  const missing = r.status === 0 ? null : `${PY} cannot import statsmodels and pandas (${r.error ? String(r.error) : r.stderr.trim().split('\n').pop()}): install Debian's python3-statsmodels, or set HZ_PYTHON`;
  return { name: 'SciPy', requireVar: 'HZ_REQUIRE_SCIPY', missing };
}

/** Groups by exact value (a grid axis). */
function valueAxis(param: string, values: readonly ParamValue[]): ImportanceAxis {
  const distinct = [...new Set(values.map(String))];
  return { param, positions: distinct.map((_, i) => i), cellOf: (v) => (v === undefined ? -1 : distinct.indexOf(String(v))) };
}

test('importance: η² = SS_between / SS_total per param, sorted, failed and pruned trials left out', () => {
  const rows: ImportanceRow[] = [
    { state: 'complete', value: 1, params: { a: 'x', b: 1 } },
    { state: 'complete', value: 2, params: { a: 'x', b: 2 } },
    { state: 'complete', value: 5, params: { a: 'y', b: 1 } },
    { state: 'complete', value: 6, params: { a: 'y', b: 2 } },
    { state: 'pruned', value: null, params: { a: 'x', b: 1 } },
    { state: 'failed', value: null, params: { a: 'y', b: 2 } },
  ];
  const r = importance(rows, [valueAxis('b', [1, 2]), valueAxis('a', ['x', 'y'])]);
  // Mean 3.5, SS_total = 6.25 + 2.25 + 2.25 + 6.25 = 17; a: groups 1.5 and 5.5 → 2·4 + 2·4 = 16; b: 3 and 4 → 0.5 + 0.5 = 1.
  assert.equal(r.trials, 4);
  assert.deepEqual(r.params.map((p) => p.param), ['a', 'b']);
  assert.ok(Math.abs((r.params[0]?.eta2 as number) - 16 / 17) < 1e-12);
  assert.ok(Math.abs((r.params[1]?.eta2 as number) - 1 / 17) < 1e-12);
  // ε²: a has SS_within 1 on 2 df (MS 0.5): (16 − 0.5)/17; b has SS_within 16 on 2 df (MS 8): 1 − 8 < 0, clipped to 0.
  assert.ok(Math.abs((r.params[0]?.share as number) - 15.5 / 17) < 1e-12);
  assert.equal(r.params[1]?.share, 0);
  assert.equal(importance([], [valueAxis('a', [])]).params[0]?.share, 0);
});

test('importance: a param that does nothing gets ε² near 0 however many groups it has (η² grows with them)', () => {
  const rng = new Rng(3);
  const n = 40;
  const rows: ImportanceRow[] = Array.from({ length: n }, (_, i) => ({ state: 'complete', value: rng.normal(), params: { noise: i % 20, one: i } }));
  const r = importance(rows, [valueAxis('noise', rows.map((x) => x.params.noise as number)), valueAxis('one', rows.map((x) => x.params.one as number))]);
  const by = Object.fromEntries(r.params.map((p) => [p.param, p]));
  // 20 groups of 2: E[η²] under no effect = 19/39 ≈ 0.49; ε² is unbiased (0 in expectation, clipped at 0).
  assert.ok((by.noise?.eta2 as number) > 0.2, `η² ${by.noise?.eta2}`);
  assert.ok((by.noise?.share as number) < 0.15, `ε² ${by.noise?.share}`);
  // One trial per group: η² is 1 by construction, ε² cannot be estimated and is 0.
  assert.ok(Math.abs((by.one?.eta2 as number) - 1) < 1e-12);
  assert.equal(by.one?.share, 0);
});

test('importance matches statsmodels anova_lm (typ 1) for one-way designs', { skip: skipUnless(statsmodelsPeer()), timeout: 120_000 }, () => {
  const rng = new Rng(11);
  const cases = Array.from({ length: 6 }, (_, c) => {
    const n = 20 + c * 15;
    const rows: ImportanceRow[] = Array.from({ length: n }, () => {
      const u = [64, 128, 256, 512][rng.int(0, 3)] as number;
      const act = ['relu', 'tanh', 'gelu'][rng.int(0, 2)] as string;
      return { state: 'complete', params: { u, act }, value: 0.9 + 0.01 * Math.log2(u / 64) + (act === 'relu' ? 0.005 : 0) + 0.01 * rng.normal() };
    });
    return rows;
  });
  const code = [
    'import json, sys, pandas as pd, statsmodels.formula.api as smf',
    'from statsmodels.stats.anova import anova_lm',
    'out = []',
    'for rows in json.load(sys.stdin):',
    '    df = pd.DataFrame([{"u": str(r["params"]["u"]), "act": r["params"]["act"], "y": r["value"]} for r in rows])',
    '    res = {}',
    '    for f in ("u", "act"):',
    '        t = anova_lm(smf.ols(f"y ~ C({f})", data=df).fit())',
    '        ss, df_ = t["sum_sq"], t["df"]',
    '        eps = (ss.iloc[0] - df_.iloc[0] * ss.iloc[1] / df_.iloc[1]) / ss.sum()',
    '        res[f] = [ss.iloc[0] / ss.sum(), max(0.0, eps)]',
    '    out.append(res)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', code], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const ref = JSON.parse(r.stdout) as Record<string, [number, number]>[];
  cases.forEach((rows, i) => {
    const ours = importance(rows, [valueAxis('u', rows.map((x) => x.params.u as number)), valueAxis('act', rows.map((x) => x.params.act as string))]);
    for (const p of ours.params) {
      const [eta2, eps2] = ref[i]?.[p.param] as [number, number];
      assert.ok(Math.abs(p.eta2 - eta2) < 1e-9, `case ${i} ${p.param} η²: ${p.eta2} vs ${eta2}`);
      assert.ok(Math.abs(p.share - eps2) < 1e-9, `case ${i} ${p.param} ε²: ${p.share} vs ${eps2}`);
    }
  });
});
