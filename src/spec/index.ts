/** The spec layer: a spec file compiled once into a typed, validated StudyPlan. */
export { compile, contractOf, type CompileOptions, type StudyPlan, type StudySpec } from './compile.js';
export { DEFAULT_OBJECTIVE } from './schema.js';
export { createSampler, createScheduler } from './build.js';
export { loadPlan, readSpecFile } from './load.js';
export { codeStudySpec, planOfStudy, readStoredSpec, storedSpecOf, type StoredSpec, type StudySettings } from './stored.js';
export { rungStepsOf } from './rungs.js';
export type { SamplerSpec, SchedulerSpec, TrainerSpec, DatasetRefSpec } from './schema.js';
