import { SpecError } from '../core/errors.js';
import type { DistributionSpec } from '../space/distribution.js';
import type { Space } from '../space/space.js';
import type { ParamValue } from '../core/types.js';
import { compile, type StudyPlan, type StudySpec } from './compile.js';

/** The spec file's sections other than space, fixed and seed. */
export type StudySettings = Omit<StudySpec, 'space' | 'fixed' | 'seed'>;

/**
 * What a study stores as its spec: one shape for studies made from a spec file and studies made in code.
 * `space`, `fixed` and `seed` are always there (every reader needs them); `settings` holds the rest of the spec
 * file (objective, sampler, trainer, …), null for a study whose objective is code (src/study/study.ts).
 */
export interface StoredSpec {
  readonly format: 2;
  readonly space: Readonly<Record<string, DistributionSpec>>;
  readonly fixed: Readonly<Record<string, ParamValue>>;
  readonly seed: number;
  readonly settings: StudySettings | null;
}

/** The stored form of a compiled plan. */
export function storedSpecOf(plan: StudyPlan): StoredSpec {
  const { space, fixed, seed, ...settings } = plan.spec;
  return { format: 2, space, fixed, seed, settings };
}

/** The stored form of a study made in code (an objective function, no spec file). */
export function codeStudySpec(space: Space, seed: number): StoredSpec {
  return { format: 2, space: space.toJSON(), fixed: {}, seed, settings: null };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a stored spec in any shape a version of hyperzone wrote, migrating the old ones: format 1 had no
 * `format` field and was either the whole spec file (it has `trainer`) or `{ space, seed }` (a study made in code).
 */
export function readStoredSpec(stored: unknown, studyName: string): StoredSpec {
  if (!isObject(stored) || !isObject(stored.space)) throw new SpecError(`Study \`${studyName}\` has no readable stored spec (expected an object with \`space\`), got ${JSON.stringify(stored)?.slice(0, 80)}`);
  const fixed = isObject(stored.fixed) ? (stored.fixed as Record<string, ParamValue>) : {};
  const seed = typeof stored.seed === 'number' ? stored.seed : 0;
  const space = stored.space as Record<string, DistributionSpec>;
  if (stored.format === 2) return { format: 2, space, fixed, seed, settings: isObject(stored.settings) ? (stored.settings as unknown as StudySettings) : null };
  if (stored.format !== undefined) throw new SpecError(`Study \`${studyName}\` was stored by a newer hyperzone (spec format ${JSON.stringify(stored.format)}); upgrade to read it`);
  if (!('trainer' in stored)) return { format: 2, space, fixed, seed, settings: null };
  const { space: _s, fixed: _f, seed: _seed, ...settings } = stored;
  return { format: 2, space, fixed, seed, settings: settings as unknown as StudySettings };
}

/**
 * The compiled plan of a stored study, or null for a study made in code. `checkParams: false` (readers such as
 * status and report) keeps a study recorded under older param rules readable; workers check them.
 */
export function planOfStudy(study: { readonly name: string; readonly spec: unknown }, options: { checkParams?: boolean } = {}): StudyPlan | null {
  const stored = readStoredSpec(study.spec, study.name);
  if (stored.settings === null) return null;
  try {
    return compile({ ...stored.settings, space: stored.space, fixed: stored.fixed, seed: stored.seed }, { name: study.name, ...options });
  } catch (e) {
    if (e instanceof SpecError) throw new SpecError(`The stored spec of study \`${study.name}\`: ${e.message}`, { cause: e });
    throw e;
  }
}
