import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HyperzoneError, InputError } from '../core/errors.js';
import type { TrialRecord } from '../core/types.js';
import { emptyResultSet, mergeResultSets, parseResultSet, readResultSet, resultSetFromTrials, serializeResultSet, writeResultSet, type ResultEntry, type ResultSet } from './index.js';

const space = { units: { type: 'series' as const, values: [128, 256, 512] }, batch_size: { type: 'series' as const, values: [16, 32] } };
const base = (): ResultSet => emptyResultSet(space, { metric: 'val_accuracy', direction: 'maximize' }, { optimizer: 'adam' });
const entry = (units: number, seed: number, value: number): ResultEntry => ({
  params: { units, batch_size: 16 },
  seed,
  budget: 20,
  value,
  steps: [{ step: 1, metrics: { val_accuracy: value } }],
  metrics: {},
  stage: 'zones',
});

test('round-trips through JSON and a file', async () => {
  const rs: ResultSet = { ...base(), entries: [entry(128, 1, 0.9)], compute: { zones: { trials: 1, epochs: 20, image_epochs: 960000, wall_seconds: 3 } }, plan: [{ params: { units: 256, batch_size: 16 }, seed: 1, budget: 20, attrs: { 'zones.stage': 'zones' } }] };
  assert.deepEqual(parseResultSet(JSON.parse(serializeResultSet(rs))), rs);
  const dir = await mkdtemp(join(tmpdir(), 'hz-rs-'));
  await writeResultSet(join(dir, 'a.json'), rs);
  assert.deepEqual(await readResultSet(join(dir, 'a.json')), rs);
  await writeFile(join(dir, 'bad.json'), '{ not json');
  await assert.rejects(readResultSet(join(dir, 'bad.json')), (e: unknown) => e instanceof InputError && /bad\.json is not valid JSON/.test(e.message));
});

test('validation names the bad field', () => {
  const doc = JSON.parse(serializeResultSet({ ...base(), entries: [entry(128, 1, 0.9)] })) as { entries: { value: unknown }[]; format: string };
  (doc.entries[0] as { value: unknown }).value = 'high';
  assert.throws(() => parseResultSet(doc, 'a.json'), (e: unknown) => e instanceof InputError && e.message.includes('a.json') && e.message.includes('`entries[0].value`'));
  assert.throws(() => parseResultSet({ ...doc, format: 'other/1' }), /`format`/);
  assert.throws(() => parseResultSet({ format: 'hyperzone.resultset/1', space: { u: { type: 'int', low: 1 } }, objective: { metric: 'm', direction: 'up' } }), (e: unknown) => e instanceof InputError && /`space\.u\.high`/.test(e.message) && /`objective\.direction`/.test(e.message));
});

test('merge dedupes entries by (params, seed, budget) and keeps the rest', () => {
  const a: ResultSet = {
    ...base(),
    entries: [entry(128, 1, 0.9), entry(256, 1, 0.91)],
    compute: { zones: { trials: 2, epochs: 40, image_epochs: 0, wall_seconds: 5 } },
    plan: [{ params: { units: 512, batch_size: 16 }, seed: 1, budget: 20 }, { params: { units: 256, batch_size: 16 }, seed: 1, budget: 20 }],
  };
  const b: ResultSet = {
    ...base(),
    entries: [entry(256, 1, 0.95), entry(256, 2, 0.92), entry(512, 1, 0.93)],
    compute: { zones: { trials: 3, epochs: 60, image_epochs: 0, wall_seconds: 7 } },
  };
  const m = mergeResultSets(a, b);
  assert.equal(m.entries.length, 4);
  // The first document's copy of a duplicate wins.
  assert.equal(m.entries.find((e) => e.params.units === 256 && e.seed === 1)?.value, 0.91);
  assert.deepEqual(m.compute?.zones, { trials: 5, epochs: 100, image_epochs: 0, wall_seconds: 12 });
  // Plan items now evaluated are dropped.
  assert.deepEqual(m.plan, []);
  // Merging a document with itself changes nothing.
  assert.deepEqual(mergeResultSets(a, a).entries, a.entries);
  assert.deepEqual(mergeResultSets(a, a).compute, a.compute);
});

test('merge refuses different space, objective or fixed, naming the difference', () => {
  const a = base();
  const check = (b: ResultSet, re: RegExp): void =>
    assert.throws(() => mergeResultSets(a, b), (e: unknown) => e instanceof HyperzoneError && e.code === 'MERGE_CONFLICT' && re.test(e.message));
  check({ ...a, space: { ...space, units: { type: 'series', values: [128, 256] } } }, /`space\.units\.values` differs/);
  check({ ...a, objective: { metric: 'val_loss', direction: 'maximize' } }, /`objective\.metric` differs: "val_accuracy" vs "val_loss"/);
  check({ ...a, fixed: { optimizer: 'sgd' } }, /`fixed\.optimizer` differs/);
  check({ ...a, fixed: { optimizer: 'adam', dropout: 0.1 } }, /`fixed\.dropout` is only in the second/);
});

test('resultSetFromTrials keeps complete trials with their stage tag', () => {
  const t = (n: number, state: TrialRecord['state'], value: number | null, attrs: Record<string, unknown> = {}): TrialRecord => ({
    id: n, studyId: 1, number: n, state, params: { units: 128, batch_size: 16 + n }, seed: 7, budget: 10, value, metrics: { best_epoch: 3 },
    steps: [{ step: 1, metrics: { val_accuracy: 0.5 }, at: 0 }], attrs, error: null, workerId: null, attempts: 1,
    createdAt: 0, startedAt: 0, finishedAt: 0, heartbeatAt: 0,
  });
  const rs = resultSetFromTrials({ space, metric: 'val_accuracy', direction: 'maximize' }, [t(0, 'complete', 0.9, { 'zones.stage': 'refine' }), t(1, 'failed', null), t(2, 'complete', 0.8), t(3, 'running', null)], 'zones');
  assert.equal(rs.entries.length, 2);
  assert.equal(rs.entries[0]?.stage, 'refine');
  assert.equal(rs.entries[1]?.stage, 'zones');
  assert.deepEqual(rs.entries[0]?.steps, [{ step: 1, metrics: { val_accuracy: 0.5 } }]);
  assert.deepEqual(parseResultSet(JSON.parse(serializeResultSet(rs))), rs);
});
