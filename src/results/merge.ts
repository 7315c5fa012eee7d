import { HyperzoneError } from '../core/errors.js';
import { canonicalJson, planKey } from '../core/keys.js';
import type { TrialPlan } from '../core/types.js';
import type { ResultEntry, ResultSet, StageCompute } from './resultset.js';

export { canonicalJson };

/** The first path where two JSON values differ, with both sides, or null when equal. */
export function firstDifference(a: unknown, b: unknown, path: string): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(k in a)) return `\`${path}.${k}\` is only in the second (${JSON.stringify(b[k])})`;
      if (!(k in b)) return `\`${path}.${k}\` is only in the first (${JSON.stringify(a[k])})`;
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `\`${path}\` differs: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Key of an entry or plan for deduplication: (params, seed, budget). */
export function entryKey(e: Pick<ResultEntry, 'params' | 'seed' | 'budget'>): string {
  return planKey(e);
}

/** Adds entries to a result set, skipping any whose (params, seed, budget) it already holds. */
export function addEntries(rs: ResultSet, entries: readonly ResultEntry[]): ResultSet {
  const seen = new Set(rs.entries.map(entryKey));
  const added: ResultEntry[] = [];
  for (const e of entries) {
    const k = entryKey(e);
    if (seen.has(k)) continue;
    seen.add(k);
    added.push(e);
  }
  return { ...rs, entries: [...rs.entries, ...added] };
}

/**
 * Merges two result sets of the same study (e.g. halves of a plan run on two machines).
 * Refuses with MERGE_CONFLICT when space, objective or fixed differ, naming the first difference.
 * Entries are deduplicated by (params, seed, budget), the first document's copy winning.
 * Compute records per stage are summed, except identical records (the same document twice), kept once.
 * Plans are united and lose the trials now evaluated; `stage_output` is the first's, else the second's.
 */
export function mergeResultSets(a: ResultSet, b: ResultSet): ResultSet {
  for (const field of ['space', 'objective', 'fixed'] as const) {
    const d = firstDifference(a[field], b[field], field);
    if (d) throw new HyperzoneError('MERGE_CONFLICT', `Cannot merge result sets: ${d}`);
  }
  const merged = addEntries(a, b.entries);
  const done = new Set(merged.entries.map(entryKey));
  const planSeen = new Set<string>();
  const plan: TrialPlan[] = [];
  for (const p of [...(a.plan ?? []), ...(b.plan ?? [])]) {
    const k = planKey(p);
    if (done.has(k) || planSeen.has(k)) continue;
    planSeen.add(k);
    plan.push(p);
  }
  const compute = mergeCompute(a.compute, b.compute);
  const stageOutput = a.stage_output ?? b.stage_output;
  const { plan: _p, compute: _c, stage_output: _s, ...rest } = merged;
  return {
    ...rest,
    ...(compute ? { compute } : {}),
    ...(stageOutput ? { stage_output: stageOutput } : {}),
    ...(a.plan !== undefined || b.plan !== undefined ? { plan } : {}),
  };
}

function mergeCompute(
  a: Readonly<Record<string, StageCompute>> | undefined,
  b: Readonly<Record<string, StageCompute>> | undefined,
): Record<string, StageCompute> | undefined {
  if (!a && !b) return undefined;
  const out: Record<string, StageCompute> = { ...(a ?? {}) };
  for (const [stage, c] of Object.entries(b ?? {})) {
    const prev = out[stage];
    if (!prev || canonicalJson(prev) === canonicalJson(c)) out[stage] = c;
    else if (c.runs !== undefined && prev.runs !== undefined && c.runs.every((r) => prev.runs?.includes(r))) continue; // already counted
    else if (c.runs !== undefined && prev.runs !== undefined && prev.runs.every((r) => c.runs?.includes(r))) out[stage] = c;
    else out[stage] = addCompute(prev, c);
  }
  return out;
}

/** Sum of two compute records. */
export function addCompute(a: StageCompute, b: StageCompute): StageCompute {
  const sum = {
    trials: a.trials + b.trials, epochs: a.epochs + b.epochs, image_epochs: a.image_epochs + b.image_epochs, wall_seconds: a.wall_seconds + b.wall_seconds,
  };
  return a.runs !== undefined && b.runs !== undefined ? { ...sum, runs: [...a.runs, ...b.runs] } : sum;
}
