import type { Space } from '../space/space.js';
import type { ParamValue, Params } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import { conditionHolds, type ConditionSpec } from '../space/condition.js';

/** One search-space column group: a numeric axis (1 column) or a one-hot categorical (k columns). */
export type Col =
  | { readonly kind: 'num'; readonly name: string; readonly at: number; readonly finite: readonly ParamValue[] | null }
  | { readonly kind: 'cat'; readonly name: string; readonly at: number; readonly values: readonly ParamValue[] };

/**
 * Where an inactive numeric parameter sits on its axis (conditional spaces). Imputing a fixed value outside
 * [0, 1] rather than dropping the axis keeps one kernel over all trials: two configurations that both lack
 * `units_3` agree on that axis (distance 0), and one that has it is at least 0.5 away from one that does not,
 * so the GP treats "absent" as a region of its own and still pools the shared parameters across branches.
 * An inactive categorical is all zeros (distance 1 from every choice; choices are √2 apart). The EI search
 * keeps this: candidates are snapped (decoded, inactive parameters dropped, encoded again).
 */
const INACTIVE = -0.5;

/**
 * How params map to the GP's input space: unit-scaled numbers, one-hot categoricals. The EI search's candidates are
 * rows of one flat array (`randomInto`, `perturbInto`, `snapInto` write the row at `at`; `decode` reads one): the
 * hundreds of candidates of a proposal are then no longer one small array each (about a third of a GP proposal's
 * garbage at 1,000 trials, gp-encoding.test.ts checks the rows against the one-array-per-point forms).
 */
export class Encoding {
  readonly cols: Col[] = [];
  readonly width: number;
  constructor(readonly space: Space) {
    let at = 0;
    for (const name of space.names) {
      const d = space.get(name);
      const vals = d.values();
      if (!d.ordered && vals !== null) {
        this.cols.push({ kind: 'cat', name, at, values: vals });
        at += vals.length;
      } else {
        this.cols.push({ kind: 'num', name, at, finite: vals });
        at += 1;
      }
    }
    this.width = at;
    const colOf = new Map(this.cols.map((c, i) => [c.name, i]));
    this.activation = Int32Array.from(space.order, (name) => colOf.get(name) as number);
    this.conditionOf = this.cols.map((c) => {
      const when = space.conditions.get(c.name);
      return when === undefined ? null : { when, parent: colOf.get(when.parent) as number };
    });
    this.values = new Array<ParamValue>(this.cols.length).fill(0);
    this.active = new Uint8Array(this.cols.length);
  }
  /** Columns in the space's activation order (parents first). */
  private readonly activation: Int32Array;
  /** Each column's condition with its parent's column, or null. */
  private readonly conditionOf: ({ when: ConditionSpec; parent: number } | null)[];
  /** Scratch of snapRow on conditional spaces: each column's decoded value, and whether it is active. */
  private readonly values: ParamValue[];
  private readonly active: Uint8Array;
  /**
   * Encodings of trials' params by object: a study's finished trials come back as the same frozen snapshots from
   * proposal to proposal (TrialView), so each is encoded once rather than at every proposal. Params are never
   * mutated in place (storage hands out read-only snapshots), so a cached encoding never goes stale.
   */
  private readonly encoded = new WeakMap<Params, Float64Array | null>();
  /** encode, cached by params object; callers must not modify the returned array. */
  encodeTrial(p: Params): Float64Array | null {
    let x = this.encoded.get(p);
    if (x === undefined) {
      x = this.encode(p);
      this.encoded.set(p, x);
    }
    return x;
  }
  encode(p: Params): Float64Array | null {
    const x = new Float64Array(this.width);
    return this.encodeInto(p, x, 0) ? x : null;
  }
  /** Writes the encoding of p at out[at..]; false (the row then undefined) when p is not in the space. */
  encodeInto(p: Params, out: Float64Array, at: number): boolean {
    out.fill(0, at, at + this.width);
    for (const c of this.cols) {
      const v = p[c.name];
      if (v === undefined) {
        if (!this.space.sparse) return false;
        if (c.kind === 'num') out[at + c.at] = INACTIVE;
        continue;
      }
      if (c.kind === 'cat') {
        const i = c.values.indexOf(v);
        if (i < 0) return false;
        out[at + c.at + i] = 1;
      } else {
        const d = this.space.get(c.name);
        if (!d.contains(v)) return false;
        out[at + c.at] = d.toUnit(v);
      }
    }
    return true;
  }
  /** The configuration of the row x[at..] (a categorical: its largest column). */
  decode(x: Float64Array, at = 0): Params {
    const out: Record<string, ParamValue> = {};
    for (const c of this.cols) {
      if (c.kind === 'cat') {
        const from = at + c.at;
        let best = 0;
        for (let i = 1; i < c.values.length; i++) if ((x[from + i] as number) > (x[from + best] as number)) best = i;
        out[c.name] = c.values[best] as ParamValue;
      } else out[c.name] = this.space.get(c.name).fromUnit(x[at + c.at] as number);
    }
    return this.space.sparse ? this.space.prune(out) : out;
  }
  /** A uniform random point (one draw per numeric axis, one per categorical) written at out[at..]. */
  randomInto(rng: Rng, out: Float64Array, at: number): void {
    out.fill(0, at, at + this.width);
    // Indexed loops here and below: called hundreds of times per proposal, and a for-of's iterator is an object each.
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Col;
      if (c.kind === 'cat') out[at + c.at + Math.floor(rng.next() * c.values.length)] = 1;
      else out[at + c.at] = rng.next();
    }
  }
  /**
   * A point near the row x[xAt..], written at out[at..] (not overlapping it): Gaussian steps of `scale` on numeric
   * axes; each categorical re-drawn with probability 0.2.
   */
  perturbInto(x: Float64Array, xAt: number, scale: number, rng: Rng, out: Float64Array, at: number): void {
    copyRow(x, xAt, out, at, this.width);
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Col;
      if (c.kind === 'cat') {
        if (rng.next() < 0.2) {
          out.fill(0, at + c.at, at + c.at + c.values.length);
          out[at + c.at + Math.floor(rng.next() * c.values.length)] = 1;
        }
      } else {
        const v = (x[xAt + c.at] as number) + scale * rng.normal();
        out[at + c.at] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  /**
   * Snaps the row x[at..] in place to the encoding of the configuration it decodes to (so EI is judged at real
   * configurations); a row whose configuration does not encode stays as it is. `tmp`: scratch of at least `width`.
   */
  snapRow(x: Float64Array, at: number, tmp: Float64Array): void {
    if (this.space.sparse) {
      this.snapSparse(x, at, tmp);
      return;
    }
    // Without conditions, encode(decode(x)) column by column, without building the params object (same result).
    tmp.fill(0, 0, this.width);
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Col;
      if (c.kind === 'cat') {
        const from = at + c.at;
        let best = 0;
        for (let i = 1; i < c.values.length; i++) if ((x[from + i] as number) > (x[from + best] as number)) best = i;
        tmp[c.at + c.values.indexOf(c.values[best] as ParamValue)] = 1;
      } else {
        const d = this.space.get(c.name);
        const v = d.fromUnit(x[at + c.at] as number);
        if (!d.contains(v)) return;
        tmp[c.at] = d.toUnit(v);
      }
    }
    copyRow(tmp, 0, x, at, this.width);
  }
  /**
   * snapRow on a sparse space: what encodeInto(decode(x)) gives, column by column, without the two params objects
   * of decode and the space's prune (most of a GP proposal's garbage on a conditional space): every column decoded,
   * then, in activation order, a column is active when it has no condition or its parent is active and satisfies it
   * (Space.prune's rule), then the active columns encoded and the others left inactive.
   */
  private snapSparse(x: Float64Array, at: number, tmp: Float64Array): void {
    const { cols, values, active } = this;
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Col;
      if (c.kind === 'cat') {
        const from = at + c.at;
        let best = 0;
        for (let j = 1; j < c.values.length; j++) if ((x[from + j] as number) > (x[from + best] as number)) best = j;
        values[i] = c.values[best] as ParamValue;
      } else values[i] = this.space.get(c.name).fromUnit(x[at + c.at] as number);
    }
    for (let r = 0; r < this.activation.length; r++) {
      const i = this.activation[r] as number;
      const cond = this.conditionOf[i] as { when: ConditionSpec; parent: number } | null;
      active[i] = cond === null || (active[cond.parent] === 1 && conditionHolds(cond.when, values[cond.parent])) ? 1 : 0;
    }
    tmp.fill(0, 0, this.width);
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as Col;
      if (active[i] === 0) {
        if (c.kind === 'num') tmp[c.at] = INACTIVE;
        continue;
      }
      const v = values[i] as ParamValue;
      if (c.kind === 'cat') {
        const j = c.values.indexOf(v);
        if (j < 0) return;
        tmp[c.at + j] = 1;
      } else {
        const d = this.space.get(c.name);
        if (!d.contains(v)) return;
        tmp[c.at] = d.toUnit(v);
      }
    }
    copyRow(tmp, 0, x, at, this.width);
  }
}

/** out[at..at+width) = x[xAt..xAt+width) (a loop: a subarray view per copy would be garbage of its own). */
export function copyRow(x: Float64Array, xAt: number, out: Float64Array, at: number, width: number): void {
  for (let j = 0; j < width; j++) out[at + j] = x[xAt + j] as number;
}
