// Per-trial storage overhead of a worker — ask (claimTrial, finding nothing waiting, then the sampler's view of
// the study through TrialView and createRunningTrial) + 10 reportStep + finishTrial — for memory, SQLite and
// PostgreSQL, with 1, 4 and 16 concurrent workers and as the study grows, beside Optuna 3.1's RDB storage
// (ask + 10 report + tell) on the same PostgreSQL server. Prefilled studies are VACUUM ANALYZEd on both sides.
// Run: npx tsx bench/storage-overhead.ts [--quick | --full] [--pg URL] [--sizes 0,1000,10000,100000] [--optuna-sizes 0,1000] [--trials 400]
//        [--backends memory,sqlite,postgres] [--no-optuna]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Storage } from '../src/storage/storage.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { redactUrl } from '../src/storage/redact.js';
import { TrialView } from '../src/storage/trial-view.js';
import { pythonPath } from './support/python.js';

const STEPS = 10;
const self = fileURLToPath(import.meta.url);

/** One trial's storage calls, as the engine's worker makes them for a sampler (random, TPE) study. */
async function oneTrial(s: Storage, view: TrialView, studyId: number, workerId: string, i: number): Promise<void> {
  if (await s.claimTrial(studyId, workerId)) throw new Error('nothing should wait');
  await view.refresh();
  const t = await s.createRunningTrial(studyId, workerId, { params: { x: i / 1e6, w: workerId }, seed: i, budget: STEPS });
  for (let step = 0; step < STEPS; step++) await s.reportStep(t.id, workerId, step, { val_accuracy: step / STEPS, val_loss: 1 - step / STEPS });
  if (!(await s.finishTrial(t.id, workerId, { state: 'complete', value: 0.9, metrics: { best_epoch: STEPS - 1 } }))) throw new Error('finishTrial refused');
}

/** Fills a study with `n` complete trials (each with 10 steps) through the public API, many at a time. */
async function prefill(s: Storage, studyId: number, n: number, concurrency: number): Promise<void> {
  const plans = Array.from({ length: n }, (_, i) => ({ params: { x: i, pre: true }, seed: i, budget: STEPS }));
  for (let at = 0; at < n; at += 5000) await s.enqueueTrials(studyId, plans.slice(at, at + 5000));
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    for (;;) {
      const t = await s.claimTrial(studyId, `pre${w}`);
      if (!t) return;
      for (let step = 0; step < STEPS; step++) await s.reportStep(t.id, `pre${w}`, step, { val_accuracy: step / STEPS });
      await s.finishTrial(t.id, `pre${w}`, { state: 'complete', value: 0.5 });
    }
  }));
}

/** Runs `trials` trials spread over `workers` async workers; returns ms per trial (wall) and mean latency. */
async function runInProcess(s: Storage, studyId: number, workers: number, trials: number): Promise<{ wallMs: number; latencyMs: number }> {
  let next = 0;
  let latency = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    const view = new TrialView(s, studyId);
    await view.refresh();
    for (let i = next++; i < trials; i = next++) {
      const a = performance.now();
      await oneTrial(s, view, studyId, `w${w}`, i);
      latency += performance.now() - a;
    }
  }));
  return { wallMs: (performance.now() - t0) / trials, latencyMs: latency / trials };
}

/** SQLite with several workers: separate processes on one file, started together. */
async function runSqliteProcesses(path: string, studyId: number, workers: number, trials: number): Promise<{ wallMs: number; latencyMs: number }> {
  const per = Math.ceil(trials / workers);
  const children = Array.from({ length: workers }, (_, w) => {
    const p = spawn(process.execPath, ['--import', 'tsx', self, '--child', path, String(studyId), String(per), `p${w}`], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let onReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => { onReady = r; });
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.startsWith('ready\n')) onReady(); });
    const done = new Promise<number>((resolve, reject) => p.on('close', (code) => code === 0 ? resolve(Number(out.slice(6).trim())) : reject(new Error(`child exited ${code}`))));
    return { ready, done, go: () => p.stdin.end('go\n') };
  });
  await Promise.all(children.map((c) => c.ready));
  const t0 = performance.now();
  for (const c of children) c.go();
  const latencies = await Promise.all(children.map((c) => c.done));
  return { wallMs: (performance.now() - t0) / (per * workers), latencyMs: latencies.reduce((a, b) => a + b, 0) / workers };
}

async function child(args: string[]): Promise<void> {
  const [path, studyIdText, perText, workerId] = args;
  const s = new SqliteStorage(path ?? '');
  const studyId = Number(studyIdText);
  const per = Number(perText);
  const view = new TrialView(s, studyId);
  await view.refresh();
  process.stdout.write('ready\n');
  await new Promise<void>((r) => process.stdin.once('data', () => r()));
  const t0 = performance.now();
  for (let i = 0; i < per; i++) await oneTrial(s, view, studyId, workerId ?? 'p', i);
  process.stdout.write(`${(performance.now() - t0) / per}\n`);
  await s.close();
}

/** VACUUM ANALYZE a schema's tables after a prefill, so autovacuum does not run inside the timed part. */
async function vacuum(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const t of ['hz_trials', 'hz_trial_steps', 'hz_studies']) await c.query(`VACUUM ANALYZE "${schema}"."${t}"`);
  } finally {
    await c.end();
  }
}

function optuna(url: string, prefillN: number, trials: number): number | null {
  const r = spawnSync(pythonPath(), [join(self, '..', 'storage-overhead', 'optuna_overhead.py'), url, String(prefillN), String(trials)], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.status !== 0) {
    console.error(`optuna run failed: ${r.stderr.slice(-500)}`);
    return null;
  }
  return (JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { per_trial_ms: number }).per_trial_ms;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv.slice(1));
  const quick = argv.includes('--quick');
  const full = argv.includes('--full');
  const pgIndex = argv.indexOf('--pg');
  const pgUrl = (pgIndex >= 0 ? argv[pgIndex + 1] : undefined) ?? process.env['HZ_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  const list = (flag: string): number[] | undefined => { const i = argv.indexOf(flag); return i >= 0 ? (argv[i + 1] ?? '').split(',').map(Number) : undefined; };
  const trials = list('--trials')?.[0] ?? (quick ? 16 : 400);
  const sizes = list('--sizes') ?? (quick ? [0, 50] : full ? [0, 1000, 10_000, 100_000] : [0, 1000, 10_000]);
  const optunaSizes = list('--optuna-sizes') ?? (quick ? [0] : full ? [0, 1000, 10_000] : [0, 1000]);
  const optunaTrials = quick ? 3 : 60;
  const backendIndex = argv.indexOf('--backends');
  const chosen = backendIndex >= 0 ? (argv[backendIndex + 1] ?? '').split(',') : ['memory', 'sqlite', 'postgres'];
  const unknown = chosen.filter((b) => !['memory', 'sqlite', 'postgres'].includes(b));
  if (unknown.length > 0) throw new Error(`Expected --backends to list memory, sqlite or postgres, got ${unknown.join(',')}`);
  const withOptuna = !argv.includes('--no-optuna');
  const workerCounts = [1, 4, 16];
  const dir = mkdtempSync(join(tmpdir(), 'hz-bench-'));
  const schemas: string[] = [];
  const tag = randomBytes(3).toString('hex');
  console.log(`storage overhead per trial (ask = claimTrial + TrialView.refresh + createRunningTrial; ${STEPS} reportStep; finishTrial); ${trials} timed trials per row${quick ? ' (quick)' : ''}`);
  console.log(`PostgreSQL: ${redactUrl(pgUrl)}; Optuna ${optunaTrials} trials per row (ask + ${STEPS} report + tell, RDBStorage)`);

  const allBackends: { name: string; open: () => Promise<Storage>; path?: string }[] = [
    { name: 'memory', open: async () => new MemoryStorage() },
    { name: 'sqlite', open: async () => new SqliteStorage(join(dir, `b${schemas.length}.db`)) },
    { name: 'postgres', open: async () => { const schema = `hz_bench_${tag}_${schemas.length}`; schemas.push(schema); return PostgresStorage.connect({ url: pgUrl, schema, poolSize: 20 }); } },
  ];
  const backends = allBackends.filter((b) => chosen.includes(b.name));
  const rows: { backend: string; workers: number; size: number; wallMs: number; latencyMs: number }[] = [];
  try {
    for (const b of backends) {
      // SQLite fills a study from one process: above 10k trials only memory and PostgreSQL are measured.
      for (const size of sizes.filter((n) => b.name !== 'sqlite' || n <= 10_000)) {
        for (const workers of size === 0 ? workerCounts : [1]) {
          const s = await b.open();
          schemas.push('');
          const st = await s.createStudy({ name: 'bench', direction: 'maximize', metric: 'val_accuracy', spec: null });
          if (size > 0) {
            await prefill(s, st.id, size, b.name === 'postgres' ? 16 : 1);
            if (b.name === 'postgres') await vacuum(pgUrl, schemas[schemas.length - 2] ?? '');
          }
          let r: { wallMs: number; latencyMs: number };
          if (b.name === 'sqlite' && workers > 1) r = await runSqliteProcesses((s as SqliteStorage).path, st.id, workers, trials);
          else r = await runInProcess(s, st.id, workers, trials);
          await s.close();
          rows.push({ backend: b.name, workers, size, ...r });
          console.log(`  ${b.name.padEnd(8)} workers=${String(workers).padStart(2)} study=${String(size).padStart(6)}  ${r.latencyMs.toFixed(3)} ms/trial latency, ${r.wallMs.toFixed(3)} ms/trial wall`);
        }
      }
    }
    const optunaRows = withOptuna ? optunaSizes.map((size) => ({ size, ms: optuna(pgUrl, size, optunaTrials) })) : [];
    for (const o of optunaRows) console.log(`  optuna   workers= 1 study=${String(o.size).padStart(6)}  ${o.ms === null ? 'failed' : o.ms.toFixed(3)} ms/trial`);

    console.log('\n| backend | workers | trials in study | latency ms/trial | wall ms/trial | Optuna RDB ms/trial | Optuna ÷ hyperzone |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const o = r.workers === 1 ? optunaRows.find((x) => x.size === r.size)?.ms ?? null : null;
      const ratio = o !== null && r.backend === 'postgres' ? `${(o / r.latencyMs).toFixed(1)}×` : '';
      console.log(`| ${r.backend} | ${r.workers} | ${r.size} | ${r.latencyMs.toFixed(3)} | ${r.wallMs.toFixed(3)} | ${o === null ? '' : o.toFixed(2)} | ${ratio} |`);
    }
    const pgRows = rows.filter((r) => r.backend === 'postgres' && r.workers === 1);
    const first = pgRows[0];
    const last = pgRows[pgRows.length - 1];
    if (first && last) console.log(`\npostgres growth: ${first.latencyMs.toFixed(3)} ms at ${first.size} trials → ${last.latencyMs.toFixed(3)} ms at ${last.size} (×${(last.latencyMs / first.latencyMs).toFixed(2)})`);
    for (const o of optunaRows) {
      const h = pgRows.find((r) => r.size === o.size);
      if (h && o.ms !== null) console.log(`target ≤ 1/5 of Optuna at ${o.size} trials: hyperzone/postgres ${h.latencyMs.toFixed(2)} ms vs Optuna ${o.ms.toFixed(2)} ms = 1/${(o.ms / h.latencyMs).toFixed(1)} ${o.ms / h.latencyMs >= 5 ? '(met)' : '(NOT met)'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    const used = schemas.filter((s) => s !== '');
    if (used.length > 0) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      for (const s of used) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
      await c.end();
    }
  }
}

await main();
