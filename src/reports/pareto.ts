import { max, min } from 'd3-array';
import type { ObjectiveSpec, TrialRecord } from '../core/types.js';
import { valuesOf } from '../core/types.js';
import { hypervolume, paretoTrials, toMinimization } from '../stats/pareto.js';
import { formatNumber, formatParamValue } from './format.js';
import { renderTable } from './text-table.js';

/** What the front is worked out from: a trial's state, number and objective values (a TrialRecord, a report's trial). */
export type ParetoTrial = Pick<TrialRecord, 'state' | 'number' | 'value' | 'values'>;

/** The Pareto front of a multi-objective study: data that `status`, `run`, the report and the dashboard share. */
export interface ParetoSummary<T extends ParetoTrial = TrialRecord> {
  readonly objectives: readonly ObjectiveSpec[];
  /** The non-dominated complete trials, best first in the first objective. */
  readonly front: readonly T[];
  /** Complete trials with a full value vector. */
  readonly complete: number;
  /**
   * The front's hypervolume with every objective scaled to [0, 1] over the complete trials (0 = best observed,
   * 1 = worst observed) and the reference point at 1 in each: 1 would be one trial best in all objectives. Null
   * when no objective has a spread (fewer than two distinct values).
   */
  readonly hypervolume: number | null;
  /** Best and worst observed value of each objective (the scale of `hypervolume`). */
  readonly ranges: readonly { readonly best: number; readonly worst: number }[];
}

/** The Pareto front and its normalised hypervolume over a study's complete trials. */
export function paretoSummary<T extends ParetoTrial = TrialRecord>(trials: readonly T[], objectives: readonly ObjectiveSpec[]): ParetoSummary<T> {
  const directions = objectives.map((o) => o.direction);
  const valued = trials.filter((t) => t.state === 'complete' && valuesOf(t)?.length === objectives.length);
  const first = directions[0] === 'maximize' ? -1 : 1;
  const front = paretoTrials(valued, directions).sort((a, b) => first * ((a.value as number) - (b.value as number)) || a.number - b.number);
  const points = valued.map((t) => toMinimization(valuesOf(t) as readonly number[], directions));
  // d3's min and max, not Math.min(...): spreading 200,000 values overflows the call stack.
  const lo = objectives.map((_, k) => min(points, (p) => p[k] as number) ?? NaN);
  const hi = objectives.map((_, k) => max(points, (p) => p[k] as number) ?? NaN);
  const ranges = objectives.map((_, k) => {
    const sign = directions[k] === 'maximize' ? -1 : 1;
    return { best: sign * (lo[k] as number), worst: sign * (hi[k] as number) };
  });
  const spread = points.length > 0 && lo.every((l, k) => (hi[k] as number) > l);
  const scaled = spread ? points.map((p) => p.map((v, k) => (v - (lo[k] as number)) / ((hi[k] as number) - (lo[k] as number)))) : [];
  return {
    objectives, front, complete: valued.length, ranges,
    hypervolume: spread ? hypervolume(scaled, objectives.map(() => 1)) : null,
  };
}

/** The front as text: a line with its size and hypervolume, then one row per trial (params, then each objective). */
export function renderPareto(s: ParetoSummary, limit = 20): string {
  const names = s.objectives.map((o) => `${o.metric} (${o.direction === 'maximize' ? 'max' : 'min'})`);
  const hv = s.hypervolume === null ? 'hypervolume: - (no spread yet)'
    : `hypervolume ${formatNumber(s.hypervolume)} (each objective scaled to [0, 1] from its best to its worst observed value; reference: the worst)`;
  const head = `Pareto front: ${s.front.length} of ${s.complete} complete trials; ${hv}`;
  if (s.front.length === 0) return head;
  const params = [...new Set(s.front.flatMap((t) => Object.keys(t.params)))];
  const rows = s.front.slice(0, limit).map((t) => [
    t.number,
    ...params.map((n) => (t.params[n] === undefined ? null : formatParamValue(t.params[n]))),
    ...(valuesOf(t) as readonly number[]).map((v) => formatNumber(v)),
  ]);
  const more = s.front.length > limit ? `\n... ${s.front.length - limit} more on the front (hyperzone export for all)` : '';
  return `${head}\n${renderTable(['#', ...params, ...names], rows)}${more}`;
}
