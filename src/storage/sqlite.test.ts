import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { HyperzoneError } from '../core/errors.js';
import { gridPlans, storageContract } from './contract.js';
import { SQLITE_MIGRATIONS, SqliteStorage } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `s${files++}.db`);

storageContract('sqlite', async () => new SqliteStorage(freshPath()));

describe('SqliteStorage specifics', () => {
  it('creates missing directories and keeps data across reopen', async () => {
    const path = join(dir, 'nested', 'deeper', 'x.db');
    const a = new SqliteStorage(path);
    const st = await a.createStudy({ name: 'keep', direction: 'minimize', metric: 'loss', spec: { a: 1 } });
    await a.enqueueTrials(st.id, gridPlans(2));
    await a.close();
    const b = new SqliteStorage(path);
    assert.deepEqual(await b.getStudy('keep'), st);
    assert.equal((await b.listTrials(st.id)).length, 2);
    await b.close();
  });

  it('uses WAL, records the schema version and refuses a newer schema', async () => {
    const path = freshPath();
    const s = new SqliteStorage(path);
    await s.close();
    const db = new Database(path);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.prepare('SELECT version FROM hz_schema_version').pluck().get(), SQLITE_MIGRATIONS.length);
    db.prepare('UPDATE hz_schema_version SET version = ?').run(SQLITE_MIGRATIONS.length + 5);
    db.close();
    assert.throws(() => new SqliteStorage(path), (e: unknown) => e instanceof HyperzoneError && e.code === 'STORAGE_ERROR' && /schema version \d+, newer/.test(e.message) && e.message.includes(path));
  });

  it('applies pending migrations to an older database', async () => {
    const path = freshPath();
    const db = new Database(path);
    db.exec('CREATE TABLE hz_schema_version (version INTEGER NOT NULL); INSERT INTO hz_schema_version VALUES (0);');
    db.close();
    const s = new SqliteStorage(path);
    assert.ok(await s.createStudy({ name: 'm', direction: 'maximize', metric: 'acc', spec: null }));
    await s.close();
  });

  it('migrates a database written before value vectors: its studies have one objective, its trials [value]', async () => {
    const path = freshPath();
    const db = new Database(path);
    // The schema at version 2, as the previous release left it, with one study and a finished trial.
    db.exec(`CREATE TABLE hz_schema_version (version INTEGER NOT NULL); INSERT INTO hz_schema_version VALUES (2); ${SQLITE_MIGRATIONS.slice(0, 2).join(';\n')};`);
    db.prepare("INSERT INTO studies (name, direction, metric, spec, created_at) VALUES ('old', 'minimize', 'loss', '{}', 1)").run();
    db.prepare("INSERT INTO trials (study_id, number, state, params, seed, plan_key, value, created_at) VALUES (1, 0, 'complete', '{\"x\":1}', 0, 'k', 0.25, 1)").run();
    db.close();
    const s = new SqliteStorage(path);
    const st = await s.getStudy('old');
    assert.deepEqual(st?.objectives, [{ metric: 'loss', direction: 'minimize' }]);
    assert.deepEqual((await s.listTrials(1))[0]?.values, [0.25]);
    await s.close();
    const after = new Database(path);
    assert.equal(after.prepare('SELECT version FROM hz_schema_version').pluck().get(), SQLITE_MIGRATIONS.length);
    after.close();
  });

  it('reports an unopenable path as CONNECTION_ERROR naming the path', () => {
    const blocker = join(dir, 'file-not-dir');
    new Database(blocker).close();
    const path = join(blocker, 'x.db');
    assert.throws(() => new SqliteStorage(path), (e: unknown) => e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR' && e.message.includes(path));
  });

  it('two processes sharing one file claim every trial exactly once', async () => {
    const path = freshPath();
    const s = new SqliteStorage(path);
    const st = await s.createStudy({ name: 'shared', direction: 'maximize', metric: 'v', spec: null });
    await s.enqueueTrials(st.id, gridPlans(400));
    const child = fileURLToPath(new URL('./fixtures/claim-worker.ts', import.meta.url));
    const startChild = (worker: string) => {
      const p = spawn(process.execPath, ['--import', 'tsx', child, path, String(st.id), worker], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let onReady: () => void = () => undefined;
      const ready = new Promise<void>((r) => { onReady = r; });
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.startsWith('ready\n')) onReady(); });
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const done = new Promise<{ claimed: number[]; refused: number }>((resolve, reject) => {
        p.on('error', reject);
        p.on('close', (code) => {
          if (code !== 0) reject(new Error(`child ${worker} exited ${code}: ${err}`));
          else resolve(JSON.parse(out.slice('ready\n'.length).trim()) as { claimed: number[]; refused: number });
        });
      });
      return { ready, done, go: () => p.stdin.write('go\n') };
    };
    const a = startChild('child-a');
    const b = startChild('child-b');
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    // This process claims too, yielding between claims so the children get their share.
    const parentClaims: number[] = [];
    const parent = (async () => {
      for (;;) {
        const t = await s.claimTrial(st.id, 'parent');
        if (!t) return;
        parentClaims.push(t.id);
        await s.finishTrial(t.id, 'parent', { state: 'complete', value: t.number });
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const [ra, rb] = await Promise.all([a.done, b.done, parent]);
    assert.ok(ra && rb);
    const all = [...ra.claimed, ...rb.claimed, ...parentClaims];
    assert.equal(all.length, 400);
    assert.equal(new Set(all).size, 400);
    assert.ok(ra.claimed.length + rb.claimed.length > 0, 'the child processes claimed trials');
    assert.equal(ra.refused + rb.refused, 0);
    assert.deepEqual(await s.countTrials(st.id), { waiting: 0, running: 0, complete: 400, pruned: 0, failed: 0 });
    console.log(`claims: child-a ${ra.claimed.length}, child-b ${rb.claimed.length}, parent ${parentClaims.length}`);
    await s.close();
  });
});
