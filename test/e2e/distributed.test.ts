// End-to-end: distributed studies on a real PostgreSQL (127.0.0.1:5432, database `test`), with the compiled CLI
// (dist/, built by `npm test`). Each test works in its own schema (`?schema=` in the storage URL), dropped at the end.
// Workers use a tiny shell objective (the command trainer) and a 200 ms heartbeat (env HYPERZONE_HEARTBEAT_MS).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createCommand } from '../../src/cli/commands/run.js';
import * as peers from '../support/peers.js';
import { pgProxy } from '../support/pg-proxy.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-dist-'));
const runId = randomBytes(3).toString('hex');
const schemas: string[] = [];
after(() => rmSync(dir, { recursive: true, force: true }));


const postgres = await peers.postgres();
const skip = peers.skipUnless(postgres);
const serverUrl = postgres.url ?? 'postgres://postgres@127.0.0.1:5432/test';
const withParam = (url: string, k: string, v: string): string => { const u = new URL(url); u.searchParams.set(k, v); return u.toString(); };
/** A fresh schema and the storage URL naming it. */
function newStorage(): { url: string; schema: string } {
  const schema = `hz_dist_${runId}_${schemas.length}`;
  schemas.push(schema);
  return { url: withParam(serverUrl, 'schema', schema), schema };
}

const objective = join(dir, 'objective.sh');
// value = 100·x + y·step; STEPS steps of STEP_SLEEP seconds each.
writeFileSync(objective, `#!/bin/sh
i=1
while [ $i -le \${STEPS:-1} ]; do
  sleep \${STEP_SLEEP:-0}
  echo "{\\"step\\":$i,\\"value\\":$((HZ_PARAM_X * 100 + HZ_PARAM_Y * i))}"
  i=$((i+1))
done
`);

function specFile(name: string, o: { xs: number[]; ys: number[]; steps: number; sleep: number; maxAttempts?: number }): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
objective: { metric: value, direction: maximize }
space:
  x: [${o.xs.join(', ')}]
  y: [${o.ys.join(', ')}]
sampler: { type: grid }
trainer: { type: command, command: [/bin/sh, ${JSON.stringify(objective)}], env: { STEPS: "${o.steps}", STEP_SLEEP: "${o.sleep}" } }
parallel: 1
max_attempts: ${o.maxAttempts ?? 3}
`);
  return p;
}

// A long stale timeout by default: on a loaded machine a live worker's beat can lag well over a second.
// Dead local workers are found by pid at once; only the stalled-worker test needs the short timeout.
const timing = { HYPERZONE_HEARTBEAT_MS: '200', HYPERZONE_STALE_MS: '30000', HYPERZONE_PG_RETRY_MS: '30000' };

interface Worker { proc: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> }
function startWorker(url: string, study: string, extraEnv: Record<string, string> = {}): Worker {
  const proc = spawn(process.execPath, [CLI, 'worker', '--storage', url, '--study', study, '--quiet', '--log-dir', join(dir, 'logs')],
    { cwd: dir, env: { ...process.env, ...timing, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => proc.on('close', (code) => r({ code, stdout, stderr })));
  return { proc, done };
}

function hz(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...timing, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `hyperzone create` (createCommand; the lead wires it into the CLI); returns what it printed. */
async function create(url: string, spec: string): Promise<string> {
  const lines: string[] = [];
  assert.equal(await createCommand(spec, { storage: url }, (l) => lines.push(l)), 0);
  return lines.join('\n');
}

interface Row {
  number: number; state: string; attempts: number; x: number; y: number; value: number | null; worker_id: string | null; error: string | null; steps: number;
}
async function rows(schema: string, study: string): Promise<Row[]> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    const r = await c.query<{
      number: string; state: string; attempts: number; params: { x: number; y: number }; value: number | null; worker_id: string | null;
      error: string | null; steps: string;
    }>(
      `SELECT t.number, t.state, t.attempts, t.params, t.value, t.worker_id, t.error, (SELECT COUNT(*) FROM "${schema}".hz_trial_steps s WHERE s.trial_id = t.id) AS steps
       FROM "${schema}".hz_trials t JOIN "${schema}".hz_studies st ON st.id = t.study_id WHERE st.name = $1 ORDER BY t.number`, [study]);
    return r.rows.map((x) => ({
      number: Number(x.number), state: x.state, attempts: x.attempts, x: x.params.x, y: x.params.y, value: x.value, worker_id: x.worker_id,
      error: x.error, steps: Number(x.steps),
    }));
  } finally {
    await c.end();
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A worker's exit code is 0; else the failure names what it printed and why each unfinished trial is not complete. */
async function assertWorkerOk(r: { code: number | null; stdout: string; stderr: string }, schema: string, study: string): Promise<void> {
  if (r.code === 0) return;
  const bad = (await rows(schema, study)).filter((t) => t.state !== 'complete').map((t) => `#${t.number} ${t.state}: ${t.error ?? ''}`);
  assert.fail(`a worker exited ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout}\ntrials not complete: ${bad.join('\n') || 'none'}`);
}

/** The expected objective value of a grid point (the best step is the last). */
const expected = (x: number, y: number, steps: number): number => 100 * x + y * steps;

function assertAllCompleteOnce(rs: Row[], xs: number[], ys: number[], steps: number): void {
  const keys = rs.map((r) => `${r.x},${r.y}`);
  assert.equal(new Set(keys).size, keys.length, `no grid point twice: ${keys.join(' ')}`);
  assert.equal(rs.length, xs.length * ys.length, 'every grid point once');
  for (const r of rs) {
    assert.equal(r.state, 'complete', `trial #${r.number} (x=${r.x}, y=${r.y}) ended ${r.state}: ${r.error ?? ''}`);
    assert.equal(r.value, expected(r.x, r.y, steps), `trial #${r.number} value`);
    assert.equal(r.steps, steps, `trial #${r.number} has each step once`);
  }
}

describe('distributed studies on PostgreSQL', { skip, concurrency: false }, () => {
  before(() => {
    assert.ok(existsSync(CLI), 'dist/cli/main.js exists (npm test builds it)');
  });
  after(async () => {
    if (skip || schemas.length === 0) return;
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.end();
  });

  it('16 workers on a grid: every point evaluated exactly once, results equal a serial run', { timeout: 90_000 }, async () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    const ys = [1, 2, 3, 4, 5, 6];
    const { url, schema } = newStorage();
    const spec = specFile('grid16', { xs, ys, steps: 2, sleep: 0 });
    const said = await create(url.replace('://postgres@', '://postgres:pw123secret@'), spec);
    assert.match(said, /created study grid16 in postgres:\/\/postgres:\*\*\*@.*; 48 trials enqueued/);
    assert.match(said, /hyperzone worker --storage .* --study grid16/);
    assert.doesNotMatch(said, /pw123secret/);
    assert.match(await create(url, spec), /study exists grid16/, 'create again: nothing new enqueued');
    assert.equal((await rows(schema, 'grid16')).filter((r) => r.state === 'waiting').length, 48, 'create enqueues the whole grid up front, once');
    const workers = Array.from({ length: 16 }, () => startWorker(url, 'grid16'));
    const results = await Promise.all(workers.map((w) => w.done));
    for (const r of results) await assertWorkerOk(r, schema, 'grid16');
    const distributed = await rows(schema, 'grid16');
    assertAllCompleteOnce(distributed, xs, ys, 2);
    for (const r of distributed) assert.equal(r.attempts, 1, `trial #${r.number} claimed once`);
    assert.ok(new Set(distributed.map((r) => r.worker_id)).size > 1, 'the work was shared');

    const serial = hz(['run', spec, '--storage', `sqlite:${join(dir, 'serial.db')}`, '--parallel', '1', '--quiet']);
    assert.equal(serial.code, 0, serial.stderr);
    const exported = hz(['export', '--storage', `sqlite:${join(dir, 'serial.db')}`, '--format', 'json']);
    const serialTrials = (JSON.parse(exported.stdout) as { trials: { params: { x: number; y: number }; value: number; state: string }[] }).trials;
    const asSet = (ts: { x: number; y: number; value: number | null }[]) => ts.map((t) => `${t.x},${t.y}=${t.value}`).sort();
    assert.deepEqual(asSet(distributed), asSet(serialTrials.map((t) => ({ ...t.params, value: t.value }))));
  });

  it('kill -9 a worker mid-trial: its trial returns to waiting and completes elsewhere; retries are bounded', { timeout: 60_000 }, async () => {
    const xs = [1, 2];
    const ys = [1, 2];
    const { url, schema } = newStorage();
    await create(url, specFile('kill', { xs, ys, steps: 3, sleep: 0.3 }));
    const a = startWorker(url, 'kill');
    const victim = await waitFor('a running trial with a step', async () => (await rows(schema, 'kill')).find((r) => r.state === 'running' && r.steps >= 1));
    a.proc.kill('SIGKILL');
    await a.done;
    const b = startWorker(url, 'kill');
    const rb = await b.done;
    await assertWorkerOk(rb, schema, 'kill');
    const rs = await rows(schema, 'kill');
    assertAllCompleteOnce(rs, xs, ys, 3);
    const again = rs.find((r) => r.number === victim.number) as Row;
    assert.equal(again.attempts, 2, 'the killed trial was claimed a second time');
    assert.notEqual(again.worker_id, victim.worker_id);

    // With max_attempts 1, a trial whose worker dies is failed with the reason instead of retried.
    const one = newStorage();
    await create(one.url, specFile('kill1', { xs: [1], ys: [1, 2], steps: 3, sleep: 0.3, maxAttempts: 1 }));
    const c = startWorker(one.url, 'kill1');
    // Started (attempts 1): a claim killed before its trial started would not count as an attempt.
    const lost = await waitFor('a started trial', async () => (await rows(one.schema, 'kill1')).find((r) => r.state === 'running' && r.attempts >= 1));
    c.proc.kill('SIGKILL');
    await c.done;
    const d = startWorker(one.url, 'kill1');
    const rd = await d.done;
    assert.equal(rd.code, 1, 'a failed trial makes the exit code 1');
    const failed = (await rows(one.schema, 'kill1')).find((r) => r.number === lost.number) as Row;
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /lost \(no heartbeat\) after 1 attempt/);
  });

  it('a worker presumed dead (stopped, no heartbeat) loses its trial; its late result neither duplicates nor overwrites', { timeout: 60_000 }, async () => {
    const { url, schema } = newStorage();
    await create(url, specFile('stall', { xs: [1], ys: [1, 2], steps: 4, sleep: 0.4 }));
    const a = startWorker(url, 'stall');
    const held = await waitFor('a running trial with a step', async () => (await rows(schema, 'stall')).find((r) => r.state === 'running' && r.steps >= 1));
    a.proc.kill('SIGSTOP');
    try {
      const b = startWorker(url, 'stall', { HYPERZONE_STALE_MS: '1500' });
      // b takes the other trial, then the stalled one once its heartbeat is 1.5 s old.
      await waitFor('the stalled trial to be completed by another worker', async () => {
        const r = (await rows(schema, 'stall')).find((x) => x.number === held.number);
        return r?.state === 'complete' && r.worker_id !== held.worker_id;
      }, 30_000);
      a.proc.kill('SIGCONT');
      const [ra, rb] = await Promise.all([a.done, b.done]);
      await assertWorkerOk(rb, schema, 'stall');
      await assertWorkerOk(ra, schema, 'stall');
    } finally {
      a.proc.kill('SIGCONT');
    }
    const rs = await rows(schema, 'stall');
    assertAllCompleteOnce(rs, [1], [1, 2], 4);
    const r = rs.find((x) => x.number === held.number) as Row;
    assert.notEqual(r.worker_id, held.worker_id, 'the result recorded is the second worker\'s');
    assert.equal(r.attempts, 2);
  });

  // A restart of the shared server would take it away from the test files running at the same time (it made
  // another file's PostgreSQL check fail in CI), so the restart is made at a proxy: every connection is dropped and
  // new ones are refused for 3 s, as while a server restarts.
  it('PostgreSQL restarts in the middle of a study: workers wait for it and finish; nothing lost or duplicated', { timeout: 90_000, skip }, async () => {
    const xs = [1, 2, 3, 4];
    const ys = [1, 2, 3];
    const { url, schema } = newStorage();
    await create(url, specFile('restart', { xs, ys, steps: 3, sleep: 0.2 }));
    const proxy = await pgProxy(serverUrl);
    const viaProxy = withParam(proxy.url, 'schema', schema);
    const workers = [startWorker(viaProxy, 'restart'), startWorker(viaProxy, 'restart')];
    try {
      await waitFor('some trials complete', async () => (await rows(schema, 'restart')).filter((r) => r.state === 'complete').length >= 2);
      assert.ok(await proxy.restart(3000) > 0, 'the workers\' connections were dropped');
      const results = await Promise.all(workers.map((w) => w.done));
      for (const x of results) assert.equal(x.code, 0, x.stderr);
    } finally {
      for (const w of workers) w.proc.kill('SIGKILL');
      await proxy.cut();
    }
    assertAllCompleteOnce(await rows(schema, 'restart'), xs, ys, 3);
  });

  it('status shows workers, their heartbeats and the trials in flight, never the password', { timeout: 30_000 }, async () => {
    const { url, schema } = newStorage();
    await create(url, specFile('watch', { xs: [1, 2], ys: [1], steps: 10, sleep: 0.3 }));
    const w = startWorker(url, 'watch');
    try {
      await waitFor('a running trial', async () => (await rows(schema, 'watch')).find((r) => r.state === 'running'));
      const withPassword = url.replace('://postgres@', '://postgres:s3cretPW@');
      const s = hz(['status', '--storage', withPassword, '--study', 'watch']);
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /workers:/);
      assert.match(s.stdout, /last heartbeat/);
      assert.match(s.stdout, /\d+(\.\d+)?s ago|0s ago/);
      assert.match(s.stdout, /in flight:/);
      assert.match(s.stdout, /x=\d y=1/);
      assert.doesNotMatch(s.stdout + s.stderr, /s3cretPW/);
    } finally {
      w.proc.kill('SIGKILL');
      await w.done;
    }
  });

  it('a worker for a missing study, a wrong database, user or port fails at once with exit 2 and no password', { timeout: 30_000 }, async () => {
    const { url } = newStorage();
    await create(url, specFile('present', { xs: [1], ys: [1], steps: 1, sleep: 0 }));
    const missing = hz(['worker', '--storage', url, '--study', 'absent']);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /No study named `absent`; studies here: present/);

    const secret = 'hunter2-Secret';
    const base = new URL(serverUrl);
    const variants = [
      { name: 'wrong database', url: `postgres://${base.username || 'postgres'}:${secret}@${base.host}/hz_no_such_db_${runId}`, msg: /database .* does not exist|database does not exist/ },
      { name: 'wrong user', url: `postgres://hz_no_such_user:${secret}@${base.host}/test`, msg: /hz_no_such_user|password/ },
      { name: 'wrong port', url: `postgres://postgres:${secret}@127.0.0.1:1/test`, msg: /Cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1/ },
    ];
    for (const v of variants) {
      const t0 = Date.now();
      const r = hz(['worker', '--storage', v.url, '--study', 'present']);
      assert.equal(r.code, 2, `${v.name}: ${r.stderr}`);
      assert.match(r.stderr, v.msg, v.name);
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret), `${v.name} never prints the password`);
      assert.ok(Date.now() - t0 < 15_000, `${v.name} fails at once`);
    }
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${secret}\n`);
    const r = hz(['worker', '--storage', `postgres://hz_no_such_user@${base.host}/test?password_file=${encodeURIComponent(pwFile)}`, '--study', 'present']);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(secret));
    const e = hz(['worker', '--storage', `postgres://hz_no_such_user@${base.host}/test`, '--study', 'present'], { PGPASSWORD: secret });
    assert.equal(e.code, 2, e.stderr);
    assert.doesNotMatch(e.stdout + e.stderr, new RegExp(secret));
  });
});

describe('distributed studies on one SQLite file', () => {
  it('4 worker processes share a SQLite file (WAL, busy timeout): every grid point once', { timeout: 60_000 }, async () => {
    const xs = [1, 2, 3, 4];
    const ys = [1, 2, 3];
    const url = `sqlite:${join(dir, 'shared.db')}`;
    await create(url, specFile('shared', { xs, ys, steps: 2, sleep: 0 }));
    const workers = Array.from({ length: 4 }, () => startWorker(url, 'shared'));
    for (const r of await Promise.all(workers.map((w) => w.done))) assert.equal(r.code, 0, r.stderr);
    const exported = hz(['export', '--storage', url, '--study', 'shared', '--format', 'json']);
    assert.equal(exported.code, 0, exported.stderr);
    type Exported = { trials: { params: { x: number; y: number }; value: number; state: string; attempts: number; steps: unknown[] }[] };
    const trials = (JSON.parse(exported.stdout) as Exported).trials;
    const rows = trials.map((t, number) => ({
      number, state: t.state, attempts: t.attempts, x: t.params.x, y: t.params.y, value: t.value, worker_id: null, error: null, steps: t.steps.length,
    }));
    assertAllCompleteOnce(rows, xs, ys, 2);
    for (const t of trials) assert.equal(t.attempts, 1);
  });
});

// Issue 17: 8 separate worker processes on a sampler-proposed study used to draw the same points (the random stream
// came from the trial count they all saw). Each proposal now belongs to the trial number it gets.
const continuousObjective = join(dir, 'continuous.sh');
writeFileSync(continuousObjective, `#!/bin/sh
echo "{\\"final\\":{\\"value\\":$HZ_PARAM_X}}"
`);

function continuousSpec(name: string, trials: number): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
objective: { metric: value, direction: maximize }
space:
  x: { type: float, low: 0, high: 1 }
  y: { type: float, low: 0.001, high: 1, log: true }
sampler: { type: random, trials: ${trials} }
trainer: { type: command, command: [/bin/sh, ${JSON.stringify(continuousObjective)}] }
parallel: 1
seed: 5
`);
  return p;
}

/** 8 worker processes on a random search of 100 trials: 100 trials, 100 distinct configurations and seeds. */
async function eightWorkersDistinct(url: string, name: string): Promise<void> {
  const created = hz(['create', continuousSpec(name, 100), '--storage', url]);
  assert.equal(created.code, 0, created.stderr);
  const workers = Array.from({ length: 8 }, () => startWorker(url, name));
  const ends = await Promise.all(workers.map((w) => w.done));
  for (const r of ends) assert.equal(r.code, 0, r.stderr);
  const exported = hz(['export', '--storage', url, '--study', name, '--format', 'json']);
  assert.equal(exported.code, 0, exported.stderr);
  const trials = (JSON.parse(exported.stdout) as { trials: { params: { x: number; y: number }; value: number; state: string; seed: number }[] }).trials;
  assert.equal(trials.length, 100);
  assert.ok(trials.every((t) => t.state === 'complete' && t.value === t.params.x));
  assert.equal(new Set(trials.map((t) => `${t.params.x},${t.params.y}`)).size, 100, 'every trial a distinct configuration');
  assert.equal(new Set(trials.map((t) => t.seed)).size, 100, 'every trial its own seed');
  // The same study on one worker gives the same 100 configurations (one worker's run is the reference).
  const solo = hz(['run', continuousSpec(`${name}_solo`, 100), '--storage', `sqlite:${join(dir, `${name}-solo.db`)}`, '--quiet']);
  assert.equal(solo.code, 0, solo.stderr);
  const one = hz(['export', '--storage', `sqlite:${join(dir, `${name}-solo.db`)}`, '--study', `${name}_solo`, '--format', 'json']);
  const oneTrials = (JSON.parse(one.stdout) as { trials: { params: { x: number; y: number } }[] }).trials;
  const key = (ts: { params: { x: number; y: number } }[]) => ts.map((t) => `${t.params.x},${t.params.y}`);
  assert.deepEqual(key(trials), key(oneTrials), 'trial k of the distributed study is trial k of one worker\'s');
}

describe('distinct proposals from separate worker processes', { concurrency: false }, () => {
  it('8 workers on one SQLite file: 100 distinct configurations', { timeout: 120_000 }, async () => {
    await eightWorkersDistinct(`sqlite:${join(dir, 'distinct.db')}`, 'distinct_sqlite');
  });
  it('8 workers on PostgreSQL: 100 distinct configurations', { timeout: 120_000, skip }, async () => {
    const { url, schema } = newStorage();
    try {
      await eightWorkersDistinct(url, 'distinct_pg');
    } finally {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  });
});
