import type { LineMethod } from './options.js';

/** A one-dimensional search on [lo, hi] in its current state. */
export interface LineState {
  /** Points the method needs evaluated next (empty when done). */
  readonly pending: readonly number[];
  readonly done: boolean;
  /** The method's own points that are evaluated, with their goodness (larger is better). */
  readonly evaluated: readonly { readonly x: number; readonly goodness: number }[];
}

/** The interval and how to read known values: `lookup(x)` is the goodness at x, or undefined when not evaluated. */
export interface LineProblem {
  readonly lo: number;
  readonly hi: number;
  /** The zone peak's coordinate on this axis (inside [lo, hi]). */
  readonly start: number;
  /** Points are rounded to integers (units, batch sizes). */
  readonly integer: boolean;
  readonly lookup: (x: number) => number | undefined;
}

const INV_PHI = (Math.sqrt(5) - 1) / 2;

function snap(x: number, p: LineProblem): number {
  const c = Math.min(p.hi, Math.max(p.lo, x));
  return p.integer ? Math.round(c) : c;
}

function collect(xs: Iterable<number>, p: LineProblem): { x: number; goodness: number }[] {
  const out: { x: number; goodness: number }[] = [];
  for (const x of new Set(xs)) {
    const g = p.lookup(x);
    if (g !== undefined) out.push({ x, goodness: g });
  }
  return out.sort((a, b) => a.x - b.x);
}

/** 'split': the interval cut into `parts` equal parts; all parts' points at once. */
export function splitSearch(p: LineProblem, parts = 8): LineState {
  const xs = new Set<number>([p.start]);
  for (let i = 0; i <= parts; i++) xs.add(snap(p.lo + ((p.hi - p.lo) * i) / parts, p));
  const pending = [...xs].filter((x) => p.lookup(x) === undefined).sort((a, b) => a - b);
  return { pending, done: pending.length === 0, evaluated: collect(xs, p) };
}

/**
 * 'golden': golden-section search, replayed from the values known so far, so it emits one new point
 * per round (two in the first) until `iterations` new points are spent or integer points collide.
 */
export function goldenSearch(p: LineProblem, iterations = 6): LineState {
  const used: number[] = [p.start];
  let a = p.lo;
  let b = p.hi;
  let c = snap(b - (b - a) * INV_PHI, p);
  let d = snap(a + (b - a) * INV_PHI, p);
  used.push(c, d);
  const missing = [c, d].filter((x) => p.lookup(x) === undefined);
  if (missing.length > 0) return { pending: [...new Set(missing)], done: false, evaluated: collect(used, p) };
  let fc = p.lookup(c) as number;
  let fd = p.lookup(d) as number;
  for (let it = 0; it < iterations; it++) {
    if (c >= d) break;
    let x: number;
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      x = c = snap(b - (b - a) * INV_PHI, p);
    } else {
      a = c;
      c = d;
      fc = fd;
      x = d = snap(a + (b - a) * INV_PHI, p);
    }
    if (c >= d) break; // integer points collided: the bracket is as small as it gets
    used.push(x);
    const fx = p.lookup(x);
    if (fx === undefined) return { pending: [x], done: false, evaluated: collect(used, p) };
    if (x === c) fc = fx;
    else fd = fx;
  }
  return { pending: [], done: true, evaluated: collect(used, p) };
}

/**
 * 'parabola': successive parabolic interpolation through the best point and its nearest known
 * neighbours (starting from lo, the peak and hi); falls back to halving the wider gap beside the
 * best point when the three do not bend the right way. Stops after `iterations` new points or when
 * the vertex is a point already known.
 */
export function parabolaSearch(p: LineProblem, iterations = 4): LineState {
  const used = [p.lo, p.start, p.hi].map((x) => snap(x, p));
  const first = [...new Set(used)].filter((x) => p.lookup(x) === undefined);
  if (first.length > 0) return { pending: first, done: false, evaluated: collect(used, p) };
  for (let it = 0; it < iterations; it++) {
    const pts = collect(used, p);
    if (pts.length < 3) break;
    let bi = 0;
    pts.forEach((q, i) => {
      if (q.goodness > (pts[bi] as { goodness: number }).goodness) bi = i;
    });
    const mid = Math.min(Math.max(bi, 1), pts.length - 2);
    const l = pts[mid - 1] as { x: number; goodness: number };
    const m = pts[mid] as { x: number; goodness: number };
    const r = pts[mid + 1] as { x: number; goodness: number };
    const num = (m.x - l.x) ** 2 * (m.goodness - r.goodness) - (m.x - r.x) ** 2 * (m.goodness - l.goodness);
    const den = (m.x - l.x) * (m.goodness - r.goodness) - (m.x - r.x) * (m.goodness - l.goodness);
    // A maximum needs negative curvature: the middle point above the chord through its neighbours.
    const chord = l.goodness + ((r.goodness - l.goodness) * (m.x - l.x)) / (r.x - l.x);
    let x: number;
    if (den !== 0 && m.goodness > chord) x = m.x - num / (2 * den);
    else {
      const b = pts[bi] as { x: number };
      const left = pts[bi - 1];
      const right = pts[bi + 1];
      const gl = left ? b.x - left.x : -1;
      const gr = right ? right.x - b.x : -1;
      x = gl >= gr && left ? (left.x + b.x) / 2 : right ? (b.x + right.x) / 2 : b.x;
    }
    x = snap(x, p);
    const tol = p.integer ? 0 : 1e-9 * (p.hi - p.lo);
    if (pts.some((q) => Math.abs(q.x - x) <= tol)) break;
    used.push(x);
    if (p.lookup(x) === undefined) return { pending: [x], done: false, evaluated: collect(used, p) };
  }
  return { pending: [], done: true, evaluated: collect(used, p) };
}

/** Runs the named method on a line problem. */
export function lineSearch(method: LineMethod, p: LineProblem, o: { splitParts: number; iterations: number }): LineState {
  switch (method) {
    case 'split':
      return splitSearch(p, o.splitParts);
    case 'golden':
      return goldenSearch(p, o.iterations);
    case 'parabola':
      return parabolaSearch(p, o.iterations);
  }
}
