import type { Sampler } from '../../src/samplers/sampler.js';
import type { Space } from '../../src/space/space.js';
import type { Direction, Params, TrialRecord, TrialState } from '../../src/core/types.js';
import { Rng, deriveSeed } from '../../src/core/rng.js';
import { InputError } from '../../src/core/errors.js';

/** Builds a trial record for benchmarks and tests that drive a sampler without storage. */
export function makeTrial(number: number, params: Params, value: number | null, state: TrialState = value === null ? 'running' : 'complete'): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state, params, seed: number, budget: null, value,
    metrics: {}, steps: [], attrs: {}, error: null, workerId: null, attempts: 1,
    createdAt: 0, startedAt: 0, finishedAt: value === null ? null : 0, heartbeatAt: null,
  };
}

/**
 * The noise of evaluation `index` of a run with seed `seed`: a function of those two only, so that every strategy
 * (hyperzone's or Optuna's, with or without re-evaluations) sees the same noise at its i-th evaluation and rows
 * differ by their search alone. (Before, Optuna's rows drew from a stream of their own.)
 */
export function evaluationNoise(seed: number, index: number): Rng {
  return new Rng(deriveSeed(seed, 'noise', index));
}

/** One proposal of a sequential run, with the trials told so far (the sampler's view). */
export interface Proposal {
  readonly index: number;
  readonly params: Params;
  readonly trials: readonly TrialRecord[];
  /** The evaluation's noise source (`evaluationNoise(seed, index)`). */
  readonly noise: Rng;
}

/**
 * The ask/tell loop shared by sync and async drivers: yields each proposal; the driver evaluates it and passes
 * the value back with `next(value)`, which tells the sampler (then `afterTell`, before the next proposal). Stops after
 * `budget` proposals or when the sampler has none.
 */
export function* askTell(
  sampler: Sampler,
  space: Space,
  direction: Direction,
  budget: number,
  seed: number,
  afterTell?: (index: number, trials: readonly TrialRecord[]) => void,
): Generator<Proposal, void, number> {
  if (!sampler.sample) throw new InputError(`Sampler \`${sampler.name}\` has no sample()`);
  const trials: TrialRecord[] = [];
  for (let i = 0; i < budget; i++) {
    const r = sampler.sample({ space, direction, trials, rng: new Rng(deriveSeed(seed, i)) });
    if (r === null) return;
    const v = yield { index: i, params: r.params, trials, noise: evaluationNoise(seed, i) };
    trials.push({ ...makeTrial(i, r.params, v), attrs: r.attrs ?? {} });
    afterTell?.(i, trials);
  }
}

/** One sequential run: ask the sampler, evaluate, tell; returns the proposals and their observed values. */
export function runSequential(
  sampler: Sampler,
  space: Space,
  direction: Direction,
  evaluate: (params: Params, rng: Rng) => number,
  budget: number,
  seed: number,
): { params: Params[]; values: number[] } {
  const params: Params[] = [];
  const values: number[] = [];
  const loop = askTell(sampler, space, direction, budget, seed);
  for (let step = loop.next(); !step.done; ) {
    const v = evaluate(step.value.params, step.value.noise);
    params.push(step.value.params);
    values.push(v);
    step = loop.next(v);
  }
  return { params, values };
}
