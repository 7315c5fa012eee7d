/** The result of a paired sign test. */
export interface SignTest {
  /** Pairs where a < b, a > b, a = b. */
  readonly less: number;
  readonly greater: number;
  readonly ties: number;
  /** Two-sided exact p-value (binomial, p = 1/2, ties dropped), as scipy.stats.binomtest(less, less + greater). */
  readonly p: number;
}

/** Two-sided exact sign test of paired samples (ties dropped); p = 1 without untied pairs. */
export function signTest(a: readonly number[], b: readonly number[]): SignTest {
  if (a.length !== b.length) throw new RangeError(`paired samples need equal lengths, got ${a.length} and ${b.length}`);
  let less = 0, greater = 0, ties = 0;
  a.forEach((x, i) => {
    const y = b[i] as number;
    if (x < y) less++;
    else if (x > y) greater++;
    else ties++;
  });
  const n = less + greater;
  if (n === 0) return { less, greater, ties, p: 1 };
  // Binomial(n, 1/2) pmf in logs; scipy's two-sided p sums the outcomes no more likely than the observed one.
  const logChoose = (k: number): number => lgammaInt(n) - lgammaInt(k) - lgammaInt(n - k);
  const pmf = (k: number): number => Math.exp(logChoose(k) - n * Math.LN2);
  const observed = pmf(less);
  let p = 0;
  for (let k = 0; k <= n; k++) {
    const q = pmf(k);
    if (q <= observed * (1 + 1e-7)) p += q;
  }
  return { less, greater, ties, p: Math.min(1, p) };
}

/** log(k!) for integers k ≥ 0. */
function lgammaInt(k: number): number {
  let s = 0;
  for (let i = 2; i <= k; i++) s += Math.log(i);
  return s;
}
