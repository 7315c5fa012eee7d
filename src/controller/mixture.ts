import { normalCdf } from '../stats/distributions.js';

/** One Gaussian component: mean and variance. */
export interface Gaussian {
  readonly mean: number;
  readonly variance: number;
}

/**
 * An equal-weight mixture of Gaussians: what a deep ensemble predicts (Lakshminarayanan et al. 2017), each member
 * a mean and a variance. Probabilities and quantiles are the mixture's own (no Gaussian approximation).
 */
export class Mixture {
  constructor(readonly components: readonly Gaussian[]) {
    if (components.length === 0) throw new RangeError('a mixture needs at least one component');
    for (const c of components) if (!(c.variance > 0) || !Number.isFinite(c.mean)) throw new RangeError(`bad component: mean ${c.mean}, variance ${c.variance}`);
  }

  /** The mixture's mean (the average of the members' means). */
  get mean(): number {
    let s = 0;
    for (const c of this.components) s += c.mean;
    return s / this.components.length;
  }

  /** The mixture's variance: the members' average variance plus the spread of their means. */
  get variance(): number {
    const m = this.mean;
    let s = 0;
    for (const c of this.components) s += c.variance + (c.mean - m) ** 2;
    return s / this.components.length;
  }

  /** P(Y ≤ y). */
  cdf(y: number): number {
    let s = 0;
    for (const c of this.components) s += normalCdf((y - c.mean) / Math.sqrt(c.variance));
    return s / this.components.length;
  }

  /** −log p(y) (the negative log-likelihood of an observation). */
  nll(y: number): number {
    let s = 0;
    for (const c of this.components) s += Math.exp(-0.5 * (y - c.mean) ** 2 / c.variance) / Math.sqrt(2 * Math.PI * c.variance);
    return -Math.log(s / this.components.length);
  }

  /** The p-quantile, by bisection on the CDF (to 1e-10 of the mixture's spread). */
  quantile(p: number): number {
    if (!(p > 0 && p < 1)) throw new RangeError(`quantile needs 0 < p < 1, got ${p}`);
    let lo = Infinity;
    let hi = -Infinity;
    for (const c of this.components) {
      const s = Math.sqrt(c.variance);
      lo = Math.min(lo, c.mean - 40 * s);
      hi = Math.max(hi, c.mean + 40 * s);
    }
    const tol = (hi - lo) * 1e-12;
    while (hi - lo > tol) {
      const mid = (lo + hi) / 2;
      if (this.cdf(mid) < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** The central interval holding `level` of the probability (e.g. 0.95 → the 2.5 % and 97.5 % quantiles). */
  interval(level: number): [number, number] {
    const a = (1 - level) / 2;
    return [this.quantile(a), this.quantile(1 - a)];
  }

  /** The probability of a value better than `threshold` (above it when maximising, below when minimising). */
  probabilityBetter(threshold: number, direction: 'maximize' | 'minimize'): number {
    const below = this.cdf(threshold);
    return direction === 'maximize' ? 1 - below : below;
  }
}
