// End-to-end fault injection (issue 17), on SQLite and on PostgreSQL: 8 `hyperzone worker` processes of the compiled
// CLI (dist/, built by `npm test`) run a random search on a continuous space while the test kills workers with
// SIGKILL at random, stops them with SIGSTOP for up to 3 s (longer than the stale timeout, so their trials are rerun
// elsewhere and their late results must be refused) and resumes them, and, on PostgreSQL, cuts every worker's
// connections for a second (pg_terminate_backend on the workers' application_name: the shared server is never
// restarted, other tests use it). Trials print NUL bytes and binary output, fail with it, and flood their logs.
// It then asserts: 0 duplicated results, 0 lost, 0 stuck, 100% distinct proposals, no trial process alive 2 s after
// its worker died, every log within its cap.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openStorage } from '../../src/storage/open.js';
import type { TrialRecord } from '../../src/core/types.js';
import * as peers from '../support/peers.js';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'hz-faults-'));
const runId = randomBytes(3).toString('hex');
after(() => rmSync(dir, { recursive: true, force: true }));

const postgres = await peers.postgres();
const pgSkip = peers.skipUnless(postgres);
const serverUrl = postgres.url ?? 'postgres://postgres@127.0.0.1:5432/test';

const TRIALS = 60;
const WORKERS = 8;
const LOG_CAP = 65_536;
const STALE_MS = 2500;

const objective = join(dir, 'objective.sh');
// By trial number: n % 10 = 3 fails after NUL and binary bytes on stderr; 5 fails on a metric line holding binary
// bytes; 7 floods its log (400 kB, capped at LOG_CAP) first. The others report 3 steps of value x. Every start is
// recorded as "number pid worker-pid grandchild-pid", the grandchild being a sleep that must die with the trial.
writeFileSync(objective, `#!/bin/sh
n=$HZ_TRIAL_NUMBER
sleep 30 &
echo "$n $$ $PPID $!" >> "$PIDS"
case $((n % 10)) in
  3) printf 'before\\000after \\377\\376 binary\\n' >&2; exit 3 ;;
  5) printf '{"step": 1, "value": \\000\\377}\\n'; exit 0 ;;
  7) yes 'a flood of log output, line after line' | head -c 400000; echo ;;
esac
i=1
while [ $i -le 3 ]; do
  sleep 0.2
  echo "{\\"step\\":$i,\\"value\\":$HZ_PARAM_X}"
  i=$((i+1))
done
`);

function specFile(name: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `study: ${name}
objective: { metric: value, direction: maximize }
space:
  x: { type: float, low: 0, high: 1 }
  y: { type: float, low: 0.001, high: 1, log: true }
sampler: { type: random, trials: ${TRIALS} }
trainer: { type: command, command: [/bin/sh, ${JSON.stringify(objective)}], log_max_bytes: ${LOG_CAP} }
parallel: 1
max_attempts: 10
seed: 17
`);
  return p;
}

interface Worker { proc: ChildProcess; pid: number; exited: boolean; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> }

/** Whether a process runs (a zombie waiting to be reaped counts as dead). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \([^)]*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The trial processes started so far, from the objective's record: its pid, its worker's pid, its child's pid. */
function startedTrials(file: string): { number: number; pid: number; parent: number; child: number }[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [number, pid, parent, child] = l.split(' ').map(Number) as [number, number, number, number];
    return { number, pid, parent, child };
  });
}

/** One chaos run against a storage URL; returns what the assertions need. */
async function chaos(name: string, url: string, o: { cutConnections?: (appName: string) => Promise<number> } = {}) {
  const spec = specFile(name);
  const logDir = join(dir, `logs-${name}`);
  mkdirSync(logDir, { recursive: true });
  const pids = join(dir, `${name}.pids`);
  writeFileSync(pids, '');
  const appName = `hz_faults_${runId}_${name}`;
  const env = {
    ...process.env, PIDS: pids, PGAPPNAME: appName,
    HYPERZONE_HEARTBEAT_MS: '200', HYPERZONE_STALE_MS: String(STALE_MS), HYPERZONE_PG_RETRY_MS: '30000',
  };
  const created = spawnSync(process.execPath, [CLI, 'create', spec, '--storage', url], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(created.status, 0, created.stderr);

  const workers: Worker[] = [];
  const start = (): Worker => {
    const proc = spawn(process.execPath, [CLI, 'worker', '--storage', url, '--study', name, '--quiet', '--log-dir', logDir], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
    const w: Worker = { proc, pid: proc.pid ?? -1, exited: false, done: new Promise((r) => proc.on('close', (code, signal) => { w.exited = true; r({ code, signal, stderr }); })) };
    workers.push(w);
    return w;
  };
  for (let i = 0; i < WORKERS; i++) start();

  const storage = await openStorage(url);
  const study = await storage.getStudy(name);
  assert.ok(study);
  const finished = async (): Promise<number> => {
    const c = await storage.countTrials(study.id);
    return c.complete + c.failed + c.pruned;
  };
  // A worker whose very first connection is cut stops at once (exit 2: storage it cannot open is bad input), while
  // one at work waits for the server. Cuts come when every live worker has connected, when possible.
  const allConnected = async (): Promise<boolean> => {
    const up = new Set((await storage.listWorkers(study.id)).map((w) => w.pid));
    return workers.every((w) => w.exited || up.has(w.pid));
  };
  const orphanChecks: Promise<void>[] = [];
  const events = { kills: 0, stops: 0, cuts: 0, cutAtStart: 0, orphansChecked: 0 };
  const t0 = Date.now();
  const deadline = t0 + 45_000;
  const cut = async (): Promise<void> => {
    // About a second with every worker connection cut as soon as it appears: an outage, as the workers see it.
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      events.cuts += await o.cutConnections!(appName);
      await sleep(100);
    }
  };
  const kill = async (w: Worker): Promise<void> => {
    w.proc.kill('SIGKILL');
    await w.done;
    events.kills++;
    const killedAt = Date.now();
    orphanChecks.push((async () => {
      // Every trial process this worker started, and each one's child, is gone within 2 s.
      const mine = () => startedTrials(pids).filter((t) => t.parent === w.pid).flatMap((t) => [t.pid, t.child]);
      while (Date.now() - killedAt < 2000 && mine().some(alive)) await sleep(50);
      const left = mine().filter(alive);
      assert.deepEqual(left, [], `trial processes of killed worker ${w.pid} still alive 2 s later`);
      events.orphansChecked += mine().length;
    })());
    start();
  };
  const stop = async (w: Worker, ms: number): Promise<void> => {
    w.proc.kill('SIGSTOP');
    events.stops++;
    await sleep(ms);
    w.proc.kill('SIGCONT');
  };
  /** A live worker with a trial process running, once there is one (up to 20 s). */
  const busyWorker = async (): Promise<Worker | undefined> => {
    for (const until = Date.now() + 20_000; Date.now() < until; await sleep(50)) {
      const busyPids = new Set(startedTrials(pids).filter((t) => alive(t.pid)).map((t) => t.parent));
      const busy = workers.filter((w) => !w.exited && busyPids.has(w.pid));
      if (busy.length > 0) return busy[Math.floor(Math.random() * busy.length)];
    }
    return undefined;
  };
  try {
    // Scripted first, so that every run has each fault at least once: on PostgreSQL a cut once every worker has
    // connected; a kill of a worker in the middle of a trial; a stop past the stale timeout of another one.
    if (o.cutConnections) {
      while (!(await allConnected()) && Date.now() < t0 + 20_000) await sleep(100);
      await cut();
    }
    const victim = await busyWorker();
    if (victim) await kill(victim);
    const sleeper = await busyWorker();
    if (sleeper) await stop(sleeper, STALE_MS + 500);
    // Faults while the study runs; at most 12 kills so it always ends.
    while ((await finished()) < TRIALS && Date.now() < deadline) {
      await sleep(300 + Math.random() * 500);
      const live = workers.filter((w) => !w.exited);
      // Kills go to workers running a trial process when there are any: those are the ones that could leave orphans.
      const busyPids = new Set(startedTrials(pids).filter((t) => alive(t.pid)).map((t) => t.parent));
      const busy = live.filter((w) => busyPids.has(w.pid));
      const r = Math.random();
      const pool = r < 0.45 && busy.length > 0 ? busy : live;
      const w = pool[Math.floor(Math.random() * pool.length)];
      if (!w) break;
      if (r < 0.45 && events.kills < 12) {
        await kill(w);
      } else if (r < 0.8) {
        await stop(w, 300 + Math.random() * 2700);
      } else if (o.cutConnections && (await allConnected())) {
        await cut();
      }
    }
    await Promise.all(orphanChecks);
    let timer: NodeJS.Timeout | undefined;
    const ends = await Promise.race([Promise.all(workers.map((w) => w.done)), new Promise<null>((r) => { timer = setTimeout(() => r(null), 40_000); })]);
    clearTimeout(timer);
    assert.ok(ends, `workers did not finish: ${JSON.stringify(await storage.countTrials(study.id))}`);
    const registered = new Set((await storage.listWorkers(study.id)).map((w) => w.pid));
    for (const [i, e] of ends.entries()) {
      // SIGKILLed workers end by signal; the others exit 0 or 1 (the study has failed trials), never 3.
      if (e.signal === 'SIGKILL') continue;
      if (e.code === 2 && o.cutConnections && !registered.has(workers[i]?.pid ?? -1)) {
        assert.match(e.stderr, /^hyperzone: Cannot connect to PostgreSQL at .*: terminating connection due to administrator command\n$/);
        events.cutAtStart++;
        continue;
      }
      assert.ok(e.code === 0 || e.code === 1, `worker exit ${e.code}: ${e.stderr}`);
      assert.equal(e.stderr, '', 'no worker stopped on an error or crashed');
    }
    const trials = await storage.listTrials(study.id);
    return { trials, events, logDir: join(logDir, name), pids, counts: await storage.countTrials(study.id), seconds: (Date.now() - t0) / 1000 };
  } finally {
    for (const w of workers) { w.proc.kill('SIGCONT'); w.proc.kill('SIGKILL'); }
    await storage.close();
  }
}

function assertOutcome(r: Awaited<ReturnType<typeof chaos>>): void {
  const { trials, counts, events } = r;
  // 0 stuck, and the limit held: every one of the TRIALS trials ended.
  assert.deepEqual({ waiting: counts.waiting, running: counts.running }, { waiting: 0, running: 0 }, 'no trial left waiting or running');
  assert.equal(trials.length, TRIALS);
  assert.deepEqual(trials.map((t) => t.number), Array.from({ length: TRIALS }, (_, i) => i));
  // 100% distinct proposals on the continuous space.
  assert.equal(new Set(trials.map((t) => JSON.stringify(t.params))).size, TRIALS, 'every trial a distinct configuration');
  for (const t of trials) checkTrial(t);
  assert.ok(events.kills >= 1, `faults were injected: ${JSON.stringify(events)}`);
  assert.ok(events.orphansChecked > 0, `a worker was killed with its trial running: ${JSON.stringify(events)}`);
  // Every log within its cap, and the floods were cut.
  // trial-N.log, and trial-N.log.K for earlier attempts of a rerun trial.
  const logs = readdirSync(r.logDir).filter((f) => /\.log(\.\d+)?$/.test(f));
  assert.ok(logs.length >= TRIALS, `${logs.length} logs`);
  for (const f of logs) assert.ok(statSync(join(r.logDir, f)).size <= LOG_CAP, `${f}: ${statSync(join(r.logDir, f)).size} bytes`);
  assert.ok(logs.some((f) => /bytes dropped here/.test(readFileSync(join(r.logDir, f), 'latin1'))), 'a flooded log was capped');
  // At the end no trial process of the run is alive at all.
  const started = startedTrials(r.pids).flatMap((t) => [t.pid, t.child]);
  assert.deepEqual(started.filter(alive), [], 'no trial process outlives the run');
  console.log(`# faults: ${JSON.stringify(events)}; ${r.seconds} s; attempts ${trials.reduce((n, t) => n + t.attempts, 0)} for ${TRIALS} trials`);
}

/** 0 lost, 0 duplicated: each trial ended the way its number says, with its own result, once. */
function checkTrial(t: TrialRecord): void {
  const what = `trial #${t.number} (${t.state}, attempts ${t.attempts}): ${t.error ?? ''}`;
  assert.doesNotMatch(t.error ?? '', /lost \(no heartbeat\)/, what);
  assert.ok(t.attempts >= 1, what);
  if (t.number % 10 === 3) {
    assert.equal(t.state, 'failed', what);
    assert.match(t.error ?? '', /exited with code 3/, what);
    assert.match(t.error ?? '', /before.after/, `${what}: the stderr tail, NUL and all, was stored`);
  } else if (t.number % 10 === 5) {
    assert.equal(t.state, 'failed', what);
    assert.match(t.error ?? '', /malformed JSON metric line/, what);
  } else {
    assert.equal(t.state, 'complete', what);
    assert.equal(t.value, t.params['x'], `${what}: its own value`);
    assert.deepEqual(t.steps.map((s) => s.step), [1, 2, 3], `${what}: each step once`);
  }
}

describe('fault injection: kill -9, SIGSTOP/SIGCONT, NUL and binary output, 8 workers', { concurrency: false }, () => {
  it('on one SQLite file', { timeout: 120_000, skip: process.platform !== 'linux' ? 'reads /proc (Linux)' : false }, async () => {
    assert.ok(existsSync(CLI), 'dist/cli/main.js exists (npm test builds it)');
    assertOutcome(await chaos('sqlite_faults', `sqlite:${join(dir, 'faults.db')}`));
  });

  it('on PostgreSQL, with connections cut', { timeout: 120_000, skip: pgSkip || (process.platform !== 'linux' ? 'reads /proc (Linux)' : false) }, async () => {
    assert.ok(existsSync(CLI), 'dist/cli/main.js exists (npm test builds it)');
    const schema = `hz_faults_${runId}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const u = new URL(serverUrl);
      u.searchParams.set('schema', schema);
      const cut = async (appName: string): Promise<number> =>
        (await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()', [appName])).rowCount ?? 0;
      const r = await chaos('pg_faults', u.toString(), { cutConnections: cut });
      assertOutcome(r);
      assert.ok(r.events.cuts > 0, 'connections were cut');
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await admin.end();
    }
  });
});
