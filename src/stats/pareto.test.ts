import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Rng } from '../core/rng.js';
import { crowdingDistance, dominates, hypervolume, hypervolumeContributions, nonDominatedSort, paretoFront, paretoFrontBy, paretoTrials, toMinimization } from './pareto.js';
import { optuna, skipUnless } from '../../test/support/peers.js';
import { pythonPath } from '../../bench/support/python.js';

/** The volume by Monte Carlo-free brute force: inclusion–exclusion over every subset (small n only). */
function inclusionExclusion(points: number[][], ref: number[]): number {
  const inside = points.filter((p) => p.every((v, i) => v < (ref[i] as number)));
  let sum = 0;
  for (let mask = 1; mask < 1 << inside.length; mask++) {
    const corner = ref.map((_, k) => Math.max(...inside.filter((_, i) => mask & (1 << i)).map((p) => p[k] as number)));
    const vol = corner.reduce((a, c, k) => a * ((ref[k] as number) - c), 1);
    const bits = mask.toString(2).replaceAll('0', '').length;
    sum += bits % 2 === 1 ? vol : -vol;
  }
  return sum;
}

function randomPoints(rng: Rng, n: number, m: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round((rng.next() * 10) * 4) / 4));
}

test('dominance and non-dominated sorting on a small hand-made set', () => {
  assert.equal(dominates([1, 2], [2, 2]), true);
  assert.equal(dominates([1, 2], [1, 2]), false, 'equal points do not dominate each other');
  assert.equal(dominates([1, 3], [2, 2]), false);
  const pts = [[1, 5], [2, 2], [5, 1], [3, 3], [4, 4], [2, 2], [6, 6]];
  assert.deepEqual(nonDominatedSort(pts), [[0, 1, 2, 5], [3], [4], [6]]);
  assert.deepEqual(paretoFront(pts), [0, 1, 2, 5]);
  assert.deepEqual(toMinimization([0.9, 100], ['maximize', 'minimize']), [-0.9, 100]);
});

test('non-dominated sorting: every front is non-dominated within and dominated by the one before', () => {
  const rng = new Rng(3);
  for (let rep = 0; rep < 20; rep++) {
    const pts = randomPoints(rng, 30, 2 + (rep % 3));
    const fronts = nonDominatedSort(pts);
    assert.equal(fronts.flat().length, pts.length);
    for (const [k, f] of fronts.entries()) {
      for (const i of f) {
        assert.ok(!f.some((j) => dominates(pts[j]!, pts[i]!)), 'no point of a front dominates another of it');
        if (k > 0) assert.ok(fronts[k - 1]!.some((j) => dominates(pts[j]!, pts[i]!)), 'dominated by the front before');
      }
    }
  }
});

test('non-dominated sorting of two objectives (the sweep) equals ranks by definition: 1 + the largest rank of a dominator', () => {
  const rng = new Rng(11);
  for (let rep = 0; rep < 30; rep++) {
    // Coarse values: many ties and duplicates; sizes from 1 to 200.
    const pts = randomPoints(rng, 1 + Math.floor(rng.next() * 200), 2);
    const rank = new Array<number>(pts.length).fill(-1);
    const rankOf = (i: number): number => {
      if (rank[i]! < 0) rank[i] = 1 + Math.max(-1, ...pts.map((q, j) => (dominates(q, pts[i]!) ? rankOf(j) : -1)));
      return rank[i]!;
    };
    const expected: number[][] = [];
    pts.forEach((_, i) => { (expected[rankOf(i)] ??= []).push(i); });
    assert.deepEqual(nonDominatedSort(pts), expected, `${pts.length} points`);
  }
  assert.deepEqual(nonDominatedSort([[1, Infinity], [0, Infinity], [2, 0]]), [[1, 2], [0]], 'non-finite values (pairwise)');
});

test('crowding distance: extremes infinite, inner points the normalised gap of their neighbours', () => {
  const pts = [[0, 4], [1, 2], [2, 1], [4, 0]];
  const d = crowdingDistance(pts, [0, 1, 2, 3]);
  assert.equal(d[0], Infinity);
  assert.equal(d[3], Infinity);
  assert.ok(Math.abs(d[1]! - (2 / 4 + 3 / 4)) < 1e-12);
  assert.ok(Math.abs(d[2]! - (3 / 4 + 2 / 4)) < 1e-12);
});

test('hypervolume: 2-D by hand, and WFG equals inclusion–exclusion in 2 to 4 dimensions', () => {
  assert.equal(hypervolume([[1, 2], [2, 1]], [3, 3]), 3);
  assert.equal(hypervolume([[1, 2], [2, 1], [2, 2], [5, 0]], [3, 3]), 3, 'dominated and outside points add nothing');
  assert.equal(hypervolume([], [1, 1]), 0);
  assert.equal(hypervolume([[1, 1, 1]], [2, 3, 4]), 6);
  const rng = new Rng(11);
  for (let rep = 0; rep < 60; rep++) {
    const m = 2 + (rep % 3);
    const pts = randomPoints(rng, 3 + (rep % 8), m);
    const ref = Array.from({ length: m }, () => 10.5);
    const hv = hypervolume(pts, ref);
    const ie = inclusionExclusion(pts, ref);
    assert.ok(Math.abs(hv - ie) <= 1e-9 * Math.max(1, ie), `rep ${rep}: WFG ${hv}, inclusion–exclusion ${ie}`);
  }
  const pts = [[1, 3], [2, 2], [3, 1]];
  assert.deepEqual(hypervolumeContributions(pts, [4, 4]), [1, 1, 1]);
});

test('paretoTrials: the non-dominated trials with their directions, in number order', () => {
  const t = (number: number, values: number[] | null) => ({ number, value: values?.[0] ?? null, values });
  const trials = [t(0, [0.9, 1000]), t(1, [0.95, 5000]), t(2, [0.85, 2000]), t(3, null), t(4, [0.95, 5000]), t(5, [0.9, 900])];
  assert.deepEqual(paretoTrials(trials, ['maximize', 'minimize']).map((x) => x.number), [1, 4, 5]);
  assert.deepEqual(paretoTrials(trials, ['minimize', 'minimize']).map((x) => x.number), [2, 5]);
});

test('hypervolume equals Optuna 3.1\'s optuna._hypervolume.WFG on random fronts in 2 to 5 dimensions', { skip: skipUnless(optuna()) }, () => {
  const rng = new Rng(29);
  const cases = Array.from({ length: 40 }, (_, rep) => {
    const m = 2 + (rep % 4);
    return { points: Array.from({ length: 5 + (rep % 20) }, () => Array.from({ length: m }, () => rng.next())), ref: Array.from({ length: m }, () => 1.1) };
  });
  const code = 'import json, sys, numpy as np\nfrom optuna._hypervolume import WFG\nprint(json.dumps([WFG().compute(np.array(c["points"]), np.array(c["ref"])) for c in json.load(sys.stdin)]))';
  const r = spawnSync(pythonPath(), ['-c', code], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
  const want = JSON.parse(r.stdout) as number[];
  for (const [i, c] of cases.entries()) {
    const got = hypervolume(c.points, c.ref);
    assert.ok(Math.abs(got - want[i]!) <= 1e-10 * Math.max(1, want[i]!), `case ${i} (${c.ref.length}-D, ${c.points.length} points): ours ${got}, Optuna ${want[i]}`);
  }
});

test('paretoFrontBy (two objectives, either sense) agrees with brute force for every pair of senses, ties and non-finite points included', () => {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const senses of [['minimize', 'maximize'], ['maximize', 'maximize'], ['minimize', 'minimize'], ['maximize', 'minimize']] as const) {
    for (let rep = 0; rep < 20; rep++) {
      // Coarse values, so ties and exact duplicates happen; one NaN point that must be left out.
      const pts = Array.from({ length: 60 }, (_, i) => ({ i, a: Math.round(rand() * 10), b: Math.round(rand() * 10) }));
      pts.push({ i: 60, a: NaN, b: 100 });
      const better = (x: number, y: number, s: string): boolean => (s === 'maximize' ? x > y : x < y);
      const atLeast = (x: number, y: number, s: string): boolean => x === y || better(x, y, s);
      const finite = pts.filter((p) => Number.isFinite(p.a) && Number.isFinite(p.b));
      const brute = finite.filter((p) => !finite.some((q) => q !== p && atLeast(q.a, p.a, senses[0]) && atLeast(q.b, p.b, senses[1])
        && (better(q.a, p.a, senses[0]) || better(q.b, p.b, senses[1]) || q.i < p.i)));
      const got = paretoFrontBy(pts, (p) => p.a, (p) => p.b, senses);
      assert.deepEqual(got.map((p) => p.i).sort((x, y) => x - y), brute.map((p) => p.i).sort((x, y) => x - y), `${senses.join('/')} #${rep}`);
      for (let k = 1; k < got.length; k++) assert.ok(better((got[k - 1] as { a: number }).a, (got[k] as { a: number }).a, senses[0]), 'ordered best first on the first objective');
    }
  }
});

test('paretoFront on two objectives (the sweep) keeps exactly the points nothing dominates, duplicates included', () => {
  let seed = 11;
  const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let rep = 0; rep < 50; rep++) {
    const pts = Array.from({ length: 40 + rep }, () => [Math.round(rand() * 8), Math.round(rand() * 8)]);
    const brute = pts.map((_, i) => i).filter((i) => !pts.some((q, j) => j !== i && dominates(q, pts[i] as number[])));
    assert.deepEqual(paretoFront(pts), brute, `rep ${rep}`);
  }
});
