import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { openStorage } from '../../storage/open.js';
import { parseTrialNumbers, retryCommand } from './retry.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-retry-'));
let n = 0;

/** A study of 4 trials: #0 complete, #1 and #2 failed, #3 waiting. */
async function studyWithFailures(): Promise<string> {
  const url = join(dir, `r${n++}.db`);
  const s = await openStorage(url);
  const st = await s.createStudy({ name: 'flaky', direction: 'maximize', metric: 'acc', spec: {} });
  await s.enqueueTrials(st.id, [1, 2, 3, 4].map((x) => ({ params: { x }, seed: 7, budget: 2 })));
  for (const outcome of [{ state: 'complete', value: 0.9 }, { state: 'failed', error: 'CUDA out of memory' }, { state: 'failed', error: 'killed' }] as const) {
    const t = await s.claimTrial(st.id, 'w');
    assert.ok(t);
    await s.finishTrial(t.id, 'w', outcome);
  }
  await s.close();
  return url;
}

async function trialsOf(url: string) {
  const s = await openStorage(url);
  try {
    const st = await s.getStudy('flaky');
    return st ? await s.listTrials(st.id) : [];
  } finally {
    await s.close();
  }
}

describe('hyperzone retry', () => {
  it('--trials requeues the named failed trials with the same params, seed and budget; the failed records stay', async () => {
    const url = await studyWithFailures();
    const lines: string[] = [];
    assert.equal(await retryCommand({ storage: url, trials: '2' }, (l) => lines.push(l)), 0);
    assert.match(lines[0] ?? '', /requeued 1 failed trial of study flaky: #2 as #4/);
    assert.match(lines.at(-1) ?? '', /hyperzone worker --storage '.*' --study flaky/);
    const trials = await trialsOf(url);
    assert.deepEqual(trials.map((t) => t.state), ['complete', 'failed', 'failed', 'waiting', 'waiting']);
    const retry = trials[4];
    assert.deepEqual([retry?.params, retry?.seed, retry?.budget, retry?.attrs.retry_of], [{ x: 3 }, 7, 2, 2]);
  });

  it('--all-failed requeues each open failure once; a second call finds nothing to do', async () => {
    const url = await studyWithFailures();
    const lines: string[] = [];
    await retryCommand({ storage: url, allFailed: true }, (l) => lines.push(l));
    assert.match(lines[0] ?? '', /requeued 2 failed trials of study flaky: #1 as #4, #2 as #5/);
    const again: string[] = [];
    await retryCommand({ storage: url, allFailed: true }, (l) => again.push(l));
    assert.deepEqual(again, ['No failed trials to retry in study flaky.']);
    assert.equal((await trialsOf(url)).length, 6);
    const twice: string[] = [];
    await retryCommand({ storage: url, trials: '1' }, (l) => twice.push(l));
    assert.match(twice[0] ?? '', /Nothing requeued/);
  });

  it('bad input changes nothing: a trial that is not failed, a missing one, both flags or neither, a malformed list', async () => {
    const url = await studyWithFailures();
    await assert.rejects(retryCommand({ storage: url, trials: '0,2,9' }), (e: unknown) =>
      e instanceof InputError && /Only failed trials can be retried: in study `flaky`, #0 is complete, #9 does not exist/.test(e.message));
    await assert.rejects(retryCommand({ storage: url, trials: '1', allFailed: true }), /either `--trials N,M` \(trial numbers\) or `--all-failed`/);
    await assert.rejects(retryCommand({ storage: url }), /either `--trials N,M`/);
    await assert.rejects(retryCommand({ storage: url, trials: '1,x' }), /`--trials` to be trial numbers separated by commas \(e\.g\. 3,5\), got "1,x"/);
    assert.equal((await trialsOf(url)).length, 4);
  });
});

describe('parseTrialNumbers', () => {
  it('reads 3,5 and #3, #5, dropping repeats; rejects negatives, fractions and empty parts', () => {
    assert.deepEqual(parseTrialNumbers('3,5'), [3, 5]);
    assert.deepEqual(parseTrialNumbers('#3, #5,3'), [3, 5]);
    for (const bad of ['-1', '2.5', '1,,2', '', 'all']) assert.throws(() => parseTrialNumbers(bad), InputError, bad);
  });
});
