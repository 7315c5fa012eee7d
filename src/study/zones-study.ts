import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { emptyResultSet, writeResultSet, type ResultSet } from '../results/index.js';
import type { Runner } from '../runners/runner.js';
import type { StudyPlan } from '../spec/index.js';
import { runZoneStrategy, type ZoneStrategyResult } from '../strategies/zones/index.js';
import { evaluatePlan, type PlanEvaluatorOptions } from './plan-evaluator.js';

/**
 * Runs the four-stage zone strategy of a compiled study plan as a study: each stage's plan goes through storage (so
 * it resumes and spreads over workers), stage 4's trials (attr evaluate_test) read the test set, and each stage's
 * document is written to `outDir`. The zone options are the plan's (`plan.zoneOptions`, compiled once).
 */
export async function runZonesStudy(
  plan: Pick<StudyPlan, 'spec' | 'objective' | 'fixed' | 'zoneOptions'>,
  o: PlanEvaluatorOptions & { readonly runner: Runner; readonly outDir: string },
): Promise<ZoneStrategyResult> {
  const input: ResultSet = emptyResultSet(plan.spec.space, { metric: plan.objective.metric, direction: plan.objective.direction }, plan.fixed);
  const result = await runZoneStrategy((p, stage) => evaluatePlan(o, o.runner, p, stage), input, plan.zoneOptions);
  mkdirSync(o.outDir, { recursive: true });
  for (const [i, [stage, doc]] of Object.entries(result.documents).entries()) {
    await writeResultSet(join(o.outDir, `${i + 1}-${stage}.json`), doc);
  }
  return result;
}
