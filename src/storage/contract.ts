import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { StudyRecord, TrialPlan, TrialRecord } from '../core/types.js';
import { HyperzoneError } from '../core/errors.js';
import { planKey, type Storage } from './storage.js';
import { TrialView } from './trial-view.js';
import { textSafetyContract } from './contract-text.js';
import { summaryContract } from './contract-summary.js';

/** A grid of n distinct plans (x = 0..n-1), for contract tests and benchmarks. */
export function gridPlans(n: number, budget: number | null = 3): TrialPlan[] {
  return Array.from({ length: n }, (_, i) => ({ params: { x: i, act: i % 2 === 0 ? 'relu' : 'tanh' }, seed: 7, budget }));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The node:test suite every Storage backend must pass. `make` returns a fresh, empty store
 * (each test gets its own and closes it).
 */
export function storageContract(name: string, make: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let s: Storage;
    const tag = randomBytes(3).toString('hex');
    let n = 0;
    const newStudy = (extra: Partial<{ name: string; spec: unknown }> = {}): Promise<StudyRecord> =>
      s.createStudy({ name: extra.name ?? `study-${tag}-${n++}`, direction: 'maximize', metric: 'val_accuracy', spec: extra.spec ?? { space: { x: { type: 'int', low: 0, high: 9 } } } });

    beforeEach(async () => { s = await make(); });
    afterEach(async () => { await s.close(); });
    textSafetyContract(() => s, newStudy);
    summaryContract(() => s, () => newStudy());

    it('creates, gets, lists and deletes studies', async () => {
      const spec = { space: { lr: { type: 'float', low: 1e-4, high: 1, log: true } }, nested: [1, 'two', { three: 3 }] };
      const a = await newStudy({ spec });
      const b = await newStudy();
      assert.ok(a.id !== b.id);
      assert.equal(a.direction, 'maximize');
      assert.equal(a.metric, 'val_accuracy');
      assert.deepEqual(a.spec, spec);
      assert.equal(typeof a.createdAt, 'number');
      assert.deepEqual(await s.getStudy(a.name), a);
      assert.equal(await s.getStudy(`missing-${tag}`), null);
      await s.enqueueTrials(a.id, gridPlans(3));
      const list = await s.listStudies();
      const names = list.map((x) => x.name);
      assert.ok(names.indexOf(a.name) < names.indexOf(b.name), 'oldest first');
      const la = list.find((x) => x.id === a.id);
      assert.deepEqual(la?.counts, { waiting: 3, running: 0, complete: 0, pruned: 0, failed: 0 });
      assert.deepEqual(list.find((x) => x.id === b.id)?.counts, { waiting: 0, running: 0, complete: 0, pruned: 0, failed: 0 });
      assert.equal(await s.deleteStudy(a.name), true);
      assert.equal(await s.deleteStudy(a.name), false);
      assert.equal(await s.getStudy(a.name), null);
      assert.ok(!(await s.listStudies()).some((x) => x.id === a.id));
      assert.ok(await s.getStudy(b.name));
    });

    it('deleting a study deletes its trials', async () => {
      const st = await newStudy();
      const [t] = await s.enqueueTrials(st.id, gridPlans(1));
      assert.ok(t);
      await s.deleteStudy(st.name);
      assert.equal(await s.getTrial(t.id), null);
    });

    it('deleting a study deletes its workers and steps; its name can be reused from scratch', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(2));
      await s.workerHeartbeat({ id: 'w-del', studyId: st.id, host: 'h', pid: 1, startedAt: 1 });
      const t = await s.claimTrial(st.id, 'w-del');
      assert.ok(t);
      assert.equal(await s.reportStep(t.id, 'w-del', 1, { val_accuracy: 0.5 }), true);
      assert.equal(await s.deleteStudy(st.name), true);
      assert.equal(await s.getTrial(t.id), null);
      const left = await s.listWorkers(st.id).catch((e: unknown) => (e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND' ? [] : Promise.reject(e)));
      assert.deepEqual(left, [], 'the deleted study\'s workers are gone');
      const again = await newStudy({ name: st.name });
      assert.notEqual(again.id, st.id);
      assert.deepEqual(await s.listWorkers(again.id), []);
      assert.deepEqual(await s.listTrials(again.id), []);
      assert.equal((await s.enqueueTrials(again.id, gridPlans(2))).length, 2, 'the old trials no longer deduplicate anything');
    });

    it('retryTrials requeues failed trials as new waiting trials (same params, seed, budget; retry_of), once per configuration', async () => {
      const st = await newStudy();
      const plans = gridPlans(3).map((p, i) => (i === 0 ? { ...p, attrs: { evaluate_test: true } } : p));
      await s.enqueueTrials(st.id, plans);
      const end = async (state: 'failed' | 'complete'): Promise<TrialRecord> => {
        const t = await s.claimTrial(st.id, 'w-r');
        assert.ok(t);
        assert.equal(await s.finishTrial(t.id, 'w-r', state === 'failed' ? { state, error: 'boom' } : { state, value: 0.5 }), true);
        return t;
      };
      await end('failed');
      await end('failed');
      await end('complete');
      const retried = await s.retryTrials(st.id, [0, 2, 0, 99, -1]);
      assert.equal(retried.length, 1, 'a complete trial, a repeat, a missing number and a negative one are skipped');
      const r = retried[0] as TrialRecord;
      assert.equal(r.number, 3);
      assert.equal(r.state, 'waiting');
      assert.deepEqual(r.params, plans[0]?.params);
      assert.equal(r.seed, plans[0]?.seed);
      assert.equal(r.budget, plans[0]?.budget);
      assert.deepEqual(r.attrs, { evaluate_test: true, retry_of: 0 });
      assert.equal(r.attempts, 0);
      assert.equal((await s.listTrials(st.id))[0]?.state, 'failed', 'the failed record stays as history');
      assert.deepEqual(await s.retryTrials(st.id, [0]), [], 'a waiting copy exists already');
      assert.deepEqual(await s.enqueueTrials(st.id, plans), [], 'enqueueing the plan again still adds nothing');
      assert.equal((await s.claimTrial(st.id, 'w-r'))?.number, 3, 'a worker picks the retry up');
      assert.deepEqual(await s.retryTrials(st.id, [0]), [], 'a running copy exists');
      const running = await s.getTrial(r.id);
      assert.ok(running);
      await s.finishTrial(running.id, 'w-r', { state: 'failed', error: 'boom again' });
      const twice = await s.retryTrials(st.id, [3, 0, 1]);
      assert.deepEqual(twice.map((t) => [t.number, t.attrs.retry_of]), [[4, 3], [5, 1]], 'trials 0 and 3 share a configuration: one copy');
      assert.deepEqual(await s.countTrials(st.id), { waiting: 2, running: 0, complete: 1, pruned: 0, failed: 3 });
      await assert.rejects(s.retryTrials(987654, [0]), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
    });

    it('rejects a duplicate study name with STUDY_EXISTS', async () => {
      const a = await newStudy();
      await assert.rejects(newStudy({ name: a.name }), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_EXISTS' && e.message.includes(a.name));
    });

    it('enqueues in order, numbered after existing trials, and skips duplicates', async () => {
      const st = await newStudy();
      const first = await s.enqueueTrials(st.id, gridPlans(3));
      assert.deepEqual(first.map((t) => t.number), [0, 1, 2]);
      assert.deepEqual(first.map((t) => t.params['x']), [0, 1, 2]);
      for (const t of first) {
        assert.equal(t.state, 'waiting');
        assert.equal(t.studyId, st.id);
        assert.equal(t.attempts, 0);
        assert.equal(t.workerId, null);
        assert.equal(t.value, null);
        assert.deepEqual(t.steps, []);
        assert.equal(t.budget, 3);
        assert.equal(t.seed, 7);
      }
      // Same grid again plus two new points, one repeated within the batch, keys in another order.
      const plans: TrialPlan[] = [
        ...gridPlans(5),
        { params: { act: 'relu', x: 4 }, seed: 7, budget: 3 },
        { params: { x: 0, act: 'relu' }, seed: 8, budget: 3 },
        { params: { x: 0, act: 'relu' }, seed: 7, budget: null },
      ];
      const second = await s.enqueueTrials(st.id, plans);
      assert.deepEqual(second.map((t) => t.params['x']), [3, 4, 0, 0]);
      assert.deepEqual(second.map((t) => t.number), [3, 4, 5, 6]);
      assert.deepEqual(second.map((t) => [t.seed, t.budget]), [[7, 3], [7, 3], [8, 3], [7, null]]);
      const all = await s.listTrials(st.id);
      assert.deepEqual(all.map((t) => t.number), [0, 1, 2, 3, 4, 5, 6]);
      assert.deepEqual(await s.enqueueTrials(st.id, gridPlans(5)), []);
      // A point created by an ask-style worker also counts as existing.
      const r = await s.createRunningTrial(st.id, 'w', { params: { x: 100, act: 'relu' }, seed: 7, budget: 3 });
      assert.equal(r.number, 7);
      assert.deepEqual(await s.enqueueTrials(st.id, [{ params: { x: 100, act: 'relu' }, seed: 7, budget: 3 }]), []);
      // Another study may hold the same points.
      const other = await newStudy();
      assert.equal((await s.enqueueTrials(other.id, gridPlans(5))).length, 5);
    });

    it('stores plan attrs and an empty enqueue is a no-op', async () => {
      const st = await newStudy();
      assert.deepEqual(await s.enqueueTrials(st.id, []), []);
      const [t] = await s.enqueueTrials(st.id, [{ params: { x: 1.5, on: true, name: 'a' }, seed: 1, budget: null, attrs: { 'zones.stage': 'coarse', tags: ['a'] } }]);
      assert.ok(t);
      assert.deepEqual(t.params, { x: 1.5, on: true, name: 'a' });
      assert.deepEqual(t.attrs, { 'zones.stage': 'coarse', tags: ['a'] });
      assert.equal(t.budget, null);
    });

    it('concurrent enqueues of the same grid create each point once', async () => {
      const st = await newStudy();
      const grid = gridPlans(40);
      const results = await Promise.all([s.enqueueTrials(st.id, grid), s.enqueueTrials(st.id, [...grid].reverse()), s.enqueueTrials(st.id, grid)]);
      assert.equal(results.flat().length, 40);
      const all = await s.listTrials(st.id);
      assert.equal(all.length, 40);
      assert.deepEqual(all.map((t) => t.number), Array.from({ length: 40 }, (_, i) => i));
      assert.equal(new Set(all.map((t) => planKey(t))).size, 40);
    });

    it('throws STUDY_NOT_FOUND for an unknown study id', async () => {
      await assert.rejects(s.enqueueTrials(987654, gridPlans(1)), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
      await assert.rejects(s.claimTrial(987654, 'w'), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
    });

    it('claims the lowest-numbered waiting trial, then null', async () => {
      const st = await newStudy();
      assert.equal(await s.claimTrial(st.id, 'w1'), null);
      await s.enqueueTrials(st.id, gridPlans(2));
      const a = await s.claimTrial(st.id, 'w1');
      const b = await s.claimTrial(st.id, 'w2');
      assert.equal(a?.number, 0);
      assert.equal(b?.number, 1);
      assert.equal(a?.state, 'running');
      assert.equal(a?.workerId, 'w1');
      assert.equal(b?.workerId, 'w2');
      assert.equal(a?.attempts, 1);
      assert.equal(typeof a?.startedAt, 'number');
      assert.equal(typeof a?.heartbeatAt, 'number');
      assert.equal(await s.claimTrial(st.id, 'w1'), null);
      assert.deepEqual(await s.countTrials(st.id), { waiting: 0, running: 2, complete: 0, pruned: 0, failed: 0 });
    });

    it('concurrent claimers claim every trial exactly once', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(50));
      const claimed: TrialRecord[] = [];
      await Promise.all(Array.from({ length: 16 }, async (_, w) => {
        for (;;) {
          const t = await s.claimTrial(st.id, `w${w}`);
          if (!t) return;
          claimed.push(t);
          assert.equal(t.workerId, `w${w}`);
        }
      }));
      assert.equal(claimed.length, 50);
      assert.equal(new Set(claimed.map((t) => t.id)).size, 50);
      const all = await s.listTrials(st.id);
      assert.ok(all.every((t) => t.state === 'running' && t.attempts === 1));
      for (const t of claimed) assert.equal(all.find((x) => x.id === t.id)?.workerId, t.workerId);
    });

    it('creates running trials for ask-style workers', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(1));
      const t = await s.createRunningTrial(st.id, 'asker', { params: { x: 3.25 }, seed: 1, budget: 10, attrs: { sampler: 'tpe' } });
      assert.equal(t.state, 'running');
      assert.equal(t.workerId, 'asker');
      assert.equal(t.number, 1);
      assert.equal(t.attempts, 1);
      assert.deepEqual(t.attrs, { sampler: 'tpe' });
      // The same point again (a sampler may repeat itself) is still a new trial.
      const u = await s.createRunningTrial(st.id, 'asker', { params: { x: 3.25 }, seed: 1, budget: 10 });
      assert.equal(u.number, 2);
      assert.notEqual(u.id, t.id);
      assert.ok(await s.finishTrial(t.id, 'asker', { state: 'complete', value: 0.5 }));
      // The claim queue is unaffected.
      assert.equal((await s.claimTrial(st.id, 'w'))?.number, 0);
    });

    it('concurrent createRunningTrial numbers trials uniquely', async () => {
      const st = await newStudy();
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => s.createRunningTrial(st.id, `w${i % 4}`, { params: { x: i }, seed: 0, budget: null })));
      assert.deepEqual(made.map((t) => t.number).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    });

    it('createRunningTrialIfBelow creates only while the study has fewer than maxTrials trials', async () => {
      const st = await newStudy();
      const plan = (x: number): TrialPlan => ({ params: { x }, seed: x, budget: null, attrs: { k: x } });
      assert.equal(await s.createRunningTrialIfBelow(st.id, 'w', plan(0), 0), null, 'a limit of 0 creates nothing');
      // Waiting trials count as trials too.
      await s.enqueueTrials(st.id, gridPlans(2));
      const t = await s.createRunningTrialIfBelow(st.id, 'w', plan(5), 3);
      assert.ok(t);
      assert.equal(t.number, 2);
      assert.equal(t.state, 'running');
      assert.equal(t.workerId, 'w');
      assert.equal(t.attempts, 1);
      assert.deepEqual(t.params, { x: 5 });
      assert.deepEqual(t.attrs, { k: 5 });
      assert.equal(await s.createRunningTrialIfBelow(st.id, 'w', plan(6), 3), null);
      assert.equal(await s.createRunningTrialIfBelow(st.id, 'w', plan(6), 2), null, 'a limit below the count creates nothing');
      assert.equal((await s.listTrials(st.id)).length, 3);
      // A repeated point is still a new trial below a higher limit; finished trials still count.
      assert.ok(await s.finishTrial(t.id, 'w', { state: 'complete', value: 1 }));
      const again = await s.createRunningTrialIfBelow(st.id, 'w2', plan(5), 4);
      assert.equal(again?.number, 3);
      assert.equal(await s.createRunningTrialIfBelow(st.id, 'w2', plan(7), 4), null);
      assert.deepEqual(await s.countTrials(st.id), { waiting: 2, running: 1, complete: 1, pruned: 0, failed: 0 });
      await assert.rejects(s.createRunningTrialIfBelow(987654, 'w', plan(1), 10), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
      await assert.rejects(s.createRunningTrialIfBelow(st.id, 'w', plan(1), 1.5), /maxTrials/);
      await assert.rejects(s.createRunningTrialIfBelow(st.id, 'w', plan(1), -1), /maxTrials/);
    });

    it('concurrent createRunningTrialIfBelow never overshoots the limit', async () => {
      const st = await newStudy();
      const other = await newStudy();
      const limit = 13;
      const made = await Promise.all(Array.from({ length: 48 }, (_, i) => s.createRunningTrialIfBelow(i % 5 === 0 ? other.id : st.id, `w${i % 8}`, { params: { x: i % 3 }, seed: 0, budget: null }, limit)));
      const mine = made.filter((t): t is TrialRecord => t !== null && t.studyId === st.id);
      assert.equal(mine.length, limit);
      assert.deepEqual(mine.map((t) => t.number).sort((a, b) => a - b), Array.from({ length: limit }, (_, i) => i));
      assert.equal((await s.listTrials(st.id)).length, limit);
      assert.equal((await s.listTrials(other.id)).length, 10, 'each study has its own limit');
    });

    it('createRunningTrialAt creates only the study\'s next number (compare-and-set), below an optional limit', async () => {
      const st = await newStudy();
      const plan = (x: number): TrialPlan => ({ params: { x }, seed: x, budget: null, attrs: { k: x } });
      const first = await s.createRunningTrialAt(st.id, 'w', 0, plan(0));
      assert.ok(first.trial);
      assert.equal(first.trial.number, 0);
      assert.equal(first.trial.state, 'running');
      assert.equal(first.trial.workerId, 'w');
      assert.equal(first.trial.attempts, 1, 'started by default');
      assert.equal(typeof first.trial.startedAt, 'number');
      assert.deepEqual(first.trial.attrs, { k: 0 });
      assert.deepEqual(await s.createRunningTrialAt(st.id, 'w2', 0, plan(1)), { trial: null, reason: 'taken' }, 'a number is created once');
      assert.deepEqual(await s.createRunningTrialAt(st.id, 'w2', 5, plan(1)), { trial: null, reason: 'taken' }, 'only the next number');
      // Enqueued trials take numbers too.
      await s.enqueueTrials(st.id, gridPlans(2));
      assert.deepEqual(await s.createRunningTrialAt(st.id, 'w', 1, plan(1)), { trial: null, reason: 'taken' });
      assert.deepEqual(await s.createRunningTrialAt(st.id, 'w', 3, plan(3), { maxTrials: 3 }), { trial: null, reason: 'limit' });
      assert.deepEqual(await s.createRunningTrialAt(st.id, 'w', 2, plan(3), { maxTrials: 3 }), { trial: null, reason: 'limit' }, 'the limit is said first');
      const later = await s.createRunningTrialAt(st.id, 'w', 3, plan(3), { maxTrials: 4, started: false });
      assert.equal(later.trial?.number, 3);
      assert.equal(later.trial?.attempts, 0, 'not started: no attempt yet');
      assert.equal(later.trial?.startedAt, null);
      assert.deepEqual(later.trial?.params, { x: 3 });
      assert.deepEqual(await s.countTrials(st.id), { waiting: 2, running: 2, complete: 0, pruned: 0, failed: 0 });
      await assert.rejects(s.createRunningTrialAt(987654, 'w', 0, plan(1)), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
      await assert.rejects(s.createRunningTrialAt(st.id, 'w', -1, plan(1)), /number/);
      await assert.rejects(s.createRunningTrialAt(st.id, 'w', 1.5, plan(1)), /number/);
      await assert.rejects(s.createRunningTrialAt(st.id, 'w', 4, plan(1), { maxTrials: -1 }), /maxTrials/);
    });

    it('workers racing with createRunningTrialAt each get their own numbers; every trial holds the plan made for its number', async () => {
      const st = await newStudy();
      const limit = 24;
      const outcomes = { taken: 0, limit: 0 };
      // 8 workers, each proposing for the number after the trials it has read (as the engine does), until the limit.
      await Promise.all(Array.from({ length: 8 }, async (_, w) => {
        for (;;) {
          const number = (await s.listTrials(st.id)).length;
          if (number >= limit) return;
          const r = await s.createRunningTrialAt(st.id, `w${w}`, number, { params: { made_for: number, by: w }, seed: number, budget: null }, { maxTrials: limit });
          if (r.trial === null) {
            outcomes[r.reason]++;
            if (r.reason === 'limit') return;
          }
        }
      }));
      const ts = await s.listTrials(st.id);
      assert.deepEqual(ts.map((t) => t.number), Array.from({ length: limit }, (_, i) => i), 'dense numbers, the limit held');
      for (const t of ts) assert.equal(t.params['made_for'], t.number, `trial #${t.number} holds the plan made for its number`);
      assert.equal(new Set(ts.map((t) => t.params['made_for'])).size, limit, 'no number proposed twice');
    });

    it('startTrial counts an attempt once per claim; a claim never started is no attempt', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(2));
      const t = await s.claimTrial(st.id, 'w', { started: false });
      assert.ok(t);
      assert.equal(t.attempts, 0);
      assert.equal(t.startedAt, null);
      assert.equal(t.state, 'running');
      assert.equal(await s.startTrial(t.id, 'other'), false, 'only the owner starts it');
      assert.equal(await s.startTrial(t.id, 'w'), true);
      assert.equal(await s.startTrial(t.id, 'w'), false, 'once per claim');
      const started = await s.getTrial(t.id);
      assert.equal(started?.attempts, 1);
      assert.equal(typeof started?.startedAt, 'number');
      // A lost worker's claim that never started goes back to waiting even at maxAttempts 1; a started one fails.
      const u = await s.claimTrial(st.id, 'w', { started: false });
      assert.ok(u);
      assert.equal(await s.requeueStale(st.id, { staleMs: 0, maxAttempts: 1 }), 2);
      assert.equal((await s.getTrial(t.id))?.state, 'failed');
      const back = await s.getTrial(u.id);
      assert.equal(back?.state, 'waiting');
      assert.equal(back?.attempts, 0);
      const again = await s.claimTrial(st.id, 'w2');
      assert.equal(again?.id, u.id);
      assert.equal(again?.attempts, 1, 'a default claim counts at once');
      assert.equal(await s.startTrial(u.id, 'w2'), false, 'already started by the claim');
      assert.equal(await s.startTrial(987654, 'w2'), false);
    });

    it('listTrialsFrom returns trials numbered from a point plus the given ids, ordered', async () => {
      const st = await newStudy();
      const other = await newStudy();
      const ts = await s.enqueueTrials(st.id, gridPlans(6));
      const [o] = await s.enqueueTrials(other.id, gridPlans(1));
      assert.ok(o);
      const a = await s.claimTrial(st.id, 'w');
      assert.ok(a);
      await s.reportStep(a.id, 'w', 0, { v: 1 });
      const ids = (xs: readonly TrialRecord[]) => xs.map((t) => t.number);
      assert.deepEqual(ids(await s.listTrialsFrom(st.id, 4, [])), [4, 5]);
      assert.deepEqual(ids(await s.listTrialsFrom(st.id, 4, [ts[1]?.id ?? 0, ts[0]?.id ?? 0, ts[5]?.id ?? 0])), [0, 1, 4, 5]);
      assert.deepEqual(ids(await s.listTrialsFrom(st.id, 6, [])), []);
      assert.deepEqual(ids(await s.listTrialsFrom(st.id, 0, [])), [0, 1, 2, 3, 4, 5]);
      assert.deepEqual(await s.listTrialsFrom(st.id, 6, [o.id]), [], 'ids of another study are ignored');
      const [first] = await s.listTrialsFrom(st.id, 6, [a.id]);
      assert.deepEqual(first, await s.getTrial(a.id), 'with state and steps');
      await assert.rejects(s.listTrialsFrom(987654, 0, []), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
    });

    it('listTrialDigests pages by number, adds held ids before the page, and reduces steps to the named metrics', async () => {
      const st = await newStudy();
      const other = await newStudy();
      const ts = await s.enqueueTrials(st.id, gridPlans(6));
      const [o] = await s.enqueueTrials(other.id, gridPlans(1));
      assert.ok(o);
      // Trial 0: three steps (reported out of order), one without val_accuracy, and a metric name a JSON path must quote.
      const odd = 'acc "top-1" \\ .x[0]';
      const a = await s.claimTrial(st.id, 'w');
      assert.ok(a);
      await s.reportStep(a.id, 'w', 2, { val_accuracy: 0.75, [odd]: 3 });
      await s.reportStep(a.id, 'w', 0, { val_accuracy: 0.25, val_loss: 2, 'a.b[0]': 7 });
      await s.reportStep(a.id, 'w', 1, { val_loss: 1.5, [odd]: 2 });
      await s.finishTrial(a.id, 'w', { state: 'complete', value: 0.75, metrics: { parameters: 1234 } });
      const nums = (xs: readonly { number: number }[]) => xs.map((t) => t.number);
      const q = (fromNumber: number, limit: number, ids: number[] = []) => s.listTrialDigests(st.id, { fromNumber, limit, ids, metrics: ['val_accuracy'] });
      assert.deepEqual(nums(await q(0, 4)), [0, 1, 2, 3]);
      assert.deepEqual(nums(await q(4, 4)), [4, 5]);
      assert.deepEqual(nums(await q(2, 2, [ts[1]?.id ?? 0, ts[0]?.id ?? 0, ts[0]?.id ?? 0, ts[5]?.id ?? 0])), [0, 1, 2, 3], 'ids below the page once each; those after it come with a later page');
      assert.deepEqual(nums(await q(6, 10, [o.id])), [], 'ids of another study are ignored');
      assert.deepEqual(await q(0, 0), []);
      const [d] = await s.listTrialDigests(st.id, { fromNumber: 0, limit: 1, metrics: ['val_accuracy', 'val_loss', odd, 'missing', 'a.b[0]'] });
      const full = await s.getTrial(a.id);
      assert.ok(d && full);
      const { steps: _steps, ...rest } = full;
      const { steps, curves, ...same } = d;
      assert.deepEqual(same, rest, 'everything but the steps as getTrial has it');
      assert.deepEqual(steps, [0, 1, 2]);
      assert.deepEqual(curves, [[0.25, null, 0.75], [2, 1.5, null], [null, 2, 3], [null, null, null], [7, null, null]]);
      const [bare] = await s.listTrialDigests(st.id, { fromNumber: 1, limit: 1, metrics: [] });
      assert.deepEqual([bare?.steps, bare?.curves, bare?.state], [[], [], 'waiting']);
      await assert.rejects(s.listTrialDigests(987654, { fromNumber: 0, limit: 1, metrics: [] }), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
      await assert.rejects(s.listTrialDigests(st.id, { fromNumber: -1, limit: 1, metrics: [] }), /`fromNumber`/);
      await assert.rejects(s.listTrialDigests(st.id, { fromNumber: 0, limit: 1.5, metrics: [] }), /`limit`/);
    });

    it('listTrialsPage returns at most `limit` trials numbered from a point, ordered, with their steps', async () => {
      const st = await newStudy();
      const other = await newStudy();
      await s.enqueueTrials(other.id, gridPlans(3));
      await s.enqueueTrials(st.id, gridPlans(7));
      const a = await s.claimTrial(st.id, 'w');
      assert.ok(a);
      await s.reportStep(a.id, 'w', 1, { v: 2 });
      await s.reportStep(a.id, 'w', 0, { v: 1 });
      const nums = (xs: readonly TrialRecord[]) => xs.map((t) => t.number);
      assert.deepEqual(nums(await s.listTrialsPage(st.id, 0, 3)), [0, 1, 2]);
      assert.deepEqual(nums(await s.listTrialsPage(st.id, 3, 3)), [3, 4, 5]);
      assert.deepEqual(nums(await s.listTrialsPage(st.id, 6, 3)), [6]);
      assert.deepEqual(nums(await s.listTrialsPage(st.id, 7, 3)), []);
      assert.deepEqual(nums(await s.listTrialsPage(st.id, 2, 100)), [2, 3, 4, 5, 6]);
      const [first] = await s.listTrialsPage(st.id, a.number, 1);
      assert.deepEqual(first, await s.getTrial(a.id), 'with state and steps (in step order)');
      assert.deepEqual(first?.steps.map((x) => x.step), [0, 1]);
      // Paging through gives what listTrials gives, in one read.
      const paged: TrialRecord[] = [];
      for (let from = 0; ; from += 2) {
        const page = await s.listTrialsPage(st.id, from, 2);
        if (page.length === 0) break;
        paged.push(...page);
      }
      assert.deepEqual(paged, await s.listTrials(st.id));
      await assert.rejects(s.listTrialsPage(st.id, -1, 3), /`fromNumber`/);
      await assert.rejects(s.listTrialsPage(st.id, 0, 0), /`limit`/);
      await assert.rejects(s.listTrialsPage(987654, 0, 3), (e: unknown) => e instanceof HyperzoneError && e.code === 'STUDY_NOT_FOUND');
    });

    it('reportStep replaces a step, orders steps and checks ownership', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(1));
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      assert.equal(await s.reportStep(t.id, 'w', 2, { val_accuracy: 0.5 }), true);
      assert.equal(await s.reportStep(t.id, 'w', 0, { val_accuracy: 0.1, val_loss: 2 }), true);
      assert.equal(await s.reportStep(t.id, 'w', 1, { val_accuracy: 0.3 }), true);
      assert.equal(await s.reportStep(t.id, 'w', 2, { val_accuracy: 0.6, val_loss: 0.25 }), true);
      assert.equal(await s.reportStep(t.id, 'other', 3, { val_accuracy: 0.9 }), false);
      const got = await s.getTrial(t.id);
      assert.deepEqual(got?.steps.map((r) => r.step), [0, 1, 2]);
      assert.deepEqual(got?.steps.map((r) => r.metrics), [{ val_accuracy: 0.1, val_loss: 2 }, { val_accuracy: 0.3 }, { val_accuracy: 0.6, val_loss: 0.25 }]);
      assert.ok(got?.steps.every((r) => typeof r.at === 'number' && r.at > 0));
      assert.ok(await s.finishTrial(t.id, 'w', { state: 'complete', value: 0.6 }));
      assert.equal(await s.reportStep(t.id, 'w', 3, { val_accuracy: 0.9 }), false);
      assert.equal((await s.getTrial(t.id))?.steps.length, 3);
      assert.equal(await s.reportStep(987654, 'w', 0, { a: 1 }), false);
    });

    it('setTrialAttrs merges and checks ownership', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, [{ params: { x: 1 }, seed: 0, budget: null, attrs: { a: 1, keep: 'yes' } }]);
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      assert.equal(await s.setTrialAttrs(t.id, 'w', { a: 2, 'zones.stage': 'fine', nested: { k: [1, 2] } }), true);
      assert.equal(await s.setTrialAttrs(t.id, 'w', { nested: { j: 1 } }), true);
      assert.equal(await s.setTrialAttrs(t.id, 'intruder', { a: 99 }), false);
      assert.deepEqual((await s.getTrial(t.id))?.attrs, { a: 2, keep: 'yes', 'zones.stage': 'fine', nested: { j: 1 } });
    });

    it('heartbeat refreshes the trial and the worker, only for the owner', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(1));
      await s.workerHeartbeat({ id: 'w', studyId: st.id, host: 'h', pid: 1, startedAt: 1000 });
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      const w0 = (await s.listWorkers(st.id))[0];
      await sleep(15);
      assert.equal(await s.heartbeat(t.id, 'w'), true);
      assert.equal(await s.heartbeat(t.id, 'x'), false);
      const after1 = await s.getTrial(t.id);
      assert.ok((after1?.heartbeatAt ?? 0) > (t.heartbeatAt ?? 0));
      const w1 = (await s.listWorkers(st.id))[0];
      assert.ok((w1?.heartbeatAt ?? 0) > (w0?.heartbeatAt ?? 0));
      await s.finishTrial(t.id, 'w', { state: 'complete', value: 1 });
      assert.equal(await s.heartbeat(t.id, 'w'), false);
    });

    it('finishes a trial exactly once', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(3));
      const a = await s.claimTrial(st.id, 'w1');
      assert.ok(a);
      assert.equal(await s.finishTrial(a.id, 'w2', { state: 'complete', value: 0.1 }), false, 'another worker cannot finish it');
      assert.equal((await s.getTrial(a.id))?.state, 'running');
      assert.equal(await s.finishTrial(a.id, 'w1', { state: 'complete', value: 0.9, metrics: { test_accuracy: 0.88, best_epoch: 4 } }), true);
      const done = await s.getTrial(a.id);
      assert.equal(done?.state, 'complete');
      assert.equal(done?.value, 0.9);
      assert.deepEqual(done?.metrics, { test_accuracy: 0.88, best_epoch: 4 });
      assert.equal(typeof done?.finishedAt, 'number');
      assert.equal(await s.finishTrial(a.id, 'w1', { state: 'failed', error: 'late' }), false, 'second finish');
      assert.equal(await s.finishTrial(a.id, 'w2', { state: 'complete', value: 0 }), false);
      assert.deepEqual(await s.getTrial(a.id), done, 'unchanged by late finishes');

      const b = await s.claimTrial(st.id, 'w1');
      assert.ok(b);
      assert.ok(await s.finishTrial(b.id, 'w1', { state: 'pruned', step: 2, value: 0.3 }));
      const pb = await s.getTrial(b.id);
      assert.equal(pb?.state, 'pruned');
      assert.equal(pb?.value, 0.3);
      assert.equal(pb?.attrs['pruned_step'], 2);

      const c = await s.claimTrial(st.id, 'w1');
      assert.ok(c);
      assert.ok(await s.finishTrial(c.id, 'w1', { state: 'failed', error: 'CUDA out of memory' }));
      const fc = await s.getTrial(c.id);
      assert.equal(fc?.state, 'failed');
      assert.equal(fc?.error, 'CUDA out of memory');
      assert.equal(fc?.value, null);

      const waiting = await s.enqueueTrials(st.id, gridPlans(4));
      const w = waiting[0];
      assert.ok(w);
      assert.equal(await s.finishTrial(w.id, 'w1', { state: 'complete', value: 1 }), false, 'a waiting trial cannot be finished');
      assert.equal(await s.finishTrial(987654, 'w1', { state: 'complete', value: 1 }), false);
      assert.deepEqual(await s.countTrials(st.id), { waiting: 1, running: 0, complete: 1, pruned: 1, failed: 1 });
    });

    it('keeps a multi-objective study\'s objectives and each trial\'s value vector; one objective reads as [value]', async () => {
      const objectives = [{ metric: 'val_accuracy', direction: 'maximize' as const }, { metric: 'parameters', direction: 'minimize' as const }];
      const st = await s.createStudy({ name: `multi-${tag}-${n++}`, direction: 'maximize', metric: 'val_accuracy', objectives, spec: null });
      assert.deepEqual(st.objectives, objectives);
      assert.deepEqual(await s.getStudy(st.name), st);
      assert.deepEqual((await s.listStudies()).find((x) => x.id === st.id)?.objectives, objectives);
      await s.enqueueTrials(st.id, gridPlans(4));
      const [a, b, c] = [await s.claimTrial(st.id, 'w1'), await s.claimTrial(st.id, 'w1'), await s.claimTrial(st.id, 'w1')];
      assert.ok(a && b && c);
      assert.equal(a.values, null, 'no values while running');
      assert.ok(await s.finishTrial(a.id, 'w1', { state: 'complete', value: 0.9, values: [0.9, 101_770], metrics: { parameters: 101_770 } }));
      assert.ok(await s.finishTrial(b.id, 'w1', { state: 'complete', value: 0.95, values: [0.95, 407_050] }));
      await assert.rejects(s.finishTrial(c.id, 'w1', { state: 'complete', value: 0.5, values: [0.4, 1] }), /`values`.*starting with `value` \(0\.5\)/);
      await assert.rejects(s.finishTrial(c.id, 'w1', { state: 'complete', value: 0.5, values: [0.5, Number.NaN] }), /`values`/);
      assert.equal((await s.getTrial(c.id))?.state, 'running', 'a refused vector changes nothing');
      assert.ok(await s.finishTrial(c.id, 'w1', { state: 'failed', error: 'x' }));
      const got = await s.getTrial(a.id);
      assert.deepEqual(got?.values, [0.9, 101_770]);
      assert.equal(got?.value, 0.9);
      assert.deepEqual((await s.listTrials(st.id)).map((t) => t.values), [[0.9, 101_770], [0.95, 407_050], null, null]);
      assert.deepEqual((await s.listTrialsFrom(st.id, 1, [a.id])).map((t) => t.values), [[0.9, 101_770], [0.95, 407_050], null, null]);
      assert.deepEqual((await s.bestTrials(st.id, { n: 5, direction: 'maximize' })).map((t) => t.values), [[0.95, 407_050], [0.9, 101_770]], 'ranked by the first objective');

      const one = await newStudy();
      assert.deepEqual(one.objectives, [{ metric: 'val_accuracy', direction: 'maximize' }]);
      const [t] = await s.enqueueTrials(one.id, gridPlans(1));
      assert.ok(t && (await s.claimTrial(one.id, 'w1')));
      assert.ok(await s.finishTrial(t.id, 'w1', { state: 'complete', value: 0.7 }));
      assert.deepEqual((await s.getTrial(t.id))?.values, [0.7]);
      await assert.rejects(s.createStudy({ name: `bad-${tag}-${n++}`, direction: 'maximize', metric: 'val_accuracy', objectives: [{ metric: 'loss', direction: 'minimize' }], spec: null }), /`objectives\[0\]`/);
    });

    it('concurrent finishes of one trial: exactly one wins', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(1));
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      const r = await Promise.all(Array.from({ length: 8 }, (_, i) => s.finishTrial(t.id, 'w', { state: 'complete', value: i })));
      assert.equal(r.filter(Boolean).length, 1);
      const winner = r.indexOf(true);
      assert.equal((await s.getTrial(t.id))?.value, winner);
    });

    it('requeueStale returns stale trials to waiting and fails them after maxAttempts', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(3));
      const a = await s.claimTrial(st.id, 'lost');
      assert.ok(a);
      await s.reportStep(a.id, 'lost', 0, { val_accuracy: 0.1 });
      await sleep(400);
      const b = await s.claimTrial(st.id, 'alive');
      assert.ok(b);
      assert.equal(await s.requeueStale(st.id, { staleMs: 300, maxAttempts: 3 }), 1);
      const ra = await s.getTrial(a.id);
      assert.equal(ra?.state, 'waiting');
      assert.equal(ra?.workerId, null);
      assert.equal(ra?.attempts, 1);
      assert.deepEqual(ra?.steps, [], 'a retried trial starts without the lost attempt\'s steps');
      assert.equal((await s.getTrial(b.id))?.state, 'running');
      // The lost worker's late reports and finish are refused.
      assert.equal(await s.reportStep(a.id, 'lost', 1, { val_accuracy: 0.2 }), false);
      assert.equal(await s.finishTrial(a.id, 'lost', { state: 'complete', value: 1 }), false);
      // It is claimed again, first in line.
      const again = await s.claimTrial(st.id, 'w2');
      assert.equal(again?.id, a.id);
      assert.equal(again?.attempts, 2);
      // staleMs 0: every running trial; attempts at the limit → failed with a reason.
      assert.equal(await s.requeueStale(st.id, { staleMs: 0, maxAttempts: 2 }), 2);
      const fa = await s.getTrial(a.id);
      assert.equal(fa?.state, 'failed');
      assert.match(fa?.error ?? '', /w2/);
      assert.match(fa?.error ?? '', /2 attempts/);
      assert.equal((await s.getTrial(b.id))?.state, 'waiting');
      assert.equal(await s.finishTrial(a.id, 'w2', { state: 'complete', value: 1 }), false);
      assert.equal(await s.requeueStale(st.id, { staleMs: 0, maxAttempts: 2 }), 0);
      assert.deepEqual(await s.countTrials(st.id), { waiting: 2, running: 0, complete: 0, pruned: 0, failed: 1 });
    });

    it('requeueStale by worker ids touches only those workers\' trials', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(4));
      const t1 = await s.claimTrial(st.id, 'dead');
      const t2 = await s.claimTrial(st.id, 'alive');
      const t3 = await s.claimTrial(st.id, 'dead');
      assert.ok(t1 && t2 && t3);
      assert.equal(await s.requeueStale(st.id, { staleMs: 3_600_000, maxAttempts: 5, workerIds: ['dead', 'nobody'] }), 2);
      assert.equal((await s.getTrial(t1.id))?.state, 'waiting');
      assert.equal((await s.getTrial(t2.id))?.state, 'running');
      assert.equal((await s.getTrial(t3.id))?.state, 'waiting');
      assert.equal(await s.requeueStale(st.id, { staleMs: 3_600_000, maxAttempts: 5, workerIds: [] }), 0);
      // Other studies are untouched.
      const other = await newStudy();
      await s.enqueueTrials(other.id, gridPlans(1));
      const o = await s.claimTrial(other.id, 'dead');
      assert.equal(await s.requeueStale(st.id, { staleMs: 0, maxAttempts: 5 }), 1);
      assert.equal((await s.getTrial(o?.id ?? 0))?.state, 'running');
    });

    it('records workers and their heartbeats', async () => {
      const st = await newStudy();
      const other = await newStudy();
      assert.deepEqual(await s.listWorkers(st.id), []);
      await s.workerHeartbeat({ id: 'w1', studyId: st.id, host: 'alpha', pid: 11, startedAt: 1000 });
      await s.workerHeartbeat({ id: 'w2', studyId: st.id, host: 'beta', pid: 22, startedAt: 2000 });
      await s.workerHeartbeat({ id: 'w3', studyId: other.id, host: 'gamma', pid: 33, startedAt: 3000 });
      const first = await s.listWorkers(st.id);
      assert.deepEqual(first.map((w) => [w.id, w.studyId, w.host, w.pid, w.startedAt]), [['w1', st.id, 'alpha', 11, 1000], ['w2', st.id, 'beta', 22, 2000]]);
      await sleep(15);
      await s.workerHeartbeat({ id: 'w1', studyId: st.id, host: 'alpha', pid: 11, startedAt: 1000 });
      const second = await s.listWorkers(st.id);
      assert.equal(second.length, 2);
      assert.ok((second.find((w) => w.id === 'w1')?.heartbeatAt ?? 0) > (first.find((w) => w.id === 'w1')?.heartbeatAt ?? 0));
      assert.deepEqual((await s.listWorkers(other.id)).map((w) => w.id), ['w3']);
    });

    it('counts and lists trials with a state filter', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(5));
      const a = await s.claimTrial(st.id, 'w');
      const b = await s.claimTrial(st.id, 'w');
      await s.claimTrial(st.id, 'w');
      assert.ok(a && b);
      await s.finishTrial(a.id, 'w', { state: 'complete', value: 1 });
      await s.finishTrial(b.id, 'w', { state: 'failed', error: 'x' });
      assert.deepEqual(await s.countTrials(st.id), { waiting: 2, running: 1, complete: 1, pruned: 0, failed: 1 });
      assert.deepEqual((await s.listTrials(st.id)).map((t) => t.number), [0, 1, 2, 3, 4]);
      assert.deepEqual((await s.listTrials(st.id, { states: ['waiting'] })).map((t) => t.number), [3, 4]);
      assert.deepEqual((await s.listTrials(st.id, { states: ['complete', 'failed'] })).map((t) => t.number), [0, 1]);
      assert.deepEqual(await s.listTrials(st.id, { states: [] }), []);
      const withSteps = await s.listTrials(st.id, { states: ['running'] });
      assert.equal(withSteps.length, 1);
    });

    it('listTrials includes each trial\'s steps', async () => {
      const st = await newStudy();
      await s.enqueueTrials(st.id, gridPlans(3));
      const a = await s.claimTrial(st.id, 'w');
      const b = await s.claimTrial(st.id, 'w');
      assert.ok(a && b);
      await s.reportStep(b.id, 'w', 1, { v: 2 });
      await s.reportStep(b.id, 'w', 0, { v: 1 });
      await s.reportStep(a.id, 'w', 0, { v: 9 });
      const all = await s.listTrials(st.id);
      assert.deepEqual(all.map((t) => t.steps.map((r) => r.metrics['v'])), [[9], [1, 2], []]);
    });

    it('returns snapshots that cannot change storage', async () => {
      const st = await newStudy({ spec: { space: { x: 1 } } });
      await s.enqueueTrials(st.id, [{ params: { x: 1 }, seed: 0, budget: null, attrs: { deep: { list: [1] } } }]);
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      await s.reportStep(t.id, 'w', 0, { v: 1 });
      const snap = await s.getTrial(t.id);
      assert.ok(snap);
      const tryMutate = (f: () => void) => { try { f(); } catch { /* frozen snapshots throw in strict mode */ } };
      const loose = snap as unknown as {
        params: Record<string, unknown>; attrs: { deep: { list: number[] } }; steps: { metrics: Record<string, number> }[]; state: string;
      };
      tryMutate(() => { loose.params['x'] = 99; });
      tryMutate(() => { loose.attrs.deep.list.push(2); });
      tryMutate(() => { (loose.steps[0] as { metrics: Record<string, number> }).metrics['v'] = 5; });
      tryMutate(() => { loose.steps.push({ metrics: {} }); });
      tryMutate(() => { loose.state = 'complete'; });
      const studySnap = await s.getStudy(st.name);
      tryMutate(() => { (studySnap as unknown as { spec: { space: { x: number } } }).spec.space.x = 2; });
      const fresh = await s.getTrial(t.id);
      assert.deepEqual(fresh?.params, { x: 1 });
      assert.deepEqual(fresh?.attrs, { deep: { list: [1] } });
      assert.deepEqual(fresh?.steps.map((r) => r.metrics), [{ v: 1 }]);
      assert.equal(fresh?.state, 'running');
      assert.deepEqual((await s.getStudy(st.name))?.spec, { space: { x: 1 } });
      // Inputs are copied too: changing a plan or attrs object after the call changes nothing.
      const attrs: Record<string, unknown> = { k: [1] };
      await s.setTrialAttrs(t.id, 'w', attrs);
      (attrs['k'] as number[]).push(2);
      assert.deepEqual((await s.getTrial(t.id))?.attrs['k'], [1]);
    });

    it('getTrial of an unknown id is null', async () => {
      assert.equal(await s.getTrial(987654), null);
    });

    it('a TrialView (incremental reads) stays equal to listTrials through every kind of change', async () => {
      const st = await newStudy();
      const view = new TrialView(s, st.id);
      const same = async (): Promise<void> => assert.deepEqual(await view.refresh(), await s.listTrials(st.id));
      await same();
      await s.enqueueTrials(st.id, [1, 2, 3, 4].map((x) => ({ params: { x }, seed: 0, budget: 1 })));
      await same();
      const a = await s.claimTrial(st.id, 'w1');
      const b = await s.claimTrial(st.id, 'w2');
      assert.ok(a && b);
      await s.reportStep(a.id, 'w1', 0, { m: 0.5 });
      await same();
      await s.finishTrial(a.id, 'w1', { state: 'complete', value: 0.5 });
      await s.createRunningTrial(st.id, 'w3', { params: { x: 9 }, seed: 0, budget: 1 });
      await same();
      await s.requeueStale(st.id, { staleMs: 0, maxAttempts: 5, workerIds: ['w2'] });
      await same();
      const c = await s.claimTrial(st.id, 'w4');
      assert.ok(c);
      await s.reportStep(c.id, 'w4', 0, { m: 1 });
      await s.finishTrial(c.id, 'w4', { state: 'failed', error: 'x' });
      await s.enqueueTrials(st.id, [{ params: { x: 10 }, seed: 0, budget: 1 }]);
      await same();
    });
  });
}
