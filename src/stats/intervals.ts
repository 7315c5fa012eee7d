import { InputError } from '../errors.js';
import { normalQuantile, studentTQuantile } from './distributions.js';

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

/** Arithmetic mean (NaN for an empty list). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The q-quantile (0 ≤ q ≤ 1) with linear interpolation between order statistics (NaN for an empty list). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

/** Sample variance with n − 1 in the denominator (0 for a single value). */
export function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return s / (values.length - 1);
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
