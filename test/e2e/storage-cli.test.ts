// End-to-end (issue 17): the CLI's answers to bad storage URLs, bad study names, missing storage, binary trial
// output on PostgreSQL and a PostgreSQL outage. Runs src/cli/main.ts through tsx, so it needs no build.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { openStorage } from '../../src/storage/open.js';
import * as peers from '../support/peers.js';
import { pgProxy } from '../support/pg-proxy.js';

const MAIN = resolve('src/cli/main.ts');
const TSX = import.meta.resolve('tsx');
const dir = mkdtempSync(join(tmpdir(), 'hz-storage-cli-'));
const runId = randomBytes(3).toString('hex');
const schemas: string[] = [];
const postgres = await peers.postgres();
const serverUrl = postgres.url ?? 'postgres://postgres@127.0.0.1:5432/test';
const withSchema = (url: string, schema: string) => `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;
const newSchema = () => { const s = `hz_e2e_storage_${runId}_${schemas.length}`; schemas.push(s); return s; };

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (postgres.url === null || schemas.length === 0) return;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await c.end();
});

function hz(args: string[], cwd = dir, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const trainer = join(dir, 'trainer.sh');
// By trial number: 0 fails after printing a NUL byte, binary bytes and a lone-surrogate-making byte on stderr; the
// others report 3 steps of x, STEP_SLEEP seconds apart.
writeFileSync(trainer, `#!/bin/sh
if [ "$HZ_TRIAL_NUMBER" = "$FAIL_NUMBER" ]; then printf 'before\\000after \\377\\376\\355\\240\\200 end\\n' >&2; exit 3; fi
i=1
while [ $i -le 3 ]; do
  sleep \${STEP_SLEEP:-0.05}
  echo "{\\"step\\":$i,\\"value\\":$HZ_PARAM_X}"
  i=$((i+1))
done
`);

function spec(name: string, o: { trials?: number; failNumber?: number; sleep?: number; studyLine?: string } = {}): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, `${o.studyLine ?? `study: ${name}`}
objective: { metric: value, direction: maximize }
space:
  x: { type: float, low: 0, high: 1 }
sampler: { type: random, trials: ${o.trials ?? 3} }
trainer: { type: command, command: [/bin/sh, ${JSON.stringify(trainer)}], env: { FAIL_NUMBER: "${o.failNumber ?? -1}", STEP_SLEEP: "${o.sleep ?? 0.05}" } }
parallel: 1
seed: 3
`);
  return p;
}

describe('storage and names at the CLI', () => {
  it('read-only commands in an empty directory exit 2 with "No storage at" and create nothing', () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    for (const args of [['status'], ['list'], ['export'], ['show', '1'], ['report', '-o', 'r.html']]) {
      const r = hz(args, empty);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /No storage at hyperzone\.db/);
    }
    assert.deepEqual(readdirSync(empty), []);
  });

  it('`worker` on a missing SQLite file exits 2 naming the path and creates neither the file nor its directory', () => {
    const empty = mkdtempSync(join(dir, 'empty-worker-'));
    for (const [args, path] of [[['worker'], 'hyperzone.db'], [['worker', '--storage', 'sub/w.db', '--study', 's'], 'sub/w.db']] as const) {
      const r = hz([...args], empty);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`No storage at ${path}`), r.stderr);
    }
    assert.deepEqual(readdirSync(empty), []);
  });

  it('a file that is not SQLite exits 2 naming the file', () => {
    writeFileSync(join(dir, 'notes.db'), 'just some notes\n'.repeat(100));
    const r = hz(['status', '--storage', 'notes.db']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /notes\.db.*not a SQLite database/);
  });

  it('bad parts of a postgres URL exit 2 naming the part, before connecting', () => {
    for (const [url, re] of [
      ['postgres://u:hunter2@127.0.0.1:1/db?schema=bad-schema', /`schema`.*"bad-schema"/],
      ['postgres://127.0.0.1:1/db?schema=hz-bad;drop', /`schema`.*"hz-bad;drop"/],
      ['postgres://u:hunter2@127.0.0.1:1/db?schema=ok&sslmode=bogus', /`sslmode`.*"bogus"/],
    ] as const) {
      const r = hz(['status', '--storage', url]);
      assert.equal(r.code, 2, `${url}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /hunter2/);
    }
  });

  it('bad study names exit 2 naming --study or study, on every command, and write no file outside the root', () => {
    const db = join(dir, 'names.db');
    const escaped = join(dir, '..', `escaped_logs_${runId}`);
    const bad = [`../../../../escaped_logs_${runId}`, "x'; DROP TABLE hz_studies; --", '..', 'a b'];
    for (const name of bad) {
      for (const args of [['run', spec('names'), '--study', name], ['create', spec('names'), '--study', name], ['worker', '--study', name],
        ['status', '--study', name], ['show', '1', '--study', name], ['export', '--study', name], ['report', '-o', 'r.html', '--study', name]]) {
        const r = hz([...args, '--storage', db]);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /`--study`/);
        assert.ok(r.stderr.includes(JSON.stringify(name)), r.stderr);
      }
    }
    const inSpec = hz(['run', spec('names2', { studyLine: 'study: ../../escape' }), '--storage', db]);
    assert.equal(inSpec.code, 2, inSpec.stderr);
    assert.match(inSpec.stderr, /`study`/);
    const fromFile = join(dir, 'my spec.yaml');
    writeFileSync(fromFile, `objective: { metric: value, direction: maximize }\nspace: { x: { type: float, low: 0, high: 1 } }\nsampler: { type: random, trials: 1 }\ntrainer: { type: command, command: [/bin/sh, ${JSON.stringify(trainer)}] }\n`);
    const r = hz(['run', fromFile, '--storage', db]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /`study`.*"my spec".*file name/);
    assert.ok(!existsSync(escaped));
  });
});

describe('PostgreSQL at the CLI', { skip: peers.skipUnless(postgres) }, () => {
  it('a trial failing after NUL and binary bytes on stderr is stored failed with its error, not lost', async () => {
    const url = withSchema(serverUrl, newSchema());
    const r = hz(['run', spec('nul', { trials: 3, failNumber: 0 }), '--storage', url, '--quiet']);
    assert.equal(r.code, 1, `some trials failed → 1; ${r.stderr}`);
    const s = await openStorage(url);
    try {
      const st = await s.getStudy('nul');
      assert.ok(st);
      const trials = await s.listTrials(st.id);
      assert.deepEqual(trials.map((t) => t.state).sort(), ['complete', 'complete', 'failed']);
      const failed = trials.find((t) => t.state === 'failed');
      assert.equal(failed?.attempts, 1, 'no worker crashed on it');
      assert.match(failed?.error ?? '', /before\uFFFDafter/);
      assert.doesNotMatch(failed?.error ?? '', /lost/);
    } finally {
      await s.close();
    }
  });

  it('an outage longer than HYPERZONE_PG_RETRY_MS exits 3; status marks the dead worker lost; the next worker finishes its trial', async () => {
    const schema = newSchema();
    const direct = withSchema(serverUrl, schema);
    const created = hz(['create', spec('outage', { trials: 2, sleep: 0.5 }), '--storage', direct]);
    assert.equal(created.code, 0, created.stderr);
    const proxy = await pgProxy(serverUrl);
    const worker = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--storage', withSchema(proxy.url, schema), '--study', 'outage', '--quiet'],
      { cwd: dir, env: { ...process.env, HYPERZONE_PG_RETRY_MS: '1500', HYPERZONE_HEARTBEAT_MS: '200' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    worker.stderr?.on('data', (d: Buffer) => { stderr += String(d); });
    const exited = new Promise<number | null>((r) => worker.on('exit', (code) => r(code)));
    const s = await openStorage(direct);
    try {
      const st = await s.getStudy('outage');
      assert.ok(st);
      const deadline = Date.now() + 60_000;
      while ((await s.countTrials(st.id)).running === 0) {
        assert.ok(Date.now() < deadline, `no trial started: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await proxy.cut();
      const code = await exited;
      assert.equal(code, 3, stderr);
      assert.match(stderr, /unreachable for over 1500 ms/);
      const status = hz(['status', '--storage', direct, '--study', 'outage']);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /lost: process gone/);
      const next = hz(['worker', '--storage', direct, '--study', 'outage', '--quiet']);
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(await s.countTrials(st.id), { waiting: 0, running: 0, complete: 2, pruned: 0, failed: 0 });
    } finally {
      worker.kill('SIGKILL');
      await s.close();
    }
  });
});
