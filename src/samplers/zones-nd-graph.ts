import type { Space } from '../space/space.js';
import type { ParamValue, Params } from '../core/types.js';

/** What the neighbourhood graph needs of a point: its identity, unit coordinates and params (categoricals). */
export interface GraphPoint {
  readonly key: string;
  readonly params: Params;
  readonly unit: readonly number[];
}

/** Distance in unit space; a differing categorical counts as 0.5. */
export function zoneDistance(space: Space, a: GraphPoint, b: GraphPoint): number {
  let s = 0;
  space.names.forEach((n, j) => {
    const d = space.get(n).ordered ? (a.unit[j] as number) - (b.unit[j] as number) : a.params[n] === b.params[n] ? 0 : 0.5;
    s += d * d;
  });
  return Math.sqrt(s);
}

/**
 * The k nearest neighbours of every point, each list sorted by (distance, index): what a stable sort of all the
 * other points by distance, cut at k, gives (findZones' graph before it is symmetrised). Kept from proposal to
 * proposal by the n-dimensional zone sampler: the graph depends on where the points are, not on their values, and a
 * study's points only ever arrive (at the end, or in the middle when a trial finishes after later ones), so `update`
 * inserts each new point in O(n·d) (its distances to the others; it enters another point's list only when it comes
 * before that list's last) instead of rebuilding in O(n² log n). Should a point leave or two swap places, the lists
 * are rebuilt, point by point, with the same result.
 */
export class NeighbourLists {
  private keys: string[] = [];
  /** Per point: neighbour indices and their distances, nearest first, ties by index. */
  private readonly idx: number[][] = [];
  private readonly dist: number[][] = [];
  /** Per point: its coordinates as the distance reads them (unit value, or category index), in `names` order. */
  private readonly coords: Float64Array[] = [];
  private readonly ordered: boolean[];
  private readonly categories: ParamValue[][];

  constructor(private readonly space: Space, readonly k: number) {
    this.ordered = space.names.map((n) => space.get(n).ordered);
    this.categories = space.names.map(() => []);
  }

  /** The lists for `points` (the zone sampler's points, in their order), updated from the last call's. */
  update(points: readonly GraphPoint[]): readonly (readonly number[])[] {
    const fresh = new Set(points.map((p) => p.key));
    // The old points must all be there, in the same order; the new ones are inserted where they stand.
    if (this.keys.some((key) => !fresh.has(key))) this.reset();
    for (let m = 0; m < points.length; m++) {
      const p = points[m] as GraphPoint;
      if (this.keys[m] === p.key) continue;
      if (this.keys.indexOf(p.key, m) >= 0) {
        // An old point moved: start again from nothing, then insert every point at the end.
        this.reset();
        return this.update(points);
      }
      this.insert(p, m);
    }
    return this.idx;
  }

  private reset(): void {
    this.keys = [];
    this.idx.length = 0;
    this.dist.length = 0;
    this.coords.length = 0;
  }

  /** A point's coordinates: unit values of ordered axes, category numbers of the others (equal iff the values are). */
  private coordsOf(p: GraphPoint): Float64Array {
    const names = this.space.names;
    const c = new Float64Array(names.length);
    for (let j = 0; j < names.length; j++) {
      if (this.ordered[j]) c[j] = p.unit[j] as number;
      else {
        const v = p.params[names[j] as string] as ParamValue;
        const seen = this.categories[j] as ParamValue[];
        let at = seen.indexOf(v);
        if (at < 0) at = seen.push(v) - 1;
        c[j] = at;
      }
    }
    return c;
  }

  /** Inserts a point at index `at`: its own list, and its place in the lists of the points it comes before the last of. */
  private insert(p: GraphPoint, at: number): void {
    const n = this.keys.length;
    if (at < n) for (const li of this.idx) for (let e = 0; e < li.length; e++) if ((li[e] as number) >= at) li[e] = (li[e] as number) + 1;
    const cj = this.coordsOf(p);
    this.keys.splice(at, 0, p.key);
    this.coords.splice(at, 0, cj);
    this.idx.splice(at, 0, []);
    this.dist.splice(at, 0, []);
    const ordered = this.ordered;
    const D = cj.length;
    const dj = new Float64Array(n + 1);
    for (let i = 0; i <= n; i++) {
      if (i === at) continue;
      const ci = this.coords[i] as Float64Array;
      // The same sum, in the same order, as zoneDistance: bit for bit the same distances.
      let s = 0;
      for (let a = 0; a < D; a++) {
        const d = ordered[a] ? (cj[a] as number) - (ci[a] as number) : cj[a] === ci[a] ? 0 : 0.5;
        s += d * d;
      }
      dj[i] = Math.sqrt(s);
    }
    const k = this.k;
    // Entry (d, i) comes before the new point (dNew, at) when nearer, or as near with a smaller index.
    for (let i = 0; i <= n; i++) {
      if (i === at) continue;
      const li = this.idx[i] as number[];
      const di = this.dist[i] as number[];
      const d = dj[i] as number;
      let e = li.length;
      while (e > 0 && ((di[e - 1] as number) > d || ((di[e - 1] as number) === d && (li[e - 1] as number) > at))) e--;
      if (e >= k) continue;
      li.splice(e, 0, at);
      di.splice(e, 0, d);
      if (li.length > k) {
        li.pop();
        di.pop();
      }
    }
    // The new point's own list: the k smallest (distance, index) among the others.
    const own = selectSmallest(n + 1, at, dj, Math.min(k, n));
    this.idx[at] = own;
    this.dist[at] = own.map((i) => dj[i] as number);
  }
}

/** The `take` indices below `n` other than `self` with the smallest (d, index), sorted: a bounded insertion pass. */
function selectSmallest(n: number, self: number, d: Float64Array, take: number): number[] {
  const out: number[] = [];
  if (take <= 0) return out;
  for (let i = 0; i < n; i++) {
    if (i === self) continue;
    const di = d[i] as number;
    if (out.length >= take && !(di < (d[out[out.length - 1] as number] as number))) continue;
    let at = out.length;
    while (at > 0 && (d[out[at - 1] as number] as number) > di) at--;
    out.splice(at, 0, i);
    if (out.length > take) out.pop();
  }
  return out;
}
