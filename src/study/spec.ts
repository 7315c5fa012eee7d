import { compile, loadPlan, type StudySpec } from '../spec/index.js';

// The spec schema and its compilation live in src/spec/; these two keep the public API (src/index.ts) stable.
export type { StudySpec, SchedulerSpec, TrainerSpec, DatasetRefSpec } from '../spec/index.js';

/** Validates a parsed spec object; throws SpecError naming the field and value. Prefer `compile` (src/spec). */
export function validateSpec(input: unknown, fallbackName = 'study'): StudySpec {
  return compile(input, { fallbackName }).spec;
}

/** Reads a YAML or JSON spec file and validates it; the study name defaults to the file's base name. Prefer `loadPlan`. */
export function loadSpecFile(path: string): StudySpec {
  return loadPlan(path).spec;
}
