import type { ParamValue } from '../core/types.js';
import type { Rng } from '../core/rng.js';

/** The JSON form of a distribution, as written in spec files. */
export type DistributionSpec =
  | { type: 'int'; low: number; high: number; step?: number; log?: boolean }
  | { type: 'float'; low: number; high: number; log?: boolean }
  | { type: 'categorical'; choices: ParamValue[] }
  | { type: 'series'; values: number[] };

/**
 * A hyperparameter's domain. Behaviour lives here, so samplers never switch on the kind:
 * they sample, map to and from the unit interval, enumerate finite domains and walk to neighbours.
 */
export interface Distribution {
  /** Whether values have an order (numbers); categoricals have none. */
  readonly ordered: boolean;
  /** Whether `v` belongs to the domain. */
  contains(v: ParamValue): boolean;
  /** A random value. */
  sample(rng: Rng): ParamValue;
  /** All values in order when the domain is finite, else null. */
  values(): readonly ParamValue[] | null;
  /** `count` evenly spread values (in the internal scale) for grids over continuous domains. */
  grid(count: number): readonly ParamValue[];
  /** Maps a value to [0, 1] (log scale where the domain is logarithmic; index for finite domains). */
  toUnit(v: ParamValue): number;
  /** Maps a point of [0, 1] back to the nearest valid value. */
  fromUnit(u: number): ParamValue;
  /** Adjacent values (one step down and up on ordered finite domains; every other choice for categoricals). */
  neighbours(v: ParamValue): ParamValue[];
  /** The spec it was built from. */
  toJSON(): DistributionSpec;
}

const clamp01 = (u: number): number => (u < 0 ? 0 : u > 1 ? 1 : u);

/** Position of x in [low, high] as a share of the range, on a log scale when asked. */
function rangeToUnit(x: number, low: number, high: number, log: boolean): number {
  if (high === low) return 0.5;
  if (log) return clamp01((Math.log(x) - Math.log(low)) / (Math.log(high) - Math.log(low)));
  return clamp01((x - low) / (high - low));
}

/** The inverse of rangeToUnit. */
function rangeFromUnit(u: number, low: number, high: number, log: boolean): number {
  const c = clamp01(u);
  return log ? Math.exp(Math.log(low) + c * (Math.log(high) - Math.log(low))) : low + c * (high - low);
}

/** A finite, ordered list of values: the base of int (with step), series and categorical. */
abstract class FiniteDistribution implements Distribution {
  abstract readonly ordered: boolean;
  constructor(protected readonly items: readonly ParamValue[]) {}
  contains(v: ParamValue): boolean {
    return this.indexOf(v) >= 0;
  }
  sample(rng: Rng): ParamValue {
    return rng.pick(this.items);
  }
  values(): readonly ParamValue[] {
    return this.items;
  }
  grid(count: number): readonly ParamValue[] {
    if (count >= this.items.length) return this.items;
    const out: ParamValue[] = [];
    for (let i = 0; i < count; i++) {
      const idx = count === 1 ? 0 : Math.round((i * (this.items.length - 1)) / (count - 1));
      const v = this.items[idx] as ParamValue;
      if (!out.includes(v)) out.push(v);
    }
    return out;
  }
  toUnit(v: ParamValue): number {
    const i = this.indexOf(v);
    return this.items.length <= 1 ? 0.5 : i / (this.items.length - 1);
  }
  fromUnit(u: number): ParamValue {
    return this.items[Math.round(clamp01(u) * (this.items.length - 1))] as ParamValue;
  }
  neighbours(v: ParamValue): ParamValue[] {
    const i = this.indexOf(v);
    if (!this.ordered) return this.items.filter((x) => x !== v);
    const out: ParamValue[] = [];
    if (i > 0) out.push(this.items[i - 1] as ParamValue);
    if (i >= 0 && i < this.items.length - 1) out.push(this.items[i + 1] as ParamValue);
    return out;
  }
  protected indexOf(v: ParamValue): number {
    return this.items.indexOf(v);
  }
  abstract toJSON(): DistributionSpec;
}

/** An explicit ordered list of numbers, e.g. powers of two with midpoints. */
export class SeriesDistribution extends FiniteDistribution {
  readonly ordered = true;
  constructor(values: readonly number[]) {
    super([...values].sort((a, b) => a - b));
  }
  /** Values are positions on a log-like series: map by index, which is what the zone grid uses. */
  toJSON(): DistributionSpec {
    return { type: 'series', values: this.items as number[] };
  }
}

/** One of a set of unordered choices. */
export class CategoricalDistribution extends FiniteDistribution {
  readonly ordered = false;
  toJSON(): DistributionSpec {
    return { type: 'categorical', choices: [...this.items] };
  }
}

/** Integers in [low, high], optionally on a log scale; `step` makes it a finite grid. */
export class IntDistribution implements Distribution {
  readonly ordered = true;
  constructor(
    readonly low: number,
    readonly high: number,
    readonly step = 1,
    readonly log = false,
  ) {}
  contains(v: ParamValue): boolean {
    return typeof v === 'number' && Number.isInteger(v) && v >= this.low && v <= this.high && (v - this.low) % this.step === 0;
  }
  sample(rng: Rng): ParamValue {
    return this.fromUnit(rng.next());
  }
  /** Built once: samplers ask for the values at every proposal, and a log-int axis can have thousands. */
  private cachedValues: readonly ParamValue[] | null | undefined;
  values(): readonly ParamValue[] | null {
    if (this.cachedValues === undefined) {
      const n = Math.floor((this.high - this.low) / this.step) + 1;
      this.cachedValues = n > 100_000 ? null : Object.freeze(Array.from({ length: n }, (_, i) => this.low + i * this.step));
    }
    return this.cachedValues;
  }
  grid(count: number): readonly ParamValue[] {
    const out: ParamValue[] = [];
    for (let i = 0; i < count; i++) {
      const v = this.fromUnit(count === 1 ? 0.5 : i / (count - 1));
      if (!out.includes(v)) out.push(v);
    }
    return out;
  }
  toUnit(v: ParamValue): number {
    return rangeToUnit(Number(v), this.low, this.high, this.log);
  }
  fromUnit(u: number): ParamValue {
    const raw = rangeFromUnit(u, this.low, this.high, this.log);
    const snapped = this.low + Math.round((raw - this.low) / this.step) * this.step;
    return Math.min(this.high, Math.max(this.low, snapped));
  }
  neighbours(v: ParamValue): ParamValue[] {
    const x = Number(v);
    const out: number[] = [];
    if (x - this.step >= this.low) out.push(x - this.step);
    if (x + this.step <= this.high) out.push(x + this.step);
    return out;
  }
  toJSON(): DistributionSpec {
    return { type: 'int', low: this.low, high: this.high, ...(this.step !== 1 ? { step: this.step } : {}), ...(this.log ? { log: true } : {}) };
  }
}

/** Real numbers in [low, high], optionally on a log scale. */
export class FloatDistribution implements Distribution {
  readonly ordered = true;
  constructor(
    readonly low: number,
    readonly high: number,
    readonly log = false,
  ) {}
  contains(v: ParamValue): boolean {
    return typeof v === 'number' && Number.isFinite(v) && v >= this.low && v <= this.high;
  }
  sample(rng: Rng): ParamValue {
    return this.fromUnit(rng.next());
  }
  values(): null {
    return null;
  }
  grid(count: number): readonly ParamValue[] {
    return Array.from({ length: count }, (_, i) => this.fromUnit(count === 1 ? 0.5 : i / (count - 1)));
  }
  toUnit(v: ParamValue): number {
    return rangeToUnit(Number(v), this.low, this.high, this.log);
  }
  fromUnit(u: number): ParamValue {
    return Math.min(this.high, Math.max(this.low, rangeFromUnit(u, this.low, this.high, this.log)));
  }
  /** Continuous domains have no natural neighbours: a tenth of the range (in internal scale) each way. */
  neighbours(v: ParamValue): ParamValue[] {
    const u = this.toUnit(v);
    return [u - 0.1, u + 0.1].filter((x) => x >= 0 && x <= 1).map((x) => this.fromUnit(x));
  }
  toJSON(): DistributionSpec {
    return { type: 'float', low: this.low, high: this.high, ...(this.log ? { log: true } : {}) };
  }
}

/** Powers of `base` from `from` to `to`, with the midpoints 1.5·base^k between them when asked (128, 192, 256, 384, ...). */
export function powerSeries(from: number, to: number, base = 2, midpoints = false): number[] {
  const out: number[] = [];
  for (let v = from; v <= to * (1 + 1e-12); v *= base) {
    out.push(Math.round(v * 1e9) / 1e9);
    const mid = v * (1 + base) / 2;
    if (midpoints && v * base <= to * (1 + 1e-12)) out.push(Math.round(mid * 1e9) / 1e9);
  }
  return out;
}

/** Builds a distribution from its (already validated) spec. */
export function distributionFromSpec(spec: DistributionSpec): Distribution {
  switch (spec.type) {
    case 'int':
      return new IntDistribution(spec.low, spec.high, spec.step ?? 1, spec.log ?? false);
    case 'float':
      return new FloatDistribution(spec.low, spec.high, spec.log ?? false);
    case 'categorical':
      return new CategoricalDistribution(spec.choices);
    case 'series':
      return new SeriesDistribution(spec.values);
  }
}
