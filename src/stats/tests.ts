import { InputError } from '../core/errors.js';
import { chiSquareTail, studentTTwoSided } from './distributions.js';
import { RELATIVE_ZERO, isConstant, mean, variance } from './intervals.js';

/** Result of a two-sided t-test of mean(a) − mean(b). */
export interface TTestResult {
  /** 'paired': on per-seed differences (the runs share seeds); 'welch': two independent samples. */
  readonly kind: 'paired' | 'welch';
  readonly t: number;
  /** Degrees of freedom (n − 1 for paired, Welch–Satterthwaite for Welch). */
  readonly df: number;
  /** Two-sided p-value, 2·P(T > |t|). */
  readonly p: number;
  /** mean(a) − mean(b). */
  readonly meanDiff: number;
}

/** @deprecated name kept for callers of the Welch-only API. */
export type WelchResult = TTestResult;

/**
 * Whether a mean difference is rounding: |d| ≤ RELATIVE_ZERO × the larger |mean|. Two constant samples of
 * 0.9 whose sums differ in the last bit are the same value, not a significant difference.
 */
function isRoundingDiff(d: number, ma: number, mb: number): boolean {
  return Math.abs(d) <= RELATIVE_ZERO * Math.max(Math.abs(ma), Math.abs(mb), 1e-300);
}

/** The verdict when the standard error is zero: equal means are indistinguishable, different ones certainly differ. */
function degenerate(kind: TTestResult['kind'], meanDiff: number, ma: number, mb: number, df: number): TTestResult {
  return isRoundingDiff(meanDiff, ma, mb) ? { kind, t: 0, df, p: 1, meanDiff: 0 } : { kind, t: meanDiff > 0 ? Infinity : -Infinity, df, p: 0, meanDiff };
}

/**
 * Welch's two-sample t-test (two-sided, scipy.stats.ttest_ind(equal_var=False)); each sample needs ≥ 2 values.
 * Samples constant up to rounding count as constant (sd ≤ 1e-12·|mean|), so rounding never makes a verdict.
 */
export function welchTTest(a: readonly number[], b: readonly number[]): TTestResult {
  if (a.length < 2 || b.length < 2) {
    throw new InputError(`Welch's t-test needs at least 2 values per sample, got ${a.length} and ${b.length}`);
  }
  const ma = mean(a);
  const mb = mean(b);
  const qa = isConstant(a) ? 0 : variance(a) / a.length;
  const qb = isConstant(b) ? 0 : variance(b) / b.length;
  const se2 = qa + qb;
  const meanDiff = ma - mb;
  if (se2 === 0) return degenerate('welch', meanDiff, ma, mb, a.length + b.length - 2);
  const t = meanDiff / Math.sqrt(se2);
  const df = (se2 * se2) / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  return { kind: 'welch', t, df, p: studentTTwoSided(t, df), meanDiff };
}

/**
 * Paired t-test on a[i] − b[i] (scipy.stats.ttest_rel): for runs that share seeds (stage 4 runs every
 * configuration with the same seeds), so a per-seed effect common to both cancels. Needs ≥ 2 pairs.
 */
export function pairedTTest(a: readonly number[], b: readonly number[]): TTestResult {
  if (a.length !== b.length) throw new InputError(`A paired t-test needs samples of equal length, got ${a.length} and ${b.length}`);
  if (a.length < 2) throw new InputError(`A paired t-test needs at least 2 pairs, got ${a.length}`);
  const d = a.map((x, i) => x - (b[i] as number));
  const ma = mean(a);
  const mb = mean(b);
  const md = mean(d);
  const n = d.length;
  const df = n - 1;
  // Constant differences (up to rounding relative to the values themselves) have no spread to test against.
  const sdd = Math.sqrt(variance(d));
  if (sdd <= RELATIVE_ZERO * Math.max(Math.abs(ma), Math.abs(mb), 1e-300)) return degenerate('paired', md, ma, mb, df);
  const t = md / (sdd / Math.sqrt(n));
  return { kind: 'paired', t, df, p: studentTTwoSided(t, df), meanDiff: md };
}

/** Holm–Bonferroni step-down adjusted p-values, in the input order (statsmodels multipletests 'holm'). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

/**
 * Holm's rejections at level alpha: the i-th smallest p (0-based) is rejected when it and every smaller one
 * satisfy p ≤ alpha/(m − i), as statsmodels does (equivalently, adjusted p ≤ alpha).
 */
export function holmReject(pValues: readonly number[], alpha: number): boolean[] {
  return holmAdjust(pValues).map((p) => p <= alpha);
}

/**
 * Bartlett's test that k groups share one variance (scipy.stats.bartlett), from each group's variance and
 * degrees of freedom: used to decide whether noise varies across the space. Groups with df < 1 are ignored.
 */
export function bartlettTest(groups: readonly { readonly variance: number; readonly df: number }[]): { statistic: number; df: number; p: number } {
  const g = groups.filter((x) => x.df >= 1 && x.variance > 0);
  const k = g.length;
  if (k < 2) return { statistic: 0, df: Math.max(0, k - 1), p: 1 };
  const N = g.reduce((s, x) => s + x.df, 0);
  const pooled = g.reduce((s, x) => s + x.df * x.variance, 0) / N;
  const num = N * Math.log(pooled) - g.reduce((s, x) => s + x.df * Math.log(x.variance), 0);
  const c = 1 + (g.reduce((s, x) => s + 1 / x.df, 0) - 1 / N) / (3 * (k - 1));
  const statistic = num / c;
  return { statistic, df: k - 1, p: chiSquareTail(statistic, k - 1) };
}
