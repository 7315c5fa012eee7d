import type { Direction, ObjectiveSpec, TrialRecord } from '../core/types.js';
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
  return new ParetoAccumulator<T>(objectives).add(trials).summary();
}

/**
 * paretoSummary over a study read in pages: it keeps the front so far, the count and each objective's range, so
 * memory is O(page + front) whatever the study's size (`status` on a multi-objective study). The result equals
 * paretoSummary over all the pages at once: a trial off the front of the trials so far is dominated by one on it
 * (dominance is transitive), and points off the front add nothing to the hypervolume.
 */
export class ParetoAccumulator<T extends ParetoTrial = TrialRecord> {
  private readonly directions: readonly Direction[];
  private front: T[] = [];
  private complete = 0;
  private readonly lo: number[];
  private readonly hi: number[];
  /** How many values (NaN aside) each objective has had: its range is NaN without one, as d3's min and max give. */
  private readonly counted: number[];

  constructor(private readonly objectives: readonly ObjectiveSpec[]) {
    this.directions = objectives.map((o) => o.direction);
    this.lo = objectives.map(() => Infinity);
    this.hi = objectives.map(() => -Infinity);
    this.counted = objectives.map(() => 0);
  }

  /** Takes a page of trials (any states; only complete ones with a full value vector count). */
  add(trials: readonly T[]): this {
    const m = this.objectives.length;
    const valued = trials.filter((t) => t.state === 'complete' && valuesOf(t)?.length === m);
    this.complete += valued.length;
    for (const t of valued) {
      const p = toMinimization(valuesOf(t) as readonly number[], this.directions);
      for (let k = 0; k < m; k++) {
        const v = p[k] as number;
        if (Number.isNaN(v)) continue;
        this.counted[k] = (this.counted[k] as number) + 1;
        if (v < (this.lo[k] as number)) this.lo[k] = v;
        if (v > (this.hi[k] as number)) this.hi[k] = v;
      }
    }
    if (valued.length > 0) this.front = paretoTrials([...this.front, ...valued], this.directions);
    return this;
  }

  summary(): ParetoSummary<T> {
    const { objectives, directions } = this;
    const first = directions[0] === 'maximize' ? -1 : 1;
    const front = [...this.front].sort((a, b) => first * ((a.value as number) - (b.value as number)) || a.number - b.number);
    const lo = this.lo.map((v, k) => (this.counted[k] ? v : NaN));
    const hi = this.hi.map((v, k) => (this.counted[k] ? v : NaN));
    const ranges = objectives.map((_, k) => {
      const sign = directions[k] === 'maximize' ? -1 : 1;
      return { best: sign * (lo[k] as number), worst: sign * (hi[k] as number) };
    });
    const spread = this.complete > 0 && lo.every((l, k) => (hi[k] as number) > l);
    const scale = (v: number, k: number) => (v - (lo[k] as number)) / ((hi[k] as number) - (lo[k] as number));
    const scaled = spread ? front.map((t) => toMinimization(valuesOf(t) as readonly number[], directions).map(scale)) : [];
    return {
      objectives, front, complete: this.complete, ranges,
      hypervolume: spread ? hypervolume(scaled, objectives.map(() => 1)) : null,
    };
  }
}

/** The front as text: a line with its size and hypervolume, then one row per trial (params, then each objective). */
export function renderPareto(s: ParetoSummary<ParetoTrial & Pick<TrialRecord, 'params'>>, limit = 20): string {
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
