import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import type { TrialDigest, TrialDigestQuery } from '../storage/storage.js';
import { MIN_PAGE, PAGE_MS, StudyCache } from './study-cache.js';
import { addTrials, createTestStudy } from './test-study.js';

/** A memory storage whose listTrialDigests calls are recorded and can be held (gate) or made to fail once. */
class Gated extends MemoryStorage {
  calls: { fromNumber: number; limit: number; ids: readonly number[] }[] = [];
  gate: Promise<void> | null = null;
  failNext = false;
  failed: Promise<void>;
  private markFailed!: () => void;
  constructor() {
    super();
    this.failed = new Promise((r) => (this.markFailed = r));
  }
  override async listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]> {
    this.calls.push({ fromNumber: query.fromNumber, limit: query.limit, ids: query.ids ?? [] });
    if (this.calls.length > 1 && this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      this.markFailed();
      throw new Error('storage went away');
    }
    return super.listTrialDigests(studyId, query);
  }
}

test('the first read goes in pages: a refresh waits for the first page only, and says how far the read is', async () => {
  const storage = new Gated();
  const study = await createTestStudy(storage, 's');
  await addTrials(storage, study, 0, 23, 3);
  let open!: () => void;
  storage.gate = new Promise((r) => (open = r));
  const cache = new StudyCache(storage, study, 0, { first: 4, next: 5 });
  assert.deepEqual(cache.loading, { loaded: 0, total: 0 });
  await cache.refresh();
  assert.equal(cache.all().length, 4, 'answered from the first page');
  assert.deepEqual(cache.loading, { loaded: 4, total: 23 });
  const v = cache.version;
  await cache.refresh();
  assert.equal(cache.all().length, 4, 'a second request during the read does not wait for it either');
  // Trials added during the read are read too (the count grows past the first count).
  await addTrials(storage, study, 23, 2, 3);
  open();
  await cache.loaded();
  assert.equal(cache.loading, null);
  assert.deepEqual(cache.all().map((r) => r.number), Array.from({ length: 25 }, (_, i) => i));
  assert.ok(cache.version > v, 'each page is a change');
  assert.deepEqual(storage.calls.map((c) => [c.fromNumber, c.limit]), [[0, 4], [4, 5], [9, 5], [14, 5], [19, 5], [24, 5]]);
  // The rows carry the objective's curve from the digest: 3 steps each, rising.
  const row = cache.get(7);
  assert.ok(row);
  assert.deepEqual([...row.steps], [1, 2, 3]);
  assert.ok((row.stepValues[0] as number) < (row.stepValues[2] as number));
  assert.equal(row.epoch, 3);
});

test('after the first read, refreshes read new trials and the unfinished ones held, by id', async () => {
  const storage = new Gated();
  const study = await createTestStudy(storage, 's');
  await addTrials(storage, study, 0, 6, 2);
  const running = await storage.createRunningTrial(study.id, 'w', { params: { hidden_units: 16, batch_size: 16, learning_rate: 0.1 }, seed: 99, budget: 2 });
  const cache = new StudyCache(storage, study, 0, { first: 4, next: 5 });
  await cache.loaded();
  assert.equal(cache.get(6)?.state, 'running');
  storage.calls = [];
  await storage.reportStep(running.id, 'w', 1, { val_accuracy: 0.5 });
  await storage.finishTrial(running.id, 'w', { state: 'complete', value: 0.5 });
  await addTrials(storage, study, 7, 1, 2);
  await cache.refresh();
  assert.deepEqual(storage.calls, [{ fromNumber: 7, limit: 5, ids: [running.id] }]);
  assert.equal(cache.get(6)?.state, 'complete');
  assert.equal(cache.get(6)?.value, 0.5);
  assert.equal(cache.all().length, 8);
  storage.calls = [];
  await cache.refresh();
  assert.deepEqual(storage.calls, [{ fromNumber: 8, limit: 5, ids: [] }], 'nothing unfinished left to re-read');
});

test('a page that fails is reported to one refresh, and the read resumes where it stopped', async () => {
  const storage = new Gated();
  const study = await createTestStudy(storage, 's');
  await addTrials(storage, study, 0, 12, 2);
  let open!: () => void;
  storage.gate = new Promise((r) => (open = r));
  const cache = new StudyCache(storage, study, 0, { first: 4, next: 5 });
  await cache.refresh();
  storage.failNext = true;
  open();
  await storage.failed;
  await new Promise((r) => setImmediate(r));
  await assert.rejects(cache.refresh(), /storage went away/);
  await cache.loaded();
  assert.equal(cache.loading, null);
  assert.deepEqual(cache.all().map((r) => r.number), Array.from({ length: 12 }, (_, i) => i));
  assert.deepEqual(storage.calls.map((c) => c.fromNumber), [0, 4, 4, 8], 'the failed page again, from where it stopped');
});

test('after the first page, pages are sized to take about PAGE_MS: a slow storage gets smaller ones, never under MIN_PAGE', async () => {
  class Slow extends Gated {
    override async listTrialDigests(studyId: number, query: TrialDigestQuery): Promise<TrialDigest[]> {
      await new Promise((r) => setTimeout(r, query.limit)); // 1 ms per trial asked: 800 ms for the first page
      return super.listTrialDigests(studyId, query);
    }
  }
  const storage = new Slow();
  const study = await createTestStudy(storage, 's');
  await addTrials(storage, study, 0, 1400, 1);
  const cache = new StudyCache(storage, study, 0, { first: 800, next: 5000 });
  await cache.loaded();
  assert.equal(cache.all().length, 1400);
  assert.equal(storage.calls[0]?.limit, 800);
  assert.equal(storage.calls[1]?.limit, MIN_PAGE, `800 trials took ≥ 800 ms, so ${PAGE_MS} ms is ~200 trials at that pace: MIN_PAGE`);
});

test('waiting trials are read again lowest numbers first, a window at a time, and further only while all of it was claimed', async () => {
  const storage = new Gated();
  const study = await createTestStudy(storage, 's');
  const plans = Array.from({ length: 40 }, (_, i) => ({ params: { hidden_units: 16, batch_size: 16, learning_rate: 0.1 }, seed: i, budget: 2 }));
  const queued = await storage.enqueueTrials(study.id, plans);
  const cache = new StudyCache(storage, study, 0, { first: 10, next: 10, waiting: 4 });
  await cache.loaded();
  const fresh = async (): Promise<void> => {
    const other = new StudyCache(storage, study, 0);
    await other.loaded();
    assert.deepEqual(cache.all(), other.all(), 'the same rows as one read of the study');
  };
  const idOf = (n: number): number => queued[n]?.id as number;
  storage.calls = [];
  await cache.refresh();
  assert.deepEqual(storage.calls.map((c) => c.ids), [[0, 1, 2, 3].map(idOf)], 'the four lowest waiting trials only, not all 40');
  // Two claims: the window's first two change, the rest of it did not, so nothing further is read.
  const a = await storage.claimTrial(study.id, 'w');
  await storage.claimTrial(study.id, 'w');
  storage.calls = [];
  await cache.refresh();
  assert.deepEqual(storage.calls.map((c) => c.ids), [[0, 1, 2, 3].map(idOf)]);
  assert.deepEqual([cache.get(0)?.state, cache.get(1)?.state, cache.get(2)?.state], ['running', 'running', 'waiting']);
  // Eleven claims at once: windows of four are read until one is not all claimed; running trials are read each time.
  for (let i = 0; i < 11; i++) await storage.claimTrial(study.id, 'w');
  storage.calls = [];
  await cache.refresh();
  assert.deepEqual(storage.calls.map((c) => c.ids), [[idOf(0), idOf(1), ...[2, 3, 4, 5].map(idOf)], [6, 7, 8, 9].map(idOf), [10, 11, 12, 13].map(idOf)],
    'trials 0-12 are claimed: the third window is the first with one still waiting');
  await fresh();
  // A running trial requeued goes back among the waiting ones, at its number, and is claimed first again.
  assert.ok(a);
  await storage.requeueStale(study.id, { staleMs: 0, maxAttempts: 5, workerIds: ['w'] });
  await cache.refresh();
  assert.equal(cache.get(0)?.state, 'waiting');
  await storage.claimTrial(study.id, 'w2');
  await cache.refresh();
  assert.equal(cache.get(0)?.state, 'running');
  await fresh();
});
