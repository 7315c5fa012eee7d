import type { Sampler } from '../../src/samplers/sampler.js';
import { paramsKey } from '../../src/strategies/zones/common.js';
import type { Space } from '../../src/space/space.js';
import type { Direction, Params, TrialRecord } from '../../src/core/types.js';
import { Rng, deriveSeed } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';
import { askTell, evaluationNoise, makeTrial } from './loop.js';

/** After spending `cost` (full-training equivalents), the strategy would return `params`. */
export interface IncumbentEvent {
  readonly cost: number;
  readonly params: Params;
}

/** An objective evaluated at full fidelity; may be noisy (rng) and may be async (surrogates). */
export type Evaluate = (params: Params, rng: Rng) => number | Promise<number>;

/** The configuration a strategy returns at `budget`: the last incumbent whose cost fits, or null. */
export function incumbentAt(events: readonly IncumbentEvent[], budget: number): Params | null {
  let out: Params | null = null;
  for (const e of events) {
    if (e.cost > budget + 1e-9) break;
    out = e.params;
  }
  return out;
}

/** Incumbents of a plain run: the best observed value after each evaluation (each costs 1). */
export function bestObservedEvents(params: readonly Params[], values: readonly number[], direction: Direction): IncumbentEvent[] {
  const sign = direction === 'minimize' ? 1 : -1;
  const out: IncumbentEvent[] = [];
  let best = -1;
  values.forEach((v, i) => {
    if (best < 0 || sign * v < sign * (values[best] as number)) best = i;
    out.push({ cost: i + 1, params: params[best] as Params });
  });
  return out;
}

/** Async sequential ask/evaluate/tell; returns the incumbent (best observed) after each evaluation. */
export async function runSequentialAsync(
  sampler: Sampler,
  space: Space,
  direction: Direction,
  evaluate: Evaluate,
  budget: number,
  seed: number,
): Promise<IncumbentEvent[]> {
  const params: Params[] = [];
  const values: number[] = [];
  const loop = askTell(sampler, space, direction, budget, seed);
  for (let step = loop.next(); !step.done; ) {
    const v = await evaluate(step.value.params, step.value.noise);
    params.push(step.value.params);
    values.push(v);
    step = loop.next(v);
  }
  return bestObservedEvents(params, values, direction);
}

/**
 * Sampler plus confirmation: the incumbent is the configuration with the best mean of its evaluations;
 * whenever it has fewer than `repeats` evaluations, the next evaluation re-evaluates it instead of asking
 * the sampler (re-evaluations count in the budget and are told to the sampler as trials).
 */
export async function runConfirming(
  sampler: Sampler,
  space: Space,
  direction: Direction,
  evaluate: Evaluate,
  budget: number,
  seed: number,
  repeats: number,
): Promise<IncumbentEvent[]> {
  if (!sampler.sample) throw new InputError(`Sampler \`${sampler.name}\` has no sample()`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new InputError(`Expected \`repeats\` to be an integer ≥ 1, got ${repeats}`);
  const sign = direction === 'minimize' ? 1 : -1;
  const trials: TrialRecord[] = [];
  const stats = new Map<string, { params: Params; sum: number; n: number }>();
  const events: IncumbentEvent[] = [];
  let inc: { params: Params; sum: number; n: number } | null = null;
  for (let i = 0; i < budget; i++) {
    let p: Params;
    let attrs: Readonly<Record<string, unknown>> = {};
    if (inc !== null && inc.n < repeats) p = inc.params;
    else {
      const r = sampler.sample({ space, direction, trials, rng: new Rng(deriveSeed(seed, i)) });
      if (r === null) break;
      p = r.params;
      attrs = r.attrs ?? {};
    }
    const v = await evaluate(p, evaluationNoise(seed, i));
    trials.push({ ...makeTrial(i, p, v), attrs });
    const key = paramsKey(p);
    const s = stats.get(key) ?? { params: p, sum: 0, n: 0 };
    s.sum += v;
    s.n++;
    stats.set(key, s);
    inc = null;
    for (const c of stats.values()) if (inc === null || sign * (c.sum / c.n) < sign * (inc.sum / inc.n)) inc = c;
    events.push({ cost: i + 1, params: (inc as { params: Params }).params });
  }
  return events;
}

/** A sampler that names the configuration it would return (its own choice, e.g. by a model's estimate). */
export interface ReturningSampler extends Sampler {
  returnedConfiguration(trials: readonly TrialRecord[], space: Space, direction: Direction): { params: Params } | null;
}

/**
 * Async sequential ask/evaluate/tell as runSequentialAsync (same proposals for the same seed); the
 * incumbent at each of `budgets` is the sampler's own returned configuration after that many evaluations.
 */
export async function runReturning(
  sampler: ReturningSampler,
  space: Space,
  direction: Direction,
  evaluate: Evaluate,
  budgets: readonly number[],
  seed: number,
): Promise<IncumbentEvent[]> {
  const at = new Set(budgets);
  const events: IncumbentEvent[] = [];
  const loop = askTell(sampler, space, direction, Math.max(0, ...budgets), seed, (index, trials) => {
    if (!at.has(index + 1)) return;
    const ret = sampler.returnedConfiguration(trials, space, direction);
    if (ret) events.push({ cost: index + 1, params: ret.params });
  });
  for (let step = loop.next(); !step.done; ) step = loop.next(await evaluate(step.value.params, step.value.noise));
  return events;
}
