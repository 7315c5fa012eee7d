/**
 * Cholesky factors updated in O(n²) per changed point instead of refactorised in O(n³): the GP's fitted set, once
 * capped, changes by a trial or two per proposal (the newest joins at the end, the oldest of the recent ones leaves
 * from the middle), while its kernel hyperparameters stay the same for maxHistory/10 proposals.
 * Factors are lower triangular, n×n, row-major, as gp.ts stores them.
 */

/** In-place Cholesky of an n×n row-major matrix; false when not positive definite. */
export function cholesky(A: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j] as number;
    for (let k = 0; k < j; k++) s -= (A[j * n + k] as number) ** 2;
    if (!(s > 0)) return false;
    const d = Math.sqrt(s);
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j] as number;
      for (let k = 0; k < j; k++) t -= (A[i * n + k] as number) * (A[j * n + k] as number);
      A[i * n + j] = t / d;
    }
    for (let k = j + 1; k < n; k++) A[j * n + k] = 0;
  }
  return true;
}

/**
 * The factor of the matrix without row and column p: rows above p keep their entries; below, the trailing block
 * L₃₃ absorbs the removed column l₃₂ (L₃₃' L₃₃'ᵀ = L₃₃ L₃₃ᵀ + l₃₂ l₃₂ᵀ, a rank-one update by Givens-like steps).
 * Null when the update breaks down (it cannot for a positive definite matrix, short of rounding). `out`: where to
 * write it (its first (n−1)² elements, not overlapping L), by default a new array.
 */
export function choleskyDelete(L: Float64Array, n: number, p: number, out: Float64Array = new Float64Array((n - 1) * (n - 1))): Float64Array | null {
  const m = n - 1;
  out.fill(0, 0, m * m);
  // Rows above p keep their entries; rows below lose column p.
  for (let i = 0; i < p; i++) copy(L, i * n, out, i * m, i + 1);
  for (let i = p + 1; i < n; i++) {
    copy(L, i * n, out, (i - 1) * m, p);
    copy(L, i * n + p + 1, out, (i - 1) * m + p, i - p);
  }
  // x: the removed column below the diagonal, now to be folded into rows p..m-1 of out.
  const x = new Float64Array(m - p);
  for (let i = p + 1; i < n; i++) x[i - p - 1] = L[i * n + p] as number;
  for (let k = p; k < m; k++) {
    const lkk = out[k * m + k] as number;
    const xk = x[k - p] as number;
    const r = Math.sqrt(lkk * lkk + xk * xk);
    if (!(r > 0)) return null;
    out[k * m + k] = r;
    rotate(out, m, k, x, p, r / lkk, xk / lkk);
  }
  return out;
}

/*
 * The O(n²) loops of choleskyDelete and choleskyAppend run in small functions called once per row: a function
 * called once or twice per proposal with its work in one long loop gets compiled by on-stack replacement at every
 * call, and the code after the loop, which the interpreter had not reached yet, deoptimised it each time
 * (--trace-deopt: two deoptimisations and recompilations per GP proposal). Same operations in the same order.
 */

/** choleskyDelete's step k below the diagonal: column k of `out` and the rest of `x`, rotated by (c, s). */
function rotate(out: Float64Array, m: number, k: number, x: Float64Array, p: number, c: number, s: number): void {
  for (let i = k + 1; i < m; i++) {
    const lik = ((out[i * m + k] as number) + s * (x[i - p] as number)) / c;
    x[i - p] = c * (x[i - p] as number) - s * lik;
    out[i * m + k] = lik;
  }
}

/** to[at..at+len) = from[fromAt..fromAt+len) (a loop: a subarray view per row was most of these functions' garbage). */
function copy(from: Float64Array, fromAt: number, to: Float64Array, at: number, len: number): void {
  for (let j = 0; j < len; j++) to[at + j] = from[fromAt + j] as number;
}

/** s − Σ_{j<len} a[ai + j]·a[bi + j], subtracted term by term in order. */
function subtractDot(s: number, a: Float64Array, ai: number, bi: number, len: number): number {
  for (let j = 0; j < len; j++) s -= (a[ai + j] as number) * (a[bi + j] as number);
  return s;
}

/**
 * The factor of the matrix with one more row and column at the end: k, the new point's entries against the others,
 * and its diagonal entry `diag`. O(n²) (one forward solve). Null when the result is not positive definite. `out`:
 * where to write it (its first (n+1)² elements, not overlapping L), by default a new array.
 */
export function choleskyAppend(
  L: Float64Array, n: number, k: Float64Array, diag: number, out: Float64Array = new Float64Array((n + 1) * (n + 1)),
): Float64Array | null {
  const m = n + 1;
  out.fill(0, 0, m * m);
  for (let i = 0; i < n; i++) copy(L, i * n, out, i * m, i + 1);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const s = subtractDot(k[i] as number, out, n * m, i * m, i);
    const z = s / (out[i * m + i] as number);
    out[n * m + i] = z;
    ss += z * z;
  }
  const d2 = diag - ss;
  if (!(d2 > 0)) return null;
  out[n * m + n] = Math.sqrt(d2);
  return out;
}

/**
 * How to go from the points of an old factor to a new list of points by deleting old ones and appending new ones at
 * the end: the old indices to delete (descending, so that each deletion leaves the lower indices valid) and the new
 * list's indices to append, in order. Null when that is impossible (kept points in another order) or not worth it
 * (more than `maxChanges` changes: a fresh factorisation is then as cheap).
 */
export function factorEdits<T>(old: readonly T[], fresh: readonly T[], maxChanges: number): { remove: number[]; append: number[] } | null {
  const inFresh = new Set(fresh);
  const remove: number[] = [];
  let kept = 0;
  for (let i = 0; i < old.length; i++) {
    if (!inFresh.has(old[i] as T)) {
      remove.push(i);
      continue;
    }
    if (fresh[kept] !== old[i]) return null;
    kept++;
  }
  const inOld = new Set(old);
  const append: number[] = [];
  for (let i = kept; i < fresh.length; i++) {
    if (inOld.has(fresh[i] as T)) return null;
    append.push(i);
  }
  if (remove.length + append.length > maxChanges) return null;
  return { remove: remove.reverse(), append };
}
