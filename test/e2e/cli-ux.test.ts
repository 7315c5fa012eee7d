// End-to-end: the compiled CLI (dist/, built by `npm test`) as a new user meets it: retry, delete, and the commands that
// pick the study by themselves. A tiny command trainer (node) stands in for training, so these run in seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-e2e-ux-'));

function hz(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Fails the trial with x = 2 until the file `fixed` exists (a flaky GPU, a full disk: something the user then fixes).
const TRAINER = join(dir, 'train.cjs');
writeFileSync(TRAINER, `const fs = require('node:fs');
const { x } = JSON.parse(fs.readFileSync(process.env.HZ_PARAMS_FILE, 'utf8'));
if (x === 2 && !fs.existsSync(process.argv[2])) { console.error('boom: disk full'); process.exit(3); }
console.log(JSON.stringify({ step: 1, val_accuracy: 0.5 + x / 10 }));
`);

function spec(name: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
objective: { metric: val_accuracy, direction: maximize }
space: { x: [1, 2, 3] }
budget: { epochs: 1 }
trainer: { type: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TRAINER)}, ${JSON.stringify(join(dir, `${name}.fixed`))}] }
parallel: 1
`);
  return p;
}

function exported(storage: string, study: string): { number: number; state: string; params: { x: number }; attrs: Record<string, unknown>; seed: number }[] {
  const r = hz(['export', '--storage', storage, '--study', study, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).trials;
}

test('retry: a failed trial is requeued, the resumed run completes it, and the run then exits 0', () => {
  const db = join(dir, 'retry.db');
  const first = hz(['run', spec('flaky'), '--storage', db, '--quiet']);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stdout, /2 complete, 0 pruned, 1 failed/);
  const failed = exported(db, 'flaky').find((t) => t.state === 'failed');
  assert.ok(failed);
  assert.equal(failed.params.x, 2);

  const notFailed = hz(['retry', '--storage', db, '--trials', '0']);
  assert.equal(notFailed.code, 2);
  assert.match(notFailed.stderr, /Only failed trials can be retried: in study `flaky`, #0 is complete/);

  writeFileSync(join(dir, 'flaky.fixed'), '');
  const retry = hz(['retry', '--storage', db, '--trials', String(failed.number)]);
  assert.equal(retry.code, 0, retry.stderr);
  assert.match(retry.stdout, new RegExp(`requeued 1 failed trial of study flaky: #${failed.number} as #3`));
  const again = hz(['run', spec('flaky'), '--storage', db]);
  assert.equal(again.code, 0, `the failure was retried and completed: ${again.stdout}${again.stderr}`);
  assert.match(again.stderr, /\[4\/4\] trial #3 x=2 complete/, 'the progress total counts the requeued trial');
  const trials = exported(db, 'flaky');
  assert.deepEqual(trials.map((t) => t.state), ['complete', 'failed', 'complete', 'complete'], 'the failed record stays as history');
  const redo = trials[3];
  assert.deepEqual([redo?.params, redo?.seed, redo?.attrs.retry_of], [failed.params, failed.seed, failed.number]);
  assert.match(hz(['retry', '--storage', db, '--all-failed']).stdout, /Nothing requeued|No failed trials/);
});

test('delete: needs --yes without a terminal, then removes the study and nothing else', () => {
  const db = join(dir, 'delete.db');
  assert.equal(hz(['run', spec('gone'), '--storage', db, '--quiet']).code, 1);
  assert.equal(hz(['create', spec('stays'), '--storage', db]).code, 0);
  const asked = hz(['delete', '--storage', db, '--study', 'gone']);
  assert.equal(asked.code, 2);
  assert.match(asked.stderr, /needs confirmation: pass --yes/);
  const missing = hz(['delete', '--storage', db, '--yes']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Missing `--study NAME`/);
  const r = hz(['delete', '--storage', db, '--study', 'gone', '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deleted study gone \(3 trials: 2 complete, 0 running, 0 waiting, 0 pruned, 1 failed\)/);
  const list = hz(['list', '--storage', db]).stdout;
  assert.doesNotMatch(list, /\bgone\b/);
  assert.match(list, /\bstays\b/);
  // The name is free again: the same spec starts from scratch.
  assert.equal(hz(['run', spec('gone'), '--storage', db, '--quiet']).code, 1);
  assert.equal(exported(db, 'gone').length, 3);
});

test('status, show, report and export pick the only study; with two they exit 2 naming both', () => {
  const db = join(dir, 'pick.db');
  writeFileSync(join(dir, 'first.fixed'), '');
  assert.equal(hz(['run', spec('first'), '--storage', db, '--quiet']).code, 0);
  const status = hz(['status', '--storage', db]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /study first /);
  assert.equal(hz(['show', '0', '--storage', db]).code, 0);
  const html = join(dir, 'first.html');
  assert.equal(hz(['report', '--storage', db, '-o', html]).code, 0);
  assert.ok(existsSync(html) && readFileSync(html, 'utf8').includes('<svg'));

  assert.equal(hz(['create', spec('second'), '--storage', db]).code, 0);
  for (const args of [['status'], ['show', '0'], ['report', '-o', join(dir, 'x.html')], ['export'], ['retry', '--all-failed']]) {
    const r = hz([...args, '--storage', db]);
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /Several studies here \(first, second\); name one with --study/, args[0]);
  }
  assert.equal(hz(['status', '--storage', db, '--study', 'second']).code, 0);
});

test('--help lists delete and retry', () => {
  const r = hz(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /\bdelete \[options\]/);
  assert.match(r.stdout, /\bretry \[options\]/);
});
