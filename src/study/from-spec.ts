import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../errors.js';
import { gridSampler } from '../samplers/grid.js';
import { randomSampler } from '../samplers/random.js';
import type { Sampler } from '../samplers/sampler.js';
import { Space } from '../space/space.js';
import type { Storage } from '../storage/storage.js';
import { deriveSeed } from '../util/rng.js';
import { validateSpec, type StudySpec } from './spec.js';
import type { StudyRecord } from './types.js';

/** The sampler a spec asks for. */
export function samplerFromSpec(spec: StudySpec): Sampler {
  const s = spec.sampler;
  if (s.type === 'grid') return gridSampler({ pointsPerAxis: s.points_per_axis, seeds: seedsOf(spec), budget: budgetOf(spec) });
  return randomSampler();
}

/** The trial seeds of a spec: one per repeat, derived from the study seed (shared by all configurations). */
export function seedsOf(spec: StudySpec): number[] {
  return Array.from({ length: spec.seeds }, (_, i) => deriveSeed(spec.seed, 'repeat', i));
}

/** The per-trial budget (epochs) of a spec, or null. */
export function budgetOf(spec: StudySpec): number | null {
  return spec.budget?.epochs ?? null;
}

/** The trial limit of sampler-driven (non-planned) specs. */
export function maxTrialsOf(spec: StudySpec): number | undefined {
  return spec.sampler.type === 'random' ? spec.sampler.trials : undefined;
}

/** How many trials the spec's sampler will run in all. */
export function plannedTotal(spec: StudySpec): number {
  if (spec.sampler.type === 'grid') return spaceOf(spec).gridSize(spec.sampler.points_per_axis) * spec.seeds;
  return spec.sampler.trials;
}

/** The parts of a spec that define what a trial means: a stored study with other values cannot be resumed with this spec. */
function identity(spec: StudySpec): unknown {
  return { objective: spec.objective, space: spec.space, fixed: spec.fixed, budget: spec.budget ?? null, trainer: spec.trainer, seed: spec.seed };
}

/** Opens the spec's study, creating it on first run; a stored study with a different definition is refused. */
export async function openStudyForSpec(storage: Storage, spec: StudySpec): Promise<{ study: StudyRecord; resumed: boolean }> {
  const existing = await storage.getStudy(spec.study);
  if (!existing) {
    return { study: await storage.createStudy({ name: spec.study, direction: spec.objective.direction, metric: spec.objective.metric, spec }), resumed: false };
  }
  const stored = validateSpec(existing.spec, existing.name);
  if (!isDeepStrictEqual(identity(stored), identity(spec))) {
    const diff = Object.keys(identity(spec) as object).filter((k) => !isDeepStrictEqual((identity(spec) as Record<string, unknown>)[k], (identity(stored) as Record<string, unknown>)[k]));
    throw new InputError(`Study \`${spec.study}\` already exists with a different ${diff.join(', ')}; resume it with the same spec, or give a new name with --study`, { code: 'STUDY_EXISTS' });
  }
  return { study: existing, resumed: true };
}

/** The stored spec of a study (what workers and `status` run from). */
export function specOfStudy(study: StudyRecord): StudySpec {
  return validateSpec(study.spec, study.name);
}

/** The space of a spec. */
export function spaceOf(spec: StudySpec): Space {
  return Space.fromSpec(spec.space);
}
