import { FINISHED_STATES, type TrialRecord } from '../core/types.js';
import type { Storage } from '../storage/storage.js';
import type { SchedulerContext, TrialSource } from './scheduler.js';

/** Reads the trials numbered ≥ fromNumber plus those whose id is in `ids` (Storage.listTrialsFrom's contract). */
export type ListTrialsFrom = (fromNumber: number, ids: readonly number[]) => Promise<readonly TrialRecord[]>;

/**
 * One reader's position in a study: each read returns the trials created since its previous read plus the
 * unfinished ones it holds (they may have reported since). Finished trials never change, so they are returned
 * once. The cost of a read is O(new trials + unfinished trials), not O(study size).
 */
class TrialCursor {
  private nextNumber = 0;
  private readonly unfinished = new Set<number>();

  constructor(private readonly listFrom: ListTrialsFrom) {}

  async read(): Promise<readonly TrialRecord[]> {
    const changed = await this.listFrom(this.nextNumber, [...this.unfinished]);
    for (const t of changed) {
      if (FINISHED_STATES.includes(t.state)) this.unfinished.delete(t.id);
      else this.unfinished.add(t.id);
      if (t.number >= this.nextNumber) this.nextNumber = t.number + 1;
    }
    return changed;
  }
}

/** A TrialSource over any "trials from number N, plus these ids" reader. */
export function trialSourceOf(listFrom: ListTrialsFrom): TrialSource {
  return { cursor: () => new TrialCursor(listFrom) };
}

const sources = new WeakMap<Storage, Map<number, TrialSource>>();

/**
 * The TrialSource of a study in a storage, one per (storage, study) in this process, so that every worker
 * of the process that shares a scheduler also shares its per-study state (and reads each change once).
 */
export function storageTrialSource(storage: Storage, studyId: number): TrialSource {
  let byStudy = sources.get(storage);
  if (!byStudy) sources.set(storage, (byStudy = new Map()));
  let source = byStudy.get(studyId);
  if (!source) byStudy.set(studyId, (source = trialSourceOf((from, ids) => storage.listTrialsFrom(studyId, from, ids))));
  return source;
}

/**
 * A scheduler's state for one study, kept up to date incrementally: `apply` folds one changed trial into the
 * state (it must be idempotent: unfinished trials come back at every read). Without a `source` in the context
 * (hand-made contexts), the state is rebuilt from the full snapshot at each report, with the same result.
 */
export class IncrementalState<S> {
  private readonly bySource = new WeakMap<TrialSource, { cursor: ReturnType<TrialSource['cursor']>; state: S; latest: Map<number, TrialRecord>; chain: Promise<void> }>();

  constructor(private readonly make: (ctx: SchedulerContext) => S, private readonly apply: (state: S, t: TrialRecord) => void) {}

  /**
   * The state with every change read so far applied, and the latest record read of each unfinished trial
   * (the reporting trial's own steps come from there). Reads of one source run one at a time, in order.
   */
  async refreshed(ctx: SchedulerContext): Promise<{ state: S; latest: (id: number) => TrialRecord | undefined }> {
    if (!ctx.source) {
      const state = this.make(ctx);
      const byId = new Map<number, TrialRecord>();
      for (const t of await ctx.trials()) {
        this.apply(state, t);
        byId.set(t.id, t);
      }
      return { state, latest: (id) => byId.get(id) };
    }
    let entry = this.bySource.get(ctx.source);
    if (!entry) {
      entry = { cursor: ctx.source.cursor(), state: this.make(ctx), latest: new Map(), chain: Promise.resolve() };
      this.bySource.set(ctx.source, entry);
    }
    const e = entry;
    const step = e.chain.then(async () => {
      for (const t of await e.cursor.read()) {
        this.apply(e.state, t);
        if (FINISHED_STATES.includes(t.state)) e.latest.delete(t.id);
        else e.latest.set(t.id, t);
      }
    });
    // A failed read must not block later ones; this caller still sees the error.
    e.chain = step.catch(() => undefined);
    await step;
    return { state: e.state, latest: (id) => e.latest.get(id) };
  }
}
