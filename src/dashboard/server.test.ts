import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { MemoryStorage } from '../storage/memory.js';
import { startDashboard } from './server.js';
import { addTrials, createTestStudy } from './test-study.js';

/** A raw GET (or other method) with chosen headers: fetch would not let the test set Host. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the app, Plotly from node_modules and the API; read-only; refuses other Host names', async () => {
  const storage = new MemoryStorage();
  await addTrials(storage, await createTestStudy(storage, 's1'), 0, 3, 2);
  const d = await startDashboard({ storage, port: 0, host: '127.0.0.1' });
  try {
    const page = await get(d.port, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<script src="\/static\/plotly.min.js">/);
    const plotly = await get(d.port, '/static/plotly.min.js');
    assert.equal(plotly.status, 200);
    assert.ok(plotly.body.length > 1_000_000 && plotly.body.includes('plotly'), 'the Plotly bundle itself');
    assert.equal((await get(d.port, '/static/app.js')).status, 200);
    const api = await get(d.port, '/api/studies/s1/trials?limit=2');
    assert.equal(api.status, 200);
    assert.equal(JSON.parse(api.body).rows.length, 2);
    const bad = await get(d.port, '/api/studies/s1/trials?limit=-1');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error, /`limit`/);
    assert.equal((await get(d.port, '/api/studies/zz')).status, 404);
    assert.equal((await get(d.port, '/nowhere')).status, 404);
    const post = await get(d.port, '/api/studies', {}, 'POST');
    assert.equal(post.status, 405);
    assert.match(JSON.parse(post.body).error, /read-only/);
    // A page served from elsewhere that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    assert.equal((await get(d.port, '/api/studies', { host: 'evil.example:80' })).status, 403);
    assert.equal((await get(d.port, '/api/studies', { host: `localhost:${d.port}` })).status, 200);
  } finally {
    await d.close();
  }
});

test('with a token, every request needs it: query, Bearer header or the cookie the page sets', async () => {
  const storage = new MemoryStorage();
  await createTestStudy(storage, 's1');
  const d = await startDashboard({ storage, port: 0, host: '127.0.0.1', token: 'sesame-12345' });
  try {
    const none = await get(d.port, '/api/studies');
    assert.equal(none.status, 401);
    assert.match(JSON.parse(none.body).error, /needs its token/);
    assert.equal((await get(d.port, '/api/studies?token=wrong-token')).status, 401);
    assert.equal((await get(d.port, '/static/app.js')).status, 401, 'static files too');
    assert.equal((await get(d.port, '/api/studies', { authorization: 'Bearer sesame-12345' })).status, 200);
    const page = await get(d.port, '/?token=sesame-12345');
    assert.equal(page.status, 200);
    const cookie = String((page.headers['set-cookie'] as string[])[0]).split(';')[0] as string;
    assert.equal((await get(d.port, '/static/app.js', { cookie })).status, 200);
    // A token opens the dashboard to any Host name (it is meant for --host 0.0.0.0).
    assert.equal((await get(d.port, '/api/studies', { cookie, host: 'box.lan:8080' })).status, 200);
  } finally {
    await d.close();
  }
});
