import type { ParamValue, Params } from '../study/types.js';
import type { Rng } from '../util/rng.js';
import { InputError } from '../errors.js';
import { distributionFromSpec, type Distribution, type DistributionSpec } from './distribution.js';

/** A search space: named distributions in a fixed order (the order of the spec). */
export class Space {
  readonly names: readonly string[];
  constructor(readonly dists: ReadonlyMap<string, Distribution>) {
    this.names = [...dists.keys()];
  }
  /** Builds a space from the spec's `space` section (already validated). */
  static fromSpec(spec: Readonly<Record<string, DistributionSpec>>): Space {
    return new Space(new Map(Object.entries(spec).map(([k, v]) => [k, distributionFromSpec(v)])));
  }
  get(name: string): Distribution {
    const d = this.dists.get(name);
    if (!d) throw new InputError(`Unknown parameter \`${name}\`; the space has ${this.names.join(', ')}`);
    return d;
  }
  /** A random configuration. */
  sample(rng: Rng): Params {
    const out: Record<string, ParamValue> = {};
    for (const [k, d] of this.dists) out[k] = d.sample(rng);
    return out;
  }
  /** Whether every parameter is present and within its domain. */
  contains(params: Params): boolean {
    return this.names.every((n) => params[n] !== undefined && this.get(n).contains(params[n] as ParamValue));
  }
  /** Throws an InputError naming the first parameter outside its domain. */
  check(params: Params): void {
    for (const n of this.names) {
      const v = params[n];
      if (v === undefined) throw new InputError(`Parameter \`${n}\` is missing`);
      if (!this.get(n).contains(v)) throw new InputError(`Parameter \`${n}\` = ${JSON.stringify(v)} is outside its domain ${JSON.stringify(this.get(n).toJSON())}`);
    }
  }
  /** The point as coordinates in [0,1]^d, in `names` order. */
  toUnit(params: Params): number[] {
    return this.names.map((n) => this.get(n).toUnit(params[n] as ParamValue));
  }
  /** The nearest valid configuration to a point of [0,1]^d. */
  fromUnit(u: readonly number[]): Params {
    const out: Record<string, ParamValue> = {};
    this.names.forEach((n, i) => (out[n] = this.get(n).fromUnit(u[i] ?? 0.5)));
    return out;
  }
  /** The full factorial grid; continuous parameters take `pointsPerAxis` values. */
  grid(pointsPerAxis = 5): Params[] {
    let rows: Record<string, ParamValue>[] = [{}];
    for (const [name, d] of this.dists) {
      const vals = d.values() ?? d.grid(pointsPerAxis);
      const next: Record<string, ParamValue>[] = [];
      for (const row of rows) for (const v of vals) next.push({ ...row, [name]: v });
      rows = next;
    }
    return rows;
  }
  /** The number of grid points. */
  gridSize(pointsPerAxis = 5): number {
    let n = 1;
    for (const d of this.dists.values()) n *= (d.values() ?? d.grid(pointsPerAxis)).length;
    return n;
  }
  toJSON(): Record<string, DistributionSpec> {
    return Object.fromEntries([...this.dists].map(([k, d]) => [k, d.toJSON()]));
  }
}
