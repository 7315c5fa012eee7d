import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../core/errors.js';
import { Study } from './study.js';
import { MemoryStorage } from '../storage/memory.js';
import { deriveSeed } from '../core/rng.js';

const space = { x: { type: 'float', low: 0, high: 1 } } as const;

describe('Study.optimize', () => {
  it('runs nTrials trials in this call, as Optuna does, whatever the study already holds', async () => {
    const study = await Study.create({ space, seed: 1 });
    const first = await study.optimize(({ params }) => params.x as number, { nTrials: 5 });
    assert.equal(first.complete, 5);
    const second = await study.optimize(({ params }) => params.x as number, { nTrials: 5 });
    assert.equal(second.complete, 5, 'a second call runs 5 more, it does not stop at a study total of 5');
    assert.equal((await study.trials()).length, 10);
    const asked = await study.ask();
    await study.tell(asked.id, 0.5);
    const third = await study.optimize(({ params }) => params.x as number, { nTrials: 3, parallel: 2 });
    assert.equal(third.complete, 3);
    assert.equal((await study.trials()).length, 14);
  });

  it('counts waiting (enqueued) trials it picks up among its nTrials', async () => {
    const study = await Study.create({ space, seed: 2 });
    await study.storage.enqueueTrials(study.record.id, [0.1, 0.2, 0.3].map((x, i) => ({ params: { x }, seed: i, budget: null })));
    const r = await study.optimize(({ params }) => params.x as number, { nTrials: 2 });
    assert.equal(r.complete, 2);
    const trials = await study.trials();
    assert.deepEqual(trials.map((t) => t.state), ['complete', 'complete', 'waiting'], 'the first two enqueued ones ran, nothing new was proposed');
  });

  it('nTrials: 0 runs nothing; a negative or fractional nTrials is an error naming it', async () => {
    const study = await Study.create({ space });
    assert.equal((await study.optimize(() => 1, { nTrials: 0 })).complete, 0);
    await assert.rejects(study.optimize(() => 1, { nTrials: -1 }), (e: unknown) => e instanceof InputError && /`nTrials`.*-1/.test(e.message));
    await assert.rejects(study.optimize(() => 1, { nTrials: 2.5 }), (e: unknown) => e instanceof InputError && /`nTrials`.*2\.5/.test(e.message));
  });

  it('maxStudyTrials caps the study total (the former meaning of nTrials)', async () => {
    const study = await Study.create({ space, seed: 3 });
    await study.optimize(({ params }) => params.x as number, { nTrials: 4 });
    const r = await study.optimize(({ params }) => params.x as number, { maxStudyTrials: 6 });
    assert.equal(r.complete, 2);
    assert.equal((await study.trials()).length, 6);
  });

  it('records an exception thrown by the objective and prints it with the trial number (Optuna\'s "Trial N failed")', async (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    const study = await Study.create({ space, seed: 4 });
    const seen: number[] = [];
    const r = await study.optimize(({ number }) => {
      if (number === 1) throw new Error('out of memory in layer 2');
      return 0.5;
    }, { nTrials: 3, events: { onTrialEnd: (tr) => seen.push(tr.number) } });
    assert.equal(r.failed, 1);
    assert.equal(r.complete, 2);
    const failed = (await study.trials()).find((x) => x.number === 1);
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.error ?? '', /out of memory in layer 2/);
    assert.equal(warn.mock.callCount(), 1);
    const line = String(warn.mock.calls[0]?.arguments[0]);
    assert.match(line, /^Trial 1 failed with parameters: \{"x":[\d.e-]+\} because of the following error: .*out of memory in layer 2/);
    assert.deepEqual(seen.sort(), [0, 1, 2], 'the caller\'s own events still fire');
  });

  it('prints a non-finite objective value as a failure too, and logFailures: false silences it', async (t) => {
    const warn = t.mock.method(console, 'warn', () => undefined);
    const study = await Study.create({ space, seed: 5 });
    await study.optimize(() => Number.NaN, { nTrials: 1 });
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /Trial 0 failed .*non-finite/);
    await study.optimize(() => { throw new Error('quiet please'); }, { nTrials: 2, logFailures: false });
    assert.equal(warn.mock.callCount(), 1, 'nothing more printed');
    assert.equal((await study.trials()).filter((x) => x.state === 'failed').length, 3, 'failures are recorded all the same');
  });
});

describe('Study.ask', () => {
  it('concurrent asks on one storage (two handles and one handle twice) get distinct numbers, streams and seeds', async () => {
    const storage = new MemoryStorage();
    const a = await Study.create({ space, storage, name: 's', seed: 5 });
    const b = await Study.create({ space, storage, name: 's', seed: 5 });
    const asked = await Promise.all([a.ask(), b.ask(), a.ask(), b.ask()]);
    assert.deepEqual(asked.map((t) => t.number).sort(), [0, 1, 2, 3]);
    // Each trial's seed and proposal are those of its own number: what one sequential asker would have got.
    for (const t of asked) assert.equal(t.seed, deriveSeed(5, 'trial', t.number), `trial ${t.number}'s seed`);
    assert.equal(new Set(asked.map((t) => t.params.x)).size, 4, 'no two asks shared a random stream');
    const alone = await Study.create({ space, storage: new MemoryStorage(), name: 's', seed: 5 });
    const sequential = [await alone.ask(), await alone.ask(), await alone.ask(), await alone.ask()];
    const byNumber = [...asked].sort((x, y) => x.number - y.number);
    assert.deepEqual(byNumber.map((t) => [t.params, t.seed]), sequential.map((t) => [t.params, t.seed]));
    // Each handle tells its own asks (asked[i] came from the i-th call: a, b, a, b).
    for (const [i, t] of asked.entries()) await (i % 2 === 0 ? a : b).tell(t.id, 0);
    assert.deepEqual((await a.trials()).map((t) => t.state), ['complete', 'complete', 'complete', 'complete']);
  });
});
