/**
 * A GP's prior mean from an outside prediction (the learned controller's surrogate, issue 16): the GP's targets y
 * (transformed, lower is better) are regressed on the prediction m by ordinary least squares, y ≈ a + β·(m − m̄)/s_m,
 * and the GP models what the line leaves. The slope is held at 0 or above: a prediction that ranks this study's
 * configurations backwards is taken as uninformative, not inverted. With β = 0 the trend is the constant a (the GP's
 * own constant mean, up to the mean of y).
 */
export interface Trend {
  /** Intercept, in the GP's target units. */
  readonly a: number;
  /** Slope per standard deviation of the prediction over the fitted points (≥ 0). */
  readonly beta: number;
  /** Mean and standard deviation of the prediction over the fitted points (sd 1 when they are all equal). */
  readonly mMean: number;
  readonly mSd: number;
}

/** The least-squares line of `y` on `m` (same length, ≥ 1), its slope clamped at 0 from below. */
export function fitTrend(y: ArrayLike<number>, m: ArrayLike<number>): Trend {
  const n = y.length;
  if (n === 0 || m.length !== n) throw new Error(`fitTrend: expected equal, non-zero lengths, got ${n} and ${m.length}`);
  let my = 0;
  let mm = 0;
  for (let i = 0; i < n; i++) {
    my += y[i] as number;
    mm += m[i] as number;
  }
  my /= n;
  mm /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (m[i] as number) - mm;
    sxx += dx * dx;
    sxy += dx * ((y[i] as number) - my);
  }
  const sd = Math.sqrt(sxx / n);
  if (!(sd > 1e-12 * Math.max(1, Math.abs(mm)))) return { a: my, beta: 0, mMean: mm, mSd: 1 };
  // Slope of y on the standardised prediction: cov(y, m) / var(m) · sd(m).
  const beta = Math.max(0, (sxy / sxx) * sd);
  return { a: my, beta, mMean: mm, mSd: sd };
}

/** The trend's value at a prediction m. */
export function trendAt(t: Trend, m: number): number {
  return t.a + (t.beta * (m - t.mMean)) / t.mSd;
}
