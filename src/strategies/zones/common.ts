import type { ResultEntry, ResultSet } from '../../results/resultset.js';
import { planKey } from '../../core/keys.js';
import type { Direction, ParamValue, Params, TrialPlan } from '../../core/types.js';
import { paramsKey } from '../../core/keys.js';
import { STAGE_ATTR } from '../../results/from-trials.js';
import { mean } from '../../stats/intervals.js';

/** A configuration's runs, aggregated over seeds. */
export interface PointStat {
  readonly params: Params;
  readonly key: string;
  readonly values: readonly number[];
  /** Mean of `values`. */
  readonly mean: number;
  /** mean × (+1 maximize, −1 minimize): larger is always better. */
  readonly goodness: number;
  readonly n: number;
}

/** +1 when larger is better, −1 otherwise. */
export const directionSign = (d: Direction): number => (d === 'maximize' ? 1 : -1);

export { paramsKey };

/**
 * The objective value of an entry as of `maxEpoch`: the best of the objective metric over steps up to it.
 * Undefined maxEpoch means the entry's own value; null when the run did not reach `maxEpoch` and has no steps to read.
 */
export function valueAt(e: ResultEntry, metric: string, direction: Direction, maxEpoch: number | undefined): number | null {
  if (maxEpoch === undefined) return e.value;
  const sign = directionSign(direction);
  let best: number | null = null;
  for (const s of e.steps) {
    if (s.step > maxEpoch) continue;
    const v = s.metrics[metric];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (best === null || sign * v > sign * best) best = v;
  }
  if (best !== null) return best;
  return e.budget !== null && e.budget <= maxEpoch ? e.value : null;
}

/** Groups entries by configuration into point statistics. */
export function collectPoints(entries: readonly ResultEntry[], value: (e: ResultEntry) => number | null, direction: Direction): PointStat[] {
  const groups = new Map<string, { params: Params; values: number[] }>();
  for (const e of entries) {
    const v = value(e);
    if (v === null || !Number.isFinite(v)) continue;
    const key = paramsKey(e.params);
    const g = groups.get(key) ?? { params: e.params, values: [] };
    g.values.push(v);
    groups.set(key, g);
  }
  const sign = directionSign(direction);
  return [...groups.entries()].map(([key, g]) => {
    const m = mean(g.values);
    return { params: g.params, key, values: g.values, mean: m, goodness: sign * m, n: g.values.length };
  });
}

/** Entries that belong to a stage (untagged entries count as stage 1's). */
export function entriesOf(rs: ResultSet, stages: readonly string[]): ResultEntry[] {
  return rs.entries.filter((e) => stages.includes(e.stage ?? 'zones'));
}

/** Plans not evaluated yet (no entry with the same params, seed and budget), deduplicated. */
export function missingPlans(rs: ResultSet, plans: readonly TrialPlan[]): TrialPlan[] {
  const done = new Set(rs.entries.map((e) => planKey(e)));
  const out: TrialPlan[] = [];
  for (const p of plans) {
    const k = planKey(p);
    if (done.has(k)) continue;
    done.add(k);
    out.push(p);
  }
  return out;
}

/** A plan for one configuration in a stage. */
export function stagePlan(params: Params, seed: number, budget: number, stage: string, extra: Readonly<Record<string, unknown>> = {}): TrialPlan {
  return { params, seed, budget, attrs: { [STAGE_ATTR]: stage, ...extra } };
}

/** The result set without plan and stage output (the base every stage output builds on). */
export function bare(rs: ResultSet): ResultSet {
  const { plan: _plan, stage_output: _out, ...rest } = rs;
  return rest;
}

/** The output when a stage still needs results: the input plus the plan, no findings. */
export function needsResults(rs: ResultSet, plan: readonly TrialPlan[]): ResultSet {
  return { ...bare(rs), plan };
}

/** A short label of a configuration: "units=512 batch_size=128". */
export function paramsLabel(p: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
