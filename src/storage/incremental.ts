import type { TrialRecord } from '../study/types.js';
import type { Storage } from './storage.js';

/**
 * An optional storage capability: read only what changed since a previous read, so a worker's view of a
 * study costs O(changes) per ask instead of O(study size). Finished trials never change (FINISHED_STATES),
 * so a reader keeps them and asks for trials numbered after the ones it knows plus the unfinished ones it holds.
 * Proposed for the Storage contract; memory, SQLite and PostgreSQL implement it.
 */
export interface IncrementalTrials {
  /** Trials of the study numbered ≥ `fromNumber`, or whose id is in `ids`, ordered by number. */
  listTrialsFrom(studyId: number, fromNumber: number, ids: readonly number[]): Promise<TrialRecord[]>;
}

/** Whether a storage implements IncrementalTrials. */
export function hasIncrementalTrials(s: Storage): s is Storage & IncrementalTrials {
  return typeof (s as Partial<IncrementalTrials>).listTrialsFrom === 'function';
}
