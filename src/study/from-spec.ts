import { compile, type StudySpec } from '../spec/index.js';
import type { ZoneOptions } from '../strategies/zones/options.js';

/**
 * The zone strategy's options of a spec. A shim for src/study/zones-study.ts, which still takes the spec:
 * new code reads `plan.zoneOptions` of the compiled plan (src/spec/compile.ts).
 */
export function zoneOptionsOf(spec: StudySpec): ZoneOptions {
  return compile(spec, { name: spec.study, checkParams: false }).zoneOptions;
}
