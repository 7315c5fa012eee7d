import { InputError } from '../core/errors.js';
import { CategoricalDistribution, FloatDistribution, IntDistribution, type Distribution, type DistributionSpec } from '../space/distribution.js';
import type { ParamValue, Params } from '../core/types.js';
import type { Rng } from '../core/rng.js';

/** Options of `trial.suggestInt`. */
export interface SuggestIntOptions {
  readonly step?: number;
  readonly log?: boolean;
}

/** The define-by-run half of a trial (Optuna's `trial.suggest_*`): the objective asks for each parameter it needs. */
export interface Suggestions {
  /** An integer in [low, high] (with `step`, or on a log scale). */
  suggestInt(name: string, low: number, high: number, options?: SuggestIntOptions): number;
  /** A real number in [low, high], on a log scale with `{ log: true }`. */
  suggestFloat(name: string, low: number, high: number, options?: { readonly log?: boolean }): number;
  /** One of `choices`. */
  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T;
}

/** Builds and checks the distribution a suggest call names, so a bad call fails with its name and value. */
function intDistribution(name: string, low: number, high: number, o: SuggestIntOptions): IntDistribution {
  const step = o.step ?? 1;
  if (!Number.isInteger(low) || !Number.isInteger(high) || high < low) throw new InputError(`Expected \`${name}\` to have integer bounds low ≤ high, got ${low}, ${high}`);
  if (!Number.isInteger(step) || step < 1) throw new InputError(`Expected \`${name}\` step to be an integer ≥ 1, got ${step}`);
  if (o.log && (low <= 0 || step !== 1)) throw new InputError(`Expected \`${name}\` on a log scale to have low > 0 and step 1, got low ${low}, step ${step}`);
  return new IntDistribution(low, high, step, o.log ?? false);
}

function floatDistribution(name: string, low: number, high: number, log: boolean): FloatDistribution {
  if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) throw new InputError(`Expected \`${name}\` to have finite bounds low ≤ high, got ${low}, ${high}`);
  if (log && low <= 0) throw new InputError(`Expected \`${name}\` on a log scale to have low > 0, got ${low}`);
  return new FloatDistribution(low, high, log);
}

/**
 * Answers suggest calls from a sampler's proposal where it has a valid value for the name, else by drawing from
 * the named distribution (Optuna's independent fallback: a parameter no trial has asked for yet is random).
 * Records what was asked, so the trial stores exactly those params and their distributions.
 */
export class Suggester implements Suggestions {
  readonly params: Record<string, ParamValue> = {};
  readonly dists: Record<string, DistributionSpec> = {};
  constructor(
    private readonly proposal: Params,
    private readonly rng: Rng,
  ) {}
  suggestInt(name: string, low: number, high: number, options: SuggestIntOptions = {}): number {
    return this.suggest(name, intDistribution(name, low, high, options)) as number;
  }
  suggestFloat(name: string, low: number, high: number, options: { readonly log?: boolean } = {}): number {
    return this.suggest(name, floatDistribution(name, low, high, options.log ?? false)) as number;
  }
  suggestCategorical<T extends ParamValue>(name: string, choices: readonly T[]): T {
    if (!Array.isArray(choices) || choices.length === 0) throw new InputError(`Expected \`${name}\` to have at least one choice, got ${JSON.stringify(choices)}`);
    return this.suggest(name, new CategoricalDistribution(choices)) as T;
  }
  private suggest(name: string, d: Distribution): ParamValue {
    if (typeof name !== 'string' || name === '') throw new InputError(`Expected a parameter name, got ${JSON.stringify(name)}`);
    const spec = d.toJSON();
    const had = this.dists[name];
    if (had !== undefined) {
      // Asked twice in one trial: the same value, as Optuna does, but only for the same distribution.
      if (JSON.stringify(had) !== JSON.stringify(spec)) throw new InputError(`Parameter \`${name}\` was suggested twice in one trial with different distributions: ${JSON.stringify(had)} and ${JSON.stringify(spec)}`);
      return this.params[name] as ParamValue;
    }
    const p = this.proposal[name];
    const v = p !== undefined && d.contains(p) ? p : d.sample(this.rng);
    this.params[name] = v;
    this.dists[name] = spec;
    return v;
  }
}

/** Suggestions on a study with a declared space: each name must be one of its parameters, and the value is the trial's. */
export function fixedSuggestions(params: Params): Suggestions {
  const get = (name: string): ParamValue => {
    const v = params[name];
    if (v === undefined) throw new InputError(`Parameter \`${name}\` is not in this trial (the study's space has ${Object.keys(params).join(', ') || 'none'}); create the study without \`space\` to define it by run`);
    return v;
  };
  return {
    suggestInt: (name) => get(name) as number,
    suggestFloat: (name) => get(name) as number,
    suggestCategorical: <T extends ParamValue>(name: string) => get(name) as T,
  };
}
