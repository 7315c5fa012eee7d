import { planKey } from '../storage/storage.js';
import type { TrialRecord } from '../core/types.js';

/**
 * Failed trials whose configuration (params, seed, budget) has no other trial that is waiting, running, complete or
 * pruned: the failures still open. A failure retried (`hyperzone retry`) and then completed is resolved, so its failed
 * record, kept as history, no longer makes `run` exit 1; these are also what `retry --all-failed` requeues.
 */
export function unresolvedFailures(trials: readonly TrialRecord[]): TrialRecord[] {
  const live = new Set(trials.filter((t) => t.state !== 'failed').map((t) => planKey(t)));
  return trials.filter((t) => t.state === 'failed' && !live.has(planKey(t)));
}
