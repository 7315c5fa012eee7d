import { HyperzoneError } from '../../core/errors.js';
import type { ResultSet } from '../../results/resultset.js';
import type { Params, TrialPlan } from '../../core/types.js';
import { deriveSeed } from '../../core/rng.js';
import { bare, collectPoints, entriesOf, missingPlans, needsResults, paramsKey, stagePlan } from './common.js';
import { resolveZoneOptions, type ZoneOptions } from './options.js';
import { analyzeRefine, type Candidate } from './refine.js';
import { rankHolding, type RankHolding } from './survey-rank.js';

/** One candidate × schedule result of stage 3. */
export interface ScheduleResult {
  readonly params: Params;
  readonly value: number;
  readonly n: number;
  readonly schedule: string;
  /** The stage-2 candidate it came from (its rank, 1 = best). */
  readonly candidate: number;
}

/** Stage 3's findings. */
export interface SchedulesOutput {
  readonly stage: 'schedules';
  readonly candidates: readonly Candidate[];
  readonly schedules: readonly string[];
  /** Every candidate × schedule, best first. */
  readonly ranking: readonly ScheduleResult[];
  /**
   * Whether the survey's ranking held: Spearman's ρ between these full-budget runs' values at the survey's epoch
   * and at the end (null when stages 1–2 ran at the full budget, or fewer than 3 runs stored per-epoch metrics).
   */
  readonly surveyRank: RankHolding | null;
}

/** The candidates of stage 2, or a STAGE_ERROR saying stage 2 still needs results. */
export function refinedCandidates(rs: ResultSet, options: ZoneOptions = {}): readonly Candidate[] {
  const r = analyzeRefine(rs, options);
  if (r.output === null) {
    throw new HyperzoneError('STAGE_ERROR', `Stage \`refine\` is not complete: ${r.plan.length} trial(s) of its plan are not evaluated; run \`stage refine\`, evaluate its plan and merge first`);
  }
  return r.output.candidates;
}

/** Stage 3's analysis: the plan (every candidate × schedule) and, once evaluated, the ranking. */
export function analyzeSchedules(rs: ResultSet, options: ZoneOptions = {}): { plan: TrialPlan[]; output: SchedulesOutput | null } {
  const o = resolveZoneOptions(options);
  const candidates = refinedCandidates(rs, o);
  const seed = deriveSeed(o.seed, 'schedules', 0);
  const plans: TrialPlan[] = [];
  const origin = new Map<string, { schedule: string; candidate: number }>();
  candidates.forEach((c, i) => {
    for (const s of o.schedules) {
      const params: Params = { ...c.params, [o.scheduleParam]: s };
      plans.push(stagePlan(params, seed, o.epochs, 'schedules'));
      origin.set(paramsKey(params), { schedule: s, candidate: i + 1 });
    }
  });
  const plan = missingPlans(rs, plans);
  if (plan.length > 0) return { plan, output: null };
  const { direction } = rs.objective;
  const points = collectPoints(entriesOf(rs, ['schedules']), (e) => e.value, direction).filter((p) => origin.has(p.key));
  const ranking = points
    .sort((a, b) => b.goodness - a.goodness)
    .map((p) => {
      const from = origin.get(p.key) as { schedule: string; candidate: number };
      return { params: p.params, value: p.mean, n: p.n, schedule: from.schedule, candidate: from.candidate };
    });
  const held = o.surveyEpochs < o.epochs ? rankHolding(entriesOf(rs, ['schedules']).filter((e) => origin.has(paramsKey(e.params))), rs.objective.metric, direction, [o.surveyEpochs], o.epochs) : [];
  return { plan: [], output: { stage: 'schedules', candidates, schedules: o.schedules, ranking, surveyRank: held[0] ?? null } };
}

/**
 * Stage 3 `schedules`: every stage-2 candidate × each learning-rate schedule (as the `lr_schedule`
 * parameter). Returns the input plus `plan` while results are missing, else the input plus
 * `stage_output` (SchedulesOutput, the ranking) and an empty plan. Throws STAGE_ERROR when stage 2
 * is not complete.
 */
export function schedulesStage(rs: ResultSet, options: ZoneOptions = {}): ResultSet {
  const r = analyzeSchedules(rs, options);
  if (r.output === null) return needsResults(rs, r.plan);
  return { ...bare(rs), stage_output: { ...r.output }, plan: [] };
}
