import type { Space } from '../space/space.js';
import type { Direction, ParamValue, Params, TrialRecord } from '../core/types.js';
import { mean } from '../stats/intervals.js';
import type { Sampler, SamplerContext } from '../samplers/sampler.js';
import { paramsKey } from '../core/keys.js';
import type { Zone } from './zones/options.js';

/** Options of the coordinate ("as-if gradient") search. */
export interface CoordinateSearchOptions {
  /** Where the walk starts (default: the middle value of every axis). */
  readonly start?: Params;
  /** Stop proposing after this many distinct configurations (default: no limit besides the grid). */
  readonly maxTrials?: number;
}

/** What the walk knows about a configuration: goodness (larger is better), pending, or nothing. */
export type CoordLookup = (p: Params) => number | 'pending' | undefined;

/** The walk's state after replaying everything known. */
export interface CoordinateWalk {
  /** The next configuration to evaluate, or null (walk finished, or blocked on running trials). */
  readonly next: Params | null;
  /** Whether `next` is null only because a needed trial is still running. */
  readonly blocked: boolean;
  /** Whether `next` is a prefetch of a neighbour while the walk waits on a running trial. */
  readonly speculative: boolean;
  /** Remembered local extrema, in the order found. */
  readonly extrema: readonly Params[];
  /** The current point, axis and direction of the walk. */
  readonly center: Params;
  readonly axis: string;
  readonly direction: 1 | -1;
  /** Distinct configurations the walk has evaluated. */
  readonly evaluated: number;
}

interface Axis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/** The space's grid axes: ordered parameters with finite values. */
function gridAxes(space: Space): Axis[] {
  const out: Axis[] = [];
  for (const name of space.names) {
    const d = space.get(name);
    const values = d.values();
    if (d.ordered && values !== null && values.length > 1) out.push({ name, values });
  }
  return out;
}

/**
 * Replays the seed article's "as-if gradient" walk over a grid from known values: keep moving in
 * the last successful direction, try the opposite only when a step got worse, alternate axes after
 * each move. A point no neighbour improves on is a local extremum: it is remembered, and the walk
 * steps out (towards the side of the grid with the most unvisited points) without shrinking its
 * step, never revisiting a point, until the grid or the budget ends.
 */
export function replayCoordinateWalk(space: Space, lookup: CoordLookup, options: CoordinateSearchOptions = {}): CoordinateWalk {
  const axes = gridAxes(space);
  const startParams: Record<string, ParamValue> = {};
  for (const n of space.names) startParams[n] = options.start?.[n] ?? space.get(n).fromUnit(0.5);
  let c: Params = startParams;
  const dirs = new Map<string, 1 | -1>(axes.map((a) => [a.name, 1]));
  let a = 0;
  const visited = new Set<string>([paramsKey(c)]);
  const extrema: Params[] = [];
  const seenEval = new Set<string>();
  const state = (next: Params | null, blocked = false, speculative = false): CoordinateWalk => ({
    next,
    blocked,
    speculative,
    extrema,
    center: c,
    axis: axes[a % Math.max(1, axes.length)]?.name ?? '',
    direction: dirs.get(axes[a % Math.max(1, axes.length)]?.name ?? '') ?? 1,
    evaluated: seenEval.size,
  });
  const neighbour = (p: Params, ax: Axis, d: 1 | -1): Params | null => {
    const i = ax.values.indexOf(p[ax.name] as ParamValue);
    const v = ax.values[i + d];
    return i < 0 || v === undefined ? null : { ...p, [ax.name]: v };
  };
  /** Unvisited neighbours that are neither known nor pending: what to prefetch while blocked. */
  const prefetch = (): CoordinateWalk => {
    for (const ax of axes) {
      for (const d of [dirs.get(ax.name) ?? 1, -(dirs.get(ax.name) ?? 1)] as const) {
        const x = neighbour(c, ax, d as 1 | -1);
        if (x && !visited.has(paramsKey(x)) && lookup(x) === undefined) return state(x, false, true);
      }
    }
    return state(null, true);
  };
  const budgetLeft = (): boolean => options.maxTrials === undefined || seenEval.size < options.maxTrials;

  const gc0 = lookup(c);
  if (gc0 === undefined) return state(c);
  if (gc0 === 'pending') return state(null, true);
  seenEval.add(paramsKey(c));
  let gc = gc0;
  if (axes.length === 0) return state(null);
  for (let guard = 0; guard < 100_000; guard++) {
    let moved = false;
    for (let k = 0; k < axes.length && !moved; k++) {
      const ax = axes[(a + k) % axes.length] as Axis;
      const d0 = dirs.get(ax.name) ?? 1;
      for (const d of [d0, -d0 as 1 | -1]) {
        const x = neighbour(c, ax, d);
        if (!x || visited.has(paramsKey(x))) continue;
        const gx = lookup(x);
        if (gx === undefined) return budgetLeft() ? state(x) : state(null);
        if (gx === 'pending') return prefetch();
        seenEval.add(paramsKey(x));
        if (gx > gc) {
          c = x;
          gc = gx;
          dirs.set(ax.name, d);
          a = (axes.indexOf(ax) + 1) % axes.length;
          visited.add(paramsKey(c));
          moved = true;
          break;
        }
      }
    }
    if (moved) continue;
    // No unvisited neighbour improves: a local extremum when no visited one does either.
    let isMax = true;
    for (const ax of axes) {
      for (const d of [1, -1] as const) {
        const x = neighbour(c, ax, d);
        const gx = x ? lookup(x) : undefined;
        if (typeof gx === 'number' && gx > gc) isMax = false;
      }
    }
    if (isMax && !extrema.some((e) => paramsKey(e) === paramsKey(c))) extrema.push(c);
    // Step out towards the side with the most unvisited grid points, keeping the step size.
    let best: { x: Params; g: number; ax: Axis; d: 1 | -1; room: number } | null = null;
    for (const ax of axes) {
      for (const d of [1, -1] as const) {
        const x = neighbour(c, ax, d);
        if (!x || visited.has(paramsKey(x))) continue;
        let room = 0;
        for (let y = neighbour(c, ax, d); y; y = neighbour(y, ax, d)) if (!visited.has(paramsKey(y))) room++;
        if (!best || room > best.room) best = { x, g: lookup(x) as number, ax, d, room };
      }
    }
    if (!best) return state(null);
    c = best.x;
    gc = best.g;
    dirs.set(best.ax.name, best.d);
    a = axes.indexOf(best.ax);
    visited.add(paramsKey(c));
  }
  return state(null);
}

/** Goodness lookup from a study's trials: mean over complete runs; failed/pruned count as worst. */
export function lookupFromTrials(trials: readonly TrialRecord[], direction: Direction): CoordLookup {
  const sign = direction === 'maximize' ? 1 : -1;
  const groups = new Map<string, { values: number[]; pending: boolean; failed: boolean }>();
  for (const t of trials) {
    const k = paramsKey(t.params);
    const g = groups.get(k) ?? { values: [], pending: false, failed: false };
    if (t.state === 'complete' && t.value !== null) g.values.push(t.value);
    else if (t.state === 'waiting' || t.state === 'running') g.pending = true;
    else g.failed = true;
    groups.set(k, g);
  }
  return (p) => {
    const g = groups.get(paramsKey(p));
    if (!g) return undefined;
    if (g.values.length > 0) return sign * mean(g.values);
    if (g.pending) return 'pending';
    return -Infinity;
  };
}

/**
 * The seed article's "as-if gradient" alternative as a Sampler over a grid space. It is sequential:
 * its state is replayed from the trials (so it resumes), and each proposal records it in attrs
 * (`coord.center`, `coord.axis`, `coord.direction`, `coord.extrema`, `coord.speculative`).
 * While the trial it needs is still running it prefetches an unvisited neighbour; when none is left
 * it returns null, which then means "ask again once running trials finish", not "finished".
 */
export class CoordinateSearchSampler implements Sampler {
  readonly name = 'coordinate';
  constructor(private readonly options: CoordinateSearchOptions = {}) {}
  sample(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } | null {
    const walk = replayCoordinateWalk(ctx.space, lookupFromTrials(ctx.trials, ctx.direction), this.options);
    if (walk.next === null) return null;
    return {
      params: walk.next,
      attrs: { 'coord.center': walk.center, 'coord.axis': walk.axis, 'coord.direction': walk.direction, 'coord.extrema': walk.extrema, 'coord.speculative': walk.speculative },
    };
  }
}

/** The local extrema the walk has remembered so far, from a study's trials. */
export function coordinateExtrema(space: Space, trials: readonly TrialRecord[], direction: Direction, options: CoordinateSearchOptions = {}): Params[] {
  return [...replayCoordinateWalk(space, lookupFromTrials(trials, direction), options).extrema];
}

/** Remembered extrema as zones (best first), so stage 2 (`refine` with `zones`) refines each of them. */
export function zonesFromExtrema(extrema: readonly Params[], trials: readonly TrialRecord[], direction: Direction): Zone[] {
  const sign = direction === 'maximize' ? 1 : -1;
  const stats = extrema.map((peak) => {
    const vals = trials.filter((t) => t.state === 'complete' && t.value !== null && paramsKey(t.params) === paramsKey(peak)).map((t) => t.value as number);
    return { peak, value: mean(vals), n: vals.length };
  });
  stats.sort((x, y) => sign * (y.value - x.value));
  return stats.map((s, i) => ({ rank: i + 1, peak: s.peak, value: s.value, n: s.n, prominence: null, extent: [s.peak] }));
}
