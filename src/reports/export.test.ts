import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StudyRecord, TrialRecord } from '../core/types.js';
import { CsvColumns, studyJsonChunks, studyToJson, trialsToCsv } from './export.js';

const study = { id: 1, name: 's', direction: 'minimize', metric: 'loss', spec: { a: [1, { b: 'x\ny' }] }, createdAt: 0 } as unknown as StudyRecord;

function trial(number: number, params: Record<string, number | string>, metrics: Record<string, number>, error: string | null = null): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state: error ? 'failed' : 'complete', params, seed: 7, budget: null, value: metrics['loss'] ?? null, metrics,
    steps: [{ step: 0, metrics: { loss: 2 }, at: 5 }], attrs: { note: 'a "quoted", line\nbreak' }, error, workerId: 'w', attempts: 1,
    createdAt: 0, startedAt: 1000, finishedAt: 3500, heartbeatAt: null,
  };
}

const trials = [
  trial(0, { lr: 0.1, act: 'relu' }, { loss: 0.5 }),
  trial(1, { lr: 0.01, units: 64 }, { loss: 0.25, acc: 0.9 }),
  trial(2, { lr: 0.001, act: 'tanh,x' }, {}, 'boom "bad"'),
];

async function* pagesOf(xs: readonly TrialRecord[], size: number): AsyncGenerator<readonly TrialRecord[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size);
}

async function joined(chunks: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
}

test('CSV: columns in order of first appearance, quoted cells, empty cells for absent params and metrics', () => {
  assert.equal(trialsToCsv(trials), [
    'number,state,lr,act,units,seed,budget,value,loss,acc,steps,started_at,finished_at,seconds,error',
    '0,complete,0.1,relu,,7,,0.5,0.5,,1,1970-01-01T00:00:01.000Z,1970-01-01T00:00:03.500Z,2.5,',
    '1,complete,0.01,,64,7,,0.25,0.25,0.9,1,1970-01-01T00:00:01.000Z,1970-01-01T00:00:03.500Z,2.5,',
    '2,failed,0.001,"tanh,x",,7,,,,,1,1970-01-01T00:00:01.000Z,1970-01-01T00:00:03.500Z,2.5,"boom ""bad"""',
    '',
  ].join('\n'));
  assert.equal(trialsToCsv([]), 'number,state,seed,budget,value,steps,started_at,finished_at,seconds,error\n');
});

test('CSV: a stop_reason column, last, once a scheduler stopped some trial and said why', () => {
  const pruned: TrialRecord = {
    ...trial(3, { lr: 0.5 }, { loss: 0.9 }), state: 'pruned',
    attrs: { 'scheduler.stop': { scheduler: 'asha', step: 1, reason: '0.9000 at rung 1, not in the top 1/3 of the 3 trials there (needs 0.5000)' } },
  };
  const lines = trialsToCsv([trials[0] as TrialRecord, pruned]).split('\n');
  assert.equal(lines[0], 'number,state,lr,act,seed,budget,value,loss,steps,started_at,finished_at,seconds,error,stop_reason');
  assert.ok((lines[1] as string).endsWith(',2.5,,'), 'empty for a complete trial');
  assert.ok((lines[2] as string).endsWith(',2.5,,"pruned at step 1 by asha: 0.9000 at rung 1, not in the top 1/3 of the 3 trials there (needs 0.5000)"'), lines[2]);
  // Pages: the column appears whichever page holds the stopped trial.
  const cols = new CsvColumns();
  cols.add([trials[0] as TrialRecord]);
  cols.add([pruned]);
  assert.equal(cols.header() + cols.rows([trials[0] as TrialRecord]) + cols.rows([pruned]), trialsToCsv([trials[0] as TrialRecord, pruned]));
});

test('CSV in pages (columns from a first pass, rows page by page) is the one-read CSV', () => {
  for (const size of [1, 2, 3, 10]) {
    const cols = new CsvColumns();
    for (let i = 0; i < trials.length; i += size) cols.add(trials.slice(i, i + size));
    let csv = cols.header();
    for (let i = 0; i < trials.length; i += size) csv += cols.rows(trials.slice(i, i + size));
    assert.equal(csv, trialsToCsv(trials), `pages of ${size}`);
  }
});

test('JSON in chunks, page by page, is studyToJson character for character (and parses back)', async () => {
  for (const size of [1, 2, 5]) {
    const text = await joined(studyJsonChunks(study, pagesOf(trials, size)));
    assert.equal(text, studyToJson(study, trials), `pages of ${size}`);
    assert.deepEqual(JSON.parse(text).trials, JSON.parse(JSON.stringify(trials)));
  }
  assert.equal(await joined(studyJsonChunks(study, pagesOf([], 2))), studyToJson(study, []), 'no trials');
});
