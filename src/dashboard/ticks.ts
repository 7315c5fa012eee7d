import { extent } from 'd3-array';
import { formatTick, logTicks } from '../reports/svg/ticks.js';
import type { Dimension, SizeFront } from './aggregate.js';

/** Tick values and their labels, for an axis Plotly draws. */
export interface Ticks {
  readonly values: number[];
  readonly labels: string[];
}

/**
 * Ticks of a log axis over the positive finite values (d3's, as the report draws them: powers of two for up to 12
 * octaves from 1 up, else 1-2-5 or whole decades), labelled in full; null when there are none. The browser gets them
 * with the data, so it needs no tick code of its own and no d3.
 */
export function logAxisTicks(values: readonly number[], base?: 2 | 10): Ticks | null {
  const [lo, hi] = extent(values.filter((v) => Number.isFinite(v) && v > 0));
  if (lo === undefined || hi === undefined) return null;
  const ts = logTicks(lo, hi, 8, ...(base ? [base] as const : []));
  return { values: ts, labels: ts.map((t) => formatTick(t)) };
}

/** Parallel coordinates' answer with ticks for each log dimension and for the size chart's parameters axis (decades). */
export function withTicks<T extends { dimensions: Dimension[]; front: SizeFront | null }>(r: T):
  T & { dimensions: (Dimension & { ticks?: Ticks })[]; sizeTicks: Ticks | null } {
  const size = r.dimensions.find((d) => d.label === 'parameters');
  return {
    ...r,
    dimensions: r.dimensions.map((d) => {
      const ticks = d.log ? logAxisTicks(d.values) : null;
      return ticks ? { ...d, ticks } : d;
    }),
    sizeTicks: size ? logAxisTicks([...size.values, ...(r.front?.parameters ?? [])], 10) : null,
  };
}
