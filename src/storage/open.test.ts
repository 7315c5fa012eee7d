import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HyperzoneError, InputError } from '../core/errors.js';
import { MemoryStorage } from './memory.js';
import { SqliteStorage } from './sqlite.js';
import { openStorage, parseStorageUrl, redactUrl } from './open.js';

const dir = mkdtempSync(join(tmpdir(), 'hz-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    assert.equal(redactUrl('postgres://u:secret@db.example:5432/hz?schema=s'), 'postgres://u:***@db.example:5432/hz?schema=s');
    assert.equal(redactUrl('postgresql://:secret@h/db'), 'postgresql://:***@h/db');
    assert.equal(redactUrl('postgres://u:p@ss/w@h/db'), 'postgres://u:***@h/db');
    assert.equal(redactUrl('postgres://h/db?sslmode=require&password=abc'), 'postgres://h/db?sslmode=require&password=***');
    assert.equal(redactUrl('postgres://u@h:5432/db'), 'postgres://u@h:5432/db');
    assert.equal(redactUrl('sqlite:./runs/a.db'), 'sqlite:./runs/a.db');
  });
});

describe('parseStorageUrl', () => {
  it('recognises every form', () => {
    assert.deepEqual(parseStorageUrl('memory:'), { kind: 'memory' });
    assert.deepEqual(parseStorageUrl('sqlite:runs/a.db'), { kind: 'sqlite', path: 'runs/a.db' });
    assert.deepEqual(parseStorageUrl('sqlite:///abs/a.db'), { kind: 'sqlite', path: '/abs/a.db' });
    assert.deepEqual(parseStorageUrl('sqlite:noext'), { kind: 'sqlite', path: 'noext' });
    assert.deepEqual(parseStorageUrl('./x/study.sqlite3'), { kind: 'sqlite', path: './x/study.sqlite3' });
    assert.deepEqual(parseStorageUrl('study.SQLITE'), { kind: 'sqlite', path: 'study.SQLITE' });
    assert.deepEqual(parseStorageUrl('postgres://u:pw@h:5432/db?schema=hz&password_file=/run/pw&sslmode=disable'),
      { kind: 'postgres', url: 'postgres://u:pw@h:5432/db?sslmode=disable', schema: 'hz', passwordFile: '/run/pw' });
    assert.deepEqual(parseStorageUrl('postgresql://h/db'), { kind: 'postgres', url: 'postgresql://h/db' });
  });

  it('rejects an unknown scheme naming --storage and the redacted value', () => {
    for (const bad of ['mysql://root:topsecret@h/db', 'redis:x', 'results.json', '']) {
      assert.throws(() => parseStorageUrl(bad), (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal((e as HyperzoneError).code, 'INVALID_INPUT');
        assert.match(e.message, /`--storage`/);
        assert.doesNotMatch(e.message, /topsecret/);
        return true;
      });
    }
    assert.throws(() => parseStorageUrl('mysql://root:topsecret@h/db'), /mysql:\/\/root:\*\*\*@h\/db/);
    assert.throws(() => parseStorageUrl('sqlite:'), /`--storage`/);
  });

  it('names the bad part of a postgres URL: schema, sslmode, port, password_file (exit code 2)', () => {
    const cases: [string, RegExp][] = [
      ['postgres://u:topsecret@h/db?schema=bad-schema', /`schema` in `--storage`.*"bad-schema"/],
      ['postgres://h/db?schema=hz-bad;drop', /`schema`.*"hz-bad;drop"/],
      ['postgres://h/db?schema=1abc', /`schema`/],
      ['postgres://h/db?schema=', /`schema`/],
      ['postgres://u:topsecret@h/db?sslmode=bogus', /`sslmode` in `--storage`.*"bogus"/],
      ['postgres://h:0/db', /port.*"0"/],
      ['postgres://h/db?password_file=', /`password_file`/],
    ];
    for (const [url, re] of cases) {
      assert.throws(() => parseStorageUrl(url), (e: unknown) => e instanceof InputError && re.test(e.message) && !e.message.includes('topsecret'), url);
    }
    assert.equal((parseStorageUrl('postgres://h/db?sslmode=require&schema=hz_1') as { schema?: string }).schema, 'hz_1');
  });
});

describe('openStorage', () => {
  it('opens memory and SQLite, creating directories', async () => {
    const m = await openStorage('memory:');
    assert.ok(m instanceof MemoryStorage);
    await m.close();
    const path = join(dir, 'a', 'b', 'c.db');
    const s = await openStorage(`sqlite:${path}`);
    assert.ok(s instanceof SqliteStorage);
    assert.ok(existsSync(path));
    await s.createStudy({ name: 'x', direction: 'maximize', metric: 'acc', spec: null });
    await s.close();
    const again = await openStorage(path);
    assert.ok(await again.getStudy('x'));
    await again.close();
  });

  it('read-only opens (mustExist) refuse a missing SQLite file and create neither it nor its directory', async () => {
    const path = join(dir, 'absent', 'hyperzone.db');
    await assert.rejects(openStorage(path, { mustExist: true }), (e: unknown) => e instanceof InputError && e.message.includes(`No storage at ${path}`));
    assert.ok(!existsSync(join(dir, 'absent')));
    await assert.rejects(openStorage(`sqlite:${join(dir, 'nodir.db')}`, { mustExist: true }), /No storage at/);
    assert.ok(!existsSync(join(dir, 'nodir.db')));
    // An existing one opens as usual.
    const made = join(dir, 'made.db');
    await (await openStorage(made)).close();
    const again = await openStorage(made, { mustExist: true });
    await again.close();
  });

  it('a file that is not SQLite is CONNECTION_ERROR (exit code 2) naming the path', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are notes, not a database\n'.repeat(200));
    for (const mustExist of [false, true]) {
      await assert.rejects(openStorage(path, { mustExist }), (e: unknown) =>
        e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR' && e.message.includes(path) && /not a SQLite database/.test(e.message));
    }
  });

  it('fails to reach PostgreSQL with CONNECTION_ERROR and no password', async () => {
    await assert.rejects(openStorage('postgres://u:pa55word-x@127.0.0.1:1/db?schema=hz'), (e: unknown) =>
      e instanceof HyperzoneError && e.code === 'CONNECTION_ERROR' && !e.message.includes('pa55word-x') && e.message.includes('127.0.0.1:1'));
  });
});
