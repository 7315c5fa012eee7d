import type { Direction, ParamValue, TrialState } from '../core/types.js';
import { paretoFrontBy } from '../stats/pareto.js';
import type { Axis } from './axis.js';
import type { TrialRow } from './study-cache.js';

/** The objective metric's value of a trial at exactly this step, or null when it did not report it. */
export function valueAtStep(row: TrialRow, step: number): number | null {
  let lo = 0;
  let hi = row.steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = row.steps[mid] as number;
    if (s === step) return row.stepValues[mid] as number;
    if (s < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/** A surface: mean metric per cell of two params' grid, with how many trials (seeds, repeats) each mean is over. */
export interface Surface {
  readonly x: AxisJson;
  readonly y: AxisJson;
  /** The step the metric was read at, or null for the trials' final objective values. */
  readonly epoch: number | null;
  /** z[yi][xi]: mean over the cell's trials, null when the cell has none. */
  readonly z: (number | null)[][];
  readonly n: number[][];
  /** Trials that went into the grid. */
  readonly trials: number;
  /** The best cell by mean in the study's direction. */
  readonly best: { readonly xi: number; readonly yi: number; readonly value: number } | null;
}

/** An axis as the browser gets it. */
export interface AxisJson {
  readonly param: string;
  readonly kind: Axis['kind'];
  readonly log: boolean;
  readonly positions: number[];
  readonly labels: string[];
}

export function axisJson(a: Axis): AxisJson {
  return { param: a.param, kind: a.kind, log: a.log, positions: a.positions, labels: a.labels };
}

/**
 * The metric over params `x` × `y` at step `epoch` (null: the final objective value of complete trials), averaged per
 * cell: the browser gets a grid of at most a few hundred numbers whatever the study's size, never the curves.
 * Axes are built from every trial's values, so the grid keeps its shape as the slider moves.
 */
export function surface(rows: readonly TrialRow[], ax: Axis, ay: Axis, epoch: number | null, direction: Direction): Surface {
  const x = ax.param;
  const y = ay.param;
  const sum = ay.positions.map(() => ax.positions.map(() => 0));
  const n = ay.positions.map(() => ax.positions.map(() => 0));
  let trials = 0;
  for (const r of rows) {
    const v = epoch === null ? (r.state === 'complete' ? r.value : null) : valueAtStep(r, epoch);
    if (v === null || !Number.isFinite(v)) continue;
    const xi = ax.cellOf(r.params[x]);
    const yi = ay.cellOf(r.params[y]);
    if (xi < 0 || yi < 0) continue;
    (sum[yi] as number[])[xi] = ((sum[yi] as number[])[xi] as number) + v;
    (n[yi] as number[])[xi] = ((n[yi] as number[])[xi] as number) + 1;
    trials += 1;
  }
  let best: Surface['best'] = null;
  const z = sum.map((row, yi) => row.map((s, xi) => {
    const k = (n[yi] as number[])[xi] as number;
    if (k === 0) return null;
    const mean = s / k;
    if (best === null || (direction === 'maximize' ? mean > best.value : mean < best.value)) best = { xi, yi, value: mean };
    return mean;
  }));
  return { x: axisJson(ax), y: axisJson(ay), epoch, z, n, trials, best };
}

/** A study's trials counted by state and by zone-strategy stage, and its best complete trial (the first of equals). */
export interface Tally {
  readonly counts: Record<TrialState, number>;
  readonly stages: Record<string, number>;
  readonly best: TrialRow | null;
}

/** The summary's tally over every row. */
export function tally(rows: readonly TrialRow[], direction: Direction): Tally {
  const counts: Record<TrialState, number> = { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 };
  const stages: Record<string, number> = {};
  let best: TrialRow | null = null;
  const max = direction === 'maximize';
  for (const r of rows) {
    counts[r.state] += 1;
    if (r.stage !== null) stages[r.stage] = (stages[r.stage] ?? 0) + 1;
    if (r.state === 'complete' && r.value !== null && Number.isFinite(r.value)
      && (best === null || (max ? r.value > (best.value as number) : r.value < (best.value as number)))) best = r;
  }
  return { counts, stages, best };
}

/** One point of best-so-far against compute: after `compute` epochs (or seconds) of finished trials, the best value was `best`. */
export interface BestPoint {
  readonly compute: number;
  readonly best: number;
  readonly number: number;
}

/**
 * Best objective so far against compute used, in finishing order: compute is the cumulative epochs (steps reported) or
 * seconds of every finished trial, pruned and failed ones included, since they used it too. Only the points where the
 * best improves and the last point are sent: the curve is a step function, so nothing is lost.
 */
export function bestSoFar(rows: readonly TrialRow[], by: 'epochs' | 'seconds', direction: Direction): { points: BestPoint[]; total: number; finished: number } {
  const done = rows.filter((r) => r.state === 'complete' || r.state === 'pruned' || r.state === 'failed')
    .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.number - b.number);
  const points: BestPoint[] = [];
  let compute = 0;
  let best: number | null = null;
  let lastNumber = -1;
  for (const r of done) {
    compute += by === 'epochs' ? r.stepCount : r.seconds ?? 0;
    lastNumber = r.number;
    const v = r.state === 'complete' ? r.value : null;
    if (v !== null && Number.isFinite(v) && (best === null || (direction === 'maximize' ? v > best : v < best))) {
      best = v;
      points.push({ compute, best, number: r.number });
    }
  }
  if (best !== null && points.length > 0 && (points[points.length - 1] as BestPoint).compute !== compute) points.push({ compute, best, number: lastNumber });
  return { points, total: compute, finished: done.length };
}

// Parameter importance (ε² main effects) lives in stats/ so that `hyperzone report` draws the same numbers.
export { importance, type Importance } from '../stats/importance.js';

/** One dimension of parallel coordinates (and the slice plots, which read the same sample). */
export interface Dimension {
  readonly label: string;
  readonly values: number[];
  readonly log?: boolean;
  /** Category names for a string/boolean param, whose values are then indices. */
  readonly categories?: string[];
}

/**
 * Complete trials for parallel coordinates and slice plots: every one up to `limit`, else the best fifth of `limit`
 * plus an even sample (by trial number) of the rest, and the response says so.
 */
export function parallel(rows: readonly TrialRow[], axes: readonly Axis[], limit: number, direction: Direction, metric: string):
  { dimensions: Dimension[]; numbers: number[]; shown: number; total: number } {
  const done = rows.filter((r) => r.state === 'complete' && r.value !== null && Number.isFinite(r.value));
  let pick = done;
  if (done.length > limit) {
    // The best fifth by value, ties by number: the cut found with a numeric sort of the values (no comparator over
    // 100,000 rows), then only the trials at or beyond it ranked.
    const sign = direction === 'maximize' ? -1 : 1;
    const k = Math.ceil(limit / 5);
    const keys = Float64Array.from(done, (r) => sign * (r.value as number)).sort();
    const cut = keys[k - 1] as number;
    const top = done.filter((r) => sign * (r.value as number) <= cut)
      .sort((a, b) => sign * ((a.value as number) - (b.value as number)) || a.number - b.number).slice(0, k);
    const inTop = new Set(top);
    const rest = done.filter((r) => !inTop.has(r));
    const want = limit - top.length;
    const sample = Array.from({ length: want }, (_, i) => rest[Math.floor((i * rest.length) / want)] as TrialRow);
    pick = [...top, ...sample].sort((a, b) => a.number - b.number);
  }
  return parallelOf(pick, done.length, axes, metric);
}

/** Parallel coordinates over the trials picked (in number order), of `total` complete ones. */
export function parallelOf(pick: readonly TrialRow[], total: number, axes: readonly Axis[], metric: string):
  { dimensions: Dimension[]; numbers: number[]; shown: number; total: number } {
  const dims: Dimension[] = axes.map((ax) => {
    const p = ax.param;
    if (ax.kind === 'categories') return { label: p, values: pick.map((r) => ax.cellOf(r.params[p])), categories: ax.labels };
    return { label: p, values: pick.map((r) => (typeof r.params[p] === 'number' ? (r.params[p] as number) : NaN)), log: ax.log };
  });
  if (pick.some((r) => r.parameters !== null)) dims.push({ label: 'parameters', values: pick.map((r) => r.parameters ?? NaN) });
  dims.push({ label: metric, values: pick.map((r) => r.value as number) });
  return { dimensions: dims, numbers: pick.map((r) => r.number), shown: pick.length, total };
}

/** The size chart's Pareto front, as sent. */
export interface SizeFront {
  readonly parameters: number[];
  readonly values: number[];
  readonly numbers: number[];
  /** Complete trials that report `parameters` (the front is over these). */
  readonly trials: number;
}

/**
 * The objective against trainable parameters: the Pareto front (fewest parameters for the value reached) over every
 * complete trial that reports `parameters`, whatever the sample parallel coordinates show; null when none does.
 */
export function sizeFront(rows: readonly TrialRow[], direction: Direction): SizeFront | null {
  const sized = rows.filter((r) => r.state === 'complete' && r.parameters !== null && r.value !== null && Number.isFinite(r.value));
  if (sized.length === 0) return null;
  const front = paretoFrontBy(sized, (r) => r.parameters as number, (r) => r.value as number, ['minimize', direction]);
  return {
    parameters: front.map((r) => r.parameters as number), values: front.map((r) => r.value as number),
    numbers: front.map((r) => r.number), trials: sized.length,
  };
}

/** Columns the trial table sorts by; `param:NAME` sorts by a param. */
export const SORT_KEYS = ['number', 'state', 'value', 'epoch', 'parameters', 'seconds', 'stage'] as const;

/** How one row compares for a sort key: numbers, then strings; nulls are handled by the caller (always last). */
export function sortValue(r: TrialRow, key: string): number | string | null {
  switch (key) {
    case 'number': return r.number;
    case 'state': return STATE_ORDER[r.state];
    case 'value': return r.value;
    case 'epoch': return r.epoch;
    case 'parameters': return r.parameters;
    case 'seconds': return r.seconds;
    case 'stage': return r.stage;
    default: {
      const v: ParamValue | undefined = r.params[key.slice('param:'.length)];
      return v === undefined ? null : typeof v === 'number' ? v : String(v);
    }
  }
}

const STATE_ORDER: Record<TrialState, number> = { running: 0, waiting: 1, complete: 2, pruned: 3, failed: 4 };

/**
 * The table's order of rows `a` and `b` (indices) by their keys `ka`, `kb`: rows without a value for the key go last
 * in either order, ties by index. `sign` is -1 for descending.
 */
export function compareKeys(ka: number | string | null, kb: number | string | null, a: number, b: number, sign: number): number {
  if (ka === null || kb === null) return ka === kb ? a - b : ka === null ? 1 : -1;
  if (ka === kb) return a - b;
  if (typeof ka === 'number' && typeof kb === 'number') return sign * (ka - kb);
  return sign * String(ka).localeCompare(String(kb));
}

/** Trial numbers (row indices) filtered by state and sorted by `key`; rows without a value for the key go last in either order. */
export function sortedIndices(rows: readonly TrialRow[], states: readonly TrialState[] | null, key: string, descending: boolean): number[] {
  const idx: number[] = [];
  rows.forEach((r, i) => {
    if (states === null || states.includes(r.state)) idx.push(i);
  });
  const keys = rows.map((r) => sortValue(r, key));
  const sign = descending ? -1 : 1;
  return idx.sort((a, b) => compareKeys(keys[a] as number | string | null, keys[b] as number | string | null, a, b, sign));
}
