import { HyperzoneError } from '../../core/errors.js';
import { addCompute, addEntries, entryKey } from '../../results/merge.js';
import type { ResultEntry, ResultSet, StageCompute } from '../../results/resultset.js';
import { planKey } from '../../storage/storage.js';
import type { TrialPlan } from '../../core/types.js';
import { confirmStage } from './confirm.js';
import { resolveZoneOptions, type ZoneOptions } from './options.js';
import { refineStage } from './refine.js';
import { schedulesStage } from './schedules.js';
import { zonesStage } from './zones.js';

/** The four stages, in order. */
export const ZONE_STAGES = ['zones', 'refine', 'schedules', 'confirm'] as const;
/** A stage's name. */
export type ZoneStageName = (typeof ZONE_STAGES)[number];

/**
 * Runs one stage on a result set (for `hyperzone stage <name> --in a.json --out b.json`).
 * Contract: the output is the input's space, objective, fixed, entries and compute, plus either
 * - `plan` (non-empty) and no `stage_output` — the input lacks results this stage needs: evaluate
 *   the plan (anywhere, split across machines), merge the results into the document, run the stage again; or
 * - `stage_output` (the stage's findings, `stage_output.stage` = name) and an empty `plan` — the stage is done.
 * Stages derive everything from the entries (tagged by `stage`), so a stage never depends on a previous
 * stage's `stage_output` and any merged set of entries is a valid input. Throws STAGE_ERROR when an
 * earlier stage is incomplete or no zone can be found.
 */
export function runStage(name: ZoneStageName, input: ResultSet, options: ZoneOptions = {}): ResultSet {
  switch (name) {
    case 'zones':
      return zonesStage(input, options);
    case 'refine':
      return refineStage(input, options);
    case 'schedules':
      return schedulesStage(input, options);
    case 'confirm':
      return confirmStage(input, options);
  }
}

/** Evaluates planned trials (e.g. through a Study) and returns their entries, tagged with the stage. */
export type EvaluatePlan = (plan: TrialPlan[], stage: ZoneStageName) => Promise<ResultEntry[]>;

/** The documents of a full zone-strategy run. */
export interface ZoneStrategyResult {
  /** The last document (stage_output = the confirm report), with compute per stage. */
  readonly final: ResultSet;
  /** Each stage's finished output document. */
  readonly documents: Readonly<Record<ZoneStageName, ResultSet>>;
}

/** Compute spent by a batch of entries. */
export function computeOf(entries: readonly ResultEntry[], wallSeconds: number, trainSize: number | undefined): StageCompute {
  let epochs = 0;
  for (const e of entries) epochs += e.steps.length > 0 ? e.steps.length : (e.budget ?? 0);
  return { trials: entries.length, epochs, image_epochs: epochs * (trainSize ?? 0), wall_seconds: wallSeconds };
}

/**
 * Runs the four stages in order: each stage's plan is evaluated (golden/parabola searches take
 * several rounds) until the stage is done; compute (trials, epochs, image-epochs, wall time) is
 * accounted per stage. `options.maxRounds` (default 50) bounds the rounds of one stage.
 */
export async function runZoneStrategy(
  evaluate: EvaluatePlan,
  input: ResultSet,
  options: ZoneOptions & { readonly maxRounds?: number } = {},
): Promise<ZoneStrategyResult> {
  const o = resolveZoneOptions(options);
  const maxRounds = options.maxRounds ?? 50;
  let rs = input;
  const documents: Partial<Record<ZoneStageName, ResultSet>> = {};
  for (const stage of ZONE_STAGES) {
    for (let round = 0; ; round++) {
      rs = runStage(stage, rs, o);
      const plan = rs.plan ?? [];
      if (rs.stage_output !== undefined && plan.length === 0) break;
      if (round >= maxRounds) throw new HyperzoneError('STAGE_ERROR', `Stage \`${stage}\` still has ${plan.length} planned trial(s) after ${maxRounds} rounds; raise \`maxRounds\``);
      const t0 = performance.now();
      const got = await evaluate([...plan], stage);
      const wall = (performance.now() - t0) / 1000;
      const planned = new Set(plan.map(planKey));
      const tagged = got.map((e) => (e.stage === undefined ? { ...e, stage } : e));
      if (!tagged.some((e) => planned.has(entryKey(e)))) {
        throw new HyperzoneError('STAGE_ERROR', `Stage \`${stage}\`: the evaluator returned no results for the ${plan.length} planned trial(s) (failed trials?); cannot make progress`);
      }
      const before = rs.entries.length;
      rs = addEntries(rs, tagged);
      const added = rs.entries.slice(before);
      const prev = rs.compute?.[stage];
      const c = computeOf(added, wall, o.trainSize);
      rs = { ...rs, compute: { ...(rs.compute ?? {}), [stage]: prev ? addCompute(prev, c) : c } };
    }
    documents[stage] = rs;
  }
  return { final: rs, documents: documents as Record<ZoneStageName, ResultSet> };
}
