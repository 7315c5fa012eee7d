// End-to-end: the compiled CLI (dist/, built by `npm test`) on a small MNIST subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-e2e-'));

function hz(args: string[], cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, HYPERZONE_TFJS_BACKEND: process.env.HYPERZONE_TFJS_BACKEND ?? 'wasm' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function spec(name: string, extra = '', epochs = 2, trainLimit = 1000): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
space:
  units: [16, 32]
  batch_size: [64, 128]
fixed: { learning_rate: 0.002 }
budget: { epochs: ${epochs} }
trainer: { type: tfjs, dataset: mnist, train_limit: ${trainLimit}, test_limit: 200 }
${extra}`);
  return p;
}

function trialRows(db: string, study: string): { state: string; attempts: number; params: string }[] {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT t.state, t.attempts, t.params FROM trials t JOIN studies s ON s.id = t.study_id WHERE s.name = ? ORDER BY t.number').all(study) as never;
  } finally {
    d.close();
  }
}

test('run trains a grid on MNIST, prints the results table; status, show, export, list read it back', () => {
  const r = hz(['run', spec('grid'), '--parallel', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /units\s+batch_size\s+parameters\s+best val_accuracy\s+epoch\s+time/);
  assert.match(r.stdout, /4 complete, 0 pruned, 0 failed/);
  assert.match(r.stdout, /25,450/, 'a 784-32-10 network has 25,450 trainable parameters');
  assert.ok(existsSync(join(dir, 'hyperzone.db')), 'default storage is a SQLite file in the working directory');

  const status = hz(['status']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /trials: 4 — 4 complete/);
  assert.match(status.stdout, /best: #\d+ units=\d+ batch_size=\d+ → val_accuracy = 0\.\d{4}/);

  const show = hz(['show', '0']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /trial #0/);
  assert.match(show.stdout, /learning curve:/);
  assert.match(show.stdout, /val_accuracy/);

  const csv = hz(['export', '--format', 'csv']);
  assert.equal(csv.code, 0, csv.stderr);
  const lines = csv.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0] as string, /^number,state,units,batch_size,seed,budget,value,/);
  const out = join(dir, 'grid.json');
  assert.equal(hz(['export', '--out', out]).code, 0);
  const doc = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(doc.trials.length, 4);
  assert.equal(doc.trials[0].steps.length, 2, 'per-epoch metrics are exported');

  assert.match(hz(['list']).stdout, /grid\s+val_accuracy\s+maximize\s+4/);
  // Running the same spec again resumes: nothing is retrained.
  const again = hz(['run', spec('grid'), '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(trialRows(join(dir, 'hyperzone.db'), 'grid').length, 4);
});

test('bad input: exit code 2 and a message naming the field and value', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'space: { units: [64] }\nfixed: { batch_size: 0 }\nbudget: { epochs: 1 }\ntrainer: { type: tfjs }\n');
  const r = hz(['run', bad]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /`fixed\.batch_size` to be an integer ≥ 1, got 0/);
  const unknown = hz(['status', '--study', 'nope']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /No study named `nope`/);
  const parallel = hz(['run', spec('grid'), '--parallel', '0']);
  assert.equal(parallel.code, 2);
  assert.match(parallel.stderr, /`--parallel` to be an integer ≥ 1, got "0"/);
  const noData = join(dir, 'nodata.yaml');
  writeFileSync(noData, `space: { units: [16] }\nfixed: { batch_size: 32 }\nbudget: { epochs: 1 }\ntrainer: { type: tfjs, dataset: { idx: ${join(dir, 'no-such-dir')} } }\n`);
  const missing = hz(['run', noData, '--storage', join(dir, 'nodata.db')]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /no-such-dir/);
});

test('kill -9 in the middle of a study leaves it resumable: finished trials are kept, the interrupted one restarts', async () => {
  const db = join(dir, 'kill.db');
  const p = spec('killme', 'parallel: 1\n', 8, 4000);
  const child = spawn(process.execPath, [CLI, 'run', p, '--storage', db, '--quiet'], { cwd: dir, stdio: 'ignore', env: { ...process.env, HYPERZONE_TFJS_BACKEND: 'wasm' } });
  const deadline = Date.now() + 120_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    if (!existsSync(db)) continue;
    let rows: ReturnType<typeof trialRows>;
    try { rows = trialRows(db, 'killme'); } catch (e) {
      // The file can exist a moment before the CLI has created its tables (seen on a loaded machine).
      if (/no such table/.test(String(e))) continue;
      throw e;
    }
    if (rows.some((t) => t.state === 'complete') && rows.some((t) => t.state === 'running')) break;
    assert.ok(rows.length === 0 || rows.some((t) => t.state !== 'complete'), 'the study finished before it could be killed');
    assert.ok(Date.now() < deadline, 'the study never had a finished and a running trial at once');
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const before = trialRows(db, 'killme');
  const completeBefore = before.filter((t) => t.state === 'complete').map((t) => t.params);
  assert.ok(before.some((t) => t.state === 'running'), 'a trial was in flight when killed');

  const r = hz(['run', p, '--storage', db, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const after = trialRows(db, 'killme');
  assert.equal(after.length, 4, 'no trial duplicated');
  assert.ok(after.every((t) => t.state === 'complete'));
  for (const params of completeBefore) {
    assert.equal(after.find((t) => t.params === params)?.attempts, 1, 'finished trials were not rerun');
  }
  assert.ok(after.some((t) => t.attempts === 2), 'the interrupted trial restarted');
});
