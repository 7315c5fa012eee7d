// Per-report cost of a scheduler (ASHA: η 3, rungs at steps 1, 3, 9) as the study grows, on memory, SQLite and
// PostgreSQL (when one answers): the time of Scheduler.onReport, which reads what changed in storage and decides.
// Each study is prefilled with N finished trials shaped like an ASHA study (2/3 stopped at step 1, 2/9 at step 3,
// 1/9 complete at step 9) plus 4 trials of another worker still running; then a fresh worker runs 60 trials of
// 9 steps through a fresh scheduler and every report is timed. "full scan" is the previous behaviour (the whole
// study listed at every report), timed on 5 reports.
// Run: npx tsx bench/scheduler-cost.ts [--sizes 1000,10000,100000] [--backends memory,sqlite,postgres] [--pg URL]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Storage } from '../src/storage/storage.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { findTestPostgres } from '../src/storage/test-postgres.js';
import { SuccessiveHalvingScheduler } from '../src/schedulers/successive-halving.js';
import type { SchedulerContext } from '../src/schedulers/scheduler.js';
import { storageTrialSource } from '../src/schedulers/trial-source.js';
import { Rng } from '../src/core/rng.js';

const BUDGET = 9;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** N finished trials with ASHA-shaped step counts, written by `concurrency` async writers through the public API. */
async function prefill(s: Storage, studyId: number, n: number, rng: Rng): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    const worker = `pre${w}`;
    for (let i = next++; i < n; i = next++) {
      const r = rng.next();
      const steps = r < 2 / 3 ? 1 : r < 8 / 9 ? 3 : BUDGET;
      const t = await s.createRunningTrial(studyId, worker, { params: { i }, seed: i, budget: BUDGET });
      let v = 0;
      for (let step = 1; step <= steps; step++) await s.reportStep(t.id, worker, step, { acc: (v = rng.next() * step / BUDGET) });
      await s.finishTrial(t.id, worker, steps === BUDGET ? { state: 'complete', value: v } : { state: 'pruned', step: steps });
    }
  }));
  // Another worker's trials in flight: the cursor re-reads them at every report.
  for (let k = 0; k < 4; k++) {
    const t = await s.createRunningTrial(studyId, 'other', { params: { running: k }, seed: k, budget: BUDGET });
    await s.reportStep(t.id, 'other', 1, { acc: rng.next() / BUDGET });
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

interface Row { backend: string; n: number; firstMs: number; medianMs: number; p95Ms: number; fullScanMs: number }

async function measure(backend: string, s: Storage, n: number): Promise<Row> {
  const rng = new Rng(n);
  const study = await s.createStudy({ name: `cost-${n}`, direction: 'maximize', metric: 'acc', spec: {} });
  const t0 = performance.now();
  await prefill(s, study.id, n, rng);
  process.stderr.write(`  ${backend} ${n}: prefilled in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const asha = new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 3 });
  const ctx: SchedulerContext = { direction: 'maximize', metric: 'acc', trials: () => s.listTrials(study.id), source: storageTrialSource(s, study.id) };
  const times: number[] = [];
  let firstMs = NaN;
  for (let i = 0; i < 60; i++) {
    const t = await s.createRunningTrial(study.id, 'bench', { params: { new: i }, seed: i, budget: BUDGET });
    for (let step = 1; step <= BUDGET; step++) {
      const v = rng.next() * step / BUDGET;
      await s.reportStep(t.id, 'bench', step, { acc: v });
      const a = performance.now();
      const d = await asha.onReport(t, step, v, ctx);
      const ms = performance.now() - a;
      // The first report builds the table from the whole study (once per worker).
      if (Number.isNaN(firstMs)) firstMs = ms;
      else times.push(ms);
      if (d === 'stop') {
        await s.finishTrial(t.id, 'bench', { state: 'pruned', step });
        break;
      }
      if (step === BUDGET) await s.finishTrial(t.id, 'bench', { state: 'complete', value: v });
    }
  }
  // The previous behaviour: no source, so every report lists the study.
  const fresh = new SuccessiveHalvingScheduler({ minResource: 1, reductionFactor: 3 });
  const scan: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = await s.createRunningTrial(study.id, 'scan', { params: { scan: i }, seed: i, budget: BUDGET });
    await s.reportStep(t.id, 'scan', 1, { acc: 0.05 });
    const a = performance.now();
    await fresh.onReport(t, 1, 0.05, { direction: 'maximize', metric: 'acc', trials: () => s.listTrials(study.id) });
    scan.push(performance.now() - a);
    await s.finishTrial(t.id, 'scan', { state: 'pruned', step: 1 });
  }
  return { backend, n, firstMs, medianMs: quantile(times, 0.5), p95Ms: quantile(times, 0.95), fullScanMs: quantile(scan, 0.5) };
}

async function main(): Promise<void> {
  const sizes = (arg('sizes') ?? '1000,10000,100000').split(',').map(Number);
  const backends = (arg('backends') ?? 'memory,sqlite,postgres').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'hz-sched-cost-'));
  const pgUrl = backends.includes('postgres') ? (arg('pg') ?? (await findTestPostgres())) : null;
  if (backends.includes('postgres') && !pgUrl) process.stderr.write('PostgreSQL: none answers (skipped; --pg URL to give one)\n');
  const schemas: string[] = [];
  const tag = randomBytes(3).toString('hex');
  const rows: Row[] = [];
  try {
    for (const backend of backends) {
      for (const n of sizes) {
        let s: Storage;
        if (backend === 'memory') s = new MemoryStorage();
        else if (backend === 'sqlite') s = new SqliteStorage(join(dir, `c${n}.db`));
        else if (backend === 'postgres' && pgUrl) {
          const schema = `hz_schedcost_${tag}_${n}`;
          schemas.push(schema);
          s = await PostgresStorage.connect({ url: pgUrl, schema, poolSize: 10 });
        } else continue;
        try {
          rows.push(await measure(backend, s, n));
        } finally {
          await s.close();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (pgUrl && schemas.length) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      for (const sc of schemas) await c.query(`DROP SCHEMA IF EXISTS "${sc}" CASCADE`);
      await c.end();
    }
  }
  console.log('| storage | trials in study | ms per report (median) | p95 | first report (builds the table) | full scan per report (before) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.backend} | ${r.n.toLocaleString('en')} | ${r.medianMs.toFixed(3)} | ${r.p95Ms.toFixed(3)} | ${r.firstMs.toFixed(1)} | ${r.fullScanMs.toFixed(1)} |`);
}

await main();
