import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { SqliteStorage } from '../../storage/sqlite.js';
import { ashaScheduler, MedianStoppingScheduler } from '../../schedulers/index.js';
import type { Scheduler } from '../../schedulers/scheduler.js';
import { Space } from '../../space/space.js';
import { runWorker } from '../../study/engine.js';
import { objectiveRunner } from '../../study/objective-runner.js';
import { exportCommand, listCommand, showCommand, statusCommand } from './inspect.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-inspect-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a command, returning what it printed on stdout. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; text: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let text = '';
  // Only text: the test runner's own (binary) messages pass through.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? ((text += chunk), true) : write(chunk, ...rest))) as typeof process.stdout.write;
  try {
    const code = await fn();
    return { code, text };
  } finally {
    process.stdout.write = write;
  }
}

describe('status', () => {
  it('shows counts, the best trial, the top 10 with the rest counted, and marks a dead local worker lost', async () => {
    const db = join(dir, 'status.db');
    const s = new SqliteStorage(db);
    const st = await s.createStudy({ name: 'scale', direction: 'minimize', metric: 'loss', spec: null });
    await s.enqueueTrials(st.id, Array.from({ length: 30 }, (_, x) => ({ params: { x }, seed: 0, budget: 5 })));
    for (let i = 0; i < 25; i++) {
      const t = await s.claimTrial(st.id, 'w-done');
      assert.ok(t);
      // loss = |x - 12|: x = 12 is best; ties (11, 13) come by number.
      if (i === 20) await s.finishTrial(t.id, 'w-done', { state: 'failed', error: 'boom' });
      else await s.finishTrial(t.id, 'w-done', { state: 'complete', value: Math.abs(Number(t.params['x']) - 12) });
    }
    // A worker process of this host that has exited: its trial shows as lost.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const deadId = `${hostname()}:${dead}:abc123`;
    await s.workerHeartbeat({ id: deadId, studyId: st.id, host: hostname(), pid: dead, startedAt: Date.now() });
    const held = await s.claimTrial(st.id, deadId);
    assert.ok(held);
    await s.close();

    const { code, text } = await captured(() => statusCommand({ storage: db, study: 'scale' }));
    assert.equal(code, 0);
    assert.match(text, /trials: 30 — 24 complete, 1 running, 4 waiting, 0 pruned, 1 failed/);
    assert.match(text, /best: #12 x=12 → loss = 0\b/);
    assert.match(text, /lost: process gone/);
    assert.match(text, new RegExp(`${deadId} \\(lost\\)`));
    const lines = text.split('\n');
    const header = lines.findIndex((l) => /^\s*#\s+x\s+parameters\s+best loss/.test(l));
    assert.ok(header > 0, text);
    const rows = lines.slice(header + 2).filter((l) => /^\s*\d/.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
    assert.deepEqual(rows, [12, 11, 13, 10, 14, 9, 15, 8, 16, 7]);
    assert.match(text, /\.\.\. 15 more \(hyperzone export for all\)/);
  });

  it('says why a trial was stopped, in its row of the results', async () => {
    const db = join(dir, 'stopped.db');
    const s = new SqliteStorage(db);
    const st = await s.createStudy({ name: 'stops', direction: 'maximize', metric: 'acc', spec: null });
    await s.enqueueTrials(st.id, [0, 1, 2].map((x) => ({ params: { x }, seed: 0, budget: 10 })));
    const finish = async (value: number, stop: Record<string, number> | null): Promise<void> => {
      const t = await s.claimTrial(st.id, 'w');
      assert.ok(t);
      for (let step = 1; step <= 3; step++) await s.reportStep(t.id, 'w', step, { acc: value - (3 - step) / 100 });
      if (stop === null) return void (await s.finishTrial(t.id, 'w', { state: 'complete', value }));
      await s.setTrialAttrs(t.id, 'w', { 'controller.stop': stop });
      await s.finishTrial(t.id, 'w', { state: 'pruned', step: 3, value });
    };
    await finish(0.92, null);
    await finish(0.85, { step: 3, predicted: 0.861234, lo95: 0.84, hi95: 0.88, incumbent: 0.92, pBetter: 0.01234 });
    // Pruned without a stored reason (by its runner, or before schedulers stored one): the row says pruned.
    const t = await s.claimTrial(st.id, 'w');
    assert.ok(t);
    await s.finishTrial(t.id, 'w', { state: 'pruned', step: 0 });
    await s.close();

    const { code, text } = await captured(() => statusCommand({ storage: db, study: 'stops' }));
    assert.equal(code, 0);
    const row = (n: number): string => text.split('\n').find((l) => new RegExp(`^\\s*${n}\\s`).test(l)) ?? '';
    assert.match(row(1), /pruned at step 3: predicted 0\.8612 vs best 0\.9200, P\(better\) 0\.012\s*$/, text);
    assert.match(row(0), /complete\s*$/);
    assert.match(row(2), /\spruned\s*$/);
  });

  it('says which scheduler stopped a trial, where and why: ASHA, median, and one that gives no reason', async () => {
    // Trials in order, each a flat curve over 9 steps: 0.9, then 0.8 (worse, stopped at its first decision).
    const stopped = async (name: string, scheduler: Scheduler): Promise<string> => {
      const db = join(dir, `${name}.db`);
      const s = new SqliteStorage(db);
      const study = await s.createStudy({ name, direction: 'maximize', metric: 'acc', spec: null });
      await s.enqueueTrials(study.id, [0.9, 0.8].map((v) => ({ params: { v }, seed: 0, budget: 9 })));
      const runner = objectiveRunner(async (trial) => {
        for (let step = 1; step <= 9; step++) await trial.report(step, trial.params['v'] as number);
        return trial.params['v'] as number;
      }, 'acc');
      const summary = await runWorker({
        storage: s, study, space: Space.fromSpec({ v: { type: 'series', values: [0.8, 0.9] } }), sampler: { name: 'queue only' }, runner, scheduler,
        workerId: 'w', parallel: 1, seed: 1, budget: 9, maxAttempts: 1, heartbeatMs: 50,
      });
      await s.close();
      assert.deepEqual([summary.complete, summary.pruned], [1, 1], name);
      const { code, text } = await captured(() => statusCommand({ storage: db, study: name }));
      assert.equal(code, 0);
      const row = text.split('\n').find((l) => /^\s*1\s/.test(l)) ?? '';
      // show and the JSON export carry it in full, in the trial's attrs.
      const shown = await captured(() => showCommand('1', { storage: db, study: name }));
      assert.match(shown.text, /attrs: .*scheduler\.stop=\{"scheduler":/, shown.text);
      return row;
    };
    assert.match(await stopped('asha', ashaScheduler()), /\s0\.8000\s.*pruned at step 1 by asha: 0\.8000 at rung 1, not in the top 1\/3 of the 2 trials there \(needs 0\.9000\)\s*$/);
    assert.match(await stopped('median', new MedianStoppingScheduler({ nStartupTrials: 1 })),
      /pruned at step 1 by median: best 0\.8000 so far, worse than the median 0\.9000 of 1 complete trial at that step\s*$/);
    const quiet: Scheduler = { name: 'below-0.85', onReport: (_t, step, value) => (step >= 2 && value < 0.85 ? 'stop' : 'continue') };
    assert.match(await stopped('quiet', quiet), /\spruned at step 2 by below-0\.85\s*$/);
  });

  it('read-only commands refuse a missing storage (exit code 2) and create nothing', async () => {
    const missing = join(dir, 'nowhere', 'hyperzone.db');
    for (const run of [
      () => statusCommand({ storage: missing }), () => listCommand({ storage: missing }),
      () => showCommand('1', { storage: missing }), () => exportCommand({ storage: missing }),
    ]) {
      await assert.rejects(run(), (e: unknown) => e instanceof InputError && e.message.includes(`No storage at ${missing}`));
    }
    assert.ok(!existsSync(join(dir, 'nowhere')));
  });

  it('refuses a bad --study before reading anything, naming the flag', async () => {
    const db = join(dir, 'names.db');
    await new SqliteStorage(db).close();
    await assert.rejects(statusCommand({ storage: db, study: '../../etc' }), (e: unknown) => e instanceof InputError && /`--study`.*"\.\.\/\.\.\/etc"/.test(e.message));
  });
});
