import { pathUnder } from '../core/paths.js';
import type { Runner } from '../runners/runner.js';
import type { StudyPlan } from '../spec/index.js';

/** Where the built-in trainer saves trial networks unless told otherwise. */
export const DEFAULT_MODEL_DIR = '.hyperzone/models';

/** Where runner-side files (per-trial logs) go. */
export interface RunnerPlace {
  readonly logDir: string;
  /** Where the built-in trainer saves networks (`trainer.save_models`): <modelDir>/<study>/trial-<n>/; default .hyperzone/models. */
  readonly modelDir?: string;
  readonly parallel: number;
  readonly perGpu?: number;
}

/** Builds the runner a plan's `trainer` section describes. Trainer modules load lazily (TF.js is heavy). */
export async function buildRunner(plan: StudyPlan, place: RunnerPlace): Promise<Runner> {
  const t = plan.trainer;
  const { metric, direction } = plan.objective;
  if (t.type === 'tfjs') {
    const { createTfjsRunner } = await import('../runners/tfjs/runner.js');
    const d = t.dataset;
    return createTfjsRunner({
      dataset: typeof d === 'string' ? d : d.name !== undefined ? d.name : { idx: d.idx as string },
      ...(typeof d === 'object' && d.classes !== undefined ? { classes: d.classes } : {}),
      ...(typeof d === 'object' && d.label_fraction !== undefined ? { labelFraction: d.label_fraction } : {}),
      ...(t.train_limit !== undefined ? { trainLimit: t.train_limit } : {}),
      ...(t.test_limit !== undefined ? { testLimit: t.test_limit } : {}),
      validationSplit: t.validation_split,
      evaluateTest: t.evaluate_test,
      backend: t.backend,
      ...(t.base_model !== undefined ? { baseModel: t.base_model } : {}),
      ...(t.save_models ? { saveModels: { dir: pathUnder(place.modelDir ?? DEFAULT_MODEL_DIR, plan.name), study: plan.name } } : {}),
      workers: place.parallel,
      metric,
      direction,
    });
  }
  const { createCommandRunner } = await import('../runners/command/index.js');
  const perGpu = place.perGpu ?? t.per_gpu;
  return createCommandRunner({
    command: t.command,
    ...(t.cwd !== undefined ? { cwd: t.cwd } : {}),
    ...(t.env !== undefined ? { env: t.env } : {}),
    ...(t.timeout_s !== undefined ? { timeoutS: t.timeout_s } : {}),
    ...(t.grace_s !== undefined ? { graceS: t.grace_s } : {}),
    ...(t.gpus !== undefined ? { gpus: t.gpus } : {}),
    ...(perGpu !== undefined ? { perGpu } : {}),
    ...(t.log_max_bytes !== undefined ? { logMaxBytes: t.log_max_bytes } : {}),
    logDir: pathUnder(place.logDir, plan.name),
    metric,
    direction,
  });
}
