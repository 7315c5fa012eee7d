import { TpeSampler, type TpeOptions } from './tpe.js';

/** Options of the MOTPE sampler (Optuna 3.1's MOTPESampler names in brackets). */
export interface MotpeOptions {
  /** Random proposals until this many trials have finished (`n_startup_trials`, default 10). */
  readonly nStartupTrials?: number;
  /** Candidates drawn from l(x) per proposal (`n_ehvi_candidates`, default 24). */
  readonly nEiCandidates?: number;
}

/** MOTPE's share of good observations: ⌊0.1·n⌋ (Optuna's MOTPESampler; TPE's is ⌈0.1·n⌉ capped at 25). */
export function motpeGamma(n: number): number {
  return Math.floor(0.1 * n);
}

/**
 * Multi-objective TPE (Ozaki et al. 2020) with Optuna 3.1's MOTPESampler defaults: the TPE sampler (independent
 * estimators), whose split on a multi-objective study takes the good group by non-domination rank and then by greedy
 * hypervolume subset selection, and weights the good observations by their hypervolume contribution
 * (src/samplers/motpe-split.ts); ⌊0.1·n⌋ good observations; uniform weights on the bad ones. One difference
 * remains: Optuna's MOTPE uses `consider_endpoints=True` for the kernel bandwidths, our TPE Optuna's TPE default
 * (False).
 */
export class MotpeSampler extends TpeSampler {
  override readonly name = 'motpe';
  constructor(options: MotpeOptions = {}) {
    const tpe: TpeOptions = {
      multivariate: false,
      gamma: motpeGamma,
      weights: (n) => Array.from({ length: n }, () => 1),
      constantLiar: true,
      ...(options.nStartupTrials !== undefined ? { nStartupTrials: options.nStartupTrials } : {}),
      ...(options.nEiCandidates !== undefined ? { nEiCandidates: options.nEiCandidates } : {}),
    };
    super(tpe);
  }
}
