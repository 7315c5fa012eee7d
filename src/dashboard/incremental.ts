import type { Direction, TrialState } from '../core/types.js';
import type { ImportanceAxis, Importance } from '../stats/importance.js';
import { axisJson, compareKeys, sortValue, valueAtStep, type BestPoint, type SizeFront, type Surface, type Tally } from './aggregate.js';
import type { Axis } from './axis.js';
import type { Change, Incremental, TrialRow } from './study-cache.js';

// The dashboard's aggregates kept current as trials change (StudyCache.incremental): each takes in a read's changes in
// O(changes) (a table's order in O(changes · log n) plus one pass without comparisons), and gives up (returns false,
// to be built again from every row) only where that cannot be done exactly: a best or front trial changed, trials
// finished out of order. Each equals its from-scratch counterpart in aggregate.ts (incremental.test.ts checks it over
// random sequences of writes on every storage backend); sums are kept as running sums, so means agree to rounding.

const FINISHED: ReadonlySet<TrialState> = new Set(['complete', 'pruned', 'failed']);

/** The last change of each row index in a read (a row is normally changed once; this keeps it exact if not). */
function lastChanges(changes: readonly Change[]): Change[] {
  const seen = new Map<number, Change>();
  for (const c of changes) {
    const before = seen.get(c.index);
    seen.set(c.index, before ? { index: c.index, old: before.old, row: c.row } : c);
  }
  return [...seen.values()];
}

/**
 * `sorted` with `add` put in, both in the order `cmp` (a total order): `add` is sorted and merged in one pass, O(n +
 * k log k), so a page of thousands of new trials costs one pass over the rows, not one per trial.
 */
export function mergeIn(sorted: readonly number[], add: number[], cmp: (a: number, b: number) => number): number[] {
  if (add.length === 0) return sorted as number[];
  add.sort(cmp);
  const out = new Array<number>(sorted.length + add.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < sorted.length && j < add.length) out[k++] = cmp(sorted[i] as number, add[j] as number) <= 0 ? (sorted[i++] as number) : (add[j++] as number);
  while (i < sorted.length) out[k++] = sorted[i++] as number;
  while (j < add.length) out[k++] = add[j++] as number;
  return out;
}

/** The summary's counts by state and stage and its best trial (aggregate.ts's `tally`). */
export class TallyAgg implements Incremental<Tally> {
  private readonly counts: Record<TrialState, number> = { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 };
  private readonly stages = new Map<string, number>();
  private best: { row: TrialRow; index: number } | null = null;

  constructor(private readonly direction: Direction) {}

  private valued(r: TrialRow): boolean {
    return r.state === 'complete' && r.value !== null && Number.isFinite(r.value);
  }

  update(changes: readonly Change[]): boolean {
    for (const c of lastChanges(changes)) {
      if (c.old !== undefined) {
        if (this.best !== null && this.best.index === c.index) return false;
        this.counts[c.old.state] -= 1;
        if (c.old.stage !== null) {
          const k = (this.stages.get(c.old.stage) ?? 0) - 1;
          if (k > 0) this.stages.set(c.old.stage, k);
          else this.stages.delete(c.old.stage);
        }
      }
      const r = c.row;
      this.counts[r.state] += 1;
      if (r.stage !== null) this.stages.set(r.stage, (this.stages.get(r.stage) ?? 0) + 1);
      if (this.valued(r)) {
        const v = r.value as number;
        const b = this.best;
        const better = b === null || (this.direction === 'maximize' ? v > (b.row.value as number) : v < (b.row.value as number))
          || (v === b.row.value && c.index < b.index);
        if (better) this.best = { row: r, index: c.index };
      }
    }
    return true;
  }

  result(): Tally {
    return { counts: { ...this.counts }, stages: Object.fromEntries(this.stages), best: this.best?.row ?? null };
  }

  /** The stages seen, in order of first appearance (the surface's `stage` choices). */
  stageNames(): string[] {
    return [...this.stages.keys()];
  }
}

/** One order of the trial table (aggregate.ts's `sortedIndices`): changed rows are taken out and merged back in. */
export class SortedTable implements Incremental<readonly number[]> {
  private idx: number[] = [];
  private readonly sign: number;

  constructor(private readonly states: readonly TrialState[] | null, private readonly key: string, private readonly descending: boolean) {
    this.sign = descending ? -1 : 1;
  }

  update(changes: readonly Change[], rows: readonly TrialRow[]): boolean {
    const changed = lastChanges(changes);
    if (changed.some((c) => c.old !== undefined)) {
      const out = new Set(changed.map((c) => c.index));
      this.idx = this.idx.filter((i) => !out.has(i));
    }
    const keyOf = (i: number): number | string | null => sortValue(rows[i] as TrialRow, this.key);
    const add = changed.filter((c) => this.states === null || this.states.includes(c.row.state)).map((c) => c.index);
    this.idx = mergeIn(this.idx, add, (a, b) => compareKeys(keyOf(a), keyOf(b), a, b, this.sign));
    return true;
  }

  result(): readonly number[] {
    return this.idx;
  }
}

/** Best so far against compute (aggregate.ts's `bestSoFar`): finished trials are appended in finishing order. */
export class BestSoFarAgg implements Incremental<{ points: BestPoint[]; total: number; finished: number }> {
  private compute = 0;
  private best: number | null = null;
  private readonly points: BestPoint[] = [];
  private lastNumber = -1;
  private finished = 0;
  /** The finishing order's last key: (finishedAt ?? 0, number). */
  private lastAt = -Infinity;

  constructor(private readonly by: 'epochs' | 'seconds', private readonly direction: Direction) {}

  update(changes: readonly Change[]): boolean {
    const done: TrialRow[] = [];
    for (const c of lastChanges(changes)) {
      const was = c.old !== undefined && FINISHED.has(c.old.state);
      if (was) {
        const o = c.old as TrialRow;
        const r = c.row;
        // A finished trial read again unchanged (it never changes) is nothing; anything else is rebuilt.
        if (r.state !== o.state || r.finishedAt !== o.finishedAt || r.stepCount !== o.stepCount || r.seconds !== o.seconds || r.value !== o.value) return false;
        continue;
      }
      if (FINISHED.has(c.row.state)) done.push(c.row);
    }
    done.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.number - b.number);
    for (const r of done) {
      const at = r.finishedAt ?? 0;
      if (at < this.lastAt || (at === this.lastAt && r.number < this.lastNumber)) return false;
      this.lastAt = at;
      this.finished += 1;
      this.compute += this.by === 'epochs' ? r.stepCount : r.seconds ?? 0;
      this.lastNumber = r.number;
      const v = r.state === 'complete' ? r.value : null;
      if (v !== null && Number.isFinite(v) && (this.best === null || (this.direction === 'maximize' ? v > this.best : v < this.best))) {
        this.best = v;
        this.points.push({ compute: this.compute, best: v, number: r.number });
      }
    }
    return true;
  }

  result(): { points: BestPoint[]; total: number; finished: number } {
    const points = [...this.points];
    const last = points[points.length - 1];
    if (this.best !== null && last !== undefined && last.compute !== this.compute) {
      points.push({ compute: this.compute, best: this.best, number: this.lastNumber });
    }
    return { points, total: this.compute, finished: this.finished };
  }
}

/** A surface's cell sums and counts (aggregate.ts's `surface`), over one stage's trials or (stage null) every trial. */
export class SurfaceAgg implements Incremental<Surface> {
  private readonly sum: Float64Array;
  private readonly n: Float64Array;
  private trials = 0;
  private readonly w: number;

  constructor(private readonly ax: Axis, private readonly ay: Axis, private readonly epoch: number | null, private readonly stage: string | null,
    private readonly direction: Direction) {
    this.w = ax.positions.length;
    this.sum = new Float64Array(this.w * ay.positions.length);
    this.n = new Float64Array(this.w * ay.positions.length);
  }

  /** The cell (flat index) and value a row adds, or null. */
  private contribution(r: TrialRow): { cell: number; v: number } | null {
    if (this.stage !== null && r.stage !== this.stage) return null;
    const v = this.epoch === null ? (r.state === 'complete' ? r.value : null) : valueAtStep(r, this.epoch);
    if (v === null || !Number.isFinite(v)) return null;
    const xi = this.ax.cellOf(r.params[this.ax.param]);
    const yi = this.ay.cellOf(r.params[this.ay.param]);
    if (xi < 0 || yi < 0) return null;
    return { cell: yi * this.w + xi, v };
  }

  update(changes: readonly Change[]): boolean {
    for (const c of changes) {
      const before = c.old === undefined ? null : this.contribution(c.old);
      if (before !== null) {
        const k = (this.n[before.cell] as number) - 1;
        this.n[before.cell] = k;
        // An empty cell starts again from an exact zero, so no rounding is left behind.
        this.sum[before.cell] = k === 0 ? 0 : (this.sum[before.cell] as number) - before.v;
        this.trials -= 1;
      }
      const now = this.contribution(c.row);
      if (now !== null) {
        this.n[now.cell] = (this.n[now.cell] as number) + 1;
        this.sum[now.cell] = (this.sum[now.cell] as number) + now.v;
        this.trials += 1;
      }
    }
    return true;
  }

  result(): Surface {
    let best: Surface['best'] = null;
    const z = this.ay.positions.map((_, yi) => this.ax.positions.map((_, xi) => {
      const k = this.n[yi * this.w + xi] as number;
      if (k === 0) return null;
      const mean = (this.sum[yi * this.w + xi] as number) / k;
      if (best === null || (this.direction === 'maximize' ? mean > best.value : mean < best.value)) best = { xi, yi, value: mean };
      return mean;
    }));
    const n = this.ay.positions.map((_, yi) => this.ax.positions.map((_, xi) => this.n[yi * this.w + xi] as number));
    return { x: axisJson(this.ax), y: axisJson(this.ay), epoch: this.epoch, z, n, trials: this.trials, best };
  }
}

/**
 * Parameter importance (stats/importance's ε² main effects) from running sums: over complete trials with a finite
 * value, the count, sum and sum of squares overall and per cell of each param's axis. Values are shifted by the first
 * one seen before squaring, so the sums of squares lose no precision to a large mean.
 */
export class ImportanceAgg implements Incremental<{ params: Importance[]; trials: number }> {
  private shift: number | null = null;
  private count = 0;
  private s1 = 0;
  private s2 = 0;
  private readonly cells: { n: Float64Array; s1: Float64Array; s2: Float64Array }[];

  constructor(private readonly axes: readonly ImportanceAxis[]) {
    this.cells = axes.map((a) => {
      const k = a.positions.length;
      return { n: new Float64Array(k), s1: new Float64Array(k), s2: new Float64Array(k) };
    });
  }

  private add(r: TrialRow, sign: 1 | -1): void {
    if (r.state !== 'complete' || r.value === null || !Number.isFinite(r.value)) return;
    if (this.shift === null) this.shift = r.value;
    const d = r.value - this.shift;
    this.count += sign;
    this.s1 += sign * d;
    this.s2 += sign * d * d;
    if (this.count === 0) this.s1 = this.s2 = 0;
    this.axes.forEach((ax, i) => {
      const c = ax.cellOf(r.params[ax.param]);
      if (c < 0) return;
      const cell = this.cells[i] as { n: Float64Array; s1: Float64Array; s2: Float64Array };
      const k = (cell.n[c] as number) + sign;
      cell.n[c] = k;
      cell.s1[c] = k === 0 ? 0 : (cell.s1[c] as number) + sign * d;
      cell.s2[c] = k === 0 ? 0 : (cell.s2[c] as number) + sign * d * d;
    });
  }

  update(changes: readonly Change[]): boolean {
    for (const c of changes) {
      if (c.old !== undefined) this.add(c.old, -1);
      this.add(c.row, 1);
    }
    return true;
  }

  result(): { params: Importance[]; trials: number } {
    const N = this.count;
    const mean = N > 0 ? this.s1 / N : 0;
    const total = N > 0 ? Math.max(0, this.s2 - this.s1 * mean) : 0;
    const out: Importance[] = this.axes.map((ax, i) => {
      const cell = this.cells[i] as { n: Float64Array; s1: Float64Array; s2: Float64Array };
      let between = 0;
      let within = 0;
      let n = 0;
      let k = 0;
      for (let c = 0; c < cell.n.length; c++) {
        const m = cell.n[c] as number;
        if (m === 0) continue;
        const cellMean = (cell.s1[c] as number) / m;
        between += m * (cellMean - mean) ** 2;
        within += Math.max(0, (cell.s2[c] as number) - (cell.s1[c] as number) * cellMean);
        n += m;
        k += 1;
      }
      const eta2 = total > 0 ? between / total : 0;
      const share = total > 0 && n > k && k > 0 ? Math.max(0, (between - (k - 1) * (within / (n - k))) / total) : 0;
      return { param: ax.param, share, eta2, cells: k };
    });
    return { params: out.sort((a, b) => b.share - a.share), trials: N };
  }
}

/** A step of a two-objective front: both objectives in minimisation form, and its trials (equal vectors share one step, by number). */
export interface FrontStep<T> {
  readonly u: number;
  readonly v: number;
  readonly rows: T[];
}

/**
 * A two-objective front kept current point by point (both objectives in minimisation form): steps sorted by u with v
 * strictly decreasing. A new point is dropped when a step matches or beats it on both (an equal one joins that step),
 * else it goes in and pushes out the steps it beats. O(log f) per point plus the splice. Used by the size chart's
 * front (FrontAgg) and the two-objective chart's (pareto.ts's ParetoAgg).
 */
export class Staircase<T extends { readonly number: number }> {
  readonly steps: FrontStep<T>[] = [];

  insert(u: number, v: number, r: T): void {
    const steps = this.steps;
    // The last step with u' ≤ u has the lowest v among those: it alone can match or beat r.
    let lo = 0;
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((steps[mid] as FrontStep<T>).u <= u) lo = mid + 1;
      else hi = mid;
    }
    const left = steps[lo - 1];
    if (left !== undefined) {
      if (left.u === u && left.v === v) {
        left.rows.push(r);
        left.rows.sort((a, b) => a.number - b.number);
        return;
      }
      if (left.v <= v) return;
    }
    // r goes in; the steps it beats (u' ≥ u, v' ≥ v: from `left` when its u equals u) leave.
    const start = left !== undefined && left.u === u ? lo - 1 : lo;
    let end = start;
    while (end < steps.length && (steps[end] as FrontStep<T>).v >= v) end++;
    steps.splice(start, end - start, { u, v, rows: [r] });
  }

  /** Whether r is one of the front's trials. */
  holds(r: T): boolean {
    return this.steps.some((s) => s.rows.includes(r));
  }
}

/**
 * The size chart's Pareto front (aggregate.ts's `sizeFront`: fewest parameters for the value reached), kept sorted by
 * parameters with the objective strictly improving: a new trial is dropped when a front trial matches or beats it on
 * both (of equal ones the lowest number stays), else it goes in and pushes out the ones it beats. O(log f) per trial.
 */
export class FrontAgg implements Incremental<SizeFront | null> {
  /** u: parameters, v: the objective in minimisation form; of equal trials the lowest number is drawn. */
  private readonly front = new Staircase<TrialRow>();
  private sized = 0;
  private readonly sign: number;

  constructor(direction: Direction) {
    this.sign = direction === 'maximize' ? -1 : 1;
  }

  private static sized(r: TrialRow): boolean {
    return r.state === 'complete' && r.parameters !== null && Number.isFinite(r.parameters) && r.value !== null && Number.isFinite(r.value);
  }

  update(changes: readonly Change[]): boolean {
    for (const c of lastChanges(changes)) {
      if (c.old !== undefined && FrontAgg.sized(c.old)) {
        if (this.front.holds(c.old)) return false;
        this.sized -= 1;
      }
      if (FrontAgg.sized(c.row)) {
        this.sized += 1;
        this.front.insert(c.row.parameters as number, this.sign * (c.row.value as number), c.row);
      }
    }
    return true;
  }

  result(): SizeFront | null {
    if (this.sized === 0) return null;
    return {
      parameters: this.front.steps.map((s) => s.u), values: this.front.steps.map((s) => (s.rows[0] as TrialRow).value as number),
      numbers: this.front.steps.map((s) => (s.rows[0] as TrialRow).number), trials: this.sized,
    };
  }
}

/** Complete trials with a finite value, by number and by value (best first, ties by number), as row indices. */
export interface ParallelOrder {
  readonly done: readonly number[];
  readonly byValue: readonly number[];
}

/** The two orders parallel coordinates pick their sample from (aggregate.ts's `parallel`), kept by merging new trials in. */
export class ParallelOrderAgg implements Incremental<ParallelOrder> {
  private done: number[] = [];
  private byValue: number[] = [];

  constructor(private readonly direction: Direction) {}

  private static valued(r: TrialRow): boolean {
    return r.state === 'complete' && r.value !== null && Number.isFinite(r.value);
  }

  update(changes: readonly Change[], rows: readonly TrialRow[]): boolean {
    const add: number[] = [];
    for (const c of lastChanges(changes)) {
      // A complete trial never changes: one that does (or leaves) is rebuilt from scratch.
      if (c.old !== undefined && ParallelOrderAgg.valued(c.old)) {
        if (c.old.value === c.row.value && c.old.state === c.row.state && c.old.parameters === c.row.parameters) continue;
        return false;
      }
      if (ParallelOrderAgg.valued(c.row)) add.push(c.index);
    }
    const sign = this.direction === 'maximize' ? -1 : 1;
    const v = (i: number): number => sign * ((rows[i] as TrialRow).value as number);
    this.done = mergeIn(this.done, [...add], (a, b) => a - b);
    this.byValue = mergeIn(this.byValue, add, (a, b) => v(a) - v(b) || a - b);
    return true;
  }

  result(): ParallelOrder {
    return { done: this.done, byValue: this.byValue };
  }
}

/**
 * The trials parallel coordinates show, in number order: every complete one up to `limit`, else the best fifth of
 * `limit` plus an even sample of the rest by number (as aggregate.ts's `parallel` picks them), in O(limit · log n).
 */
export function parallelPick(order: ParallelOrder, rows: readonly TrialRow[], limit: number): TrialRow[] {
  const { done, byValue } = order;
  if (done.length <= limit) return done.map((i) => rows[i] as TrialRow);
  const k = Math.ceil(limit / 5);
  const top = byValue.slice(0, k);
  // Where each top trial sits in `done` (by number), ascending: the rest is `done` without those positions.
  const at = top.map((i) => {
    let lo = 0;
    let hi = done.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((done[mid] as number) < i) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }).sort((a, b) => a - b);
  const restLength = done.length - top.length;
  const want = limit - top.length;
  const pick = [...top];
  let skipped = 0;
  for (let j = 0; j < want; j++) {
    const r = Math.floor((j * restLength) / want);
    // rest[r] is done[r + (top positions at or before it)].
    while (skipped < at.length && (at[skipped] as number) <= r + skipped) skipped++;
    pick.push(done[r + skipped] as number);
  }
  return pick.sort((a, b) => a - b).map((i) => rows[i] as TrialRow);
}
