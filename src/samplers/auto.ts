import { InputError } from '../core/errors.js';
import type { Space } from '../space/space.js';
import type { Direction, Params, TrialRecord } from '../core/types.js';
import type { Rng } from '../core/rng.js';
import { paramsKey } from '../core/keys.js';
import { GpSampler, type GpOptions } from './gp.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { TpeSampler, type TpeOptions } from './tpe.js';

/** Options of the default strategy. */
export interface AutoOptions {
  /**
   * Complete trials after which the Gaussian process takes over from multivariate TPE. Default: 40 on spaces
   * whose every axis is finite (grids, where TPE's density ratio did better early on FCNet). On spaces with a
   * continuous axis: 40 % of the budget (`trials`), at least 10 — the GP's start-up — and at most 40; 10
   * without a budget. On LCBench the GP was ahead of TPE at 25–50 evaluations, but from 10 trials on it
   * locked onto a local optimum in a quarter of the runs on one task, which TPE's broader start avoided.
   */
  readonly switchAt?: number;
  /**
   * The returned configuration in the GP phase: among the configurations with the `pickAmong` best observed
   * values, the one with the best GP posterior mean (default 5). The model pools each noisy value with its
   * neighbours', so a lone lucky draw is not returned; restricting the choice to the best few observed keeps
   * an over-smooth model from returning a configuration that was never among the good ones.
   */
  readonly pickAmong?: number;
  /** Options of the TPE phase (defaults: multivariate, avoidRepeats). */
  readonly tpe?: TpeOptions;
  /** Options of the GP phase (defaults: yTransform rank, avoidRepeats). */
  readonly gp?: GpOptions;
  /**
   * The study's trial budget. When given, the last `confirmShare` of it re-evaluates the configurations
   * the model believes best (see `confirmStep`), so the returned one rests on repeated evaluations.
   */
  readonly trials?: number;
  /** Share of `trials` spent on re-evaluations at the end (default 0.2; 0 turns confirmation off). */
  readonly confirmShare?: number;
  /** Re-evaluations go round among this many configurations with the best GP posterior mean (default 5). */
  readonly confirmAmong?: number;
  /**
   * Kernel hyperparameters of the GP whose posterior means choose the re-evaluations, past the GP's history cap:
   * `cached` — the choice GP proposals use there, re-chosen every maxHistory/10 trials (default); `search` — a whole
   * marginal-likelihood search at every re-evaluation (about 70 fits; the behaviour before, kept for benchmarks).
   * Below the cap both search at every re-evaluation.
   */
  readonly confirmHyper?: 'cached' | 'search';
}

/**
 * paramsKey of a trial's params, cached by object: a study's finished trials come back as the same read-only
 * snapshots from proposal to proposal (as the GP's and TPE's encodings assume), and the confirmation phase keys every
 * trial twice per re-evaluation (at 1,000 trials, 60 % of its time before this cache).
 */
const trialKeys = new WeakMap<Params, string>();
function trialKey(p: Params): string {
  let k = trialKeys.get(p);
  if (k === undefined) {
    k = paramsKey(p);
    trialKeys.set(p, k);
  }
  return k;
}

/** Complete evaluations per configuration. */
function evaluationsByConfig(trials: readonly TrialRecord[]): Map<string, { params: Params; values: number[] }> {
  const m = new Map<string, { params: Params; values: number[] }>();
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
    const k = trialKey(t.params);
    const e = m.get(k) ?? { params: t.params, values: [] };
    e.values.push(t.value);
    m.set(k, e);
  }
  return m;
}

/** Declare an objective deterministic only when its exact repeats would have this chance or less on a noisy one. */
export const DETERMINISM_ALPHA = 0.01;
/**
 * The least chance given to an exact repeat on a noisy objective, whatever the values look like: a benchmark
 * table with 4 seeds per configuration (FCNet) repeats a value 1 time in 4 although its values look continuous.
 */
export const MIN_REPEAT_CHANCE = 0.25;
/** How many neighbouring values (by value, other configurations) estimate how discrete the metric is near a value. */
const NEIGHBOURS = 10;

/** The chance of an exact repeat on a noisy objective whose values lie on a grid: noise spanning two grid points. */
export const GRID_REPEAT_CHANCE = 0.5;

/**
 * An upper estimate of the chance that a noisy re-evaluation lands exactly on `v` again. Where other
 * configurations with the values nearest to `v` hit `v` exactly, the metric has a grid there (accuracy on a few
 * hundred images): noise as narrow as two grid points repeats a value half the time, GRID_REPEAT_CHANCE. Where
 * none does, the values look continuous and only a finite seed pool makes repeats coincide: MIN_REPEAT_CHANCE.
 */
function repeatChance(v: number, others: readonly number[]): number {
  // `others` is sorted: walk outwards from v's position, nearest first.
  let hi = others.findIndex((x) => x >= v);
  if (hi < 0) hi = others.length;
  let lo = hi - 1;
  for (let taken = 0; taken < NEIGHBOURS && (lo >= 0 || hi < others.length); taken++) {
    const left = lo >= 0 ? v - (others[lo] as number) : Infinity;
    const right = hi < others.length ? (others[hi] as number) - v : Infinity;
    const x = left <= right ? (others[lo--] as number) : (others[hi++] as number);
    if (x === v) return GRID_REPEAT_CHANCE;
  }
  return MIN_REPEAT_CHANCE;
}

/**
 * Whether repeated evaluations show the objective to be deterministic, as a test: under a discrete-noise model
 * (each re-evaluation of a configuration lands exactly on its first value with probability p, bounded per value
 * by `repeatChance`), the chance of every observed repeat matching is Π p^(repeats). The objective is declared
 * deterministic when every repeat matched, at least two configurations were repeated, and that chance is at most
 * DETERMINISM_ALPHA. Any repeat that differs means noisy. The previous rule ("three exact repeats") had a chance
 * of 1/8 on a table whose configurations take two values each, and misfired in 2 of 10 runs on one such table;
 * on a continuous-valued metric four repeats (on two or more configurations) suffice (0.25⁴ < 0.01), on values
 * that show a grid seven (0.5⁷ < 0.01).
 */
export function looksDeterministic(trials: readonly TrialRecord[]): boolean {
  const byConfig = [...evaluationsByConfig(trials).values()];
  const repeated = byConfig.filter((e) => e.values.length >= 2);
  if (repeated.length < 2) return false;
  if (repeated.some((e) => e.values.some((v) => v !== e.values[0]))) return false;
  const firsts = byConfig.map((o) => o.values[0] as number).sort((a, b) => a - b);
  let logChance = 0;
  for (const e of repeated) {
    const v = e.values[0] as number;
    // The other configurations' first values: this configuration's own one taken out once.
    const others = firsts.slice();
    others.splice(others.indexOf(v), 1);
    logChance += (e.values.length - 1) * Math.log(repeatChance(v, others));
  }
  return logChance <= Math.log(DETERMINISM_ALPHA);
}

/** The configuration with the best mean of its complete evaluations, among those evaluated at least `minEvaluations` times. */
function bestMean(trials: readonly TrialRecord[], direction: Direction, minEvaluations = 1): Params | null {
  const sign = direction === 'minimize' ? 1 : -1;
  let best: { params: Params; mean: number } | null = null;
  for (const e of evaluationsByConfig(trials).values()) {
    if (e.values.length < minEvaluations) continue;
    const mean = e.values.reduce((x, y) => x + y, 0) / e.values.length;
    if (best === null || sign * mean < sign * best.mean) best = { params: e.params, mean };
  }
  return best ? best.params : null;
}

/**
 * hyperzone's default strategy: multivariate TPE (10 random start-up trials, then l(x)/g(x)) for the
 * first `switchAt` complete trials, where a GP has too little data to model the surface and TPE's
 * cheap density ratio does well; then GP-EI on rank-transformed values, which models the surface
 * better once there are a few dozen points. Both phases pass over configurations already evaluated
 * on finite spaces. Given its budget (`trials`), it ends with re-evaluations of the model's best on a noisy
 * objective (`confirmStep`) and returns the best mean among them. Stateless: the phase follows from the
 * trials, so a resumed or parallel study picks up where it was.
 */
export class AutoSampler implements Sampler {
  readonly name = 'auto';
  /** The switch point set by the caller; null means the default for the space (see `switchFor`). */
  readonly switchAt: number | null;
  readonly pickAmong: number;
  /** Trials reserved for re-evaluations at the end: `confirmShare` of the budget (0 without one); see `confirmTrialsFor`. */
  readonly confirmTrials: number;
  readonly trials: number | null;
  readonly confirmAmong: number;
  readonly confirmHyper: 'cached' | 'search';
  private readonly tpe: TpeSampler;
  private readonly gp: GpSampler;

  constructor(options: AutoOptions = {}) {
    const s = options.switchAt ?? null;
    if (s !== null && (!Number.isInteger(s) || s < 0)) throw new InputError(`Expected \`switchAt\` to be an integer ≥ 0, got ${s}`);
    const k = options.pickAmong ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new InputError(`Expected \`pickAmong\` to be an integer ≥ 1, got ${k}`);
    this.switchAt = s;
    this.pickAmong = k;
    const share = options.confirmShare ?? 0.2;
    if (!(share >= 0 && share < 1)) throw new InputError(`Expected \`confirmShare\` to be in [0, 1), got ${share}`);
    const n = options.trials ?? null;
    if (n !== null && (!Number.isInteger(n) || n < 1)) throw new InputError(`Expected \`trials\` to be an integer ≥ 1, got ${n}`);
    this.trials = n;
    this.confirmAmong = options.confirmAmong ?? 5;
    if (!Number.isInteger(this.confirmAmong) || this.confirmAmong < 2) throw new InputError(`Expected \`confirmAmong\` to be an integer ≥ 2, got ${this.confirmAmong}`);
    this.confirmTrials = n === null ? 0 : Math.floor(share * n);
    this.confirmHyper = options.confirmHyper ?? 'cached';
    if (this.confirmHyper !== 'cached' && this.confirmHyper !== 'search') throw new InputError(`Expected \`confirmHyper\` to be cached or search, got ${String(this.confirmHyper)}`);
    this.tpe = new TpeSampler({ multivariate: true, avoidRepeats: true, ...options.tpe });
    this.gp = new GpSampler({ yTransform: 'rank', avoidRepeats: true, ...options.gp });
  }

  /** The phase for these trials: `tpe` until `switchFor(space)` trials have completed, `gp` after. */
  phase(ctx: Pick<SamplerContext, 'trials'> & { space?: Space }): 'tpe' | 'gp' {
    let done = 0;
    for (const t of ctx.trials) if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value)) done++;
    return done < this.switchFor(ctx.space) ? 'tpe' : 'gp';
  }

  /**
   * The switch point for a space: `switchAt` when given, else 40 on all-finite spaces and, with a continuous
   * axis, 40 % of the budget within 10–40 (10 without a budget).
   */
  switchFor(space?: Space): number {
    if (this.switchAt !== null) return this.switchAt;
    if (space === undefined || space.names.every((n) => space.get(n).values() !== null)) return 40;
    return this.trials === null ? 10 : Math.min(40, Math.max(10, Math.floor(0.4 * this.trials)));
  }

  /**
   * Re-evaluations at the end on this space: `confirmTrials`, but at most half of the GP phase, so that with a
   * small budget the GP still searches (on FCNet at 50 trials the GP phase is 10 trials; spending all of it on
   * re-evaluations cost on 3 of 4 tables on development seeds, half of it cost far less and kept most of the gain
   * on the fourth — docs/benchmarks/strategies.md).
   */
  confirmTrialsFor(space?: Space): number {
    if (this.trials === null) return 0;
    return Math.min(this.confirmTrials, Math.max(0, Math.floor((this.trials - this.switchFor(space)) / 2)));
  }

  sample(ctx: SamplerContext): { params: Params } {
    if (this.phase(ctx) === 'tpe') return this.tpe.sample(ctx);
    return this.confirmStep(ctx) ?? this.gp.sample(ctx);
  }

  /**
   * In the last `confirmTrialsFor(space)` of the budget, on a noisy objective: a re-evaluation. The `confirmAmong`
   * evaluated configurations with the best GP posterior mean (repeats pooled) take turns, the one evaluated
   * least often first (ties: the better mean), so the returned configuration is chosen on several evaluations
   * rather than one lucky draw. Null outside that phase or once repeats show the objective deterministic.
   */
  confirmStep(ctx: SamplerContext): { params: Params } | null {
    const n = this.confirmTrialsFor(ctx.space);
    if (this.trials === null || n === 0 || ctx.trials.length < this.trials - n) return null;
    if (looksDeterministic(ctx.trials)) return null;
    const post = this.posteriorByConfig(ctx.trials, ctx.space, ctx.direction, this.confirmHyper === 'cached' ? ctx.rng : undefined);
    if (post === null || post.length < 2) return null;
    const top = [...post].sort((x, y) => x.mu - y.mu).slice(0, this.confirmAmong);
    return { params: top.reduce((x, y) => (y.n < x.n ? y : x)).params };
  }

  /** The GP posterior mean at each evaluated configuration (repeats pooled), with its number of evaluations. */
  private posteriorByConfig(trials: readonly TrialRecord[], space: Space, direction: Direction, rng?: Rng): { params: Params; mu: number; n: number }[] | null {
    const post = this.gp.posteriorAtObserved(space, direction, trials, rng);
    if (post === null) return null;
    const counts = evaluationsByConfig(trials);
    const m = new Map<string, { params: Params; mu: number; n: number }>();
    for (const p of post) {
      const k = trialKey(p.params);
      if (!m.has(k)) m.set(k, { params: p.params, mu: p.mu, n: counts.get(k)?.values.length ?? 1 });
    }
    return [...m.values()];
  }

  /**
   * The configuration the strategy returns: before the GP phase, the best mean of the observed values;
   * in it, among the `pickAmong` best observed, the one with the best GP posterior mean; after confirmation
   * re-evaluations, the best mean among the configurations evaluated more than once; once repeats show the
   * objective deterministic (`looksDeterministic`), the best observed.
   */
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null {
    const phase = this.phase({ trials, space });
    // Repeats reproduced their values exactly: every value is the truth, so the best observed is the answer.
    if (looksDeterministic(trials)) {
      const p = bestMean(trials, direction);
      return p ? { params: p } : null;
    }
    if (phase === 'gp' && this.confirmTrialsFor(space) > 0) {
      // After re-evaluations: the best mean of its own evaluations among the configurations evaluated more
      // than once (on held-out FCNet seeds this beat the GP posterior mean, which smooths the repeats away).
      const repeated = bestMean(trials, direction, 2);
      if (repeated) return { params: repeated };
    }
    const p = (phase === 'gp' ? this.gp.bestByModel(space, direction, trials, this.pickAmong) : null) ?? bestMean(trials, direction);
    return p ? { params: p } : null;
  }
}
