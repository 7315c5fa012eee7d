import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyRecord } from '../core/types.js';
import type { Storage } from './storage.js';
import { MAX_ERROR_CHARS, MAX_KEY_CHARS, MAX_VALUE_CHARS } from './sanitize.js';

// Texts a trial can produce that some backend refuses raw: PostgreSQL rejects NUL in TEXT and `\u0000` or a lone
// surrogate in JSONB; a stderr tail can be megabytes.
const NUL = 'before\u0000after';
const LATIN1 = Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62]).toString('latin1');
const LONE = 'x\uD800y\uDC00z';
const MEGA = 'h'.repeat(10) + 'm'.repeat(1_000_000) + 't'.repeat(10);

/** Whether a stored string is safe for every backend: no NUL, no lone surrogate. */
function wellFormed(s: string): boolean {
  return !s.includes('\u0000') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

/**
 * Contract cases for text that reaches storage (sanitize.ts): every backend stores NUL bytes, invalid UTF-16 and
 * very long strings without failing, and returns the same cleaned text. Called inside storageContract's describe.
 */
export function textSafetyContract(store: () => Storage, newStudy: (extra?: Partial<{ name: string; spec: unknown }>) => Promise<StudyRecord>): void {
  it('stores NUL, invalid UTF-8 and 1 MB strings in errors, attrs, metric names and worker ids without failing', async () => {
    const s = store();
    const st = await newStudy({ spec: { command: [NUL, LATIN1, LONE], [`k${NUL}`]: 1 } });
    assert.ok(wellFormed(JSON.stringify(st.spec)));
    assert.deepEqual((await s.getStudy(st.name))?.spec, st.spec, 'the spec reads back as returned');
    const worker = `w${NUL}${LONE}`;
    await s.workerHeartbeat({ id: worker, studyId: st.id, host: `h${NUL}`, pid: 1, startedAt: 1 });
    const [w] = await s.listWorkers(st.id);
    assert.ok(w && wellFormed(w.id) && wellFormed(w.host));
    await s.enqueueTrials(st.id, [
      { params: { x: 1, choice: NUL }, seed: 1, budget: null, attrs: { note: LATIN1 } },
      { params: { x: 2, choice: LONE }, seed: 1, budget: null },
      { params: { x: 3, choice: 'c' }, seed: 1, budget: null },
    ]);

    const a = await s.claimTrial(st.id, worker);
    assert.ok(a);
    assert.ok(wellFormed(a.workerId ?? ''));
    assert.ok(wellFormed(String(a.params['choice'])));
    assert.equal(await s.reportStep(a.id, worker, 0, { [`loss${NUL}`]: 1, [LONE]: 2 }), true, 'the owner is recognised by its raw id');
    assert.equal(await s.setTrialAttrs(a.id, worker, { [`log${NUL}`]: NUL, surrogate: LONE, latin1: LATIN1, big: MEGA, nested: [{ k: NUL }] }), true);
    assert.equal(await s.heartbeat(a.id, worker), true);
    const failure = `stderr: ${NUL}\n${LONE}\n${LATIN1}\n${MEGA}`;
    assert.equal(await s.finishTrial(a.id, worker, { state: 'failed', error: failure, metrics: { [`m${NUL}`]: 3 } }), true);
    const got = await s.getTrial(a.id);
    assert.ok(got);
    assert.equal(got.state, 'failed');
    const error = got.error ?? '';
    assert.ok(wellFormed(error));
    assert.ok(error.length <= MAX_ERROR_CHARS, `error capped (${error.length} chars)`);
    assert.ok(error.startsWith('stderr: before\uFFFDafter'), 'the head is kept, NUL replaced');
    assert.ok(error.endsWith('m'.repeat(100) + 't'.repeat(10)), 'the tail is kept');
    assert.match(error, /…\[truncated \d+ chars\]…/);
    assert.equal(got.attrs['latin1'], LATIN1.replace('\u0000', '\uFFFD'), 'latin1-decoded bytes are kept, only NUL replaced');
    assert.ok(wellFormed(JSON.stringify(got.attrs)));
    assert.ok(String(got.attrs['big']).length <= MAX_VALUE_CHARS);
    assert.match(String(got.attrs['big']), /^h{10}m+\n…\[truncated \d+ chars\]…\nm+t{10}$/);
    assert.equal(got.attrs['surrogate'], 'x\uFFFDy\uFFFDz');
    assert.deepEqual(Object.keys(got.metrics), ['mbefore\uFFFDafter']);
    assert.deepEqual(Object.keys(got.steps[0]?.metrics ?? {}).sort(), ['lossbefore\uFFFDafter', 'x\uFFFDy\uFFFDz'].sort());

    // The other two trials: a lost worker's trial requeued by its raw id, and an error of exactly the cap.
    const b = await s.claimTrial(st.id, worker);
    assert.ok(b);
    assert.equal(await s.requeueStale(st.id, { staleMs: 60_000, maxAttempts: 5, workerIds: [worker] }), 1);
    const b2 = await s.claimTrial(st.id, 'plain');
    assert.equal(b2?.id, b.id);
    const exact = 'e'.repeat(MAX_ERROR_CHARS);
    assert.ok(await s.finishTrial(b.id, 'plain', { state: 'failed', error: exact }));
    assert.equal((await s.getTrial(b.id))?.error, exact, 'an error at the cap is kept whole');
    const c = await s.claimTrial(st.id, 'plain');
    assert.ok(c);
    assert.ok(await s.finishTrial(c.id, 'plain', { state: 'complete', value: 0.5 }));
    assert.deepEqual(await s.countTrials(st.id), { waiting: 0, running: 0, complete: 1, pruned: 0, failed: 2 });
  });

  it('study names and ids with NUL or lone surrogates are stored cleaned and found by the raw name', async () => {
    const s = store();
    const raw = `odd${NUL}${LONE}-${Math.random().toString(36).slice(2)}`;
    const st = await newStudy({ name: raw });
    assert.ok(wellFormed(st.name));
    assert.equal((await s.getStudy(raw))?.id, st.id);
    assert.equal((await s.getStudy(st.name))?.id, st.id);
    const long = await newStudy({ name: `long-${'n'.repeat(5000)}-${Math.random().toString(36).slice(2)}` });
    assert.ok(long.name.length <= MAX_KEY_CHARS);
    const created = await s.createRunningTrial(st.id, `w${NUL}`, { params: { x: 1 }, seed: 0, budget: null, attrs: { a: LONE } });
    assert.ok(wellFormed(created.workerId ?? '') && created.attrs['a'] === 'x\uFFFDy\uFFFDz');
    assert.equal(await s.finishTrial(created.id, `w${NUL}`, { state: 'complete', value: 1 }), true);
    const at = await s.createRunningTrialAt(st.id, `v${NUL}`, 1, { params: { x: 2, c: NUL }, seed: 0, budget: null, attrs: { [`k${NUL}`]: LONE } });
    assert.ok(at.trial && wellFormed(JSON.stringify(at.trial)) && at.trial.params['c'] === 'before\uFFFDafter');
    assert.equal(await s.finishTrial(at.trial.id, `v${NUL}`, { state: 'failed', error: NUL }), true);
    assert.equal((await s.getTrial(at.trial.id))?.error, 'before\uFFFDafter');
    assert.equal(await s.deleteStudy(raw), true);
    assert.equal(await s.getStudy(raw), null);
  });
}
