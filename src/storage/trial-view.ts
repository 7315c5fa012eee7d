import { FINISHED_STATES, type TrialRecord } from '../core/types.js';
import type { Storage } from './storage.js';

/**
 * A worker's running view of a study's trials, for samplers that read history (TPE, the trial count of random).
 * Finished trials never change, so each refresh reads only new trials and the unfinished ones it holds:
 * O(changes) per ask (Storage.listTrialsFrom).
 */
export class TrialView {
  private readonly list: TrialRecord[] = [];
  private readonly index = new Map<number, number>();
  private readonly unfinished = new Set<number>();
  private nextNumber = 0;

  constructor(private readonly storage: Storage, private readonly studyId: number) {}

  /** All trials of the study, ordered by number, as of now. */
  async refresh(): Promise<readonly TrialRecord[]> {
    const changed = await this.storage.listTrialsFrom(this.studyId, this.nextNumber, [...this.unfinished]);
    const fresh: TrialRecord[] = [];
    for (const t of changed) {
      const at = this.index.get(t.number);
      if (at === undefined) fresh.push(t);
      else this.list[at] = t;
      if (FINISHED_STATES.includes(t.state)) this.unfinished.delete(t.id);
      else this.unfinished.add(t.id);
    }
    for (const t of fresh.sort((a, b) => a.number - b.number)) {
      this.index.set(t.number, this.list.length);
      this.list.push(t);
      this.nextNumber = Math.max(this.nextNumber, t.number + 1);
    }
    return this.list.slice();
  }
}
