import type { Distribution } from '../space/distribution.js';
import type { Space } from '../space/space.js';
import { valuesOf, type Direction, type ParamValue, type Params, type TrialRecord } from '../core/types.js';
import { toMinimization } from '../stats/pareto.js';
import { belowWeightsOf, selectBelow } from './motpe-split.js';
import type { Rng } from '../core/rng.js';
import { InputError } from '../core/errors.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { defaultGamma, defaultWeights, logNormMass, logNormPdf, logSumExp } from './tpe-math.js';

/** Options of the TPE sampler; defaults follow Optuna 3.1's TPESampler. */
export interface TpeOptions {
  /** Model all parameters jointly (Optuna's `multivariate=True`) instead of one estimator per parameter. */
  readonly multivariate?: boolean;
  /** Random proposals until this many trials have finished (default 10). */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per proposal (default 24). */
  readonly nEiCandidates?: number;
  /** Size of the good group for n observations (default min(ceil(0.1·n), 25)). */
  readonly gamma?: (n: number) => number;
  /** Observation weights for n observations, oldest first (default: Optuna's ramp). */
  readonly weights?: (n: number) => number[];
  /** Weight of the prior component (default 1). */
  readonly priorWeight?: number;
  /** Bound bandwidths below by range / min(100, 1 + components) (default true). */
  readonly considerMagicClip?: boolean;
  /** Count running trials as the worst observations, so parallel workers spread out (default true). */
  readonly constantLiar?: boolean;
  /**
   * How ordered finite axes (series, small int ranges) are modelled: `ordered` — a Gaussian kernel in the
   * unit scale, snapped to the values (default); `categorical` — one category per value, as Optuna does
   * when they are given as choices; `hybrid` — a categorical spike at the observed value plus a Gaussian
   * share on its neighbours, so that a good value's neighbours are tried more than far values.
   */
  readonly finite?: 'ordered' | 'categorical' | 'hybrid';
  /**
   * On spaces whose every axis is finite, never propose a configuration already evaluated or running while
   * a candidate not yet tried is at hand (multivariate only; default false). Not applied on conditional spaces yet:
   * a retry of the blocks' argmax mostly returns the same configuration (measured: 58 repeats against 60 without).
   */
  readonly avoidRepeats?: boolean;
  /**
   * On conditional spaces, multivariate only: model jointly each group of parameters that always occur together
   * in the trials (Optuna's `group=True` decomposition); without it, the parameters every finished trial has
   * are modelled jointly and the others one by one (Optuna's fallback to independent sampling). Default false.
   */
  readonly group?: boolean;
}

/** How one parameter is modelled, in the unit scale of its distribution. */
type Dim =
  | { readonly kind: 'cont'; readonly name: string; readonly dist: Distribution; readonly low: number; readonly high: number }
  | { readonly kind: 'ord'; readonly name: string; readonly values: readonly ParamValue[]; readonly index: ReadonlyMap<ParamValue, number>; readonly centers: Float64Array; readonly edges: Float64Array; readonly low: number; readonly high: number }
  | { readonly kind: 'cat'; readonly name: string; readonly values: readonly ParamValue[]; readonly index: ReadonlyMap<ParamValue, number>; readonly centers?: Float64Array }
  | { readonly kind: 'const'; readonly name: string; readonly value: ParamValue };

function buildDims(space: Space, finite: 'ordered' | 'categorical' | 'hybrid'): Dim[] {
  return space.names.map((name): Dim => {
    const dist = space.get(name);
    const vals = dist.values();
    if (vals !== null && vals.length === 1) return { kind: 'const', name, value: vals[0] as ParamValue };
    if (vals === null || vals.length > 100_000) return { kind: 'cont', name, dist, low: 0, high: 1 };
    const index = indexOfValues(vals);
    if (!dist.ordered) return { kind: 'cat', name, values: vals, index };
    if (finite !== 'ordered' && vals.length <= 64) {
      return finite === 'hybrid' ? { kind: 'cat', name, values: vals, index, centers: new Float64Array(vals.map((v) => dist.toUnit(v))) } : { kind: 'cat', name, values: vals, index };
    }
    // Ordered finite values: each owns the cell of the unit line closest to it.
    const k = vals.length;
    const centers = new Float64Array(vals.map((v) => dist.toUnit(v)));
    const edges = new Float64Array(k + 1);
    edges[0] = (centers[0] as number) - ((centers[1] as number) - (centers[0] as number)) / 2;
    for (let i = 1; i < k; i++) edges[i] = ((centers[i - 1] as number) + (centers[i] as number)) / 2;
    edges[k] = (centers[k - 1] as number) + ((centers[k - 1] as number) - (centers[k - 2] as number)) / 2;
    return { kind: 'ord', name, values: vals, index, centers, edges, low: edges[0] as number, high: edges[k] as number };
  });
}

/** Each value's first position (what indexOf gives), found in O(1): an ordered axis may have thousands of values. */
function indexOfValues(vals: readonly ParamValue[]): Map<ParamValue, number> {
  const m = new Map<ParamValue, number>();
  vals.forEach((v, i) => { if (!m.has(v)) m.set(v, i); });
  return m;
}

/** A parameter value as the estimator sees it: unit coordinate (cont) or value index (ord, cat). */
function encode(dim: Dim, v: ParamValue | undefined): number | null {
  if (v === undefined) return null;
  switch (dim.kind) {
    case 'cont': {
      if (!dim.dist.contains(v)) return null;
      return dim.dist.toUnit(v);
    }
    case 'ord':
    case 'cat': {
      // As indexOf (strict equality): NaN is never found.
      if (typeof v === 'number' && Number.isNaN(v)) return null;
      return dim.index.get(v) ?? null;
    }
    case 'const':
      return 0;
  }
}

function decode(dim: Dim, x: number): ParamValue {
  switch (dim.kind) {
    case 'cont':
      return dim.dist.fromUnit(x);
    case 'ord':
    case 'cat':
      return dim.values[x] as ParamValue;
    case 'const':
      return dim.value;
  }
}

/** Per-dimension kernel parameters of a Parzen estimator (one row per component; the prior is last). */
type DimKernel =
  | { readonly kind: 'num'; readonly mus: Float64Array; readonly sigmas: Float64Array; readonly logZ: Float64Array; readonly dim: Extract<Dim, { low: number }>; readonly columns: Map<number, Float64Array> | null; readonly classes: Classes | null; readonly invSigma: Float64Array; readonly offset: Float64Array }
  | { readonly kind: 'cat'; readonly logp: Float64Array; readonly probs: Float64Array; readonly k: number }
  | { readonly kind: 'const' };

interface TpeParams {
  readonly multivariate: boolean;
  readonly priorWeight: number;
  readonly magicClip: boolean;
  readonly nDims: number;
}

/** Share of a hybrid kernel's mass spread over the neighbours of the observed value. */
const HYBRID_SPREAD = 0.5;

/** A mixture of truncated Gaussians / categorical kernels, one per observation, plus a prior. */
class Parzen {
  readonly logW: Float64Array;
  private readonly cumW: Float64Array;
  readonly kernels: DimKernel[];
  readonly n: number;

  /** `cols[d][i]` is observation i encoded on dims[d] (n observations); `weights` are per observation. */
  constructor(readonly dims: readonly Dim[], cols: readonly ArrayLike<number>[], n: number, weights: readonly number[], p: TpeParams) {
    this.n = n + 1;
    const w = [...weights, p.priorWeight];
    const total = w.reduce((a, b) => a + b, 0);
    this.logW = new Float64Array(w.map((x) => Math.log(x / total)));
    this.cumW = new Float64Array(w.length);
    let acc = 0;
    w.forEach((x, i) => { acc += x / total; this.cumW[i] = acc; });
    this.kernels = dims.map((dim, d) => {
      if (dim.kind === 'const') return { kind: 'const' as const };
      const col = cols[d] as ArrayLike<number>;
      if (dim.kind === 'cat') return catKernel(dim.values.length, col, n, p, dim.centers);
      let x = col;
      if (dim.kind === 'ord') {
        const c = new Float64Array(n);
        for (let i = 0; i < n; i++) c[i] = dim.centers[col[i] as number] as number;
        x = c;
      }
      return numKernel(dim, x, n, p);
    });
  }

  /** Draws one encoded point. */
  sample(rng: Rng): number[] {
    const u = rng.next();
    let j = 0;
    while (j < this.cumW.length - 1 && (this.cumW[j] as number) < u) j++;
    return this.kernels.map((k) => {
      if (k.kind === 'const') return 0;
      if (k.kind === 'cat') {
        let r = rng.next(), c = 0;
        const base = j * k.k;
        while (c < k.k - 1 && r >= (k.probs[base + c] as number)) { r -= k.probs[base + c] as number; c++; }
        return c;
      }
      const { low, high } = k.dim;
      const mu = k.mus[j] as number, sigma = k.sigmas[j] as number;
      let v = mu;
      for (let t = 0; t < 100; t++) {
        const z = mu + sigma * rng.normal();
        if (z >= low && z <= high) { v = z; break; }
        if (t === 99) v = Math.min(high, Math.max(low, z));
      }
      if (k.dim.kind === 'cont') return v;
      // Snap to the cell that contains v.
      const e = k.dim.edges;
      let lo = 0, hi = e.length - 2;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if ((e[mid] as number) <= v) lo = mid; else hi = mid - 1;
      }
      return lo;
    });
  }

  /** log density (or mass) of each component at an encoded point, plus the mixture weights; returns the mixture log density. */
  logPdf(x: readonly number[], buf: Float64Array): number {
    buf.set(this.logW);
    const n = this.n;
    for (let d = 0; d < this.kernels.length; d++) {
      const k = this.kernels[d] as DimKernel;
      if (k.kind === 'const') continue;
      const xd = x[d] as number;
      if (k.kind === 'cat') {
        const logp = k.logp, kk = k.k;
        for (let j = 0; j < n; j++) buf[j] = (buf[j] as number) + (logp[j * kk + xd] as number);
        continue;
      }
      if (k.columns && k.dim.kind === 'ord') {
        let col = k.columns.get(xd);
        if (col === undefined) {
          col = new Float64Array(n);
          const a = k.dim.edges[xd] as number, b = k.dim.edges[xd + 1] as number;
          const mass = (j: number): number => {
            const mu = k.mus[j] as number, s = k.sigmas[j] as number;
            return logNormMass((a - mu) / s, (b - mu) / s) - (k.logZ[j] as number);
          };
          if (k.classes) {
            // Once per distinct (μ, σ): components of a class have the same mass on the cell.
            const { of, reps } = k.classes;
            const perClass = new Float64Array(reps.length);
            for (let c = 0; c < reps.length; c++) perClass[c] = mass(reps[c] as number);
            for (let j = 0; j < n; j++) col[j] = perClass[of[j] as number] as number;
          } else for (let j = 0; j < n; j++) col[j] = mass(j);
          k.columns.set(xd, col);
        }
        for (let j = 0; j < n; j++) buf[j] = (buf[j] as number) + (col[j] as number);
        continue;
      }
      const mus = k.mus, inv = k.invSigma, off = k.offset;
      for (let j = 0; j < n; j++) {
        const z = (xd - (mus[j] as number)) * (inv[j] as number);
        buf[j] = (buf[j] as number) + (off[j] as number) - 0.5 * z * z;
      }
    }
    return logSumExp(buf.subarray(0, n));
  }
}

function catKernel(k: number, col: ArrayLike<number>, nObs: number, p: TpeParams, centers?: Float64Array): DimKernel {
  const n = nObs + 1;
  const probs = new Float64Array(n * k).fill(p.priorWeight / n);
  for (let i = 0; i < nObs; i++) {
    const c = col[i] as number;
    probs[i * k + c] = (probs[i * k + c] as number) + 1;
  }
  if (centers) {
    // Hybrid: a Gaussian share (bandwidth as multivariate TPE's, in the unit scale) on the other values.
    const range = (centers[k - 1] as number) - (centers[0] as number) || 1;
    const sigma = 0.2 * Math.max(nObs, 1) ** (-1 / (p.nDims + 4)) * range;
    Array.from(col).forEach((c, i) => {
      let s = 0;
      const g = new Float64Array(k);
      for (let v = 0; v < k; v++) {
        if (v === c) continue;
        g[v] = Math.exp(-0.5 * (((centers[v] as number) - (centers[c] as number)) / sigma) ** 2);
        s += g[v] as number;
      }
      if (s > 0) for (let v = 0; v < k; v++) probs[i * k + v] = (probs[i * k + v] as number) + (HYBRID_SPREAD * (g[v] as number)) / s;
    });
  }
  // The prior row stays uniform.
  for (let c = 0; c < k; c++) probs[(n - 1) * k + c] = 1;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += probs[i * k + c] as number;
    for (let c = 0; c < k; c++) probs[i * k + c] = (probs[i * k + c] as number) / s;
  }
  return { kind: 'cat', probs, logp: probs.map(Math.log), k };
}

function numKernel(dim: Extract<Dim, { low: number }>, x: ArrayLike<number>, n: number, p: TpeParams): DimKernel {
  const { low, high } = dim;
  const range = high - low;
  const sig = new Float64Array(n + 1);
  if (p.multivariate) {
    sig.fill(0.2 * Math.max(n, 1) ** (-1 / (p.nDims + 4)) * range);
  } else if (n > 0) {
    // Distance to the farther neighbour among sorted observations (the endpoints count as neighbours),
    // except that the first and last observations use their inner neighbour (Optuna's consider_endpoints=False).
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => (x[a] as number) - (x[b] as number));
    const s = new Float64Array(n + 2);
    s[0] = low;
    for (let r = 0; r < n; r++) s[r + 1] = x[order[r] as number] as number;
    s[n + 1] = high;
    const sorted = new Float64Array(n);
    for (let i = 0; i < n; i++) sorted[i] = Math.max((s[i + 1] as number) - (s[i] as number), (s[i + 2] as number) - (s[i + 1] as number));
    if (s.length >= 4) {
      sorted[0] = (s[2] as number) - (s[1] as number);
      sorted[n - 1] = (s[n] as number) - (s[n - 1] as number);
    }
    order.forEach((i, r) => (sig[i] = sorted[r] as number));
  }
  sig[n] = range;
  const mus = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) mus[i] = x[i] as number;
  mus[n] = (low + high) / 2;
  const minSigma = p.magicClip ? range / Math.min(100, 1 + (n + 1)) : 1e-12;
  for (let i = 0; i <= n; i++) sig[i] = Math.min(range, Math.max(minSigma, sig[i] as number));
  // On an ordered finite axis components often coincide (a value observed many times, σ at its floor): their masses
  // are computed once per distinct (μ, σ) — the same numbers, far fewer logarithms (8 instead of 1,000 on an 8-value
  // axis at 1,000 trials).
  const classes = dim.kind === 'ord' ? classesOf(mus, sig) : null;
  const logZ = new Float64Array(n + 1);
  const zOf = (i: number): number => logNormMass((low - (mus[i] as number)) / (sig[i] as number), (high - (mus[i] as number)) / (sig[i] as number));
  if (classes) {
    const perClass = classes.reps.map(zOf);
    for (let i = 0; i <= n; i++) logZ[i] = perClass[classes.of[i] as number] as number;
  } else for (let i = 0; i <= n; i++) logZ[i] = zOf(i);
  // Ordered finite axes: the log mass of each component on a value's cell, computed for a value the first time a
  // candidate takes it (candidates repeat values; a full table would cost components × values).
  const columns = dim.kind === 'ord' ? new Map<number, Float64Array>() : null;
  // Per component, what does not depend on x: 1/σ and −log σ − log Z − log √(2π) (one multiply-add per
  // component and candidate instead of a division and a logarithm).
  const invSigma = new Float64Array(n + 1);
  const offset = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    invSigma[i] = 1 / (sig[i] as number);
    offset[i] = logNormPdf(0) - Math.log(sig[i] as number) - (logZ[i] as number);
  }
  return { kind: 'num', mus, sigmas: sig, logZ, dim, columns, classes, invSigma, offset };
}

/** Components grouped by equal (μ, σ): `of[i]` is component i's class, `reps[c]` the first component of class c. */
interface Classes {
  readonly of: Int32Array;
  readonly reps: number[];
}

function classesOf(mus: Float64Array, sig: Float64Array): Classes {
  const of = new Int32Array(mus.length);
  const reps: number[] = [];
  const byMu = new Map<number, number[]>();
  for (let i = 0; i < mus.length; i++) {
    const mu = mus[i] as number, s = sig[i] as number;
    let list = byMu.get(mu);
    if (list === undefined) {
      list = [];
      byMu.set(mu, list);
    }
    let c = list.find((k) => sig[reps[k] as number] === s);
    if (c === undefined) {
      c = reps.length;
      reps.push(i);
      list.push(c);
    }
    of[i] = c;
  }
  return { of, reps };
}

/** One observation for the split: encoded point, rank key, trial number. */
interface Obs {
  readonly x: number[];
  readonly number: number;
  /** 0 complete, 1 pruned, 2 running (constant liar). */
  readonly tier: number;
  /** Within a tier, lower is better. */
  readonly key: number;
  /** Multi-objective studies: a complete trial's values in minimisation form (the split ranks by these). */
  readonly vals?: readonly number[];
}

/**
 * A trial as a TPE observation: complete trials by value; pruned ones worse than every complete trial (pruned
 * later, with more steps, ranks better); running or waiting ones as constant liars, worst of all; null otherwise.
 */
function observationOf(t: TrialRecord, x: number[], sign: number, constantLiar: boolean, directions: readonly Direction[] | null = null): Obs | null {
  if (directions !== null) {
    // Multi-objective: a complete trial is an observation by its value vector; pruning has no meaning here.
    const v = valuesOf(t);
    if (t.state === 'complete' && v !== null && v.length === directions.length && v.every(Number.isFinite)) return { x, number: t.number, tier: 0, key: 0, vals: toMinimization(v, directions) };
    if (t.state === 'complete') return null;
  }
  if (t.state === 'complete' && t.value !== null && !Number.isNaN(t.value)) return { x, number: t.number, tier: 0, key: sign * t.value };
  if (t.state === 'pruned') return { x, number: t.number, tier: 1, key: -t.steps.length };
  if (constantLiar && (t.state === 'running' || t.state === 'waiting')) return { x, number: t.number, tier: 2, key: 0 };
  return null;
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) as Optuna 3.1 implements it: independent
 * (one estimator per parameter) or multivariate; ordered finite domains are modelled in their unit scale.
 */
export class TpeSampler implements Sampler {
  readonly name: string;
  private readonly opt: Required<TpeOptions>;
  private cache: { space: Space; dims: Dim[]; encoded: WeakMap<Params, number[] | null> } | null = null;

  constructor(options: TpeOptions = {}) {
    const nStartup = options.nStartupTrials ?? 10;
    const nEi = options.nEiCandidates ?? 24;
    const prior = options.priorWeight ?? 1;
    if (!Number.isInteger(nStartup) || nStartup < 0) throw new InputError(`Expected \`nStartupTrials\` to be an integer ≥ 0, got ${nStartup}`);
    if (!Number.isInteger(nEi) || nEi < 1) throw new InputError(`Expected \`nEiCandidates\` to be an integer ≥ 1, got ${nEi}`);
    if (!(prior > 0)) throw new InputError(`Expected \`priorWeight\` to be > 0, got ${prior}`);
    this.opt = {
      multivariate: options.multivariate ?? false,
      nStartupTrials: nStartup,
      nEiCandidates: nEi,
      gamma: options.gamma ?? defaultGamma,
      weights: options.weights ?? defaultWeights,
      priorWeight: prior,
      considerMagicClip: options.considerMagicClip ?? true,
      constantLiar: options.constantLiar ?? true,
      finite: options.finite ?? 'ordered',
      avoidRepeats: options.avoidRepeats ?? false,
      group: options.group ?? false,
    };
    if (!['ordered', 'categorical', 'hybrid'].includes(this.opt.finite)) throw new InputError(`Expected \`finite\` to be ordered, categorical or hybrid, got ${String(this.opt.finite)}`);
    this.name = this.opt.multivariate ? 'tpe-multivariate' : 'tpe';
  }

  private dimsFor(space: Space): Dim[] {
    if (this.cache?.space !== space) this.cache = { space, dims: buildDims(space, this.opt.finite), encoded: new WeakMap() };
    return this.cache.dims;
  }

  /**
   * Trials' encodings on these dims, by params object: a study's finished trials come back as the same read-only
   * snapshots from proposal to proposal (TrialView), so each is encoded once. Params are never changed in place.
   */
  private encodedFor(dims: Dim[]): WeakMap<Params, number[] | null> {
    if (this.cache?.dims !== dims) throw new Error('dimsFor first');
    return this.cache.encoded;
  }

  /** Proposes the configuration that maximises l(x)/g(x) among candidates drawn from l(x). */
  sample(ctx: SamplerContext): { params: Params } {
    const dims = this.dimsFor(ctx.space);
    if (ctx.space.sparse) return this.sampleSparse(ctx, dims);
    const sign = ctx.direction === 'minimize' ? 1 : -1;
    const directions = multiDirections(ctx);
    const obs: Obs[] = [];
    let finished = 0;
    const encoded = this.encodedFor(dims);
    for (const t of ctx.trials) {
      let x = encoded.get(t.params);
      if (x === undefined) {
        x = encodeTrial(dims, t);
        encoded.set(t.params, x);
      }
      if (x === null) continue;
      const o = observationOf(t, x, sign, this.opt.constantLiar, directions);
      if (o) { obs.push(o); if (o.tier < 2) finished++; }
    }
    if (finished < this.opt.nStartupTrials) return { params: ctx.space.sample(ctx.rng) };

    const { below, above, belowWeights } = this.split(obs);
    const p: TpeParams = { multivariate: this.opt.multivariate, priorWeight: this.opt.priorWeight, magicClip: this.opt.considerMagicClip, nDims: dims.length };
    const out: Record<string, ParamValue> = {};
    if (this.opt.multivariate) {
      let seen: Set<string> | null = null;
      if (this.opt.avoidRepeats && dims.every((d) => d.kind !== 'cont')) {
        seen = new Set();
        for (const o of obs) seen.add(keyOf(o.x));
      }
      const x = this.choose(dims, columnsOf(below, dims.length), columnsOf(above, dims.length), p, ctx.rng, seen, belowWeights);
      dims.forEach((d, i) => (out[d.name] = decode(d, x[i] as number)));
    } else {
      // One estimator per parameter: the parameter's column of the good and of the bad observations.
      const colsBelow = columnsOf(below, dims.length);
      const colsAbove = columnsOf(above, dims.length);
      dims.forEach((d, i) => {
        const one = (c: Columns): Columns => ({ cols: [c.cols[i] as Float64Array], n: c.n });
        const x = this.choose([d], one(colsBelow), one(colsAbove), p, ctx.rng, null, belowWeights);
        out[d.name] = decode(d, x[0] as number);
      });
    }
    return { params: out };
  }

  /**
   * Conditional (or define-by-run) spaces, as Optuna: a trial is an observation of the parameters it has. Each
   * block of parameters (one per parameter when independent; see `blocksOf` for multivariate) is fitted on the
   * trials that have all of the block, split into good and bad among those, so an `units_3` model learns from
   * the 3-layer trials only. Independent blocks are drawn in activation order and an inactive parameter is
   * skipped; joint blocks are drawn whole and inactive parameters dropped at the end.
   */
  private sampleSparse(ctx: SamplerContext, dims: readonly Dim[]): { params: Params } {
    const space = ctx.space;
    const sign = ctx.direction === 'minimize' ? 1 : -1;
    const directions = multiDirections(ctx);
    const obs: Obs[] = [];
    let finished = 0;
    // Encodings by params object, as on unconditional spaces (sampleSparse's: NaN where a parameter is inactive,
    // null when none is encodable).
    const encoded = this.encodedFor(dims as Dim[]);
    for (const t of ctx.trials) {
      let x = encoded.get(t.params);
      if (x === undefined) {
        const e = dims.map((d) => encode(d, t.params[d.name]) ?? Number.NaN);
        x = e.every(Number.isNaN) ? null : e;
        encoded.set(t.params, x);
      }
      if (x === null) continue;
      const o = observationOf(t, x, sign, this.opt.constantLiar, directions);
      if (o) { obs.push(o); if (o.tier < 2) finished++; }
    }
    if (finished < this.opt.nStartupTrials) return { params: space.sample(ctx.rng) };
    // One objective: every block's split ranks its observations by the same order, so rank them all once and keep
    // each block's in that order (the order restricted to a subset is the subset's own: the same split).
    const ranked = obs.some((o) => o.vals !== undefined) ? null : [...obs].sort(byRank);
    const inNumberOrder = obs.every((o, i) => i === 0 || (obs[i - 1] as Obs).number < o.number);
    // Several objectives: blocks observed by the same trials (every always-active parameter, say) have the same
    // split, and MOTPE's (fronts, hypervolume subset and weights) is the costly part: made once per distinct subset.
    const splits = new Map<string, ReturnType<TpeSampler['split']>>();
    const out: Record<string, ParamValue> = {};
    for (const block of this.blocksOf(space, dims, obs)) {
      // A lone parameter whose parent is already decided against it takes no draw.
      if (block.length === 1 && !space.isActive((dims[block[0] as number] as Dim).name, out)) continue;
      const hasBlock = (o: Obs): boolean => block.every((i) => !Number.isNaN(o.x[i] as number));
      let split: ReturnType<TpeSampler['split']>;
      if (ranked === null) {
        const sub = obs.filter(hasBlock);
        const key = sub.length === obs.length ? '' : sub.map((o) => o.number).join();
        const made = splits.get(key);
        split = made ?? this.split(sub);
        if (made === undefined) splits.set(key, split);
      } else split = this.splitRanked(ranked.filter(hasBlock), inNumberOrder ? obs.filter(hasBlock) : null);
      const { below, above, belowWeights } = split;
      const bDims = block.map((i) => dims[i] as Dim);
      const p: TpeParams = {
        multivariate: this.opt.multivariate, priorWeight: this.opt.priorWeight, magicClip: this.opt.considerMagicClip, nDims: block.length,
      };
      // The block's columns of the observations (rowsToColumns of each observation's block values).
      const columns = (part: Obs[]): Columns => {
        const cols = block.map((i) => {
          const c = new Float64Array(part.length);
          for (let r = 0; r < part.length; r++) c[r] = (part[r] as Obs).x[i] as number;
          return c;
        });
        return { cols, n: part.length };
      };
      const x = this.choose(bDims, columns(below), columns(above), p, ctx.rng, null, belowWeights);
      bDims.forEach((d, j) => (out[d.name] = decode(d, x[j] as number)));
    }
    return { params: space.prune(out) };
  }

  /**
   * Good and bad observations, each in trial-number order. One objective: the best gamma(n) by (tier, value).
   * Several (`vals` set): MOTPE's split, with the weights of the good ones (src/samplers/motpe.ts).
   */
  private split(obs: readonly Obs[]): { below: Obs[]; above: Obs[]; belowWeights: number[] | null } {
    const byNumber = (a: Obs, b: Obs): number => a.number - b.number;
    if (obs.some((o) => o.vals !== undefined)) {
      const complete = obs.filter((o) => o.vals !== undefined);
      const nBelow = Math.min(complete.length, Math.max(0, this.opt.gamma(obs.filter((o) => o.tier < 2).length)));
      const chosen = new Set(selectBelow(complete.map((o) => o.vals as readonly number[]), nBelow));
      const below = complete.filter((_, i) => chosen.has(i)).sort(byNumber);
      const good = new Set(below);
      const above = obs.filter((o) => !good.has(o)).sort(byNumber);
      return { below, above, belowWeights: belowWeightsOf(below.map((o) => o.vals as readonly number[])) };
    }
    return this.splitRanked([...obs].sort(byRank), obs.every((o, i) => i === 0 || (obs[i - 1] as Obs).number < o.number) ? obs : null);
  }

  /**
   * split's one-objective case from the observations already in rank order. `inOrder`, when given, is the same
   * observations in increasing trial number: the two groups are then read off it instead of sorted.
   */
  private splitRanked(ranked: readonly Obs[], inOrder: readonly Obs[] | null): { below: Obs[]; above: Obs[]; belowWeights: null } {
    const byNumber = (a: Obs, b: Obs): number => a.number - b.number;
    const nBelow = Math.min(ranked.length, Math.max(0, this.opt.gamma(ranked.length)));
    if (inOrder === null) return { below: ranked.slice(0, nBelow).sort(byNumber), above: ranked.slice(nBelow).sort(byNumber), belowWeights: null };
    const good = new Set(ranked.slice(0, nBelow));
    const below: Obs[] = [], above: Obs[] = [];
    for (const o of inOrder) (good.has(o) ? below : above).push(o);
    return { below, above, belowWeights: null };
  }

  /**
   * Index blocks of `dims` modelled jointly, in activation order. Independent: one per parameter. Multivariate:
   * the parameters every finished trial has form one block, the rest one each; with `group`, the groups of
   * parameters that occur together in every trial having any of them (Optuna's group decomposition: each
   * trial's parameter set splits the groups it cuts).
   */
  private blocksOf(space: Space, dims: readonly Dim[], obs: readonly Obs[]): number[][] {
    const rank = new Map(space.order.map((n, i) => [n, i]));
    const at = (i: number): number => rank.get((dims[i] as Dim).name) ?? i;
    const all = dims.map((_, i) => i).sort((a, b) => at(a) - at(b));
    if (!this.opt.multivariate) return all.map((i) => [i]);
    // Each distinct parameter set once, in order of first appearance: a set met again changes nothing (after a set is
    // applied every group lies inside it or outside it, and it is covered), so this gives the same groups as every
    // trial's set in turn (1,000 of them, a handful distinct, at every proposal).
    const sets: number[][] = [];
    const seenSets = new Set<string>();
    for (const o of obs) {
      if (o.tier >= 2) continue;
      let key = '';
      for (const i of all) key += Number.isNaN(o.x[i] as number) ? '0' : '1';
      if (seenSets.has(key)) continue;
      seenSets.add(key);
      sets.push(all.filter((i) => !Number.isNaN(o.x[i] as number)));
    }
    let groups: number[][];
    if (this.opt.group) {
      groups = [];
      for (const s of sets) {
        const inS = new Set(s);
        const next: number[][] = [];
        for (const g of groups) {
          const a = g.filter((i) => inS.has(i)), b = g.filter((i) => !inS.has(i));
          if (a.length > 0) next.push(a);
          if (b.length > 0) next.push(b);
        }
        const covered = new Set(next.flat());
        const rest = s.filter((i) => !covered.has(i));
        if (rest.length > 0) next.push(rest);
        groups = next;
      }
    } else {
      const common = all.filter((i) => sets.every((s) => s.includes(i)));
      groups = common.length > 0 ? [common] : [];
    }
    const covered = new Set(groups.flat());
    for (const i of all) if (!covered.has(i)) groups.push([i]);
    return groups.map((g) => g.sort((a, b) => at(a) - at(b))).sort((a, b) => at(a[0] as number) - at(b[0] as number));
  }

  /**
   * The candidate (drawn from l) with the largest l(x)/g(x). With `seen`, candidates already evaluated are
   * passed over; when every candidate of a round was seen, up to 3 more rounds are drawn before the best
   * seen one is taken.
   */
  private choose(
    dims: readonly Dim[], below: Columns, above: Columns, p: TpeParams, rng: Rng, seen: Set<string> | null = null,
    belowWeights: readonly number[] | null = null,
  ): number[] {
    const l = new Parzen(dims, below.cols, below.n, belowWeights ?? this.opt.weights(below.n), p);
    const g = new Parzen(dims, above.cols, above.n, this.opt.weights(above.n), p);
    const bufL = new Float64Array(l.n), bufG = new Float64Array(g.n);
    let best: number[] = [];
    let bestScore = -Infinity;
    let fresh: number[] | null = null;
    let freshScore = -Infinity;
    for (let round = 0; round < (seen ? 4 : 1) && fresh === null; round++) {
      for (let c = 0; c < this.opt.nEiCandidates; c++) {
        const x = l.sample(rng);
        const score = l.logPdf(x, bufL) - g.logPdf(x, bufG);
        if (best.length === 0 || score > bestScore) { best = x; bestScore = score; }
        if (seen && !seen.has(x.join(',')) && (fresh === null || score > freshScore)) { fresh = x; freshScore = score; }
      }
    }
    return fresh ?? best;
  }
}

/** One objective's ranking of observations: by tier, then value (lower is better), then trial number. */
function byRank(a: Obs, b: Obs): number {
  return a.tier - b.tier || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) || a.number - b.number;
}

/** Observations as one column per dim (what Parzen takes): n values each. */
interface Columns {
  readonly cols: readonly Float64Array[];
  readonly n: number;
}

function columnsOf(obs: readonly Obs[], nDims: number): Columns {
  return rowsToColumns(obs.map((o) => o.x), nDims);
}

function rowsToColumns(rows: readonly (readonly number[])[], nDims: number): Columns {
  const n = rows.length;
  const cols: Float64Array[] = [];
  for (let d = 0; d < nDims; d++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = (rows[i] as readonly number[])[d] as number;
    cols.push(c);
  }
  return { cols, n };
}

/** An encoded observation as a set key, cached by array (trials' encodings are cached too). */
const keys = new WeakMap<readonly number[], string>();
function keyOf(x: readonly number[]): string {
  let k = keys.get(x);
  if (k === undefined) {
    k = x.join(',');
    keys.set(x, k);
  }
  return k;
}

/** The directions of a multi-objective study, or null for one objective. */
function multiDirections(ctx: SamplerContext): readonly Direction[] | null {
  return ctx.directions !== undefined && ctx.directions.length > 1 ? ctx.directions : null;
}

function encodeTrial(dims: readonly Dim[], t: TrialRecord): number[] | null {
  const x: number[] = [];
  for (const d of dims) {
    const e = encode(d, t.params[d.name]);
    if (e === null) return null;
    x.push(e);
  }
  return x;
}
