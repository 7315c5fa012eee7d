import { max, min } from 'd3-array';
import type { DistributionSpec } from '../../space/distribution.js';
import { scaleLinear, scaleLog } from 'd3-scale';
import { formatTick, logBase, logTicks, niceStep } from './ticks.js';

/** A map from data values to pixels along one axis, with its ticks: a d3 scale with the report's tick policy. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Data value → pixel. */
  map(v: number): number;
  /** Tick values inside the domain, about `count` of them (linear) or at most `count` (log). */
  ticks(count?: number): number[];
  /** A tick label, with the decimals the step of `ticks(count)` needs. */
  format(v: number, count?: number): string;
}

/** A linear scale (d3's scaleLinear); a zero-width domain is widened so every value maps to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  let [d0, d1] = domain;
  if (d0 === d1) {
    d0 -= 0.5;
    d1 += 0.5;
  }
  const s = scaleLinear().domain([d0, d1]).range([range[0], range[1]]);
  return {
    kind: 'linear',
    domain: [d0, d1],
    range,
    map: (v) => s(v),
    ticks: (count = 5) => s.ticks(count),
    format: (v, count = 5) => formatTick(v, niceStep(Math.abs(d1 - d0), count)),
  };
}

/**
 * A logarithmic scale (d3's scaleLog; domain > 0); a zero-width domain is widened by a factor of 2 either way. Ticks
 * count in `base`: by default 2 for up to 12 octaves from 1 up (units, batch sizes), else 10.
 */
export function logScale(domain: readonly [number, number], range: readonly [number, number], base?: 2 | 10): Scale {
  let [d0, d1] = domain;
  if (!(d0 > 0) || !(d1 > 0)) throw new RangeError(`A log scale needs a positive domain, got [${d0}, ${d1}]`);
  if (d0 === d1) {
    d0 /= 2;
    d1 *= 2;
  }
  const b = base ?? logBase(Math.min(d0, d1), Math.max(d0, d1));
  const s = scaleLog().domain([d0, d1]).range([range[0], range[1]]);
  return {
    kind: 'log',
    domain: [d0, d1],
    range,
    map: (v) => s(v),
    ticks: (count = 8) => logTicks(d0, d1, Math.max(2, count), b),
    format: (v) => formatTick(v),
  };
}

/** Whether v is 2^k, or 1.5 × 2^k when midpoints are allowed (the series 128, 192, 256, 384, …). */
function powerOfTwo(v: number, midpoints: boolean): boolean {
  if (!(v > 0)) return false;
  const isPow = (x: number): boolean => Math.abs(Math.log2(x) - Math.round(Math.log2(x))) < 1e-9;
  return isPow(v) || (midpoints && isPow(v / 3));
}

/**
 * Whether an axis reads best on a log scale: the distribution says `log: true`, or the values (positive, at
 * least 3 distinct, spanning a factor ≥ 4; a series' or numeric categorical's own values when given) are powers of two (with or without 1.5×
 * midpoints), or form a
 * geometric series (consecutive ratios ≥ 1.5 that differ by under 10%).
 */
export function isLogAxis(dist: DistributionSpec | undefined, values: readonly number[]): boolean {
  if (dist && (dist.type === 'int' || dist.type === 'float') && dist.log === true) return true;
  if (dist && (dist.type === 'int' || dist.type === 'float')) return false;
  // A finite domain decides by its own values (points between them, e.g. from a line search, do not count).
  if (dist && dist.type === 'series') values = dist.values;
  if (dist && dist.type === 'categorical' && dist.choices.every((c) => typeof c === 'number')) values = dist.choices as number[];
  const vs = [...new Set(values.filter(Number.isFinite))].sort((a, b) => a - b);
  if (vs.length < 3 || !((vs[0] as number) > 0)) return false;
  if ((vs[vs.length - 1] as number) / (vs[0] as number) < 4) return false;
  if (vs.every((v) => powerOfTwo(v, true))) return true;
  const ratios = vs.slice(1).map((v, i) => v / (vs[i] as number));
  const lo = min(ratios) ?? NaN;
  const hi = max(ratios) ?? NaN;
  return lo >= 1.5 && hi / lo < 1.1;
}

/** A linear or log scale over [lo, hi] into a pixel range. */
export function makeScale(log: boolean, domain: readonly [number, number], range: readonly [number, number], base?: 2 | 10): Scale {
  return log ? logScale(domain, range, base) : linearScale(domain, range);
}
