import { isDeepStrictEqual } from 'node:util';
import { InputError } from '../core/errors.js';
import type { Storage } from '../storage/storage.js';
import { planOfStudy, storedSpecOf, type StudyPlan } from '../spec/index.js';
import type { StudyRecord } from '../core/types.js';

/** The parts of a spec that define what a trial means: a stored study with other values cannot be resumed with this spec. */
function identity(plan: StudyPlan): Record<string, unknown> {
  const s = plan.spec;
  // Saving the networks changes no trial's result: a resume may switch it.
  const trainer = s.trainer.type === 'tfjs' ? (({ save_models: _, ...rest }) => rest)(s.trainer) : s.trainer;
  return { objective: s.objective, objectives: s.objectives, space: s.space, fixed: s.fixed, budget: s.budget ?? null, trainer, seed: s.seed };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The first field where the stored value and this spec's differ, as "`trainer.dataset`: stored "mnist", this spec "fashion-mnist"". */
export function firstDifference(stored: unknown, current: unknown, path: string): string | null {
  if (isDeepStrictEqual(stored, current)) return null;
  if (isObject(stored) && isObject(current)) {
    for (const k of [...new Set([...Object.keys(stored), ...Object.keys(current)])].sort()) {
      const d = firstDifference(stored[k], current[k], path === '' ? k : `${path}.${k}`);
      if (d) return d;
    }
  }
  const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
  return `\`${path}\`: stored ${show(stored)}, this spec ${show(current)}`;
}

/** What a resume with a compatible spec would still refuse. */
export interface OpenStudyOptions {
  /** Accept a spec whose `sampler.type` differs from the stored study's (the trials then come from two samplers). */
  readonly allowSamplerChange?: boolean;
}

/** Refuses a plan that differs from the stored study in what a trial means, or in its sampler type; names the field. */
export function checkResume(existing: StudyRecord, plan: StudyPlan, options: OpenStudyOptions = {}): void {
  const stored = planOfStudy(existing, { checkParams: false });
  if (stored === null) {
    throw new InputError(`Study \`${plan.name}\` already exists and was created in code (no spec file); give a new name with --study`, { code: 'STUDY_EXISTS' });
  }
  const diff = firstDifference(identity(stored), identity(plan), '');
  if (diff) throw new InputError(`Study \`${plan.name}\` already exists with a different ${diff}; resume it with the same spec, or give a new name with --study`, { code: 'STUDY_EXISTS' });
  if (stored.sampler.type !== plan.sampler.type && options.allowSamplerChange !== true) {
    throw new InputError(
      `Study \`${plan.name}\` was run with \`sampler.type\` ${JSON.stringify(stored.sampler.type)}, this spec has ${JSON.stringify(plan.sampler.type)}: ` +
        'one study would mix trials of two samplers. Give a new name with --study, or pass --allow-sampler-change',
      { code: 'STUDY_EXISTS' },
    );
  }
}

/** Opens the plan's study, creating it on first run; a stored study with a different definition is refused. */
export async function openStudyForPlan(storage: Storage, plan: StudyPlan, options: OpenStudyOptions = {}): Promise<{ study: StudyRecord; resumed: boolean }> {
  const existing = await storage.getStudy(plan.name);
  if (!existing) {
    const { metric, direction } = plan.objective;
    const objectives = plan.objectives.length > 1 ? { objectives: plan.objectives } : {};
    return { study: await storage.createStudy({ name: plan.name, direction, metric, ...objectives, spec: storedSpecOf(plan) }), resumed: false };
  }
  checkResume(existing, plan, options);
  return { study: existing, resumed: true };
}
