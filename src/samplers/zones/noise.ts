import { HyperzoneError } from '../../errors.js';
import { studentTQuantile } from '../../stats/distributions.js';
import { wilsonInterval } from '../../stats/intervals.js';
import { variance } from '../../stats/intervals.js';
import type { PointStat } from './common.js';

/** How large a difference between two points is still noise. */
export interface NoiseModel {
  /** Where the band comes from. */
  readonly source: 'fixed' | 'repeats' | 'wilson';
  /** Pooled within-configuration standard deviation (repeats), else null. */
  readonly sd: number | null;
  /** The band for a difference between points a and b, in objective units. */
  band(a: PointStat, b: PointStat): number;
}

/**
 * Estimates the noise band: an explicit `noiseBand`; else the pooled seed-to-seed spread of points run
 * with ≥ 2 seeds (t-quantile × sd × √(1/nₐ + 1/n_b)); else the Wilson half-widths of both values on
 * `valSize` validation examples combined (√(hₐ² + h_b²)). Throws STAGE_ERROR when none applies.
 */
export function estimateNoise(points: readonly PointStat[], o: { noiseBand: number | undefined; valSize: number | undefined; confidence: number }): NoiseModel {
  if (o.noiseBand !== undefined) {
    const b = o.noiseBand;
    return { source: 'fixed', sd: null, band: () => b };
  }
  let ss = 0;
  let df = 0;
  for (const p of points) {
    if (p.n < 2) continue;
    ss += variance(p.values) * (p.n - 1);
    df += p.n - 1;
  }
  if (df >= 1) {
    const sd = Math.sqrt(ss / df);
    const t = studentTQuantile(1 - (1 - o.confidence) / 2, df);
    return { source: 'repeats', sd, band: (a, b) => t * sd * Math.sqrt(1 / a.n + 1 / b.n) };
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
    return { source: 'wilson', sd: null, band: (a, b) => Math.hypot(half(a), half(b)) };
  }
  throw new HyperzoneError(
    'STAGE_ERROR',
    'Cannot estimate the noise band: no configuration was run with ≥ 2 seeds and no `valSize` was given; set `repeats: 2` for stage 1, `valSize` (validation examples) or `noiseBand`',
  );
}
