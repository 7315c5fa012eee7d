import type { ParamValue, Params } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import { InputError } from '../core/errors.js';
import { distributionFromSpec, type Distribution } from './distribution.js';
import { activationOrder, conditionHolds, conditionProblem, describeCondition, pruneInactive, type ConditionSpec, type ParamSpec } from './condition.js';

/** Options of a space. */
export interface SpaceOptions {
  /** Parameters that exist only when their parent has given values (see ConditionSpec). */
  readonly conditions?: ReadonlyMap<string, ConditionSpec>;
  /**
   * Trials may leave out any parameter (define-by-run studies, whose objective decides which it asks for):
   * samplers then model each parameter on the trials that have it.
   */
  readonly partial?: boolean;
}

/**
 * A search space: named distributions in a fixed order (the order of the spec), some of them conditional.
 * An inactive parameter is absent from a configuration (not null). Unconditional spaces behave, draw for
 * draw, as before conditions existed (src/samplers/unconditional-pin.test.ts).
 */
export class Space {
  readonly names: readonly string[];
  readonly conditions: ReadonlyMap<string, ConditionSpec>;
  /** Whether configurations may lack parameters (conditions, or a partial space): samplers take their sparse paths. */
  readonly sparse: boolean;
  readonly partial: boolean;
  /** Parents before children; equal to `names` on an unconditional space. */
  readonly order: readonly string[];
  constructor(readonly dists: ReadonlyMap<string, Distribution>, options: SpaceOptions = {}) {
    this.names = [...dists.keys()];
    this.conditions = options.conditions ?? new Map();
    this.partial = options.partial ?? false;
    this.sparse = this.partial || this.conditions.size > 0;
    const problem = conditionProblem(dists, this.conditions);
    if (problem !== null) throw new InputError(problem);
    for (const n of this.conditions.keys()) if (!dists.has(n)) throw new InputError(`A condition names \`space.${n}\`, which is not in the space`);
    this.order = activationOrder(this.names, this.conditions);
  }
  /** Builds a space from the spec's `space` section (already validated); `when` holds a parameter's condition. */
  static fromSpec(spec: Readonly<Record<string, ParamSpec>>, options: Omit<SpaceOptions, 'conditions'> = {}): Space {
    const conditions = new Map<string, ConditionSpec>();
    for (const [k, v] of Object.entries(spec)) if (v.when) conditions.set(k, v.when);
    return new Space(new Map(Object.entries(spec).map(([k, v]) => [k, distributionFromSpec(v)])), { ...options, conditions });
  }
  get(name: string): Distribution {
    const d = this.dists.get(name);
    if (!d) throw new InputError(`Unknown parameter \`${name}\`; the space has ${this.names.join(', ')}`);
    return d;
  }
  /** Whether `name` exists in a configuration whose other values are `params` (its parent's value decides). */
  isActive(name: string, params: Params): boolean {
    const c = this.conditions.get(name);
    if (!c) return true;
    return this.isActive(c.parent, params) && conditionHolds(c, params[c.parent]);
  }
  /** The configuration without its inactive parameters, in `names` order. */
  prune(params: Params): Params {
    if (this.conditions.size === 0) return params;
    const kept = pruneInactive(this.order, this.conditions, params);
    const out: Record<string, ParamValue> = {};
    for (const n of this.names) if (kept[n] !== undefined) out[n] = kept[n];
    return out;
  }
  /** A random configuration: each active parameter drawn in activation order (inactive ones take no draw). */
  sample(rng: Rng): Params {
    const out: Record<string, ParamValue> = {};
    if (this.conditions.size === 0) {
      for (const [k, d] of this.dists) out[k] = d.sample(rng);
      return out;
    }
    for (const k of this.order) if (this.isActive(k, out)) out[k] = this.get(k).sample(rng);
    return this.prune(out);
  }
  /** Whether every active parameter is present and within its domain, and no inactive one is present. */
  contains(params: Params): boolean {
    try {
      this.check(params);
      return true;
    } catch {
      return false;
    }
  }
  /** Throws an InputError naming the first parameter missing, outside its domain, or present while inactive. */
  check(params: Params): void {
    for (const n of this.order) {
      const v = params[n];
      const active = this.isActive(n, params);
      if (!active) {
        const c = this.conditions.get(n) as ConditionSpec;
        if (v !== undefined) throw new InputError(`Parameter \`${n}\` = ${JSON.stringify(v)} is set, but it exists only when ${describeCondition(c)}`);
        continue;
      }
      if (v === undefined) {
        if (this.partial) continue;
        throw new InputError(`Parameter \`${n}\` is missing`);
      }
      if (!this.get(n).contains(v)) throw new InputError(`Parameter \`${n}\` = ${JSON.stringify(v)} is outside its domain ${JSON.stringify(this.get(n).toJSON())}`);
    }
  }
  /** The point as coordinates in [0,1]^d, in `names` order (an absent parameter sits at 0.5). */
  toUnit(params: Params): number[] {
    return this.names.map((n) => (params[n] === undefined ? 0.5 : this.get(n).toUnit(params[n] as ParamValue)));
  }
  /** The nearest valid configuration to a point of [0,1]^d (inactive parameters dropped). */
  fromUnit(u: readonly number[]): Params {
    const out: Record<string, ParamValue> = {};
    this.names.forEach((n, i) => (out[n] = this.get(n).fromUnit(u[i] ?? 0.5)));
    return this.prune(out);
  }
  /**
   * The full factorial grid of valid configurations; continuous parameters take `pointsPerAxis` values. An
   * inactive parameter does not multiply its branch, so no configuration appears twice.
   */
  grid(pointsPerAxis = 5): Params[] {
    let rows: Record<string, ParamValue>[] = [{}];
    for (const name of this.order) {
      const d = this.get(name);
      const vals = d.values() ?? d.grid(pointsPerAxis);
      const next: Record<string, ParamValue>[] = [];
      for (const row of rows) {
        if (!this.isActive(name, row)) next.push(row);
        else for (const v of vals) next.push({ ...row, [name]: v });
      }
      rows = next;
    }
    return this.conditions.size === 0 ? rows : rows.map((r) => this.prune(r));
  }
  /** The number of grid points. */
  gridSize(pointsPerAxis = 5): number {
    if (this.conditions.size > 0) return this.grid(pointsPerAxis).length;
    let n = 1;
    for (const d of this.dists.values()) n *= (d.values() ?? d.grid(pointsPerAxis)).length;
    return n;
  }
  toJSON(): Record<string, ParamSpec> {
    return Object.fromEntries([...this.dists].map(([k, d]) => {
      const c = this.conditions.get(k);
      return [k, c ? { ...d.toJSON(), when: c } : d.toJSON()];
    }));
  }
}
