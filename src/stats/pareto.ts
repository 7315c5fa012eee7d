import type { Direction, TrialRecord } from '../core/types.js';
import { valuesOf } from '../core/types.js';

/**
 * Pareto dominance, non-dominated sorting, crowding distance and hypervolume: the arithmetic of multi-objective
 * studies, shared by the samplers (NSGA-II, MOTPE), `status`, the report and the benchmark. Points are in
 * minimisation form (`toMinimization` flips maximised objectives) unless a function takes `directions`.
 */

/** A point's objective values with every maximised one negated, so that smaller is better in each. */
export function toMinimization(values: readonly number[], directions: readonly Direction[]): number[] {
  return values.map((v, i) => (directions[i] === 'maximize' ? -v : v));
}

/** Whether `a` dominates `b` (minimisation): no worse in every objective and better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting (Deb et al. 2002, the fast O(M·N²) version): the indices of `points` by front, the first
 * front (the Pareto front) first, each front in index order. Equal points share a front.
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  if (points.length > 0 && points.every((p) => p.length === 2)) return nonDominatedSort2(points);
  return nonDominatedSortPairwise(points);
}

/** The fast O(M·N²) version for any number of objectives. */
function nonDominatedSortPairwise(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = Array.from({ length: n }, () => 0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = points[i] as readonly number[];
      const b = points[j] as readonly number[];
      if (dominates(a, b)) { (dominating[i] as number[]).push(j); dominatedBy[j]!++; }
      else if (dominates(b, a)) { (dominating[j] as number[]).push(i); dominatedBy[i]!++; }
    }
  }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i] as number[]) if (--dominatedBy[j]! === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * nonDominatedSort for two objectives in O(n log n): points taken by (first, second) objective, each joins the first
 * front whose last point does not dominate it. Every dominator of a point comes before it in that order, and a point
 * dominated by some member of front k is dominated by a member of every earlier front, so the fronts that dominate it
 * are a prefix (binary search), and within a front, the last point has the least second objective: it dominates the
 * point when any member does. Same fronts as the pairwise version (which non-finite values still take), each in index order.
 */
function nonDominatedSort2(points: readonly (readonly number[])[]): number[][] {
  if (!points.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))) return nonDominatedSortPairwise(points);
  const f0 = Float64Array.from(points, (p) => p[0] as number);
  const f1 = Float64Array.from(points, (p) => p[1] as number);
  const order = [...points.keys()].sort((i, j) => (f0[i] as number) - (f0[j] as number) || (f1[i] as number) - (f1[j] as number) || i - j);
  const fronts: number[][] = [];
  const last: number[] = [];
  for (const p of order) {
    const a0 = f0[p] as number, a1 = f1[p] as number;
    let lo = 0, hi = fronts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = last[mid] as number;
      const q0 = f0[q] as number, q1 = f1[q] as number;
      // q dominates p: no worse in both, better in one.
      if (q1 <= a1 && (q0 < a0 || q1 < a1)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === fronts.length) fronts.push([]);
    (fronts[lo] as number[]).push(p);
    last[lo] = p;
  }
  for (const f of fronts) f.sort((a, b) => a - b);
  return fronts;
}

/**
 * Indices of the non-dominated points (the first front), in index order; equal points are all kept (none dominates
 * another). Two objectives, the usual case, take a sort and one sweep, O(n log n); more take O(M·n²) comparisons.
 */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  if (points.length > 0 && points.every((p) => p.length === 2)) return paretoFront2(points);
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as readonly number[];
    if (!points.some((q, j) => j !== i && dominates(q, p))) out.push(i);
  }
  return out;
}

/** The two-objective front by a sweep: sorted by the first objective then the second, a point is on the front when
 * its second objective beats every earlier one, or it equals the last point kept. */
function paretoFront2(points: readonly (readonly number[])[]): number[] {
  const order = [...points.keys()].sort((i, j) => {
    const a = points[i] as readonly number[];
    const b = points[j] as readonly number[];
    return (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || i - j;
  });
  const out: number[] = [];
  let last: readonly number[] | null = null;
  for (const i of order) {
    const p = points[i] as readonly number[];
    if (last === null || (p[1] as number) < (last[1] as number) || (p[0] === last[0] && p[1] === last[1])) {
      out.push(i);
      last = p;
    }
  }
  return out.sort((x, y) => x - y);
}

/**
 * The Pareto front of items over two objectives, each minimised or maximised: the items no other item matches or beats
 * on both (of equal ones, the first), ordered from best to worst on the first objective; items with a non-finite value
 * are left out. The dashboard's size chart uses it (fewest parameters for the value reached).
 */
export function paretoFrontBy<T>(items: readonly T[], a: (p: T) => number, b: (p: T) => number, directions: readonly [Direction, Direction]): T[] {
  const kept = items.filter((p) => Number.isFinite(a(p)) && Number.isFinite(b(p)));
  const front = paretoFront(kept.map((p) => toMinimization([a(p), b(p)], directions)));
  const seen = new Set<string>();
  return front
    .filter((i) => {
      const key = `${a(kept[i] as T)},${b(kept[i] as T)}`;
      return seen.has(key) ? false : (seen.add(key), true);
    })
    .map((i) => kept[i] as T)
    .sort((x, y) => toMinimization([a(x)], directions)[0]! - toMinimization([a(y)], directions)[0]!);
}

/**
 * NSGA-II's crowding distance of each point of one front (same order as `front`): the sum over objectives of the
 * normalised gap between its two neighbours; the extremes of each objective get Infinity.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const d = front.map(() => 0);
  if (front.length === 0) return d;
  const m = (points[front[0] as number] as readonly number[]).length;
  for (let k = 0; k < m; k++) {
    const order = front.map((_, i) => i).sort((a, b) => (points[front[a] as number] as number[])[k]! - (points[front[b] as number] as number[])[k]!);
    const at = (i: number): number => (points[front[order[i] as number] as number] as readonly number[])[k] as number;
    const span = at(order.length - 1) - at(0);
    d[order[0] as number] = Infinity;
    d[order[order.length - 1] as number] = Infinity;
    if (span <= 0) continue;
    for (let i = 1; i < order.length - 1; i++) d[order[i] as number]! += (at(i + 1) - at(i - 1)) / span;
  }
  return d;
}

/**
 * The hypervolume (minimisation) dominated by `points` and bounded by `reference`: the Lebesgue measure of
 * { x : some p ≤ x ≤ reference }. Points not strictly better than the reference in every objective add nothing.
 * Exact: a sweep in 2-D, WFG (While, Bradstreet, Barone 2012) in more dimensions.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const m = reference.length;
  for (const p of points) if (p.length !== m) throw new RangeError(`hypervolume: a point has ${p.length} objectives, the reference ${m}`);
  const inside = points.filter((p) => p.every((v, i) => Number.isFinite(v) && v < (reference[i] as number)));
  if (inside.length === 0) return 0;
  if (m === 1) return (reference[0] as number) - Math.min(...inside.map((p) => p[0] as number));
  const front = paretoFront(inside).map((i) => inside[i] as readonly number[]);
  return wfg(dedupe(front), reference);
}

/** Each point's exclusive contribution: hypervolume(all) − hypervolume(all but that point). */
export function hypervolumeContributions(points: readonly (readonly number[])[], reference: readonly number[]): number[] {
  const total = hypervolume(points, reference);
  return points.map((_, i) => total - hypervolume(points.filter((_, j) => j !== i), reference));
}

function dedupe(points: readonly (readonly number[])[]): (readonly number[])[] {
  const seen = new Set<string>();
  return points.filter((p) => { const k = p.join(','); if (seen.has(k)) return false; seen.add(k); return true; });
}

function hv2(points: readonly (readonly number[])[], ref: readonly number[]): number {
  // Non-dominated points sorted by the first objective have the second decreasing.
  const s = [...points].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let area = 0;
  let lastY = ref[1] as number;
  for (const p of s) {
    const y = p[1] as number;
    if (y >= lastY) continue;
    area += ((ref[0] as number) - (p[0] as number)) * (lastY - y);
    lastY = y;
  }
  return area;
}

/** WFG on non-dominated points: the sum of each point's volume exclusive of the points after it. */
function wfg(points: readonly (readonly number[])[], ref: readonly number[]): number {
  if (points.length === 0) return 0;
  if (ref.length === 2) return hv2(points, ref);
  // Sorting by the last objective keeps the limit sets small (WFG's usual order).
  const s = [...points].sort((a, b) => (b[b.length - 1] as number) - (a[a.length - 1] as number));
  let sum = 0;
  for (let k = 0; k < s.length; k++) {
    const p = s[k] as readonly number[];
    const box = p.reduce((acc, v, i) => acc * ((ref[i] as number) - v), 1);
    const limited = s.slice(k + 1).map((q) => q.map((v, i) => Math.max(v, p[i] as number)));
    const nd = paretoFront(limited).map((i) => limited[i] as number[]);
    sum += box - wfg(dedupe(nd), ref);
  }
  return sum;
}

/**
 * The complete trials with values on the Pareto front of a study with these directions, in number order (equal
 * value vectors all stay). Trials whose vector has the wrong length are left out.
 */
export function paretoTrials<T extends Pick<TrialRecord, 'value' | 'values' | 'number'>>(trials: readonly T[], directions: readonly Direction[]): T[] {
  const valued = trials.filter((t) => valuesOf(t)?.length === directions.length);
  const points = valued.map((t) => toMinimization(valuesOf(t) as readonly number[], directions));
  return paretoFront(points).map((i) => valued[i] as T).sort((a, b) => a.number - b.number);
}
