// `hyperzone status` (and `export`, CSV and JSON) as a study grows: a SQLite and a PostgreSQL study are filled through the storage
// API to each size (complete trials with a few steps each, plus a few running and waiting ones), and each command runs
// in a fresh process that reports its own time and peak RSS. `baseline` is the same process opening the storage and
// doing nothing, so the growth of a column is what the command itself costs.
// --fast-fill enqueues through the API but completes the trials with one SQL UPDATE (and their steps with one INSERT):
// the per-trial API path (claim, report, finish) takes 5–15 minutes for 100,000 trials on a busy 2-core machine.
// Run: npx tsx bench/status-scale.ts [--sizes 1000,10000,100000] [--backends sqlite,postgres] [--pg URL] [--steps 3] [--repeats 3] [--no-export] [--fast-fill]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Storage } from '../src/storage/storage.js';
import { SqliteStorage } from '../src/storage/sqlite.js';
import { PostgresStorage } from '../src/storage/postgres.js';
import { findTestPostgres } from '../src/storage/test-postgres.js';

const self = fileURLToPath(import.meta.url);
type Command = 'baseline' | 'status' | 'export' | 'export-json';

/** Child mode: run one command against the storage with its output discarded; print {ms, rssMb} as JSON. */
async function child(command: Command, storage: string, study: string): Promise<void> {
  const { statusCommand, exportCommand } = await import('../src/cli/commands/inspect.js');
  const { withStorage } = await import('../src/cli/context.js');
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  const started = performance.now();
  if (command === 'status') await statusCommand({ storage, study });
  else if (command === 'export') await exportCommand({ storage, study, out: '/dev/null', format: 'csv' });
  else if (command === 'export-json') await exportCommand({ storage, study, out: '/dev/null', format: 'json' });
  else await withStorage(storage, async (s) => s.getStudy(study), { readOnly: true });
  const ms = performance.now() - started;
  process.stdout.write = write;
  write(JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

/** Fills the study to `to` trials: complete ones with `steps` steps, and the last 4 left running, the last 4 waiting. */
async function fill(s: Storage, studyId: number, from: number, to: number, steps: number, final: boolean, enqueueOnly = false): Promise<void> {
  const plans = Array.from({ length: to - from }, (_, i) =>
    ({ params: { x: (from + i) / to, units: 64 * (1 + ((from + i) % 8)) }, seed: from + i, budget: steps }));
  for (let at = 0; at < plans.length; at += 5000) await s.enqueueTrials(studyId, plans.slice(at, at + 5000));
  if (enqueueOnly) return;
  const leave = final ? 8 : 0;
  let left = to - from - leave;
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    while (left > 0) {
      left--;
      const t = await s.claimTrial(studyId, `bench:${w}:0`);
      if (!t) return;
      const x = Number(t.params['x']);
      for (let step = 0; step < steps; step++) await s.reportStep(t.id, `bench:${w}:0`, step, { val_accuracy: x * (step + 1) / steps, val_loss: 1 - x });
      if (!(await s.finishTrial(t.id, `bench:${w}:0`, { state: 'complete', value: x, metrics: { best_epoch: steps - 1 } }))) throw new Error('finish refused');
    }
  }));
  if (final) for (let i = 0; i < 4; i++) await s.claimTrial(studyId, 'bench:running:0');
}

/** Fast fill: the waiting trials numbered below `to` (minus the last 8) completed in bulk SQL, as the API would leave them. */
async function bulkComplete(backend: string, url: string, pgUrl: string | null, schema: string, studyId: number, to: number, steps: number,
  final: boolean): Promise<void> {
  const upto = final ? to - 8 : to;
  const metricsOf = `'{"val_accuracy": 0.5, "val_loss": 0.5}'`;
  if (backend === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    const d = new Database(url);
    d.transaction(() => {
      d.prepare(`UPDATE trials SET state = 'complete', value = json_extract(params, '$.x'), metrics = '{"best_epoch": ${steps - 1}}', worker_id = 'bench:0:0', attempts = 1,
        started_at = created_at, finished_at = created_at + 1000, heartbeat_at = created_at + 1000 WHERE study_id = ? AND state = 'waiting' AND number < ?`).run(studyId, upto);
      d.prepare(`INSERT OR IGNORE INTO trial_steps (trial_id, study_id, step, metrics, at) SELECT t.id, t.study_id, s.value, ${metricsOf}, t.created_at
        FROM trials t, json_each(?) s WHERE t.study_id = ? AND t.state = 'complete'`).run(JSON.stringify(Array.from({ length: steps }, (_, i) => i)), studyId);
    })();
    d.close();
    return;
  }
  const c = new pg.Client({ connectionString: pgUrl as string });
  await c.connect();
  await c.query(`UPDATE "${schema}".hz_trials SET state = 'complete', value = (params->>'x')::float8, metrics = '{"best_epoch": ${steps - 1}}', worker_id = 'bench:0:0', attempts = 1,
    started_at = created_at, finished_at = created_at + 1000, heartbeat_at = created_at + 1000 WHERE study_id = $1 AND state = 'waiting' AND number < $2`, [studyId, upto]);
  await c.query(`INSERT INTO "${schema}".hz_trial_steps (trial_id, study_id, step, metrics, at) SELECT t.id, t.study_id, s, ${metricsOf}, t.created_at
    FROM "${schema}".hz_trials t, generate_series(0, $2::int - 1) s WHERE t.study_id = $1 AND t.state = 'complete' ON CONFLICT DO NOTHING`, [studyId, steps]);
  await c.end();
}

function measure(command: Command, storage: string, study: string, repeats: number): { ms: number; rssMb: number } {
  const runs: { ms: number; rssMb: number }[] = [];
  for (let i = 0; i < repeats; i++) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', command, storage, study], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ms: number; rssMb: number });
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[Math.floor(runs.length / 2)] as { ms: number; rssMb: number };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? (args[i + 1] as string) : dflt; };
  if (args[0] === '--child') return child(args[1] as Command, args[2] as string, args[3] as string);
  const sizes = opt('sizes', '1000,10000,100000').split(',').map(Number);
  const backends = opt('backends', 'sqlite,postgres').split(',');
  const steps = Number(opt('steps', '3'));
  const repeats = Number(opt('repeats', '3'));
  const fast = args.includes('--fast-fill');
  const commands: Command[] = args.includes('--no-export') ? ['baseline', 'status'] : ['baseline', 'status', 'export', 'export-json'];
  const pgUrl = args.includes('--pg') ? opt('pg', '') : await findTestPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'hz-status-scale-'));
  const schema = `hz_bench_status_${randomBytes(3).toString('hex')}`;
  console.log(`| backend | trials | ${commands.map((c) => `${c} ms | ${c} peak RSS MB`).join(' | ')} |`);
  console.log(`|---|---:|${commands.map(() => '---:|---:').join('|')}|`);
  try {
    for (const backend of backends) {
      if (backend === 'postgres' && !pgUrl) { console.log('| postgres | (no server reachable: skipped) |'); continue; }
      const url = backend === 'sqlite' ? join(dir, 'status.db') : `${pgUrl}${(pgUrl as string).includes('?') ? '&' : '?'}schema=${schema}`;
      const s: Storage = backend === 'sqlite' ? new SqliteStorage(url) : await PostgresStorage.connect({ url: pgUrl as string, schema });
      const study = await s.createStudy({ name: 'scale', direction: 'maximize', metric: 'val_accuracy', spec: null });
      let have = 0;
      for (const [i, size] of sizes.entries()) {
        const t0 = Date.now();
        const final = i === sizes.length - 1;
        if (fast) {
          await fill(s, study.id, have, size, 0, false, true);
          await bulkComplete(backend, url, pgUrl, schema, study.id, size, steps, final);
          if (final) for (let k = 0; k < 4; k++) await s.claimTrial(study.id, 'bench:running:0');
        } else {
          await fill(s, study.id, have, size, steps, final);
        }
        have = size;
        process.stderr.write(`${backend}: filled to ${size} trials in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
        if (backend === 'postgres') {
          const c = new pg.Client({ connectionString: pgUrl as string });
          await c.connect();
          await c.query(`VACUUM ANALYZE "${schema}".hz_trials`);
          await c.query(`VACUUM ANALYZE "${schema}".hz_trial_steps`);
          await c.end();
        }
        const cells = commands.map((c) => measure(c, url, 'scale', repeats)).map((m) => `${m.ms.toFixed(0)} | ${m.rssMb.toFixed(0)}`);
        console.log(`| ${backend} | ${size} | ${cells.join(' | ')} |`);
      }
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (pgUrl && backends.includes('postgres')) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
}

await main();
