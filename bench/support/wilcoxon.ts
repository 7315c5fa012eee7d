import { normalCdf } from '../../src/stats/distributions.js';

/** The result of a two-sided Wilcoxon signed-rank test of paired samples. */
export interface Wilcoxon {
  /** Pairs where a < b, a > b, a = b (the equal ones are dropped, scipy's zero_method 'wilcox'). */
  readonly less: number;
  readonly greater: number;
  readonly zeros: number;
  /** min(R+, R−), the rank sums of the positive and negative differences a − b. */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** 'exact' (no zeros, no tied |differences|, n ≤ 50) or 'approx' (normal, tie-corrected, no continuity correction). */
  readonly method: 'exact' | 'approx';
}

/**
 * Two-sided Wilcoxon signed-rank test of a against b, as scipy.stats.wilcoxon(a, b) (zero_method 'wilcox',
 * correction False): exact for at most 50 untied, non-zero differences, else the normal approximation with scipy's
 * tie correction. (scipy 1.10's 'auto' also takes the exact path when |differences| tie; this one does not.)
 */
export function wilcoxon(a: readonly number[], b: readonly number[]): Wilcoxon {
  if (a.length !== b.length) throw new RangeError(`paired samples need equal lengths, got ${a.length} and ${b.length}`);
  const d = a.map((x, i) => x - (b[i] as number));
  const nz = d.filter((x) => x !== 0);
  const zeros = d.length - nz.length;
  const less = nz.filter((x) => x < 0).length, greater = nz.length - less;
  const n = nz.length;
  if (n === 0) return { less, greater, zeros, statistic: 0, p: 1, method: 'approx' };
  // Average ranks of |d|.
  const order = nz.map((x, i) => [Math.abs(x), i] as [number, number]).sort((x, y) => x[0] - y[0]);
  const rank = new Array<number>(n).fill(0);
  let tieTerm = 0, tied = false;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && (order[j + 1] as [number, number])[0] === (order[i] as [number, number])[0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) rank[(order[k] as [number, number])[1]] = r;
    const t = j - i + 1;
    if (t > 1) { tied = true; tieTerm += t * t * t - t; }
    i = j + 1;
  }
  let rPlus = 0;
  nz.forEach((x, i) => { if (x > 0) rPlus += rank[i] as number; });
  const total = (n * (n + 1)) / 2;
  const statistic = Math.min(rPlus, total - rPlus);
  if (n <= 50 && zeros === 0 && !tied) {
    // Exact null distribution of R+ (ranks 1..n, each in or out with probability 1/2), by counting subsets.
    let counts = [1];
    for (let k = 1; k <= n; k++) {
      const next = new Array<number>(counts.length + k).fill(0);
      counts.forEach((c, s) => { next[s] = (next[s] as number) + c; next[s + k] = (next[s + k] as number) + c; });
      counts = next;
    }
    const all = 2 ** n;
    let tail = 0;
    for (let s = 0; s <= statistic; s++) tail += counts[s] as number;
    return { less, greater, zeros, statistic, p: Math.min(1, (2 * tail) / all), method: 'exact' };
  }
  const mean = total / 2;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = (statistic - mean) / se;
  return { less, greater, zeros, statistic, p: Math.min(1, 2 * normalCdf(z)), method: 'approx' };
}
