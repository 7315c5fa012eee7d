import { Space } from '../space/space.js';
import type { DistributionSpec } from '../space/distribution.js';
import type { Direction, ParamValue, TrialRecord } from '../core/types.js';
import { RESULTSET_FORMAT, type ResultEntry, type ResultSet } from './resultset.js';

/** The attribute naming the zone-strategy stage that planned a trial. */
export const STAGE_ATTR = 'zones.stage';

/** What a result set needs from a study spec. */
export interface ResultSetSource {
  readonly space: Space | Readonly<Record<string, DistributionSpec>>;
  readonly metric: string;
  readonly direction: Direction;
  readonly fixed?: Readonly<Record<string, ParamValue>>;
}

/** One complete trial as a result entry (null when it has no value: failed, pruned, unfinished). */
export function entryFromTrial(t: TrialRecord, stage?: string): ResultEntry | null {
  if (t.state !== 'complete' || t.value === null) return null;
  const tagged = t.attrs[STAGE_ATTR];
  const s = typeof tagged === 'string' ? tagged : stage;
  return {
    params: t.params,
    seed: t.seed,
    budget: t.budget,
    value: t.value,
    steps: t.steps.map((st) => ({ step: st.step, metrics: st.metrics })),
    metrics: t.metrics,
    ...(s !== undefined ? { stage: s } : {}),
    ...(Object.keys(t.attrs).length > 0 ? { attrs: t.attrs } : {}),
  };
}

/**
 * Builds a result set from a study's trials: complete trials become entries (their `zones.stage`
 * attribute, else `stage`, tags them); failed, pruned and unfinished trials are left out.
 */
export function resultSetFromTrials(source: ResultSetSource, trials: readonly TrialRecord[], stage?: string): ResultSet {
  const space = source.space instanceof Space ? source.space.toJSON() : source.space;
  const entries: ResultEntry[] = [];
  for (const t of trials) {
    const e = entryFromTrial(t, stage);
    if (e) entries.push(e);
  }
  return { format: RESULTSET_FORMAT, space, objective: { metric: source.metric, direction: source.direction }, fixed: source.fixed ?? {}, entries };
}
