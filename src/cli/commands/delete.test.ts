import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { InputError } from '../../core/errors.js';
import { openStorage } from '../../storage/open.js';
import { confirm, deleteCommand, liveWorkers, type PromptIO } from './delete.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-delete-'));
let n = 0;

/** A SQLite file with one study of 3 trials, and optionally a worker of that study. */
async function storageWithStudy(worker?: { id: string; heartbeatAt?: number }): Promise<string> {
  const url = join(dir, `s${n++}.db`);
  const s = await openStorage(url);
  const st = await s.createStudy({ name: 'doomed', direction: 'maximize', metric: 'acc', spec: {} });
  await s.createStudy({ name: 'kept', direction: 'maximize', metric: 'acc', spec: {} });
  await s.enqueueTrials(st.id, [1, 2, 3].map((x) => ({ params: { x }, seed: 1, budget: null })));
  if (worker) await s.workerHeartbeat({ id: worker.id, studyId: st.id, host: 'h', pid: 1, startedAt: Date.now() });
  await s.close();
  return url;
}

async function studyNames(url: string): Promise<string[]> {
  const s = await openStorage(url);
  try {
    return (await s.listStudies()).map((x) => x.name);
  } finally {
    await s.close();
  }
}

/** A terminal that answers `answer` (or closes without one). */
function terminal(answer: string | null): PromptIO & { said: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true });
  const output = new PassThrough();
  let said = '';
  output.on('data', (d: Buffer) => { said += d.toString(); });
  if (answer === null) input.end();
  else input.write(answer + '\n');
  return { input, output, said: () => said };
}

// Drops the command's text only: the test runner's own reports leave this process through stdout as bytes, and
// swallowing those lost subtests' results from the run's output (two of this suite's five were missing in a CI log).
const quietStdout = async <T>(fn: () => Promise<T>): Promise<T> => {
  const write = process.stdout.write;
  const passBytes = write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? true : passBytes(chunk, ...rest))) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
};

describe('hyperzone delete', () => {
  it('asks on a terminal and deletes only on yes', async () => {
    const url = await storageWithStudy();
    const no = terminal('n');
    assert.equal(await deleteCommand({ storage: url, study: 'doomed' }, no), 1);
    assert.match(no.said(), /Delete study doomed \(3 trials: 0 complete, 0 running, 3 waiting, 0 pruned, 0 failed\) from .*\? This cannot be undone\. \[y\/N\]/);
    assert.match(no.said(), /Nothing deleted/);
    assert.deepEqual(await studyNames(url), ['doomed', 'kept']);
    assert.equal(await quietStdout(() => deleteCommand({ storage: url, study: 'doomed' }, terminal('YES'))), 0);
    assert.deepEqual(await studyNames(url), ['kept'], 'only the named study is gone');
  });

  it('without a terminal it needs --yes (exit 2 before anything changes)', async () => {
    const url = await storageWithStudy();
    const pipe = { input: new PassThrough(), output: new PassThrough() };
    await assert.rejects(deleteCommand({ storage: url, study: 'doomed' }, pipe), (e: unknown) => e instanceof InputError && /pass --yes/.test(e.message));
    assert.deepEqual(await studyNames(url), ['doomed', 'kept']);
    assert.equal(await quietStdout(() => deleteCommand({ storage: url, study: 'doomed', yes: true }, pipe)), 0);
    assert.deepEqual(await studyNames(url), ['kept']);
  });

  it('refuses while a worker of the study is alive, unless --force', async () => {
    const url = await storageWithStudy({ id: 'gpu-box-7:4242:ab12cd' });
    await assert.rejects(deleteCommand({ storage: url, study: 'doomed', yes: true }), (e: unknown) =>
      e instanceof InputError && /1 live worker: gpu-box-7:4242:ab12cd \(last heartbeat \d+s ago\)\. Stop it first, or pass --force/.test(e.message));
    assert.deepEqual(await studyNames(url), ['doomed', 'kept']);
    assert.equal(await quietStdout(() => deleteCommand({ storage: url, study: 'doomed', yes: true, force: true })), 0);
    assert.deepEqual(await studyNames(url), ['kept']);
  });

  it('a finished run on this machine (its process gone) does not block the delete', async () => {
    const url = await storageWithStudy({ id: `${hostname()}:${2 ** 22 + 12345}:ab12cd` });
    assert.equal(await quietStdout(() => deleteCommand({ storage: url, study: 'doomed', yes: true })), 0);
  });

  it('needs --study, and names the studies when it does not exist', async () => {
    const url = await storageWithStudy();
    await assert.rejects(deleteCommand({ storage: url, yes: true }), (e: unknown) => e instanceof InputError && /Missing `--study NAME`/.test(e.message));
    await assert.rejects(deleteCommand({ storage: url, study: 'nope', yes: true }), (e: unknown) => e instanceof InputError && /No study named `nope`.*doomed, kept/.test(e.message));
  });
});

describe('liveWorkers', () => {
  it('keeps workers heard from within the stale timeout, except gone processes of this host', () => {
    const now = 1_000_000;
    const w = (id: string, ago: number) => ({ id, studyId: 1, host: 'h', pid: 1, startedAt: 0, heartbeatAt: now - ago });
    const alive = liveWorkers([w('remote:1:aa', 5_000), w('remote:2:bb', 120_000), w(`${hostname()}:${2 ** 22 + 7}:cc`, 1_000), w(`${hostname()}:${process.pid}:dd`, 1_000)], now, 60_000);
    assert.deepEqual(alive.map((x) => x.id), ['remote:1:aa', `${hostname()}:${process.pid}:dd`]);
  });
});

describe('confirm', () => {
  it('is yes only for y or yes; end of input is no', async () => {
    assert.equal(await confirm('? ', terminal('y')), true);
    assert.equal(await confirm('? ', terminal(' Yes ')), true);
    assert.equal(await confirm('? ', terminal('yep')), false);
    assert.equal(await confirm('? ', terminal('')), false);
    assert.equal(await confirm('? ', terminal(null)), false);
  });
});
