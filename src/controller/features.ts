import type { Direction, ParamValue, Params } from '../core/types.js';
import { InputError } from '../core/errors.js';
import { Space } from '../space/space.js';
import type { ParamSpec } from '../space/condition.js';

/** What the surrogate learns from: one configuration, its (possibly partial) learning curve and its final value. */
export interface Example {
  readonly params: Params;
  /** Numeric descriptors of the dataset or task (e.g. log10 rows); a missing one is encoded as missing. */
  readonly descriptors?: Readonly<Record<string, number>>;
  /** The objective after each step 1..curve.length (may be empty). */
  readonly curve: readonly number[];
  /** The full budget in steps (epochs); the final value is the one after `budget` steps. */
  readonly budget: number;
  /** The final value (the target). */
  readonly final: number;
  /** A label (study, task) kept for splits and reports; not an input. */
  readonly group?: string;
}

/** One training row: inputs, the standardised residual target and the anchor it is relative to. */
export interface Row {
  readonly x: number[];
  readonly y: number;
  readonly anchor: number;
  readonly final: number;
  readonly group: string;
  /** Steps of curve the row saw (0: none). */
  readonly step: number;
  /** The example's full budget. */
  readonly budget: number;
}

/** The JSON form of an encoder (stored in the model file). */
export interface EncoderJSON {
  readonly space: Record<string, ParamSpec>;
  readonly partial: boolean;
  readonly descriptors: readonly string[];
  readonly direction: Direction;
  readonly yMean: number;
  readonly yStd: number;
}

/** Number of curve features (see `curveFeatures`). */
export const CURVE_FEATURES = ['has_curve', 'budget_fraction', 'last', 'best', 'mean_last3', 'slope_last3', 'first'] as const;

/**
 * Turns (params, descriptors, curve prefix, budget) into the network's input vector, and the final value into a
 * standardised residual target. Params: unit scale (log where the space says log), one-hot for categoricals, and an
 * `inactive` indicator column per conditional param (its value columns are then 0). Descriptors: value and a
 * `missing` indicator each. Curve: the features in CURVE_FEATURES, values standardised with the targets' mean and
 * spread. Target: (final − anchor) / yStd, the anchor being the last observed value (or yMean without a curve), so
 * the network learns how much a curve still moves, which transfers across tasks whose values differ.
 */
export class FeatureEncoder {
  readonly space: Space;
  /** Names of the input columns, in order. */
  readonly columns: readonly string[];
  /** For each input column, the input group it belongs to (a param name, a descriptor, or `curve`): importance is reported per group. */
  readonly groups: readonly string[];
  private readonly conditional: ReadonlySet<string>;

  constructor(space: Space, readonly descriptors: readonly string[], readonly direction: Direction, readonly yMean: number, readonly yStd: number) {
    if (!(yStd > 0) || !Number.isFinite(yMean)) throw new InputError(`Expected a finite target mean and a positive spread, got ${yMean}, ${yStd}`);
    this.space = space;
    this.conditional = new Set(space.names.filter((n) => space.partial || space.conditions.has(n)));
    const cols: string[] = [];
    const groups: string[] = [];
    for (const n of space.names) {
      const d = space.get(n);
      if (d.ordered) { cols.push(n); groups.push(n); }
      else for (const v of d.values() ?? []) { cols.push(`${n}=${String(v)}`); groups.push(n); }
      if (this.conditional.has(n)) { cols.push(`${n}:inactive`); groups.push(n); }
    }
    for (const k of descriptors) { cols.push(k, `${k}:missing`); groups.push(k, k); }
    for (const c of CURVE_FEATURES) { cols.push(`curve:${c}`); groups.push('curve'); }
    this.columns = cols;
    this.groups = groups;
  }

  /** An encoder fitted to examples: the target scale from their final values. */
  static fit(space: Space, descriptors: readonly string[], direction: Direction, examples: readonly Example[]): FeatureEncoder {
    if (examples.length < 2) throw new InputError(`Expected at least 2 finished examples to train on, got ${examples.length}`);
    const ys = examples.map((e) => e.final);
    const m = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sd = Math.sqrt(ys.reduce((a, b) => a + (b - m) ** 2, 0) / (ys.length - 1));
    return new FeatureEncoder(space, descriptors, direction, m, sd > 0 ? sd : 1);
  }

  static fromJSON(j: EncoderJSON): FeatureEncoder {
    return new FeatureEncoder(Space.fromSpec(j.space, { partial: j.partial }), j.descriptors, j.direction, j.yMean, j.yStd);
  }

  toJSON(): EncoderJSON {
    const { space, descriptors, direction, yMean, yStd } = this;
    return { space: space.toJSON(), partial: space.partial, descriptors: [...descriptors], direction, yMean, yStd };
  }

  private z(v: number): number {
    return (v - this.yMean) / this.yStd;
  }

  /** The input vector. `curve` holds the values after steps 1..t (t = curve.length, may be 0). */
  encode(params: Params, curve: readonly number[], budget: number, descriptors: Readonly<Record<string, number>> = {}): number[] {
    const x: number[] = [];
    for (const n of this.space.names) {
      const d = this.space.get(n);
      const v: ParamValue | undefined = params[n];
      const active = v !== undefined;
      if (!active && !this.conditional.has(n)) {
        throw new InputError(`Param \`${n}\` is missing from ${JSON.stringify(params)} (the model's space requires it)`);
      }
      if (active && !d.contains(v)) throw new InputError(`Expected \`${n}\` to lie in the model's space (${JSON.stringify(d.toJSON())}), got ${JSON.stringify(v)}`);
      if (d.ordered) x.push(active ? d.toUnit(v) : 0);
      else for (const c of d.values() ?? []) x.push(active && c === v ? 1 : 0);
      if (this.conditional.has(n)) x.push(active ? 0 : 1);
    }
    for (const k of this.descriptors) {
      const v = descriptors[k];
      if (v === undefined || !Number.isFinite(v)) x.push(0, 1);
      else x.push(v, 0);
    }
    x.push(...this.curveFeatures(curve, budget));
    return x;
  }

  /** has_curve, t/budget, and (standardised) last, best, mean of the last 3, slope over the last 3 steps, first. */
  curveFeatures(curve: readonly number[], budget: number): number[] {
    const t = curve.length;
    if (!(budget >= 1)) throw new InputError(`Expected \`budget\` to be ≥ 1, got ${budget}`);
    if (t === 0) return [0, 0, 0, 0, 0, 0, 0];
    const sign = this.direction === 'maximize' ? 1 : -1;
    let best = curve[0] as number;
    for (const v of curve) if (sign * v > sign * best) best = v;
    const tail = curve.slice(Math.max(0, t - 3));
    const mean3 = tail.reduce((a, b) => a + b, 0) / tail.length;
    const last = curve[t - 1] as number;
    const back = curve[Math.max(0, t - 4)] as number;
    const slope = t > 1 ? (last - back) / (t - 1 - Math.max(0, t - 4)) : 0;
    return [1, Math.min(1, t / budget), this.z(last), this.z(best), this.z(mean3), slope / this.yStd, this.z(curve[0] as number)];
  }

  /** The value a residual prediction is relative to: the last observed value, else the targets' mean. */
  anchor(curve: readonly number[]): number {
    return curve.length > 0 ? (curve[curve.length - 1] as number) : this.yMean;
  }

  /**
   * Training rows of one example: one without curve and one at each of `steps` the curve reached (below its budget).
   */
  rows(e: Example, steps: readonly number[]): Row[] {
    const out: Row[] = [];
    const at = [0, ...steps.filter((s) => s >= 1 && s < e.budget && s <= e.curve.length)];
    for (const s of at) {
      const prefix = e.curve.slice(0, s);
      const anchor = this.anchor(prefix);
      out.push({ x: this.encode(e.params, prefix, e.budget, e.descriptors), y: (e.final - anchor) / this.yStd, anchor, final: e.final, group: e.group ?? '', step: s, budget: e.budget });
    }
    return out;
  }
}

/** Steps at which training rows are taken and the scheduler decides: 1, 2, 3, 4, 6, 8, 12, 16, … below `budget`. */
export function checkpointSteps(budget: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < budget; k = k < 4 ? k + 1 : k % 3 === 0 ? (k / 3) * 4 : (k / 2) * 3) out.push(k);
  return out;
}
