// Dashboard at scale: page-load and update latency of the dashboard's API on SQLite studies of 1k, 10k and 100k trials
// (each with per-epoch steps), filled through the storage API. Run:
//   node --import tsx bench/dashboard-scale.ts [--sizes 1000,10000,100000] [--epochs 10] [--cache DIR] [--postgres URL]
// The dashboard runs in a process of its own (bench/support/serve-dashboard.ts), as `hyperzone dashboard` does.
// Page load = the requests the study page makes when opened (summary, a page of trials, best so far, importance,
// surface, parallel coordinates, workers). Cold: a fresh server, which reads the study in pages in the background:
// `summary + table` is when the summary and the first page of the table are answered (what the page paints first, from
// the first page of trials, saying "reading trials: n of N"), `every request` when all of the page's requests are,
// `all in` when the summary says every trial is read, `longest wait` the slowest answer to the study list, asked
// every 100 ms meanwhile (how responsive the server stays). Warm: another browser opening it later (median of 3).
// Update = one trial finishes: the time for all of those requests, answered with it in (the page asks the summary every
// 0.5 s, so a person sees it within that plus this). The fill runs the storage API inside transactions of 5,000 trials
// (only to make 100,000 trials quick to write; the dashboard reads through its own connection); `--cache DIR` keeps the
// filled studies there and starts from copies of them next time (the same command on another commit compares the two
// on the same data). `--postgres URL` runs the same against PostgreSQL too, each size in a schema of its own
// (hz_dash_bench_N, kept for the next run): filled by copying the SQLite study's trials and steps in bulk statements
// into the storage's tables (the storage API would take an hour for 1.1 million step rows), then read by the
// dashboard through the storage as any study. Load shows.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { PostgresStorage } from '../src/storage/postgres.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import type { Storage } from '../src/storage/storage.js';
import { addTrials, createTestStudy } from '../src/dashboard/test-study.js';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? def) : def;
};
const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number);
const epochs = Number(arg('epochs', '10'));
const cacheDir = arg('cache', '');
const pgUrl = arg('postgres', '');

/** The dashboard in its own process: its URL, its resident memory (Linux), and a stop. */
/**
 * A PostgreSQL schema holding the SQLite file's study `bench` (the size's own schema, filled once): the study made
 * through the storage, its trials and steps copied in bulk (5,000 trials a statement) into the storage's tables.
 */
async function pgCopy(sqlitePath: string, n: number): Promise<{ url: string; schema: string; fillS: number }> {
  const schema = `hz_dash_bench_${n}_${epochs}`;
  const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  const storage = await PostgresStorage.connect({ url: pgUrl, schema });
  const t0 = performance.now();
  try {
    const have = await storage.getStudy('bench');
    const q = `"${schema}"`;
    if (have && Object.values(await storage.countTrials(have.id)).reduce((a, b) => a + b, 0) >= n) {
      // Filled by an earlier run: the trials its update measurements added are taken off again.
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(`DELETE FROM ${q}.hz_trials WHERE study_id = $1 AND number >= $2`, [have.id, n]);
      await client.query(`UPDATE ${q}.hz_studies SET next_number = $1 WHERE id = $2`, [n, have.id]);
      await client.end();
      return { url, schema, fillS: NaN };
    }
    if (have) await storage.deleteStudy('bench');
    const study = await createTestStudy(storage, 'bench');
    const src = new Database(sqlitePath, { readonly: true });
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    try {
      type T = Record<string, string | number | null>;
      const trials = src.prepare<[number, number], T>(`SELECT id, number, state, params, seed, budget, plan_key, dedupe_key, value, metrics, attrs, worker_id, attempts,
        created_at, started_at, finished_at, heartbeat_at FROM trials WHERE number >= ? ORDER BY number LIMIT ?`);
      const steps = src.prepare<[number, number], T>('SELECT trial_id, step, metrics, at FROM trial_steps WHERE trial_id BETWEEN ? AND ? ORDER BY trial_id, step');
      for (let from = 0; from < n; from += 5000) {
        const page = trials.all(from, 5000);
        const col = (k: string): unknown[] => page.map((r) => r[k]);
        const ids = await client.query<{ id: string }>(
          `INSERT INTO ${q}.hz_trials (study_id, number, state, params, seed, budget, plan_key, dedupe_key, value, metrics, attrs, worker_id, attempts,
             created_at, started_at, finished_at, heartbeat_at)
           SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::json[], $5::bigint[], $6::float8[], $7::text[], $8::text[], $9::float8[], $10::json[],
             $11::jsonb[], $12::text[], $13::int[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[]) RETURNING id`,
          [study.id, ...['number', 'state', 'params', 'seed', 'budget', 'plan_key', 'dedupe_key', 'value', 'metrics', 'attrs', 'worker_id', 'attempts',
            'created_at', 'started_at', 'finished_at', 'heartbeat_at'].map(col)]);
        const idOf = new Map(page.map((r, i) => [r['id'] as number, Number(ids.rows[i]?.id)]));
        const first = page[0]?.['id'] as number;
        const last = page[page.length - 1]?.['id'] as number;
        const ss = steps.all(first, last).filter((r) => idOf.has(r['trial_id'] as number));
        await client.query(
          `INSERT INTO ${q}.hz_trial_steps (trial_id, study_id, step, metrics, at) SELECT t, $1, s, m, a FROM unnest($2::bigint[], $3::int[], $4::json[], $5::bigint[]) AS u(t, s, m, a)`,
          [study.id, ss.map((r) => idOf.get(r['trial_id'] as number)), ss.map((r) => r['step']), ss.map((r) => r['metrics']), ss.map((r) => r['at'])]);
      }
      await client.query(`UPDATE ${q}.hz_studies SET next_number = $1 WHERE id = $2`, [n, study.id]);
      await client.query(`ANALYZE ${q}.hz_trials`);
      await client.query(`ANALYZE ${q}.hz_trial_steps`);
    } finally {
      await client.end();
      src.close();
    }
    return { url, schema, fillS: (performance.now() - t0) / 1000 };
  } finally {
    await storage.close();
  }
}

async function serve(path: string): Promise<{ url: string; rssMb: () => number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'serve-dashboard.ts'), path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/\S+\/)\n/.exec(out);
      if (m) resolve(m[1] as string);
    });
    void exited.then(() => reject(new Error('the dashboard exited before listening')));
  });
  const rssMb = (): number => {
    try {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? NaN : Number(kb) / 1024;
    } catch {
      return NaN;
    }
  };
  return { url, rssMb, stop: () => (child.kill('SIGTERM'), exited) };
}

const PAGE = (name: string): string[] => [
  `studies/${name}`, `studies/${name}/trials?sort=number&order=asc&page=1&limit=25`, `studies/${name}/best?by=epochs`,
  `studies/${name}/importance`, `studies/${name}/surface?x=hidden_units&y=batch_size&epoch=final`,
  `studies/${name}/surface?x=hidden_units&y=batch_size&epoch=5`, `studies/${name}/parallel`, `studies/${name}/workers`,
];

/** The page's requests, in parallel as a browser makes them: milliseconds and bytes. */
async function load(base: string, name: string): Promise<{ ms: number; firstMs: number; bytes: number; slowest: string }> {
  const t0 = performance.now();
  let slowest = '';
  let slowestMs = 0;
  // What the page paints first: the summary and the first page of the table (PAGE's first two requests).
  let firstMs = 0;
  const sizes = await Promise.all(PAGE(name).map(async (p, i) => {
    const s = performance.now();
    const r = await fetch(`${base}api/${p}`);
    const body = await r.text();
    if (!r.ok) throw new Error(`${p}: ${r.status} ${body}`);
    const ms = performance.now() - s;
    if (ms > slowestMs) [slowestMs, slowest] = [ms, p.split('/')[2]?.split('?')[0] ?? 'summary'];
    if (i < 2) firstMs = Math.max(firstMs, performance.now() - t0);
    return body.length;
  }));
  return { ms: performance.now() - t0, firstMs, bytes: sizes.reduce((a, b) => a + b, 0), slowest };
}

const rows: string[][] = [];

/** Page load and update latency of a dashboard over `url` (a SQLite file or a PostgreSQL URL); `writer` adds the trials. */
async function measure(backend: string, n: number, fillS: number, url: string, writer: Storage): Promise<void> {
  const study = await writer.getStudy('bench');
  if (!study) throw new Error(`no study "bench" in ${url}`);
  const dash = await serve(url);
  // The study list, asked every 100 ms while the study is read: its slowest answer.
  let listing = true;
  let longest = 0;
  const lister = (async () => {
    while (listing) {
      const s = performance.now();
      await (await fetch(`${dash.url}api/studies`)).text();
      longest = Math.max(longest, performance.now() - s);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const c0 = performance.now();
  const cold = await load(dash.url, 'bench');
  for (;;) {
    const s = await (await fetch(`${dash.url}api/studies/bench`)).json() as { loading: unknown; total: number };
    // (`loading` is absent on commits that read a study in one go.)
    if ((s.loading ?? null) === null && s.total === n) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const allIn = performance.now() - c0;
  listing = false;
  await lister;
  const full = await load(dash.url, 'bench');
  // Page load with a cache: another browser opening the page (median of 3).
  const warms = [await load(dash.url, 'bench'), await load(dash.url, 'bench'), await load(dash.url, 'bench')].sort((a, b) => a.ms - b.ms);
  const warm = warms[1] as { ms: number };
  // Updates: a trial finishes, then the page's requests are answered with it in (5 times, median).
  const updates: number[] = [];
  for (let k = 0; k < 5; k++) {
    await addTrials(writer, study, n + k, 1, epochs);
    const r = await load(dash.url, 'bench');
    const summary = await (await fetch(`${dash.url}api/studies/bench`)).json() as { total: number };
    if (summary.total !== n + k + 1) throw new Error(`update not seen: ${summary.total}`);
    updates.push(r.ms);
  }
  updates.sort((a, b) => a - b);
  const rssMb = dash.rssMb();
  rows.push([backend, n.toLocaleString('en-US'), Number.isNaN(fillS) ? 'cached' : `${fillS.toFixed(0)} s`, `${cold.firstMs.toFixed(0)} ms`, `${cold.ms.toFixed(0)} ms (${cold.slowest})`,
    `${(allIn / 1000).toFixed(1)} s`,
    `${longest.toFixed(0)} ms`, `${full.ms.toFixed(0)} ms`, `${warm.ms.toFixed(0)} ms`,
    `${(full.bytes / 1024).toFixed(0)} KiB`, `${(updates[2] as number).toFixed(0)} ms`, `${rssMb.toFixed(0)} MiB`]);
  process.stderr.write(`${backend} ${n}: ${rows[rows.length - 1]?.join(' | ')}\n`);
  await dash.stop();
  await writer.close();
}

const load0 = loadavg().map((x) => x.toFixed(1)).join(', ');
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'hz-dash-bench-'));
  const path = join(dir, 'bench.db');
  const cached = cacheDir ? join(cacheDir, `dashboard-${n}-${epochs}.db`) : '';
  let fillS = NaN;
  if (cached && existsSync(cached)) copyFileSync(cached, path);
  else {
    const filler = new SqliteStorage(path);
    const made = await createTestStudy(filler, 'bench');
    const f0 = performance.now();
    // The storage API's own transactions nest inside these as savepoints (better-sqlite3).
    const db = (filler as unknown as { db: { exec(sql: string): void } }).db;
    for (let i = 0; i < n; i += 5000) {
      db.exec('BEGIN IMMEDIATE');
      await addTrials(filler, made, i, Math.min(5000, n - i), epochs);
      db.exec('COMMIT');
    }
    fillS = (performance.now() - f0) / 1000;
    db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    await filler.close();
    if (cached) {
      mkdirSync(cacheDir, { recursive: true });
      copyFileSync(path, cached);
    }
  }
  await measure('SQLite', n, fillS, path, new SqliteStorage(path));
  if (pgUrl) {
    const copy = await pgCopy(path, n);
    await measure('PostgreSQL', n, copy.fillS, copy.url, await PostgresStorage.connect({ url: pgUrl, schema: copy.schema }));
  }
  rmSync(dir, { recursive: true, force: true });
}

const head = ['storage', 'trials', 'fill', 'cold: summary + table', 'cold: every request (slowest)', 'cold: all in', 'longest wait', 'page load once in', 'page load, warm', 'JSON sent', 'update (median of 5)', 'server memory'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(', ')} (at the start: ${load0})`);
console.log(`Dashboard API, ${epochs} epochs per trial (node ${process.version})`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
