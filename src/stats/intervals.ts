import { InputError } from '../core/errors.js';
import { chiSquareQuantile, normalQuantile, studentTQuantile } from './distributions.js';

/** A confidence interval around an estimate. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** The confidence level, e.g. 0.95. */
  readonly confidence: number;
}

/** Summary of repeated measurements: mean, sample sd, n and the t confidence interval of the mean. */
export interface MeanInterval extends Interval {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  readonly sd: number;
  /** Half the interval's width (the "±" figure); NaN when n = 1. */
  readonly halfWidth: number;
}

function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new InputError(`Expected \`confidence\` in (0, 1), got ${confidence}`);
}

/**
 * Wilson score interval for a proportion (e.g. a test accuracy measured on n examples).
 * `proportion` is the observed share of successes in [0, 1].
 */
export function wilsonInterval(proportion: number, n: number, confidence = 0.95): Interval {
  if (!(proportion >= 0 && proportion <= 1)) throw new InputError(`Expected \`proportion\` in [0, 1], got ${proportion}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new InputError(`Expected \`n\` to be an integer ≥ 1, got ${n}`);
  checkConfidence(confidence);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (proportion + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((proportion * (1 - proportion)) / n + z2 / (4 * n * n));
  return { estimate: proportion, low: Math.max(0, centre - half), high: Math.min(1, centre + half), confidence };
}

/**
 * Arithmetic mean (NaN for an empty list), by Neumaier's compensated summation, and exactly the common value
 * when all values are equal: seven runs of 0.9 have mean 0.9, not 0.9000000000000001, so a constant sample is
 * never "different" from another constant sample by rounding alone.
 */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const first = values[0] as number;
  if (values.every((v) => v === first)) return first;
  let s = 0;
  let c = 0;
  for (const v of values) {
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return (s + c) / values.length;
}

/** Relative size below which a spread is rounding, not data: sd ≤ 1e-12·|mean| counts as 0. */
export const RELATIVE_ZERO = 1e-12;

/** Whether a sample is constant up to rounding (sd ≤ RELATIVE_ZERO × the larger of |mean| and 1e-300). */
export function isConstant(values: readonly number[]): boolean {
  if (values.length < 2) return true;
  return Math.sqrt(variance(values)) <= RELATIVE_ZERO * Math.max(Math.abs(mean(values)), 1e-300);
}

/** The q-quantile (0 ≤ q ≤ 1) with linear interpolation between order statistics (NaN for an empty list). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Sample variance with n − 1 in the denominator (0 for a single value): two-pass with the corrected formula. */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let s = 0;
  let c = 0;
  for (const v of values) {
    s += (v - m) ** 2;
    c += v - m;
  }
  // Björck's correction removes what the rounding of m leaves in the sum of deviations.
  return Math.max(0, (s - (c * c) / values.length) / (values.length - 1));
}

/** Mean ± t confidence interval of repeated measurements (e.g. one config's accuracies over seeds). */
export function meanInterval(values: readonly number[], confidence = 0.95): MeanInterval {
  if (values.length === 0) throw new InputError('Expected at least one value for a mean interval, got none');
  checkConfidence(confidence);
  const n = values.length;
  const m = mean(values);
  const sd = Math.sqrt(variance(values));
  const halfWidth = n < 2 ? NaN : studentTQuantile(1 - (1 - confidence) / 2, n - 1) * (sd / Math.sqrt(n));
  return { estimate: m, mean: m, sd, n, halfWidth, low: m - halfWidth, high: m + halfWidth, confidence };
}

/** A mean over seeds of an accuracy read on one fixed test set, with the interval that also covers that set's sampling. */
export interface TestSetInterval extends Interval {
  readonly mean: number;
  readonly halfWidth: number;
  /** The test set's own standard error √(p(1−p)/N): every run reads the same N examples, so it does not average out over seeds. */
  readonly testSetSe: number;
}

/**
 * Widens a seed interval of a test accuracy by the test set's own sampling error: half-width
 * √(h² + (z·√(p(1−p)/N))²), with h the seed half-width (t-based) and z the normal quantile. The seed interval alone is
 * conditional on this test set; this one is about the accuracy on the task's distribution (normal approximation).
 */
export function withTestSetError(m: MeanInterval, testSize: number): TestSetInterval {
  if (!(Number.isInteger(testSize) && testSize >= 1)) throw new InputError(`Expected \`testSize\` to be an integer ≥ 1, got ${testSize}`);
  if (!(m.mean >= 0 && m.mean <= 1)) throw new InputError(`Expected a proportion for the test-set error, got mean ${m.mean}`);
  const z = normalQuantile(1 - (1 - m.confidence) / 2);
  const se = Math.sqrt((m.mean * (1 - m.mean)) / testSize);
  const halfWidth = Math.hypot(m.halfWidth, z * se);
  return { estimate: m.mean, mean: m.mean, low: m.mean - halfWidth, high: m.mean + halfWidth, halfWidth, testSetSe: se, confidence: m.confidence };
}

/** Sample standard deviation and its chi-square confidence interval √(df·s²/χ²_{1−α/2,df}) … √(df·s²/χ²_{α/2,df}). */
export function sdInterval(sd: number, df: number, confidence = 0.95): { sd: number; df: number; low: number; high: number; confidence: number } {
  if (!(df > 0)) throw new InputError(`Expected \`df\` > 0 for an sd interval, got ${df}`);
  checkConfidence(confidence);
  const a = (1 - confidence) / 2;
  return { sd, df, low: sd * Math.sqrt(df / chiSquareQuantile(1 - a, df)), high: sd * Math.sqrt(df / chiSquareQuantile(a, df)), confidence };
}
