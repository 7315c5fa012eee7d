// End-to-end: `hyperzone export` pages through a study (Storage.listTrialsPage, EXPORT_PAGE trials a read) and writes
// each page before reading the next; its output must be what the one-read functions give for the whole study.
// Runs src/cli/main.ts through tsx, so it needs no build.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStorage } from '../../src/storage/open.js';
import { Study } from '../../src/study/study.js';
import { studyToJson, trialsToCsv } from '../../src/reports/export.js';
import { EXPORT_PAGE } from '../../src/cli/commands/inspect.js';

const MAIN = resolve('src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'hz-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hz(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('export in pages writes exactly the one-read CSV and JSON of a study of more than two pages', async () => {
  const db = join(dir, 'big.db');
  const total = 2 * EXPORT_PAGE + 345;
  const study = await Study.create({ storage: db, name: 'big', space: { x: { type: 'float', low: 0, high: 1 }, act: { type: 'categorical', choices: ['relu', 'tanh'] } } });
  const s = study.storage;
  await s.enqueueTrials(study.record.id, Array.from({ length: total }, (_, i) => ({ params: { x: i / total, act: i % 3 === 0 ? 'relu' : 'tanh' }, seed: i, budget: null })));
  // Some finished trials with steps and metrics (a metric name that first appears on a late page, a failure with quotes).
  for (let i = 0; i < 40; i++) {
    const t = await s.claimTrial(study.record.id, 'w');
    assert.ok(t);
    await s.reportStep(t.id, 'w', 1, { loss: i });
    await s.finishTrial(t.id, 'w', i === 7 ? { state: 'failed', error: 'boom, "quoted"\nline' } : { state: 'complete', value: i / 10, metrics: { loss: i } });
  }
  const late = await s.listTrialsPage(study.record.id, total - 1, 1);
  assert.equal(late.length, 1);
  const trials = await s.listTrials(study.record.id);
  const record = study.record;
  await s.close();

  const csv = hz(['export', '--storage', db, '--study', 'big']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout, trialsToCsv(trials));
  assert.equal(csv.stdout.split('\n').filter((l) => /^\d+,/.test(l)).length, total, 'a row per trial');

  const out = join(dir, 'big.json');
  const json = hz(['export', '--storage', db, '--study', 'big', '--out', out]);
  assert.equal(json.code, 0, json.stderr);
  assert.match(json.stderr, new RegExp(`wrote ${total} trials to `));
  const reopened = await openStorage(db);
  const stored = await reopened.getStudy('big');
  await reopened.close();
  assert.equal(readFileSync(out, 'utf8'), studyToJson(stored ?? record, trials));

  const show = hz(['show', String(total - 2), '--storage', db, '--study', 'big']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`#${total - 2}\\b`));
  assert.equal(hz(['show', String(total), '--storage', db, '--study', 'big']).code, 2, 'no such trial');
});
