import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cholesky, choleskyAppend, choleskyDelete, factorEdits } from './gp-cholesky.js';
import { GpSampler } from './gp.js';
import { Rng, deriveSeed } from '../core/rng.js';
import { Space } from '../space/space.js';
import { makeTrial } from '../../bench/support/loop.js';
import type { TrialRecord } from '../core/types.js';

/** A Matérn-like correlation matrix of random points in [0,1]^3 plus g·I (positive definite). */
function kernelMatrix(points: readonly number[][], g: number): Float64Array {
  const n = points.length;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.sqrt((points[i] as number[]).reduce((s, v, d) => s + ((v - (points[j] as number[])[d]!) / 0.4) ** 2, 0));
      A[i * n + j] = (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r) + (i === j ? g : 0);
    }
  }
  return A;
}

function freshFactor(points: readonly number[][], g: number): Float64Array {
  const L = kernelMatrix(points, g);
  assert.ok(cholesky(L, points.length));
  return L;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

test('Cholesky factor: deleting any row and column, and appending points, equals a fresh factorisation to 1e-9', () => {
  const rng = new Rng(3);
  const draw = (): number[] => [rng.next(), rng.next(), rng.next()];
  for (const g of [1e-6, 1e-3, 0.05]) {
    let points = Array.from({ length: 60 }, draw);
    let L = freshFactor(points, g);
    // A sliding window as the GP's history makes it: 40 rounds of one deletion (anywhere) and one or two appends.
    for (let round = 0; round < 40; round++) {
      const p = Math.floor(rng.next() * points.length);
      L = choleskyDelete(L, points.length, p) as Float64Array;
      points = points.filter((_, i) => i !== p);
      for (let a = 0; a < 1 + (round % 2); a++) {
        const x = draw();
        const k = Float64Array.from(points, (q) => kernelMatrix([q, x], 0)[1] as number);
        L = choleskyAppend(L, points.length, k, 1 + g) as Float64Array;
        points = [...points, x];
      }
      assert.ok(maxDiff(L, freshFactor(points, g)) < 1e-9, `g ${g}, round ${round}: ${maxDiff(L, freshFactor(points, g))}`);
    }
  }
  // A point equal to one already in, without noise: the matrix is singular and the append says so.
  const pts = [[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]];
  const L = freshFactor(pts, 0);
  assert.equal(choleskyAppend(L, 2, Float64Array.from(pts, (q) => kernelMatrix([q, pts[0]!], 0)[1] as number), 1), null);
});

test('factorEdits: deletions anywhere and appends at the end, or null', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(factorEdits([a, b, c, d], [a, c, d, e], 4), { remove: [1], append: [3] });
  assert.deepEqual(factorEdits([a, b, c, d], [b, d], 4), { remove: [2, 0], append: [] }, 'highest index first');
  assert.equal(factorEdits([a, b, c], [b, a, c], 4), null, 'kept points reordered');
  assert.equal(factorEdits([a, b, c], [a, e, b, c], 4), null, 'a new point before kept ones');
  assert.equal(factorEdits([a, b, c], [d, e], 4), null, 'more changes than allowed');
});

test('GP past the history cap: proposals with the factor updated between proposals equal those refactorised each time', () => {
  const space = Space.fromSpec({ x: { type: 'float', low: 0, high: 1 }, c: { type: 'categorical', choices: ['a', 'b', 'c'] }, k: { type: 'int', low: 1, high: 9 } });
  const rng = new Rng(9);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < 260; i++) {
    const p = space.sample(rng);
    trials.push(makeTrial(i, p, ((p['x'] as number) - 0.3) ** 2 + (p['c'] === 'b' ? 0 : 0.2) + 0.01 * rng.normal()));
  }
  const options = { maxHistory: 40, maxFitPoints: 20 };
  const kept = new GpSampler(options);
  const refactorised = new GpSampler(options);
  const factorOf = (s: GpSampler) => s as unknown as { factor: { age: number } | null };
  let updated = 0;
  for (let i = 0; i < 60; i++) {
    const ctx = { space, direction: 'minimize' as const, trials: trials.slice(0, 200 + i) };
    const a = kept.sample({ ...ctx, rng: new Rng(deriveSeed(4, i)) });
    if ((factorOf(kept).factor?.age ?? 0) > 0) updated++;
    factorOf(refactorised).factor = null;
    const b = refactorised.sample({ ...ctx, rng: new Rng(deriveSeed(4, i)) });
    assert.deepEqual(a, b, `proposal ${i}`);
  }
  assert.ok(updated > 30, `the kept factor was updated in ${updated} of 60 proposals`);
});

/** choleskyDelete and choleskyAppend as first written (one loop each, element by element): the reference. */
function deleteReference(L: Float64Array, n: number, p: number): Float64Array | null {
  const m = n - 1;
  const out = new Float64Array(m * m);
  for (let i = 0, oi = 0; i < n; i++) {
    if (i === p) continue;
    for (let j = 0, oj = 0; j <= i; j++) {
      if (j === p) continue;
      out[oi * m + oj] = L[i * n + j] as number;
      oj++;
    }
    oi++;
  }
  const x = new Float64Array(m - p);
  for (let i = p + 1; i < n; i++) x[i - p - 1] = L[i * n + p] as number;
  for (let k = p; k < m; k++) {
    const lkk = out[k * m + k] as number;
    const xk = x[k - p] as number;
    const r = Math.sqrt(lkk * lkk + xk * xk);
    if (!(r > 0)) return null;
    const c = r / lkk;
    const s = xk / lkk;
    out[k * m + k] = r;
    for (let i = k + 1; i < m; i++) {
      const lik = ((out[i * m + k] as number) + s * (x[i - p] as number)) / c;
      x[i - p] = c * (x[i - p] as number) - s * lik;
      out[i * m + k] = lik;
    }
  }
  return out;
}
function appendReference(L: Float64Array, n: number, k: Float64Array, diag: number): Float64Array | null {
  const m = n + 1;
  const out = new Float64Array(m * m);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * m + j] = L[i * n + j] as number;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    let s = k[i] as number;
    for (let j = 0; j < i; j++) s -= (out[n * m + j] as number) * (out[i * m + j] as number);
    const z = s / (out[i * m + i] as number);
    out[n * m + i] = z;
    ss += z * z;
  }
  const d2 = diag - ss;
  if (!(d2 > 0)) return null;
  out[n * m + n] = Math.sqrt(d2);
  return out;
}

test('Cholesky updates: bit for bit what the element-by-element loops give (their loops moved into helpers)', () => {
  const rng = new Rng(11);
  const points = Array.from({ length: 40 }, () => [rng.next(), rng.next(), rng.next()]);
  const L = freshFactor(points, 1e-3);
  for (const p of [0, 1, 17, 38, 39]) assert.deepEqual(choleskyDelete(L, 40, p), deleteReference(L, 40, p), `delete ${p}`);
  const small = freshFactor(points.slice(0, 39), 1e-3);
  const k = kernelMatrix(points, 1e-3).slice(39 * 40, 39 * 40 + 39);
  assert.deepEqual(choleskyAppend(small, 39, k, 1 + 1e-3), appendReference(small, 39, k, 1 + 1e-3));
});

test('Cholesky updates into a kept buffer (larger, holding stale values): bit for bit the fresh arrays', () => {
  const rng = new Rng(12);
  const points = Array.from({ length: 30 }, () => [rng.next(), rng.next(), rng.next()]);
  const L = freshFactor(points, 1e-3);
  const buf = new Float64Array(31 * 31 + 7);
  for (const p of [0, 13, 29]) {
    buf.fill(NaN);
    const got = choleskyDelete(L, 30, p, buf);
    assert.equal(got, buf);
    assert.deepEqual(buf.slice(0, 29 * 29), deleteReference(L, 30, p), `delete ${p}`);
  }
  const small = freshFactor(points.slice(0, 29), 1e-3);
  const k = kernelMatrix(points, 1e-3).slice(29 * 30, 29 * 30 + 29);
  buf.fill(-1);
  assert.equal(choleskyAppend(small, 29, k, 1 + 1e-3, buf), buf);
  assert.deepEqual(buf.slice(0, 30 * 30), appendReference(small, 29, k, 1 + 1e-3));
});
