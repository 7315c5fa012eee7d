import type { ParamValue, Params } from '../core/types.js';
import { Rng } from '../core/rng.js';
import { InputError } from '../core/errors.js';
import type { Sampler, SamplerContext } from './sampler.js';

/** Joe & Kuo (2008, new-joe-kuo-6.21201) direction numbers for dimensions 2..21: [degree s, coefficients a, m_1..m_s]. */
const JOE_KUO: readonly (readonly [number, number, readonly number[]])[] = [
  [1, 0, [1]], [2, 1, [1, 3]], [3, 1, [1, 3, 1]], [3, 2, [1, 1, 1]], [4, 1, [1, 1, 3, 3]], [4, 4, [1, 3, 5, 13]],
  [5, 2, [1, 1, 5, 5, 17]], [5, 4, [1, 1, 5, 5, 5]], [5, 7, [1, 1, 7, 11, 19]], [5, 11, [1, 1, 5, 1, 1]],
  [5, 13, [1, 1, 1, 3, 11]], [5, 14, [1, 3, 5, 5, 31]], [6, 1, [1, 3, 3, 9, 7, 49]], [6, 13, [1, 1, 1, 15, 21, 21]],
  [6, 16, [1, 3, 1, 13, 27, 49]], [6, 19, [1, 1, 1, 15, 7, 5]], [6, 22, [1, 3, 1, 15, 13, 25]], [6, 25, [1, 1, 5, 5, 19, 61]],
  [7, 1, [1, 3, 7, 11, 23, 15, 103]], [7, 4, [1, 3, 7, 13, 13, 15, 69]],
];
const BITS = 32;

/** The largest number of dimensions with true Sobol coordinates; further dimensions are uniform random. */
export const SOBOL_MAX_DIM = JOE_KUO.length + 1;

function directionNumbers(dim: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (dim === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [s, a, m] = JOE_KUO[dim - 1] as readonly [number, number, readonly number[]];
  for (let k = 0; k < Math.min(s, BITS); k++) v[k] = ((m[k] as number) * 2 ** (BITS - 1 - k)) >>> 0;
  for (let k = s; k < BITS; k++) {
    let x = ((v[k - s] as number) ^ ((v[k - s] as number) >>> s)) >>> 0;
    for (let j = 1; j < s; j++) if ((a >>> (s - 1 - j)) & 1) x = (x ^ (v[k - j] as number)) >>> 0;
    v[k] = x;
  }
  return v;
}

/** The Sobol sequence (Gray-code order), optionally with a random digital shift per dimension. */
export class SobolSequence {
  private readonly v: Uint32Array[];
  private readonly shift: Uint32Array;
  /** `seed` null gives the plain sequence; a number gives a seeded digital shift (keeps the net property). */
  constructor(readonly dim: number, seed: number | null) {
    if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) throw new InputError(`Expected Sobol \`dim\` to be an integer in 1..${SOBOL_MAX_DIM}, got ${dim}`);
    this.v = Array.from({ length: dim }, (_, d) => directionNumbers(d));
    this.shift = new Uint32Array(dim);
    if (seed !== null) {
      const rng = new Rng(seed);
      for (let d = 0; d < dim; d++) this.shift[d] = Math.floor(rng.next() * 2 ** 32) >>> 0;
    }
  }
  /** Point number `index` (0-based), each coordinate in [0, 1). */
  point(index: number): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** BITS) throw new InputError(`Expected Sobol \`index\` to be an integer in 0..2^32-1, got ${index}`);
    const gray = (index ^ Math.floor(index / 2)) >>> 0;
    return this.v.map((v, d) => {
      let x = this.shift[d] as number;
      for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) x = (x ^ (v[k] as number)) >>> 0;
      return x / 2 ** BITS;
    });
  }
}

/** Options of the Sobol sampler. */
export interface SobolOptions {
  /** Apply a random digital shift (default true); the plain sequence starts at the origin. */
  readonly scramble?: boolean;
  /** Seed of the shift; by default drawn at the first proposal and kept in trial attrs. */
  readonly seed?: number;
}

/**
 * Quasi-random search: point i of a (shifted) Sobol sequence mapped into the space.
 * Its sequence index and shift seed live in trial attrs (`sobol.index`, `sobol.seed`), so resumes continue the sequence.
 */
export class SobolSampler implements Sampler {
  readonly name = 'sobol';
  private cache: { seed: number | null; dim: number; seq: SobolSequence } | null = null;
  constructor(private readonly options: SobolOptions = {}) {}

  /** The next unused point of the sequence. */
  sample(ctx: SamplerContext): { params: Params; attrs: Readonly<Record<string, unknown>> } {
    let index = 0;
    let seed: number | null = null;
    for (const t of ctx.trials) {
      const i = t.attrs['sobol.index'];
      if (typeof i === 'number' && i + 1 > index) index = i + 1;
      const s = t.attrs['sobol.seed'];
      if (seed === null && typeof s === 'number') seed = s;
    }
    const scramble = this.options.scramble ?? true;
    if (!scramble) seed = null;
    else if (this.options.seed !== undefined) seed = this.options.seed;
    else if (seed === null) seed = ctx.rng.seed();
    const names = ctx.space.names;
    const dim = Math.min(names.length, SOBOL_MAX_DIM);
    if (this.cache?.seed !== seed || this.cache.dim !== dim) this.cache = { seed, dim, seq: new SobolSequence(dim, seed) };
    const u = this.cache.seq.point(index);
    // Dimensions beyond the direction-number table get uniform random coordinates.
    for (let d = dim; d < names.length; d++) u.push(ctx.rng.next());
    const params: Record<string, ParamValue> = {};
    names.forEach((n, d) => {
      const dist = ctx.space.get(n);
      const x = u[d] as number;
      const vals = dist.values();
      // Finite domains: equal-width cells so every value is equally likely.
      params[n] = vals !== null && vals.length > 0 ? (vals[Math.min(vals.length - 1, Math.floor(x * vals.length))] as ParamValue) : dist.fromUnit(x);
    });
    // Conditional spaces: every dimension takes its coordinate (so a branch's points stay a Sobol projection),
    // then the inactive parameters are dropped.
    return { params: ctx.space.sparse ? ctx.space.prune(params) : params, attrs: { 'sobol.index': index, ...(seed !== null ? { 'sobol.seed': seed } : {}) } };
  }
}
