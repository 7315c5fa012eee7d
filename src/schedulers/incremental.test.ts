import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '../storage/sqlite.js';
import type { Direction, TrialRecord } from '../core/types.js';
import { Rng } from '../core/rng.js';
import type { Scheduler, SchedulerContext } from './scheduler.js';
import { MedianStoppingScheduler } from './median.js';
import { SuccessiveHalvingScheduler } from './successive-halving.js';
import { HyperbandScheduler } from './hyperband.js';
import { storageTrialSource, trialSourceOf } from './trial-source.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-sched-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Interleaved trials (several running at once, reporting in random order, some finishing early), each report
 * decided twice: by a scheduler reading the incremental source and by a fresh one rebuilt from the full
 * snapshot (the old O(study) path). Every decision must agree.
 */
async function compare(make: () => Scheduler, direction: Direction, seed: number): Promise<number> {
  const rng = new Rng(seed);
  const trials: TrialRecord[] = [];
  const source = trialSourceOf(async (from, ids) => [...trials.slice(from), ...ids.map((id) => trials[id - 1] as TrialRecord).filter((t) => t.number < from)]);
  const incremental = make();
  let stops = 0;
  const running: { i: number; step: number; q: number }[] = [];
  for (let round = 0; round < 400; round++) {
    if (running.length < 4 && trials.length < 80) {
      const number = trials.length;
      trials.push({ id: number + 1, studyId: 1, number, state: 'running', params: {}, seed: 0, budget: 12, value: null, metrics: {}, steps: [], attrs: {}, error: null, workerId: 'w', attempts: 1, createdAt: 0, startedAt: 0, finishedAt: null, heartbeatAt: null });
      running.push({ i: number, step: 0, q: rng.next() });
    }
    if (running.length === 0) break;
    const r = running[Math.floor(rng.next() * running.length)] as (typeof running)[number];
    r.step++;
    const value = (direction === 'maximize' ? 1 : -1) * (r.q * (1 - Math.exp(-r.step / 3)) + 0.05 * rng.normal());
    const t = trials[r.i] as TrialRecord;
    trials[r.i] = { ...t, steps: [...t.steps, { step: r.step, metrics: { v: value }, at: 0 }] };
    const ctx: SchedulerContext = { direction, metric: 'v', trials: async () => trials.slice() };
    const a = await incremental.onReport(trials[r.i] as TrialRecord, r.step, value, { ...ctx, source });
    const b = await make().onReport(trials[r.i] as TrialRecord, r.step, value, ctx);
    assert.equal(a, b, `trial ${r.i} step ${r.step}`);
    const done = a === 'stop' || r.step >= 12;
    if (a === 'stop') stops++;
    if (done) {
      trials[r.i] = { ...(trials[r.i] as TrialRecord), state: a === 'stop' ? 'pruned' : 'complete', value: a === 'stop' ? null : value };
      running.splice(running.indexOf(r), 1);
    }
  }
  return stops;
}

for (const [name, make] of [
  ['asha', () => new SuccessiveHalvingScheduler({ reductionFactor: 2 })],
  ['median', () => new MedianStoppingScheduler({ nStartupTrials: 3 })],
  ['hyperband', () => new HyperbandScheduler({ maxResource: 12, reductionFactor: 2 })],
] as const) {
  for (const direction of ['maximize', 'minimize'] as const) {
    test(`${name} (${direction}): incremental state decides exactly as a full scan, with interleaved running trials`, async () => {
      const stops = await compare(make, direction, direction === 'maximize' ? 1 : 2);
      assert.ok(stops > 5, `some stops happen (${stops})`);
    });
  }
}

test('another process\'s reports count: a worker\'s rung table picks up trials written through a second connection', async () => {
  const path = join(dir, 'two.db');
  const a = new SqliteStorage(path), b = new SqliteStorage(path);
  const study = await b.createStudy({ name: 's', direction: 'maximize', metric: 'acc', spec: {} });
  const asha = new SuccessiveHalvingScheduler({ reductionFactor: 2 });
  const ctx: SchedulerContext = { direction: 'maximize', metric: 'acc', trials: () => b.listTrials(study.id), source: storageTrialSource(b, study.id) };
  const report = async (s: SqliteStorage, worker: string, v: number, finish: boolean): Promise<TrialRecord> => {
    const t = await s.createRunningTrial(study.id, worker, { params: { v }, seed: 0, budget: 4 });
    await s.reportStep(t.id, worker, 1, { acc: v });
    if (finish) await s.finishTrial(t.id, worker, { state: 'complete', value: v });
    return t;
  };
  // B's state starts here, before A writes anything.
  const first = await report(b, 'wb', 0.5, false);
  assert.equal(await asha.onReport(first, 1, 0.5, ctx), 'continue');
  await report(a, 'wa', 0.9, true);
  await report(a, 'wa', 0.8, true);
  // Rung 1 holds 0.5, 0.9, 0.8, 0.6: ⌊4/2⌋ = 2nd best is 0.8, so 0.6 stops. Seeing only B's own trials
  // (0.5, 0.6) it would go on.
  const late = await report(b, 'wb', 0.6, false);
  assert.equal(await asha.onReport(late, 1, 0.6, ctx), 'stop');
  await a.close();
  await b.close();
});
