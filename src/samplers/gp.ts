import { InputError } from '../core/errors.js';
import type { Space } from '../space/space.js';
import type { Params } from '../core/types.js';
import { Rng } from '../core/rng.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { normCdf } from './tpe-math.js';
import { normalQuantile } from '../stats/distributions.js';
import { cholesky, choleskyAppend, choleskyDelete, factorEdits } from './gp-cholesky.js';
import { Encoding, type Col } from './gp-encoding.js';
import { GrowingKeySet, Scratch, firstRows, rowKey } from './gp-scratch.js';
import { fitTrend, trendAt, type Trend } from './gp-trend.js';

/** Options of the Gaussian-process sampler. */
export interface GpOptions {
  /** Random proposals until this many trials have completed (default 10). */
  readonly nStartupTrials?: number;
  /** At most this many completed trials are fitted: the best half and the most recent rest (default 150). */
  readonly maxHistory?: number;
  /** Points used to choose kernel hyperparameters by marginal likelihood (default 64). */
  readonly maxFitPoints?: number;
  /** Uniform random candidates for the EI search (default 320). */
  readonly nRandomCandidates?: number;
  /** Candidates drawn around the best points (default 192). */
  readonly nLocalCandidates?: number;
  /**
   * How observed values become the GP's targets: `standardize` — (y − mean) / sd (default); `rank` — the
   * normal quantile of each value's rank (a Gaussian copula), so that a few huge values (diverged runs)
   * do not flatten the model where the good configurations are.
   */
  readonly yTransform?: 'standardize' | 'rank';
  /** On spaces whose every axis is finite, never propose a configuration already evaluated or running (default false). */
  readonly avoidRepeats?: boolean;
  /**
   * Past maxHistory complete trials, fits of a due kernel-hyperparameter search done per proposal (default 8; see
   * `hyperFor`); Infinity runs each search whole in the proposal where it is due.
   */
  readonly hyperStepsPerProposal?: number;
  /**
   * A prediction of the objective (in its own units and direction) to use as the GP's prior mean: the targets are
   * regressed on it (least squares, slope ≥ 0; see gp-trend.ts) and the GP models the residuals, so a good
   * prediction guides the search from the first GP proposal and a poor one gets little weight. Default: none
   * (constant mean). Used by the learned controller (`ControllerOptions.priorMean`).
   */
  readonly priorMean?: (params: Params) => number;
}

/** The fitted GP at one observed point (see GpSampler.posteriorAtObserved). */
export interface ObservedPosterior {
  readonly params: Params;
  readonly y: number;
  readonly mu: number;
  readonly sd: number;
  readonly rank: number;
}

const SQRT5 = Math.sqrt(5);

/**
 * The Matérn-5/2 correlation under given per-column inverse lengthscales, computed on compact coordinates: each
 * numeric column pre-multiplied by its inverse lengthscale, each one-hot categorical as one code (the index of its 1,
 * −1 when all zeros: inactive). Every point the GP sees is one-hot (encodings, snapped candidates), and a categorical's
 * columns share one lengthscale (the search scales them together), so a differing categorical adds 2·inv² to the
 * squared distance and an inactive one against an active one inv²: the column-wise distance in fewer operations (the
 * 4 columns of a 4-way categorical are one comparison), equal up to rounding.
 */
class Kernel {
  /** Columns of a compact row: the numeric ones, then one per categorical. */
  readonly width: number;
  private readonly numCol: Int32Array;
  private readonly numInv: Float64Array;
  private readonly catCol: Int32Array;
  private readonly catLen: Int32Array;
  /** inv² of each categorical (one differs from an inactive one) and 2·inv² (two different choices). */
  private readonly catOne: Float64Array;
  private readonly catTwo: Float64Array;

  constructor(enc: Encoding, readonly inv: Float64Array) {
    const nums = enc.cols.filter((c) => c.kind === 'num');
    const cats = enc.cols.filter((c): c is Extract<Col, { kind: 'cat' }> => c.kind === 'cat');
    this.numCol = Int32Array.from(nums, (c) => c.at);
    this.numInv = Float64Array.from(nums, (c) => inv[c.at] as number);
    this.catCol = Int32Array.from(cats, (c) => c.at);
    this.catLen = Int32Array.from(cats, (c) => c.values.length);
    this.catOne = Float64Array.from(cats, (c) => (inv[c.at] as number) ** 2);
    this.catTwo = Float64Array.from(this.catOne, (w) => 2 * w);
    this.width = nums.length + cats.length;
  }

  /** Writes the compact form of the one-hot point x[xAt..] (encoding width) at out[at..]. */
  compact(x: Float64Array, xAt: number, out: Float64Array, at: number): void {
    const nNum = this.numCol.length;
    for (let j = 0; j < nNum; j++) out[at + j] = (x[xAt + (this.numCol[j] as number)] as number) * (this.numInv[j] as number);
    for (let c = 0; c < this.catCol.length; c++) {
      const from = xAt + (this.catCol[c] as number);
      let code = -1;
      for (let i = 0; i < (this.catLen[c] as number); i++) if ((x[from + i] as number) > 0.5) code = i;
      out[at + nNum + c] = code;
    }
  }

  /** The compact rows of n one-hot points stored row by row in X (into `out` when given, of length ≥ n·width). */
  rows(X: Float64Array, n: number, D: number, out: Float64Array = new Float64Array(n * this.width)): Float64Array {
    for (let i = 0; i < n; i++) this.compact(X, i * D, out, i * this.width);
    return out;
  }

  /** The correlation of compact rows A[ai..] and B[bi..]. */
  corr(A: Float64Array, ai: number, B: Float64Array, bi: number): number {
    const nNum = this.numCol.length;
    let r2 = 0;
    for (let j = 0; j < nNum; j++) {
      const t = (A[ai + j] as number) - (B[bi + j] as number);
      r2 += t * t;
    }
    const nCat = this.catCol.length;
    for (let c = 0; c < nCat; c++) {
      const a = A[ai + nNum + c] as number;
      const b = B[bi + nNum + c] as number;
      if (a !== b) r2 += a < 0 || b < 0 ? (this.catOne[c] as number) : (this.catTwo[c] as number);
    }
    const r = Math.sqrt(r2);
    return (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
  }
}

/** A fitted GP: Cholesky factor of C + gI, the weights α, the profiled amplitude σ². */
interface Fit {
  /** The fitted points as compact rows (see Kernel). */
  readonly Z: Float64Array;
  readonly n: number;
  readonly kern: Kernel;
  readonly L: Float64Array;
  readonly alpha: Float64Array;
  readonly amp: number;
  readonly g: number;
  readonly logMl: number;
}

/** Solves L z = b (forward) in place. */
function forward(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (L[i * n + k] as number) * (b[k] as number);
    b[i] = s / (L[i * n + i] as number);
  }
}

/** Solves Lᵀ z = b (backward) in place. */
function backward(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < n; k++) s -= (L[k * n + i] as number) * (b[k] as number);
    b[i] = s / (L[i * n + i] as number);
  }
}

/**
 * The n×n Matérn correlations of the compact rows Z (diagonal 0, for the caller's 1 + g), into `K` when given (its
 * first n² elements).
 */
function correlations(Z: Float64Array, n: number, kern: Kernel, K: Float64Array = new Float64Array(n * n)): Float64Array {
  const C = kern.width;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) K[i * n + j] = K[j * n + i] = kern.corr(Z, i * C, Z, j * C);
    K[i * n + i] = 0;
  }
  return K;
}

/**
 * Fits the GP with given inverse lengthscales and noise ratio g; null when the matrix is singular. K: the
 * correlations when already computed; L: where to build the factor (first n² elements), by default a new array.
 */
function fit(Z: Float64Array, n: number, y: Float64Array, kern: Kernel, g: number, K: Float64Array | null = null, L: Float64Array | null = null): Fit | null {
  if (L === null) L = K ? Float64Array.from(K) : correlations(Z, n, kern);
  else if (K) L.set(K.subarray(0, n * n));
  else correlations(Z, n, kern, L);
  for (let i = 0; i < n; i++) L[i * n + i] = 1 + g;
  if (!cholesky(L, n)) return null;
  return fitWith(Z, n, y, kern, g, L);
}

/** The fit given the Cholesky factor L of C + gI. */
function fitWith(Z: Float64Array, n: number, y: Float64Array, kern: Kernel, g: number, L: Float64Array): Fit {
  const alpha = Float64Array.from(y);
  forward(L, n, alpha);
  let quad = 0;
  for (let i = 0; i < n; i++) quad += (alpha[i] as number) ** 2;
  backward(L, n, alpha);
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L[i * n + i] as number);
  // Amplitude profiled out: σ² = yᵀ(C+gI)⁻¹y / n.
  const amp = Math.max(quad / n, 1e-12);
  return { Z, n, kern, L, alpha, amp, g, logMl: -0.5 * n * Math.log(amp) - 0.5 * logDet };
}

/** Updates of a kept Cholesky factor before a fresh factorisation (see GpSampler.fitFor). */
const FACTOR_REFRESH = 32;
const LENGTHSCALES = [0.05, 0.1, 0.2, 0.35, 0.6, 1, 1.7, 3];
const NOISES = [1e-6, 1e-3, 1e-2, 0.05, 0.2];
const ARD_FACTORS = [0.5, 2, 4];
/**
 * Past the history cap, fits of a kernel-hyperparameter search done per proposal (see GpSampler.hyperFor): the
 * search is 40 grid fits plus 3 per parameter (70 on 10 parameters), so it ends within 5–9 proposals of starting,
 * well before the next one is due (every maxHistory/10 = 15 new trials by default).
 */
const HYPER_STEPS_PER_PROPOSAL = 8;
/**
 * Points of the fitted set whose posterior bounds the variance when pruning EI candidates (see SubsetBound), and how
 * many of them the coarse bound that orders the candidates uses. At 1,000 trials on 5 parameters, of 512 candidates
 * 200 / 120 / 33 passed bounds of 16 / 32 / 64 points to an exact O(n²) variance solve.
 */
const BOUND_POINTS = 64;
const BOUND_POINTS_COARSE = 16;
/** Step sizes of the candidates around the best points, in turn. */
const LOCAL_SCALES = [0.2, 0.05, 0.01];

/**
 * A comparator's sign of a − b (NaN counts as equal, as the sort reads a − b = NaN). A comparator returning a − b of
 * doubles hands the sort a new heap number at each comparison (16 bytes: 160 KB per sort of 1,000 values); −1, 0 and
 * 1 are small integers. Same signs, so the same order.
 */
function ascending(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Gaussian-process Bayesian optimisation: Matérn-5/2 kernel on the unit-scaled space (categoricals
 * one-hot), constant mean, amplitude profiled out; lengthscales and noise chosen by marginal likelihood
 * over a grid (one shared lengthscale, then one pass of per-parameter factors) on at most `maxFitPoints`
 * points; expected improvement maximised over random candidates plus Gaussian steps around the best
 * points, judged at the configurations they snap to. Running trials enter as constant liars at the worst
 * observed value, so parallel workers spread out. To keep a proposal cheap (< 50 ms after 1,000 trials)
 * at most `maxHistory` completed trials are fitted: the best half of that cap and the most recent rest, and past
 * that cap the kernel hyperparameters are re-chosen every maxHistory/10 new trials (`hyperFor`).
 */
export class GpSampler implements Sampler {
  readonly name = 'gp';
  private readonly o: Required<Omit<GpOptions, 'yTransform' | 'avoidRepeats' | 'hyperStepsPerProposal' | 'priorMean'>>;
  private readonly priorMean: ((params: Params) => number) | null;
  private readonly hyperSteps: number;
  private readonly yTransform: 'standardize' | 'rank';
  private readonly avoidRepeats: boolean;
  private cache: { space: Space; enc: Encoding } | null = null;
  /** The last hyperparameter choice past the history cap (see hyperFor). */
  private hyper: { space: Space; width: number; nDone: number; value: { inv: Float64Array; g: number } } | null = null;
  /** A search past the history cap in progress, spread over proposals (see hyperFor). */
  private search: { space: Space; width: number; nDone: number; steps: Generator<void, { inv: Float64Array; g: number }, void> } | null = null;

  constructor(options: GpOptions = {}) {
    const o = {
      nStartupTrials: options.nStartupTrials ?? 10,
      maxHistory: options.maxHistory ?? 150,
      maxFitPoints: options.maxFitPoints ?? 64,
      nRandomCandidates: options.nRandomCandidates ?? 320,
      nLocalCandidates: options.nLocalCandidates ?? 192,
    };
    for (const [k, v] of Object.entries(o)) {
      const min = k === 'nLocalCandidates' ? 0 : k === 'maxHistory' || k === 'maxFitPoints' ? 2 : 1;
      if (!Number.isInteger(v) || v < min) throw new InputError(`Expected \`${k}\` to be an integer ≥ ${min}, got ${v}`);
    }
    this.o = o;
    this.yTransform = options.yTransform ?? 'standardize';
    if (this.yTransform !== 'standardize' && this.yTransform !== 'rank') throw new InputError(`Expected \`yTransform\` to be standardize or rank, got ${String(this.yTransform)}`);
    this.avoidRepeats = options.avoidRepeats ?? false;
    this.priorMean = options.priorMean ?? null;
    this.hyperSteps = options.hyperStepsPerProposal ?? HYPER_STEPS_PER_PROPOSAL;
    if (!(this.hyperSteps >= 1) || (Number.isFinite(this.hyperSteps) && !Number.isInteger(this.hyperSteps))) {
      throw new InputError(`Expected \`hyperStepsPerProposal\` to be an integer ≥ 1 or Infinity, got ${this.hyperSteps}`);
    }
  }

  /**
   * Buffers kept between proposals (see Scratch): the EI search's candidates and their correlations with the fitted
   * points (about 600 KB at 512 candidates × 150 points), the subset bound's, the kept factor's updates.
   */
  private readonly scratch = new Scratch();
  /** The complete trials' encodings as set keys, for avoidRepeats (see GrowingKeySet). */
  private readonly doneKeys = new GrowingKeySet(keyOf);

  /**
   * A buffer of at least `size` for a factor update that reads `from`: of the two kept for this, the one `from` is
   * not in (an update's result is the next one's input).
   */
  private factorBuffer(from: Float64Array, size: number): Float64Array {
    const a = this.scratch.f64('factorA', size);
    return a.buffer === from.buffer ? this.scratch.f64('factorB', size) : a;
  }

  /**
   * The factor of the last proposal's fit, with the points it covers: kept while the kernel hyperparameters are the
   * same object (past the history cap they change every maxHistory/10 trials, see hyperFor).
   */
  private factor: { enc: Encoding; inv: Float64Array; g: number; xs: readonly Float64Array[]; L: Float64Array; age: number } | null = null;

  /**
   * The proposal's fit on the points `xs` (encodings; Z their compact rows under `kern`) with targets y. When only a
   * few points changed since the last fit under the same hyperparameters, the last factor is updated, a point at a
   * time, in O(n²) (choleskyDelete / choleskyAppend) instead of refactorised in O(n³): the same fit up to rounding
   * (gp-cholesky.test.ts). A fresh factorisation every FACTOR_REFRESH updates keeps rounding from building up; the
   * fresh one escalates the noise ratio while the matrix is singular, as before.
   */
  private fitFor(enc: Encoding, kern: Kernel, g: number, xs: readonly Float64Array[], Z: Float64Array, y: Float64Array): Fit | null {
    const n = xs.length;
    const c = this.factor;
    if (c !== null && c.enc === enc && c.inv === kern.inv && c.g === g && c.age < FACTOR_REFRESH) {
      const edits = factorEdits(c.xs, xs, Math.max(4, Math.floor(n / 8)));
      if (edits !== null) {
        let L: Float64Array | null = c.L;
        let m = c.xs.length;
        for (const p of edits.remove) {
          if (L === null) break;
          L = choleskyDelete(L, m, p, this.factorBuffer(L, (m - 1) * (m - 1)));
          m--;
        }
        const C = kern.width;
        for (const i of edits.append) {
          if (L === null) break;
          // The kept points are the first m of xs, in order: the new one's correlations with them, then itself.
          const k = this.scratch.f64('append', m);
          for (let j = 0; j < m; j++) k[j] = kern.corr(Z, j * C, Z, i * C);
          L = choleskyAppend(L, m, k, 1 + g, this.factorBuffer(L, (m + 1) * (m + 1)));
          m++;
        }
        if (L !== null && m === n) {
          this.factor = { enc, inv: kern.inv, g, xs, L, age: c.age + 1 };
          return fitWith(Z, n, y, kern, g, L);
        }
      }
    }
    let f: Fit | null = null;
    for (let jitter = g; f === null && jitter < 10; jitter = jitter * 10 + 1e-6) f = fit(Z, n, y, kern, jitter);
    this.factor = f !== null && f.g === g ? { enc, inv: kern.inv, g, xs, L: f.L, age: 0 } : null;
    return f;
  }

  private encodingFor(space: Space): Encoding {
    if (this.cache?.space !== space) this.cache = { space, enc: new Encoding(space) };
    return this.cache.enc;
  }

  /** Proposes the candidate with the largest expected improvement (random during start-up). */
  sample(ctx: SamplerContext): { params: Params } {
    const enc = this.encodingFor(ctx.space);
    const sign = ctx.direction === 'minimize' ? 1 : -1;
    // The complete trials' encodings, values (lower is better) and numbers, as parallel arrays (not an object each).
    // doneX sized at once and trimmed after (pushes would copy it as it grows).
    const doneX = new Array<Float64Array>(ctx.trials.length);
    const doneY = this.scratch.f64('doneY', ctx.trials.length);
    const doneNumber = this.scratch.f64('doneNumber', ctx.trials.length);
    const pending: Float64Array[] = [];
    // With a prior mean, the complete trials' params (its input).
    const pm = this.priorMean;
    const doneParams: Params[] | null = pm !== null ? [] : null;
    let nDone = 0;
    for (const t of ctx.trials) {
      if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value)) {
        const x = enc.encodeTrial(t.params);
        if (x) {
          doneY[nDone] = sign * t.value;
          doneNumber[nDone] = t.number;
          if (doneParams !== null) doneParams[nDone] = t.params;
          doneX[nDone++] = x;
        }
      } else if (t.state === 'running' || t.state === 'waiting') {
        const x = enc.encodeTrial(t.params);
        if (x) pending.push(x);
      }
    }
    doneX.length = nDone;
    if (nDone < this.o.nStartupTrials) return { params: ctx.space.sample(ctx.rng) };
    const kept = this.history(doneY, doneNumber, nDone);
    const xs = kept.map((i) => doneX[i] as Float64Array);
    const nHist = xs.length;
    const D = enc.width;
    // Standardise y (lower is better internally).
    const ys = kept.map((i) => doneY[i] as number);
    const yStd = this.yTransform === 'rank' ? rankTransform(ys) : standardize(ys);
    // With a prior mean, the GP models what its trend leaves (gp-trend.ts); trendObs: the trend at the fitted points.
    let trend: Trend | null = null;
    let trendObs: Float64Array | null = null;
    // The transformed values themselves (the best of them seed the local candidates).
    const yObs = pm === null ? yStd : yStd.slice();
    if (pm !== null) {
      const m = Float64Array.from(kept, (i) => sign * pm((doneParams as Params[])[i] as Params));
      trend = fitTrend(yStd, m);
      trendObs = m.map((v) => trendAt(trend as Trend, v));
      for (let i = 0; i < nHist; i++) yStd[i] = (yStd[i] as number) - (trendObs[i] as number);
    }
    // The trend at a candidate row (0 without a prior mean).
    const trendOf = (rows: Float64Array, at: number): number => (pm === null ? 0 : trendAt(trend as Trend, sign * pm(enc.decode(rows, at))));

    const { inv, g } = this.hyperFor(ctx.space, enc, xs, yStd, ctx.rng, nDone);
    // Final fit: history plus pending trials at the worst observed value (constant liar).
    const worst = Math.max(...yStd);
    const nAll = nHist + pending.length;
    const y = new Float64Array(nAll);
    const kern = new Kernel(enc, inv);
    const C = kern.width;
    const Z = this.scratch.f64('Z', nAll * C);
    xs.forEach((x, i) => { kern.compact(x, 0, Z, i * C); y[i] = yStd[i] as number; });
    pending.forEach((x, i) => { kern.compact(x, 0, Z, (nHist + i) * C); y[nHist + i] = worst; });
    const f = this.fitFor(enc, kern, g, [...xs, ...pending], Z, y);
    if (f === null) return { params: ctx.space.sample(ctx.rng) };
    // Incumbent: the best posterior mean among observed points (robust to noise): μ_i = y_i − g·α_i.
    let best = Infinity;
    for (let i = 0; i < nHist; i++) best = Math.min(best, (y[i] as number) - f.g * (f.alpha[i] as number) + (trendObs === null ? 0 : (trendObs[i] as number)));

    // Configurations already evaluated or running: passed over on finite spaces when avoidRepeats is on.
    const finiteSpace = enc.cols.every((c) => c.kind === 'cat' || c.finite !== null);
    let seen: ReadonlySet<string> | null = null;
    let seenPending: ReadonlySet<string> | null = null;
    if (this.avoidRepeats && finiteSpace) {
      seen = this.doneKeys.update(doneX);
      seenPending = new Set(pending.map(keyOf));
    }
    // The candidates: rows of one buffer (see Encoding), random ones, then Gaussian steps around the 5 best points.
    const nRandom = this.o.nRandomCandidates;
    const nCand = nRandom + this.o.nLocalCandidates;
    const cand = this.scratch.f64('candidates', nCand * D);
    const snapTmp = this.scratch.f64('snap', D);
    for (let i = 0; i < nRandom; i++) {
      enc.randomInto(ctx.rng, cand, i * D);
      enc.snapRow(cand, i * D, snapTmp);
    }
    // Sorted through a typed copy: the comparator then sees one kind of array from proposal to proposal (an array of
    // numbers changes its V8 elements kind with its values, and the comparator, inlined into sample, deoptimised it).
    const yArr = Float64Array.from(yObs);
    const order = xs.map((_, i) => i).sort((a, b) => ascending(yArr[a] as number, yArr[b] as number));
    const tops = order.slice(0, 5);
    for (let i = 0; i < this.o.nLocalCandidates; i++) {
      const x = xs[tops[i % tops.length] as number] as Float64Array;
      const at = (nRandom + i) * D;
      enc.perturbInto(x, 0, LOCAL_SCALES[i % 3] as number, ctx.rng, cand, at);
      enc.snapRow(cand, at, snapTmp);
    }
    const buf = this.scratch.f64('solve', nAll);
    // The winner so far: a row of `cand`, or of `polish` below.
    let bestRows = cand;
    let bestAt = 0;
    let bestEi = -Infinity;
    const isSeen = (rows: Float64Array, at: number): boolean => {
      if (seen === null) return false;
      const key = rowKey(rows, at, D);
      return seen.has(key) || (seenPending as ReadonlySet<string>).has(key);
    };
    const score = (rows: Float64Array, at: number, mu: number, k: Float64Array, kAt: number): number =>
      (isSeen(rows, at) ? -Infinity : bound.exact(mu, k, kAt, best, buf, bestEi));
    // EI grows with the posterior sd, and the posterior sd given a subset of the fitted points bounds the one given
    // all of them from above: EI at (exact μ, subset sd) bounds EI (see SubsetBound). Scoring candidates in order of
    // that bound and stopping once it falls below the best EI found gives the same winner as scoring all, with
    // O(n·D + m²) per candidate for the bound and the O(n²) variance solve for the few that can still win.
    // Two bounds: a coarse one (the first BOUND_POINTS_COARSE points of the subset) orders the candidates, the
    // fine one (the whole subset) is computed only for those still in the running.
    const bound = new SubsetBound(f, this.scratch);
    // On a space of finite axes, many candidates snap to the same configuration: a later copy scores exactly what the
    // first did, and a score only wins when strictly better, so copies are dropped before any work (the same winner).
    // firsts[c]: the row of the c-th candidate kept.
    const firsts = this.scratch.i32('firsts', nCand);
    let nc = nCand;
    if (finiteSpace) nc = firstRows(cand, nCand, D, firsts, this.scratch.i32('rowTable', 4 * nCand));
    else for (let c = 0; c < nCand; c++) firsts[c] = c;
    // Each candidate's posterior mean, and its correlations with the fitted points (pool, nAll per candidate),
    // computed once for its bound and kept for its exact EI.
    const pool = this.scratch.f64('correlations', nc * nAll);
    const mus = this.scratch.f64('means', nc);
    const ubs = this.scratch.f64('bounds', nc);
    for (let c = 0; c < nc; c++) {
      mus[c] = bound.at(cand, (firsts[c] as number) * D, pool, c * nAll) + trendOf(cand, (firsts[c] as number) * D);
      ubs[c] = bound.ei(mus[c] as number, pool, c * nAll, best, true);
    }
    // Candidates in decreasing order of their coarse bound (a stable sort of their indices).
    const byBound = Array.from({ length: nc }, (_, c) => c).sort((a, b) => ascending(ubs[b] as number, ubs[a] as number));
    for (let r = 0; r < nc; r++) {
      const c = byBound[r] as number;
      if ((ubs[c] as number) <= bestEi) break;
      const mu = mus[c] as number;
      if (bound.ei(mu, pool, c * nAll, best) <= bestEi) continue;
      const at = (firsts[c] as number) * D;
      const e = score(cand, at, mu, pool, c * nAll);
      if (e > bestEi) { bestEi = e; bestAt = at; }
    }
    // A short local polish of the winner (a point whose bound is no better than the best EI cannot win: not scored).
    // Two rows: each step is written to the one not holding the winner.
    const polish = this.scratch.f64('polish', 2 * D);
    const polishK = this.scratch.f64('polishCorrelations', nAll);
    for (let i = 0; i < 30; i++) {
      const at = bestRows === polish && bestAt === 0 ? D : 0;
      enc.perturbInto(bestRows, bestAt, 0.02, ctx.rng, polish, at);
      enc.snapRow(polish, at, snapTmp);
      const mu = bound.at(polish, at, polishK, 0) + trendOf(polish, at);
      if (bound.ei(mu, polishK, 0, best) <= bestEi) continue;
      const e = score(polish, at, mu, polishK, 0);
      if (e > bestEi) { bestEi = e; bestRows = polish; bestAt = at; }
    }
    if (bestEi === -Infinity) return { params: ctx.space.sample(ctx.rng) };
    return { params: enc.decode(bestRows, bestAt) };
  }

  /**
   * The evaluated configuration the model believes best: the lowest posterior mean at the observed points
   * (it pools each point's noisy value with its neighbours'), rather than the luckiest single value.
   * Null with fewer than nStartupTrials complete trials (no model yet).
   */
  bestByModel(space: Space, direction: 'minimize' | 'maximize', trials: SamplerContext['trials'], among = Infinity): Params | null {
    const post = this.posteriorAtObserved(space, direction, trials);
    if (post === null) return null;
    // Candidates: the `among` best observed values (all by default).
    let best: ObservedPosterior | null = null;
    for (const p of post) if (p.rank < among && (best === null || p.mu < best.mu)) best = p;
    return best ? best.params : null;
  }

  /**
   * The GP (fitted as for a proposal, on the same history) at each fitted observed point, in the model's
   * units where lower is better: the transformed value `y`, the posterior mean `mu` of the noise-free
   * surface, its posterior sd `sd` (small where many nearby evaluations back the point) and the rank of the
   * observed value (0 = best). Null with fewer than nStartupTrials complete trials or a singular fit.
   * The kernel hyperparameters: by default a whole marginal-likelihood search on a fixed-seed subset. With `rng`,
   * past the history cap, the choice proposals use (`hyperFor`: kept between calls, re-chosen every maxHistory/10
   * new trials, the search spread over calls, its subset drawn from `rng`), so that a caller asking at every trial
   * (auto's confirmation) does not pay a whole search (about 70 fits) each time; below the cap `rng` changes nothing.
   */
  posteriorAtObserved(space: Space, direction: 'minimize' | 'maximize', trials: SamplerContext['trials'], rng?: Rng): ObservedPosterior[] | null {
    const enc = this.encodingFor(space);
    const sign = direction === 'minimize' ? 1 : -1;
    const done: { x: Float64Array; y: number; number: number; params: Params }[] = [];
    for (const t of trials) {
      if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
      const x = enc.encodeTrial(t.params);
      if (x) done.push({ x, y: sign * t.value, number: t.number, params: t.params });
    }
    if (done.length === 0 || done.length < this.o.nStartupTrials) return null;
    const hist = this.history(done.map((d) => d.y), done.map((d) => d.number), done.length).map((i) => done[i] as (typeof done)[number]);
    const D = enc.width;
    const n = hist.length;
    const yT = this.yTransform === 'rank' ? rankTransform(hist.map((h) => h.y)) : standardize(hist.map((h) => h.y));
    const xs = hist.map((h) => h.x);
    // With a prior mean, the GP is fitted to what its trend leaves, as in `sample`.
    const pm = this.priorMean;
    let trendObs: Float64Array | null = null;
    let r = yT;
    if (pm !== null) {
      const m = Float64Array.from(hist, (h) => sign * pm(h.params));
      const trend = fitTrend(yT, m);
      trendObs = m.map((v) => trendAt(trend, v));
      r = yT.map((v, i) => v - ((trendObs as Float64Array)[i] as number));
    }
    const { inv, g } = rng !== undefined && done.length > this.o.maxHistory
      ? this.hyperFor(space, enc, xs, r, rng, done.length)
      : this.chooseHyper(enc, xs, r, new Rng(0));
    const X = new Float64Array(n * D);
    hist.forEach((h, i) => X.set(h.x, i * D));
    const kern = new Kernel(enc, inv);
    const Z = kern.rows(X, n, D);
    // The correlations once, for the fit and for the sds (fit copies them).
    const K = correlations(Z, n, kern);
    let f: Fit | null = null;
    for (let jitter = g; f === null && jitter < 10; jitter = jitter * 10 + 1e-6) f = fit(Z, n, Float64Array.from(r), kern, jitter, K);
    if (f === null) return null;
    const order = hist.map((_, i) => i).sort((a, b) => (yT[a] as number) - (yT[b] as number));
    const rank = new Array<number>(n).fill(0);
    order.forEach((i, r) => { rank[i] = r; });
    const buf = new Float64Array(n);
    // The sd costs an O(n²) solve per point and auto's confirmation reads only the means: computed when first read.
    const sdAt = (i: number): number => {
      for (let j = 0; j < n; j++) buf[j] = i === j ? 1 : (K[i * n + j] as number);
      forward((f as Fit).L, n, buf);
      let q = 0;
      for (let j = 0; j < n; j++) q += (buf[j] as number) ** 2;
      return Math.sqrt(Math.max((f as Fit).amp * (1 - q), 0));
    };
    return hist.map((h, i) => {
      const mu = (r[i] as number) - (f as Fit).g * ((f as Fit).alpha[i] as number) + (trendObs === null ? 0 : (trendObs[i] as number));
      let sd: number | undefined;
      return { params: h.params, y: yT[i] as number, mu, get sd(): number { return (sd ??= sdAt(i)); }, rank: rank[i] as number };
    });
  }

  /**
   * Kernel hyperparameters for a proposal. Once the history is capped (more than maxHistory complete trials) the
   * fitted set is a sliding window that changes by a trial or two per proposal, and the marginal-likelihood search
   * is redone only after a tenth of maxHistory new complete trials, or on another space; below the cap every
   * proposal chooses afresh, as before. The choice is made on a random subset of maxFitPoints points anyway, so a
   * choice a few trials old is as good an estimate. Past the cap the new search (about 30 ms of CPU at 1,000 trials
   * on 5 parameters, more than a whole proposal otherwise costs) is also spread over the next proposals, at most
   * `hyperStepsPerProposal` fits each (default HYPER_STEPS_PER_PROPOSAL), the previous choice serving until it ends:
   * no single proposal pays for all of it. Only the first proposal past the cap (or on a new space) runs a whole search
   * at once.
   */
  private hyperFor(space: Space, enc: Encoding, xs: Float64Array[], y: number[], rng: Rng, nDone: number): { inv: Float64Array; g: number } {
    if (nDone <= this.o.maxHistory) {
      this.hyper = null;
      this.search = null;
      return this.chooseHyper(enc, xs, y, rng);
    }
    const h = this.hyper;
    const valid = h !== null && h.space === space && h.width === enc.width && nDone >= h.nDone;
    if (!valid) {
      this.search = null;
      const value = this.chooseHyper(enc, xs, y, rng);
      this.hyper = { space, width: enc.width, nDone, value };
      return value;
    }
    const every = Math.max(1, Math.ceil(this.o.maxHistory / 10));
    if (this.search !== null && (this.search.space !== space || this.search.width !== enc.width)) this.search = null;
    if (this.search === null && nDone - h.nDone >= every) {
      this.search = { space, width: enc.width, nDone, steps: this.hyperSearch(enc, xs, y, rng) };
    }
    if (this.search !== null) {
      for (let i = 0; i < this.hyperSteps; i++) {
        const r = this.search.steps.next();
        if (r.done === true) {
          this.hyper = { space, width: enc.width, nDone: this.search.nDone, value: r.value };
          this.search = null;
          break;
        }
      }
    }
    return (this.hyper as NonNullable<typeof this.hyper>).value;
  }

  /**
   * Of n complete trials (their values y, lower is better, and numbers), at most maxHistory: the best half of the cap,
   * then the most recent. Their indices, in trial order.
   */
  private history(y: ArrayLike<number>, num: ArrayLike<number>, n: number): number[] {
    const all = Array.from({ length: n }, (_, i) => i);
    if (n <= this.o.maxHistory) return all;
    const nBest = Math.floor(this.o.maxHistory / 2);
    // By value, ties by trial number (a stable sort: then by index).
    const byValue = all.slice().sort((a, b) => ascending(y[a] as number, y[b] as number) || (num[a] as number) - (num[b] as number));
    const keep = this.scratch.u8('historyKeep', n).fill(0, 0, n);
    for (let r = 0; r < nBest; r++) keep[byValue[r] as number] = 1;
    let count = nBest;
    for (let i = n - 1; i >= 0 && count < this.o.maxHistory; i--) {
      if (keep[i] === 0) {
        keep[i] = 1;
        count++;
      }
    }
    return all.filter((i) => keep[i] === 1);
  }

  /** Marginal-likelihood grid over a shared lengthscale and the noise ratio, then per-parameter factors. */
  private chooseHyper(enc: Encoding, xs: Float64Array[], y: number[], rng: Rng): { inv: Float64Array; g: number } {
    const steps = this.hyperSearch(enc, xs, y, rng);
    for (;;) {
      const r = steps.next();
      if (r.done === true) return r.value;
    }
  }

  /**
   * chooseHyper as steps: the fit subset is drawn at once (the only use of `rng`), then the search yields after each
   * fit (a grid point, or a per-parameter factor), so that hyperFor can spread it over proposals.
   */
  private hyperSearch(enc: Encoding, xs: Float64Array[], y: number[], rng: Rng): Generator<void, { inv: Float64Array; g: number }, void> {
    const D = enc.width;
    let idx = xs.map((_, i) => i);
    if (idx.length > this.o.maxFitPoints) idx = rng.shuffle(idx).slice(0, this.o.maxFitPoints);
    const n = idx.length;
    const X = new Float64Array(n * D);
    const ys = new Float64Array(n);
    idx.forEach((j, i) => { X.set(xs[j] as Float64Array, i * D); ys[i] = y[j] as number; });
    const cols = enc.cols;
    // The search's ~70 fits share its buffers (compact rows, correlations, factor): one set per search, not per fit.
    const Zs = new Float64Array(n * D);
    const Ks = new Float64Array(n * n);
    const Ls = new Float64Array(n * n);
    return (function* search(): Generator<void, { inv: Float64Array; g: number }, void> {
      let best = { ml: -Infinity, inv: new Float64Array(D).fill(1 / 0.35), g: 1e-3 };
      for (const l of LENGTHSCALES) {
        const inv = new Float64Array(D).fill(1 / l);
        const kern = new Kernel(enc, inv);
        const Z = kern.rows(X, n, D, Zs);
        const K = correlations(Z, n, kern, Ks); // shared by the noise levels
        for (const g of NOISES) {
          const f = fit(Z, n, ys, kern, g, K, Ls);
          if (f && f.logMl > best.ml) best = { ml: f.logMl, inv, g };
          yield;
        }
      }
      for (const c of cols) {
        const width = c.kind === 'cat' ? c.values.length : 1;
        let chosen = best;
        for (const k of ARD_FACTORS) {
          const inv = Float64Array.from(best.inv);
          for (let d = c.at; d < c.at + width; d++) inv[d] = (inv[d] as number) / k;
          const kern = new Kernel(enc, inv);
          const f = fit(kern.rows(X, n, D, Zs), n, ys, kern, best.g, null, Ls);
          // A small penalty keeps factors that gain nothing from being taken.
          if (f && f.logMl > chosen.ml + 0.5) chosen = { ml: f.logMl, inv, g: best.g };
          yield;
        }
        best = chosen;
      }
      return { inv: best.inv, g: best.g };
    })();
  }
}

/** (y − mean) / sd. */
function standardize(ys: readonly number[]): number[] {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length) || 1;
  return ys.map((v) => (v - mean) / sd);
}

/** Gaussian copula: Φ⁻¹((rank + ½) / n), ties sharing their mean rank; then standardised. */
export function rankTransform(ys: readonly number[]): number[] {
  const n = ys.length;
  // A typed copy for the comparator (see GpSampler.sample's order).
  const v = Float64Array.from(ys);
  const order = ys.map((_, i) => i).sort((a, b) => ascending(v[a] as number, v[b] as number));
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && v[order[j + 1] as number] === v[order[i] as number]) j++;
    const q = normalQuantile(((i + j) / 2 + 0.5) / n);
    for (let k = i; k <= j; k++) out[order[k] as number] = q;
    i = j + 1;
  }
  return standardize(out);
}

/** EI of a Gaussian with mean improvement d (best − μ) and sd s; increasing in s. */
function eiOf(d: number, s: number): number {
  const z = d / s;
  return d * normCdf(z) + s * Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * A cheap upper bound on EI for pruning candidates (GpSampler.sample). The mean is exact; the variance is the
 * posterior variance given only a subset S of the fitted points, chosen by a partial pivoted Cholesky of C + gI
 * (greedily, the point whose variance given the points already chosen is largest, up to BOUND_POINTS). Conditioning
 * a Gaussian on more observations never raises its variance (the Schur complement is positive semi-definite), so
 * amp·(1 − k_Sᵀ(C_SS + gI)⁻¹k_S) ≥ amp·(1 − kᵀ(C + gI)⁻¹k), and EI grows with the sd: EI(μ, sd_S) ≥ EI(μ, sd). The
 * bound costs the n kernel values the mean needs anyway plus an m×m triangular solve, against the n×n one of the
 * exact variance. An absolute margin of 1e-7·amp on the variance covers rounding in both solves.
 */
class SubsetBound {
  /** Indices of the chosen points, in pivot order (the first `count`). */
  private readonly pivots: Int32Array;
  private count = 0;
  /** Columns of the partial pivoted Cholesky factor over all n points (rows[j·n + i]: point i, pivot j). */
  private readonly rows: Float64Array;
  /** Variance of each point given the pivots so far (times 1 + g at the start). */
  private readonly resid: Float64Array;
  private readonly taken: Uint8Array;
  /** Cholesky factor of (C + gI) on the pivots, m×m row-major (lower), rebuilt when pivots are added. */
  private readonly Ls: Float64Array;
  /** The number of pivots Ls was built for (−1: none yet). */
  private lsCount = -1;
  /** No point is left with variance to explain: the subset cannot grow. */
  private done = false;
  private readonly z: Float64Array;
  /** Scratch: a candidate's compact row. */
  private readonly xc: Float64Array;

  /** Its arrays are buffers of `scratch`, kept by the sampler from proposal to proposal (written before read). */
  constructor(private readonly f: Fit, scratch: Scratch) {
    const n = f.n;
    this.pivots = scratch.i32('boundPivots', BOUND_POINTS);
    this.rows = scratch.f64('boundRows', BOUND_POINTS * n);
    this.resid = scratch.f64('boundResid', n).fill(1 + f.g, 0, n);
    this.taken = scratch.u8('boundTaken', n).fill(0, 0, n);
    this.Ls = scratch.f64('boundFactor', BOUND_POINTS * BOUND_POINTS);
    this.z = scratch.f64('boundSolve', BOUND_POINTS);
    this.xc = scratch.f64('boundRow', f.kern.width);
    this.extend(BOUND_POINTS_COARSE);
  }

  /** Adds pivots until there are `m` (or no point is left with variance to explain). */
  private extend(m: number): void {
    const f = this.f;
    const n = f.n;
    const C = f.kern.width;
    const { resid, taken, rows } = this;
    const target = Math.min(n, m);
    // One pivot per call of addPivot: its O(n·m) loops then run in a function called dozens of times per proposal
    // rather than in one long loop here, which V8 compiled by on-stack replacement at every call and deoptimised
    // after it (--trace-deopt). Same operations in the same order.
    while (!this.done && this.count < target) this.addPivot(f, n, C, resid, taken, rows);
    const k = this.count;
    if (this.lsCount !== k) {
      this.lsCount = k;
      for (let a = 0; a < k; a++) for (let b = 0; b <= a; b++) this.Ls[a * k + b] = rows[b * n + (this.pivots[a] as number)] as number;
    }
  }

  /** Adds the point with the largest remaining variance as a pivot (`done` when none is left). */
  private addPivot(f: Fit, n: number, C: number, resid: Float64Array, taken: Uint8Array, rows: Float64Array): void {
    const j = this.count;
    let p = -1;
    for (let i = 0; i < n; i++) if (taken[i] === 0 && (p < 0 || (resid[i] as number) > (resid[p] as number))) p = i;
    const dp = resid[p] as number;
    if (!(dp > 1e-12 * (1 + f.g))) {
      this.done = true;
      return;
    }
    const sq = Math.sqrt(dp);
    const row = j * n;
    for (let i = 0; i < n; i++) {
      let a = i === p ? 1 + f.g : f.kern.corr(f.Z, i * C, f.Z, p * C);
      for (let t = 0; t < j; t++) a -= (rows[t * n + i] as number) * (rows[t * n + p] as number);
      rows[row + i] = a / sq;
    }
    for (let i = 0; i < n; i++) resid[i] = (resid[i] as number) - (rows[row + i] as number) ** 2;
    taken[p] = 1;
    this.pivots[j] = p;
    this.count = j + 1;
  }

  /**
   * The posterior mean at the point x[xAt..]; its correlations with every fitted point are written to k[kAt..kAt+n),
   * which the caller keeps for `ei` and `exact`.
   */
  at(x: Float64Array, xAt: number, k: Float64Array, kAt: number): number {
    const f = this.f;
    const C = f.kern.width;
    const xc = this.xc;
    f.kern.compact(x, xAt, xc, 0);
    let mu = 0;
    for (let i = 0; i < f.n; i++) {
      const c = f.kern.corr(f.Z, i * C, xc, 0);
      k[kAt + i] = c;
      mu += c * (f.alpha[i] as number);
    }
    return mu;
  }

  /**
   * The exact EI at a point of posterior mean mu whose correlations `at` wrote to k[kAt..], or -Infinity once it is
   * clear that it does not exceed `beat`. The variance term q = ‖L⁻¹k‖² is summed row by row as the forward solve
   * goes, and every partial sum is a lower bound on q, so EI with it is an upper bound: when that falls to `beat` or
   * below, the rest of the O(n²) solve is skipped. A point solved to the end gets the very sums, in the same order,
   * of a whole solve. buf is scratch of length n.
   */
  exact(mu: number, k: Float64Array, kAt: number, best: number, buf: Float64Array, beat: number): number {
    const f = this.f;
    const n = f.n;
    const L = f.L;
    const d = best - mu;
    for (let i = 0; i < n; i++) buf[i] = k[kAt + i] as number;
    let q = 0;
    for (let i = 0; i < n; i++) {
      let s = buf[i] as number;
      const row = i * n;
      for (let j = 0; j < i; j++) s -= (L[row + j] as number) * (buf[j] as number);
      const zi = s / (L[row + i] as number);
      buf[i] = zi;
      q += zi * zi;
      if ((i & 15) === 15 && i < n - 1 && eiOf(d, Math.sqrt(Math.max(f.amp * (1 - q), 1e-18))) <= beat) return -Infinity;
    }
    return eiOf(d, Math.sqrt(Math.max(f.amp * (1 - q), 1e-18)));
  }

  /**
   * An upper bound on expectedImprovement at a point (mu and k[kAt..] as for `exact`): `coarse` given the first
   * BOUND_POINTS_COARSE pivots, else given BOUND_POINTS (chosen on first use).
   */
  ei(mu: number, k: Float64Array, kAt: number, best: number, coarse = false): number {
    if (!coarse) this.extend(BOUND_POINTS);
    const all = this.count;
    const m = coarse ? Math.min(BOUND_POINTS_COARSE, all) : all;
    const L = this.Ls;
    const z = this.z;
    const pivots = this.pivots;
    let q = 0;
    for (let i = 0; i < m; i++) {
      // The point's correlation with pivot i, kept in k (what Kernel.corr would give again).
      let s = k[kAt + (pivots[i] as number)] as number;
      for (let j = 0; j < i; j++) s -= (L[i * all + j] as number) * (z[j] as number);
      const zi = s / (L[i * all + i] as number);
      z[i] = zi;
      q += zi * zi;
    }
    const v = this.f.amp * (Math.max(1 - q, 0) + 1e-7);
    return eiOf(best - mu, Math.sqrt(Math.max(v, 1e-18)));
  }
}

/** The encoding of an evaluated configuration as a set key (cached by array: trials' encodings are cached too). */
const keys = new WeakMap<Float64Array, string>();
function keyOf(x: Float64Array): string {
  let k = keys.get(x);
  if (k === undefined) {
    k = x.join(',');
    keys.set(x, k);
  }
  return k;
}
