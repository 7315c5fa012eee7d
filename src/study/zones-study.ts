import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { emptyResultSet, writeResultSet, type ResultSet } from '../results/index.js';
import type { Runner } from '../runners/runner.js';
import { runZoneStrategy, type ZoneStrategyResult } from '../strategies/zones/index.js';
import { evaluatePlan, type PlanEvaluatorOptions } from './plan-evaluator.js';
import { zoneOptionsOf } from './from-spec.js';
import type { StudySpec } from './spec.js';

/**
 * Runs the four-stage zone strategy as a study: each stage's plan goes through storage (so it resumes and
 * spreads over workers), stage 4's trials (attr evaluate_test) read the test set, and each stage's document is written to `outDir`.
 */
export async function runZonesStudy(
  spec: StudySpec,
  o: PlanEvaluatorOptions & { readonly runner: Runner; readonly outDir: string },
): Promise<ZoneStrategyResult> {
  const input: ResultSet = emptyResultSet(spec.space, spec.objective, spec.fixed);
  const result = await runZoneStrategy(
    (plan, stage) => evaluatePlan(o, o.runner, plan, stage),
    input,
    zoneOptionsOf(spec),
  );
  mkdirSync(o.outDir, { recursive: true });
  for (const [i, [stage, doc]] of Object.entries(result.documents).entries()) {
    await writeResultSet(join(o.outDir, `${i + 1}-${stage}.json`), doc);
  }
  return result;
}
