import type { Sampler } from '../samplers/sampler.js';
import type { Space } from '../space/space.js';
import type { Direction, Params, TrialRecord, TrialState } from '../study/types.js';
import { Rng, deriveSeed } from '../util/rng.js';
import { InputError } from '../errors.js';

/** Builds a trial record for benchmarks and tests that drive a sampler without storage. */
export function makeTrial(number: number, params: Params, value: number | null, state: TrialState = value === null ? 'running' : 'complete'): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state, params, seed: number, budget: null, value,
    metrics: {}, steps: [], attrs: {}, error: null, workerId: null, attempts: 1,
    createdAt: 0, startedAt: 0, finishedAt: value === null ? null : 0, heartbeatAt: null,
  };
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
  if (!sampler.sample) throw new InputError(`Sampler \`${sampler.name}\` has no sample()`);
  const trials: TrialRecord[] = [];
  const noise = new Rng(deriveSeed(seed, 'noise'));
  const params: Params[] = [];
  const values: number[] = [];
  for (let i = 0; i < budget; i++) {
    const r = sampler.sample({ space, direction, trials, rng: new Rng(deriveSeed(seed, i)) });
    if (r === null) break;
    const v = evaluate(r.params, noise);
    trials.push({ ...makeTrial(i, r.params, v), attrs: r.attrs ?? {} });
    params.push(r.params);
    values.push(v);
  }
  return { params, values };
}
