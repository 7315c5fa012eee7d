import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyRecord, TrialRecord } from '../core/types.js';
import type { Storage } from './storage.js';

/**
 * Contract cases for the aggregate reads `status` uses (bestTrials): sorted and limited by storage, the same on
 * every backend. Called inside storageContract's describe.
 */
export function summaryContract(store: () => Storage, newStudy: () => Promise<StudyRecord>): void {
  it('bestTrials ranks by value in the direction, ties by number, valueless last, limited to n, with steps', async () => {
    const s = store();
    const st = await newStudy();
    // values by x: complete 0.5, 0.9, 0.1, 0.9 (tie), failed, pruned 0.95, waiting, running.
    const plans = Array.from({ length: 8 }, (_, x) => ({ params: { x }, seed: 0, budget: null }));
    const trials = await s.enqueueTrials(st.id, plans);
    const claim = async (): Promise<TrialRecord> => { const t = await s.claimTrial(st.id, 'w'); assert.ok(t); return t; };
    const outcomes = [
      { state: 'complete', value: 0.5 }, { state: 'complete', value: 0.9 }, { state: 'complete', value: 0.1 }, { state: 'complete', value: 0.9 },
      { state: 'failed', error: 'boom' }, { state: 'pruned', step: 1, value: 0.95 },
    ] as const;
    for (const o of outcomes) {
      const t = await claim();
      if (o.state === 'complete') await s.reportStep(t.id, 'w', 0, { v: o.value });
      assert.ok(await s.finishTrial(t.id, 'w', o));
    }
    await claim(); // x = 6 running, x = 7 waiting
    const num = (ts: readonly TrialRecord[]) => ts.map((t) => t.number);
    const n = (x: number) => trials[x]?.number as number;

    assert.deepEqual(num(await s.bestTrials(st.id, { n: 10, direction: 'maximize' })), [n(1), n(3), n(0), n(2)]);
    assert.deepEqual(num(await s.bestTrials(st.id, { n: 10, direction: 'minimize' })), [n(2), n(0), n(1), n(3)]);
    assert.deepEqual(num(await s.bestTrials(st.id, { n: 2, direction: 'maximize' })), [n(1), n(3)]);
    assert.deepEqual(await s.bestTrials(st.id, { n: 0, direction: 'maximize' }), []);
    const best = (await s.bestTrials(st.id, { n: 1, direction: 'maximize' }))[0];
    assert.equal(best?.value, 0.9);
    assert.deepEqual(best?.steps.map((x) => x.metrics), [{ v: 0.9 }], 'steps included');
    assert.deepEqual(best, await s.getTrial(best?.id ?? -1), 'the same record getTrial returns');
    const finished = ['complete', 'pruned', 'failed'] as const;
    assert.deepEqual(num(await s.bestTrials(st.id, { n: 10, direction: 'maximize', states: finished })), [n(5), n(1), n(3), n(0), n(2), n(4)], 'failed (no value) last');
    assert.deepEqual(num(await s.bestTrials(st.id, { n: 10, direction: 'minimize', states: finished })), [n(2), n(0), n(1), n(3), n(5), n(4)]);
    assert.deepEqual(num(await s.bestTrials(st.id, { n: 5, direction: 'maximize', states: ['running'] })), [n(6)]);
    const empty = await newStudy();
    assert.deepEqual(await s.bestTrials(empty.id, { n: 3, direction: 'maximize' }), []);
    await assert.rejects(s.bestTrials(987654, { n: 3, direction: 'maximize' }), /not found/);
    await assert.rejects(s.bestTrials(st.id, { n: -1, direction: 'maximize' }), /`n`/);
  });
}
