import { InputError } from '../errors.js';
import { studentTCdf } from './distributions.js';
import { mean, variance } from './intervals.js';

/** Result of Welch's unequal-variances t-test of mean(a) − mean(b). */
export interface WelchResult {
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** mean(a) − mean(b). */
  readonly meanDiff: number;
}

/** Welch's two-sample t-test (two-sided); each sample needs at least two values. */
export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) {
    throw new InputError(`Welch's t-test needs at least 2 values per sample, got ${a.length} and ${b.length}`);
  }
  const ma = mean(a);
  const mb = mean(b);
  const qa = variance(a) / a.length;
  const qb = variance(b) / b.length;
  const se2 = qa + qb;
  const meanDiff = ma - mb;
  if (se2 === 0) {
    // Both samples constant: identical means are indistinguishable, different ones certainly differ.
    return meanDiff === 0 ? { t: 0, df: a.length + b.length - 2, p: 1, meanDiff } : { t: meanDiff > 0 ? Infinity : -Infinity, df: a.length + b.length - 2, p: 0, meanDiff };
  }
  const t = meanDiff / Math.sqrt(se2);
  const df = (se2 * se2) / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  const p = Math.min(1, 2 * (1 - studentTCdf(Math.abs(t), df)));
  return { t, df, p, meanDiff };
}

/** Holm–Bonferroni step-down adjusted p-values, in the input order (family-wise error control). */
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
