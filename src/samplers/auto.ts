import { InputError } from '../errors.js';
import type { Space } from '../space/space.js';
import type { Direction, Params, TrialRecord } from '../study/types.js';
import { paramsKey } from './zones/common.js';
import { GpSampler, type GpOptions } from './gp.js';
import type { Sampler, SamplerContext } from './sampler.js';
import { TpeSampler, type TpeOptions } from './tpe.js';

/** Options of the default strategy. */
export interface AutoOptions {
  /** Complete trials after which the Gaussian process takes over from multivariate TPE (default 40). */
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
}

/** The configuration with the best mean of its complete evaluations. */
function bestMean(trials: readonly TrialRecord[], direction: Direction): Params | null {
  const sign = direction === 'minimize' ? 1 : -1;
  const stats = new Map<string, { params: Params; sum: number; n: number }>();
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
    const k = paramsKey(t.params);
    const s = stats.get(k) ?? { params: t.params, sum: 0, n: 0 };
    s.sum += t.value;
    s.n++;
    stats.set(k, s);
  }
  let best: { params: Params; sum: number; n: number } | null = null;
  for (const s of stats.values()) if (best === null || sign * (s.sum / s.n) < sign * (best.sum / best.n)) best = s;
  return best ? best.params : null;
}

/**
 * hyperzone's default strategy: multivariate TPE (10 random start-up trials, then l(x)/g(x)) for the
 * first `switchAt` complete trials, where a GP has too little data to model the surface and TPE's
 * cheap density ratio does well; then GP-EI on rank-transformed values, which models the surface
 * better once there are a few dozen points. Both phases pass over configurations already evaluated
 * on finite spaces. Stateless: the phase follows from the trials, so a resumed or parallel study
 * picks up where it was.
 */
export class AutoSampler implements Sampler {
  readonly name = 'auto';
  readonly switchAt: number;
  readonly pickAmong: number;
  private readonly tpe: TpeSampler;
  private readonly gp: GpSampler;

  constructor(options: AutoOptions = {}) {
    const s = options.switchAt ?? 40;
    if (!Number.isInteger(s) || s < 0) throw new InputError(`Expected \`switchAt\` to be an integer ≥ 0, got ${s}`);
    const k = options.pickAmong ?? 5;
    if (!Number.isInteger(k) || k < 1) throw new InputError(`Expected \`pickAmong\` to be an integer ≥ 1, got ${k}`);
    this.switchAt = s;
    this.pickAmong = k;
    this.tpe = new TpeSampler({ multivariate: true, avoidRepeats: true, ...options.tpe });
    this.gp = new GpSampler({ yTransform: 'rank', avoidRepeats: true, ...options.gp });
  }

  /** The phase for these trials: `tpe` until `switchAt` trials have completed, `gp` after. */
  phase(ctx: Pick<SamplerContext, 'trials'>): 'tpe' | 'gp' {
    let done = 0;
    for (const t of ctx.trials) if (t.state === 'complete' && t.value !== null && Number.isFinite(t.value)) done++;
    return done < this.switchAt ? 'tpe' : 'gp';
  }

  sample(ctx: SamplerContext): { params: Params } {
    return this.phase(ctx) === 'tpe' ? this.tpe.sample(ctx) : this.gp.sample(ctx);
  }

  /**
   * The configuration the strategy returns: before the GP phase, the best mean of the observed values;
   * in it, among the `pickAmong` best observed, the one with the best GP posterior mean.
   */
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null {
    const p = (this.phase({ trials }) === 'gp' ? this.gp.bestByModel(space, direction, trials, this.pickAmong) : null) ?? bestMean(trials, direction);
    return p ? { params: p } : null;
  }
}
