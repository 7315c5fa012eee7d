import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../storage/memory.js';
import { DashboardApi } from './api.js';
import { runTestZonesStudy } from './test-zones-study.js';
import { addTrials, createTestStudy } from './test-study.js';
import type { ZoneStageView } from './zones.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);
type Mark = { kind: string; xi: number; yi: number; zone: number | null; label: string };
type Confirm = { best: string; verdicts: string[]; configs: { label: string; baseline: boolean }[] };
type Zones = { stages: ZoneStageView[]; marks: Mark[] | null; confirm: Confirm | null };

test('a zone study: its four stages with their documents, the marks on the surface, stage 4 with verdicts', async () => {
  const storage = new MemoryStorage();
  const { result } = await runTestZonesStudy(storage, 'zq');
  assert.ok(result);
  const api = new DashboardApi(storage, { minRefreshMs: 0 });
  const summary = (await api.handle('/api/studies/zq', q())).body as { strategy: string | null; stages: Record<string, number> };
  assert.equal(summary.strategy, 'zones');
  assert.deepEqual(Object.keys(summary.stages).sort(), ['confirm', 'refine', 'schedules', 'zones']);

  const r = await api.handle('/api/studies/zq/zones', q('x=units&y=batch_size&stage=zones'));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const z = r.body as Zones;
  assert.deepEqual(z.stages.map((s) => [s.stage, s.status]), [['zones', 'done'], ['refine', 'done'], ['schedules', 'done'], ['confirm', 'done']]);
  // Each document is the one the strategy itself wrote (same analysis of the same trials).
  for (const s of z.stages) assert.deepEqual(s.output, JSON.parse(JSON.stringify(result.documents[s.stage].stage_output)), s.stage);
  assert.equal(z.stages.reduce((n, s) => n + s.trials.complete, 0), (await storage.listTrials(1)).length);
  assert.deepEqual(z.confirm?.verdicts, (result.documents.confirm.stage_output as { verdicts: string[] }).verdicts);
  assert.ok(z.confirm?.verdicts.some((v) => /indistinguishable within noise|is better than/.test(v)));

  // Marks, in the cells of the surface's axes: the zone peaks, the refined candidates, the baseline and the pick.
  const surface = (await api.handle('/api/studies/zq/surface', q('x=units&y=batch_size&stage=zones'))).body as { x: { labels: string[] }; y: { labels: string[] }; trials: number; stage: string };
  assert.equal(surface.stage, 'zones');
  assert.equal(surface.trials, z.stages[0]?.trials.complete, 'stage=zones: only stage 1\'s trials');
  const marks = z.marks ?? [];
  const at = (m: Mark): string => `${surface.x.labels[m.xi]}×${surface.y.labels[m.yi]}`;
  // A configuration's place on stage 1's grid: its cell, or between the two grid values around it (stage 2's points).
  const expectAt = (pos: number, labels: string[], value: number, what: string): void => {
    const grid = labels.map(Number);
    const i = grid.indexOf(value);
    if (i >= 0) assert.equal(pos, i, what);
    else {
      const below = grid.filter((g) => g < value).length - 1;
      assert.ok(pos > below && pos < below + 1, `${what}: ${pos} between cells ${below} and ${below + 1}`);
    }
  };
  const zones = (result.documents.zones.stage_output as { zones: { rank: number; peak: Record<string, number> }[] }).zones;
  for (const zone of zones) {
    const peak = marks.find((m) => m.kind === 'peak' && m.zone === zone.rank);
    assert.ok(peak, `zone ${zone.rank} is marked`);
    assert.equal(at(peak), `${zone.peak.units}×${zone.peak.batch_size}`);
  }
  const best = result.documents.confirm.stage_output as { best: string; configs: { label: string; params: Record<string, number> }[] };
  const picked = best.configs.find((c) => c.label === best.best);
  const selected = marks.filter((m) => m.kind === 'selected');
  assert.equal(selected.length, 1);
  expectAt((selected[0] as Mark).xi, surface.x.labels, picked?.params.units as number, 'selected units');
  expectAt((selected[0] as Mark).yi, surface.y.labels, picked?.params.batch_size as number, 'selected batch_size');
  const refine = result.documents.refine.stage_output as { candidates: { params: Record<string, number> }[] };
  const cands = marks.filter((m) => m.kind === 'candidate');
  refine.candidates.forEach((c, k) => {
    expectAt((cands[k] as Mark).xi, surface.x.labels, c.params.units as number, `candidate ${k} units`);
    expectAt((cands[k] as Mark).yi, surface.y.labels, c.params.batch_size as number, `candidate ${k} batch_size`);
  });
  assert.ok(surface.x.labels.every((l) => [16, 32, 64, 128, 256, 512].includes(Number(l))), 'stage 1\'s axes: the grid only');
  assert.ok(marks.filter((m) => m.kind === 'candidate').length >= 2, 'refined candidates are marked');
  assert.ok(marks.some((m) => m.kind === 'baseline'));
  assert.ok(marks.filter((m) => m.kind === 'extent').length >= zones.length);

  const bad = await api.handle('/api/studies/zq/zones', q('x=units&y=depth'));
  assert.equal(bad.status, 400);
  assert.match((bad.body as { error: string }).error, /`y` to be one of the study's params .*got "depth"/);
  assert.equal((await api.handle('/api/studies/zq/surface', q('x=units&y=batch_size&stage=stage9'))).status, 400);
});

test('a zone study in progress: done stages show their documents, the running one what it still needs; other studies have no zone view', async () => {
  const storage = new MemoryStorage();
  const stop = new AbortController();
  // Stop once stage 2 has started: stage 1 is done, stage 2 runs, stages 3 and 4 wait.
  const running = runTestZonesStudy(storage, 'zp', { signal: stop.signal, delayMs: 10 });
  for (;;) {
    await new Promise((r) => setTimeout(r, 5));
    const ts = await storage.listTrials(1);
    if (ts.some((t) => t.attrs['zones.stage'] === 'refine')) break;
  }
  stop.abort();
  await running;
  const api = new DashboardApi(storage, { minRefreshMs: 0 });
  const z = (await api.handle('/api/studies/zp/zones', q())).body as Zones;
  assert.equal(z.stages[0]?.status, 'done');
  assert.ok(z.stages[0]?.output);
  assert.equal(z.stages[1]?.status, 'running');
  assert.ok((z.stages[1]?.planned ?? 0) > 0);
  assert.equal(z.stages[3]?.status, 'waiting');
  assert.match(z.stages[3]?.note ?? '', /not complete|needs|evaluate/i);
  assert.equal(z.confirm, null);
  assert.equal(z.marks, null, 'no axes asked, no marks');

  const plain = new MemoryStorage();
  await addTrials(plain, await createTestStudy(plain, 'grid'), 0, 5, 2);
  const api2 = new DashboardApi(plain, { minRefreshMs: 0 });
  assert.equal(((await api2.handle('/api/studies/grid', q())).body as { strategy: unknown }).strategy, null);
  const none = await api2.handle('/api/studies/grid/zones', q());
  assert.equal(none.status, 404);
  assert.match((none.body as { error: string }).error, /does not use the zone strategy/);
});
