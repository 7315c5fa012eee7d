import type { ObjectiveSpec } from '../core/types.js';
import { frontOutline, logAxisFor } from '../reports/svg/front.js';
import { hypervolume } from '../stats/pareto.js';
import { mergeIn, Staircase, type FrontStep } from './incremental.js';
import type { Change, Incremental, TrialRow } from './study-cache.js';
import { logAxisTicks, type Ticks } from './ticks.js';

/** Points of the Pareto chart sent at most besides the front (an even sample by trial number). */
export const MAX_PARETO_POINTS = 5000;
/** Front trials sent at most (thinned evenly along the front, its two ends kept). */
export const MAX_FRONT = 2000;

/** A front point: both objectives in minimisation form (u: the second, drawn across; v: the first, drawn up), and its trials (equal vectors share one). */
type FrontEntry = FrontStep<TrialRow>;

/** What the aggregate keeps: the front, the valued trials by number, each objective's range in minimisation form. */
export interface ParetoState {
  readonly front: readonly FrontEntry[];
  /** Row indices of the complete trials with both values, ascending (= by number). */
  readonly valued: readonly number[];
  /** [min u, max u, min v, max v]; NaN before the first valued trial. */
  readonly range: readonly [number, number, number, number];
}

/**
 * The Pareto front of a two-objective study (stats/pareto's, the one `status` lists: equal value vectors all stay),
 * kept current as trials arrive: sorted by the second objective with the first strictly improving, a new trial dropped
 * when a front point beats it on both, else put in and pushing out the points it beats, in O(log f) per trial plus the
 * splice. Complete trials do not change; one that does (or leaves) makes the aggregate be built again from every row.
 */
export class ParetoAgg implements Incremental<ParetoState> {
  private readonly front = new Staircase<TrialRow>();
  private valued: number[] = [];
  private range: [number, number, number, number] = [Infinity, -Infinity, Infinity, -Infinity];
  private readonly sy: number;
  private readonly sx: number;

  constructor(objectives: readonly [ObjectiveSpec, ObjectiveSpec]) {
    this.sy = objectives[0].direction === 'maximize' ? -1 : 1;
    this.sx = objectives[1].direction === 'maximize' ? -1 : 1;
  }

  static valued(r: TrialRow): boolean {
    const v = r.values;
    return r.state === 'complete' && v !== null && v !== undefined && v.length === 2 && Number.isFinite(v[0]) && Number.isFinite(v[1]);
  }

  update(changes: readonly Change[]): boolean {
    const last = new Map<number, Change>();
    for (const c of changes) {
      const before = last.get(c.index);
      last.set(c.index, before ? { index: c.index, old: before.old, row: c.row } : c);
    }
    const add: number[] = [];
    for (const c of last.values()) {
      if (c.old !== undefined && ParetoAgg.valued(c.old)) {
        const a = c.old.values as readonly number[];
        const b = c.row.values;
        if (c.row.state === 'complete' && b && a[0] === b[0] && a[1] === b[1]) continue;
        return false;
      }
      if (!ParetoAgg.valued(c.row)) continue;
      add.push(c.index);
      this.insert(c.row);
    }
    this.valued = mergeIn(this.valued, add, (a, b) => a - b);
    return true;
  }

  private insert(r: TrialRow): void {
    const vals = r.values as readonly number[];
    const u = this.sx * (vals[1] as number);
    const v = this.sy * (vals[0] as number);
    const g = this.range;
    this.range = [Math.min(g[0], u), Math.max(g[1], u), Math.min(g[2], v), Math.max(g[3], v)];
    this.front.insert(u, v, r);
  }

  result(): ParetoState {
    return { front: this.front.steps.map((e) => ({ ...e, rows: [...e.rows] })), valued: this.valued, range: this.range };
  }
}

/** An axis of the chart: its objective, whether it is drawn on a log scale, and the ticks then (d3's, from the server). */
interface ParetoAxis {
  readonly metric: string;
  readonly direction: ObjectiveSpec['direction'];
  readonly log: boolean;
  readonly ticks: Ticks | null;
}

/** Points as columns: trial numbers and each objective's value. */
interface Columns {
  readonly numbers: number[];
  readonly y: number[];
  readonly x: number[];
}

/** The Pareto chart's data as sent. */
export interface ParetoView {
  readonly y: ParetoAxis;
  readonly x: ParetoAxis;
  /** Complete trials with both values. */
  readonly total: number;
  /** The front (best first on the first objective), at most MAX_FRONT of its `frontTotal` trials. */
  readonly front: Columns;
  readonly frontTotal: number;
  /** An even sample (by trial number) of the valued trials, at most `limit`. */
  readonly points: Columns;
  /**
   * The front's hypervolume with each objective scaled to [0, 1] from its best to its worst observed value and the
   * reference point at the worst observed (as `status` prints it); null without a spread in both.
   */
  readonly hypervolume: number | null;
  /** The reference point in the objectives' own units (null before any valued trial). */
  readonly reference: { readonly y: number; readonly x: number } | null;
  /**
   * The region the front dominates up to the reference point, as a closed polygon in the objectives' own units (the
   * report's frontOutline; its area is the hypervolume before scaling); null before any valued trial. Past MAX_FRONT
   * steps it is the region of an even sample of them, which lies inside the whole front's.
   */
  readonly region: { readonly y: number[]; readonly x: number[] } | null;
}

function columns(rows: readonly TrialRow[]): Columns {
  return {
    numbers: rows.map((r) => r.number),
    y: rows.map((r) => (r.values as readonly number[])[0] as number),
    x: rows.map((r) => (r.values as readonly number[])[1] as number),
  };
}

/** Evenly spaced picks of `k` from `n` items (all when n ≤ k), the first and the last kept. */
function even<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  return Array.from({ length: k }, (_, i) => items[Math.round((i * (items.length - 1)) / (k - 1))] as T);
}

/** The chart's data from the aggregate: the front (thinned past MAX_FRONT), a sample of `limit` points, hypervolume, axes. */
export function paretoView(state: ParetoState, rows: readonly TrialRow[], objectives: readonly [ObjectiveSpec, ObjectiveSpec], limit: number): ParetoView {
  const [oy, ox] = objectives;
  const sy = oy.direction === 'maximize' ? -1 : 1;
  const sx = ox.direction === 'maximize' ? -1 : 1;
  const [u0, u1, v0, v1] = state.range;
  const any = state.valued.length > 0;
  // Best first on the first objective: the front is sorted by u ascending, so v descending; reversed, v ascending.
  const frontRows = [...state.front].reverse().flatMap((e) => e.rows);
  const spread = any && u1 > u0 && v1 > v0;
  const hv = spread ? hypervolume(state.front.map((e) => [(e.v - v0) / (v1 - v0), (e.u - u0) / (u1 - u0)]), [1, 1]) : null;
  const axis = (o: ObjectiveSpec, lo: number, hi: number): ParetoAxis => {
    const log = any && logAxisFor([lo, hi], o.metric);
    return { metric: o.metric, direction: o.direction, log, ticks: log ? logAxisTicks([lo / 1.15, hi * 1.15], 10) : null };
  };
  // Back in the objectives' own units: the smaller min-form value is the better one.
  const yLo = Math.min(sy * v0, sy * v1);
  const yHi = Math.max(sy * v0, sy * v1);
  const xLo = Math.min(sx * u0, sx * u1);
  const xHi = Math.max(sx * u0, sx * u1);
  return {
    y: axis(oy, yLo, yHi),
    x: axis(ox, xLo, xHi),
    total: state.valued.length,
    front: columns(even(frontRows, MAX_FRONT)),
    frontTotal: frontRows.length,
    points: columns(even(state.valued, limit).map((i) => rows[i] as TrialRow)),
    hypervolume: hv,
    reference: any ? { y: sy * v1, x: sx * u1 } : null,
    region: any ? regionOf(even(state.front, MAX_FRONT), sx, sy, { x: sx * u1, y: sy * v1 }, [ox.direction, oy.direction]) : null,
  };
}

function regionOf(steps: readonly FrontEntry[], sx: number, sy: number, ref: { x: number; y: number }, [dx, dy]: [ObjectiveSpec['direction'], ObjectiveSpec['direction']]):
  { y: number[]; x: number[] } {
  const { region } = frontOutline(steps.map((e) => ({ x: sx * e.u, y: sy * e.v })), { x: dx, y: dy }, ref);
  return { x: region.map((p) => p[0]), y: region.map((p) => p[1]) };
}
