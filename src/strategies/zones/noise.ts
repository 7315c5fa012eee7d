import { HyperzoneError } from '../../core/errors.js';
import { studentTQuantile } from '../../stats/distributions.js';
import { sdInterval, variance, wilsonInterval } from '../../stats/intervals.js';
import { bartlettTest } from '../../stats/tests.js';
import type { ParamValue } from '../../core/types.js';
import type { PointStat } from './common.js';

/** The seed-to-seed spread at one value of an axis (pooled over the repeated points there, shrunk toward the global). */
export interface NoiseLevel {
  readonly value: ParamValue;
  /** Raw pooled sd of the repeated points at this value (null without repeats there). */
  readonly rawSd: number | null;
  /** Degrees of freedom behind rawSd. */
  readonly df: number;
  /** The sd used: exp of the level's log-variance shrunk toward the mean log-variance, (df·ln s² + k·mean)/(df + k), k = the global df per level, halved. */
  readonly sd: number;
}

/** The noise estimate, as reports show it. */
export interface NoiseSummary {
  /**
   * Where the band comes from: 'repeats' (seed-to-seed, measured here), 'fixed' (given), 'wilson' (validation-set
   * resampling: a fallback that overstates between-configuration noise).
   */
  readonly source: 'fixed' | 'repeats' | 'wilson';
  /** Pooled seed-to-seed sd over all repeated points (null unless source is 'repeats'). */
  readonly sd: number | null;
  /** Degrees of freedom of `sd` (Σ (n − 1) over points). */
  readonly df: number;
  /** Chi-square confidence interval of `sd`. */
  readonly sdLow: number | null;
  readonly sdHigh: number | null;
  /** Grid points with ≥ 2 seeds, and the extra runs (beyond one per point) spent measuring the noise. */
  readonly repeatedPoints: number;
  readonly extraRuns: number;
  /** Set when the sd varies along an axis (Bartlett's test, p ≤ 1 − confidence): the sd per value of that axis. */
  readonly byAxis: { readonly axis: string; readonly bartlettP: number; readonly levels: readonly NoiseLevel[] } | null;
  /** The band's critical value: t quantile (two-sided, `confidence`) at the sd's degrees of freedom; null for 'fixed'. */
  readonly critical: number | null;
  /** One line for the report. */
  readonly note: string;
}

/** How large a difference between two points is still noise. */
export interface NoiseModel extends NoiseSummary {
  /** The band for a difference between points a and b, in objective units. */
  band(a: PointStat, b: PointStat): number;
}

interface Pool {
  ss: number;
  df: number;
}

const pool = (points: readonly PointStat[]): Pool => {
  let ss = 0;
  let df = 0;
  for (const p of points) {
    if (p.n < 2) continue;
    ss += variance(p.values) * (p.n - 1);
    df += p.n - 1;
  }
  return { ss, df };
};

/**
 * Estimates the noise band between configurations. In order:
 * - an explicit `noiseBand`;
 * - else the seed-to-seed spread of points run with ≥ 2 seeds (stage 1 repeats a stratified share of its grid by
 *   default): pooled sd s over all of them; where Bartlett's test says the spread differs along an axis (small
 *   batches are noisier than large ones), one sd per value of that axis, shrunk toward s with the weight of an
 *   average level's data. Band(a, b) = t_{1−α/2, df} · √(s_a²/n_a + s_b²/n_b): the two-sided test of a difference;
 * - else the Wilson half-widths of both values on `valSize` validation examples combined (√(h_a² + h_b²)): the
 *   binomial spread of re-drawing the validation images, which every configuration shares, so it overstates the
 *   noise between configurations (3–8× on MNIST) and merges zones. The note says so.
 * `axes` are the grid's axes (for the per-axis model). Throws STAGE_ERROR when none applies.
 */
export function estimateNoise(
  points: readonly PointStat[],
  o: { noiseBand: number | undefined; valSize: number | undefined; confidence: number },
  axes: readonly { readonly name: string; readonly values: readonly ParamValue[] }[] = [],
): NoiseModel {
  const repeated = points.filter((p) => p.n >= 2);
  const extraRuns = points.reduce((s, p) => s + Math.max(0, p.n - 1), 0);
  const base = { repeatedPoints: repeated.length, extraRuns };
  if (o.noiseBand !== undefined) {
    const b = o.noiseBand;
    return { ...base, source: 'fixed', sd: null, df: 0, sdLow: null, sdHigh: null, byAxis: null, critical: null, note: `fixed noise band ±${b} (given)`, band: () => b };
  }
  const all = pool(points);
  if (all.df >= 1 && all.ss === 0) {
    // Every repeat reproduced its value exactly: a deterministic objective, where any difference is real.
    const note = `repeats reproduce their values exactly (${all.df} pairs): a deterministic objective, so the band is 0`;
    return { ...base, source: 'repeats', sd: 0, df: all.df, sdLow: 0, sdHigh: 0, byAxis: null, critical: null, note, band: () => 0 };
  }
  if (all.df >= 1) {
    const s2 = all.ss / all.df;
    const sd = Math.sqrt(s2);
    const ci = sdInterval(sd, all.df, o.confidence);
    const byAxis = heterogeneity(points, axes, all.df, 1 - o.confidence);
    const levelOf = byAxis ? new Map(byAxis.levels.map((l) => [String(l.value), l])) : null;
    const k = byAxis ? all.df / byAxis.levels.length : 0;
    const sdOf = (p: PointStat): { sd: number; df: number } => {
      if (!levelOf || !byAxis) return { sd, df: all.df };
      const l = levelOf.get(String(p.params[byAxis.axis]));
      return l ? { sd: l.sd, df: l.df + k } : { sd, df: all.df };
    };
    const quantiles = new Map<number, number>();
    const tq = (df: number): number => {
      let q = quantiles.get(df);
      if (q === undefined) quantiles.set(df, (q = studentTQuantile(1 - (1 - o.confidence) / 2, df)));
      return q;
    };
    const critical = tq(all.df);
    const note =
      `seed-to-seed sd ${fmt(sd)} (${Math.round(o.confidence * 100)}% CI ${fmt(ci.low)}–${fmt(ci.high)}; ${all.df} df from ${repeated.length} grid points run with ≥ 2 seeds, ${extraRuns} extra runs)` +
      (byAxis ? `; varies with ${byAxis.axis} (Bartlett p = ${byAxis.bartlettP.toPrecision(2)}): ${byAxis.levels.map((l) => `${String(l.value)}: ${fmt(l.sd)}`).join(', ')}` : '');
    return {
      ...base,
      source: 'repeats',
      sd,
      df: all.df,
      sdLow: ci.low,
      sdHigh: ci.high,
      byAxis,
      critical,
      note,
      band: (a, b) => {
        const sa = sdOf(a);
        const sb = sdOf(b);
        return tq(Math.min(sa.df, sb.df)) * Math.sqrt((sa.sd * sa.sd) / a.n + (sb.sd * sb.sd) / b.n);
      },
    };
  }
  if (o.valSize !== undefined) {
    const n = o.valSize;
    const half = (p: PointStat): number => {
      if (!(p.mean >= 0 && p.mean <= 1)) {
        throw new HyperzoneError('STAGE_ERROR', `Cannot use \`valSize\` for the noise band: the objective value ${p.mean} is not a proportion in [0, 1]; run stage 1 with \`repeats\` ≥ 2 or give \`noiseBand\``);
      }
      const w = wilsonInterval(p.mean, n, o.confidence);
      return (w.high - w.low) / 2;
    };
    const note = `no grid point was run with 2 seeds, so the band is the Wilson interval of ${n} validation examples: it describes re-drawing the validation set, which all configurations share, and overstates the noise between them`;
    return { ...base, source: 'wilson', sd: null, df: 0, sdLow: null, sdHigh: null, byAxis: null, critical: null, note, band: (a, b) => Math.hypot(half(a), half(b)) };
  }
  throw new HyperzoneError(
    'STAGE_ERROR',
    'Cannot estimate the noise band: no configuration was run with ≥ 2 seeds and no `valSize` was given; keep `repeat_share` above 0 (the default repeats a fifth of the grid), set `repeats: 2`, `valSize` (validation examples) or `noiseBand`',
  );
}

const fmt = (x: number): string => x.toPrecision(2);

/**
 * The axis along which the seed-to-seed variance differs most (Bartlett's test over the axis's values), when
 * that difference is significant at `alpha`; its per-value sds shrunk toward the global one. Null otherwise.
 */
function heterogeneity(
  points: readonly PointStat[],
  axes: readonly { readonly name: string; readonly values: readonly ParamValue[] }[],
  globalDf: number,
  alpha: number,
): NoiseSummary['byAxis'] {
  let best: NoiseSummary['byAxis'] = null;
  for (const ax of axes) {
    const groups = ax.values.map((v) => {
      const p = pool(points.filter((q) => q.params[ax.name] === v));
      return { value: v, variance: p.df > 0 ? p.ss / p.df : 0, df: p.df };
    });
    const test = bartlettTest(groups);
    if (test.df < 1 || test.p > alpha || (best !== null && test.p >= best.bartlettP)) continue;
    // Shrink each level's log-variance toward the df-weighted mean log-variance (sample variances scatter
    // multiplicatively, as chi-square), the common value counting as much as an average level's own data.
    const k = globalDf / ax.values.length;
    const withData = groups.filter((g) => g.df > 0 && g.variance > 0);
    const centre = withData.reduce((s, g) => s + g.df * Math.log(g.variance), 0) / withData.reduce((s, g) => s + g.df, 0);
    const levels = groups.map((g) => {
      const own = g.df > 0 && g.variance > 0 ? g.df * Math.log(g.variance) : 0;
      const df = g.df > 0 && g.variance > 0 ? g.df : 0;
      return { value: g.value, rawSd: g.df > 0 ? Math.sqrt(g.variance) : null, df: g.df, sd: Math.exp((own + k * centre) / (df + k) / 2) };
    });
    best = { axis: ax.name, bartlettP: test.p, levels };
  }
  return best;
}
