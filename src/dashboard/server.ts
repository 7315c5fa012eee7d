import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timingSafeEqual } from 'node:crypto';
import type { Storage } from '../storage/storage.js';
import { DashboardApi } from './api.js';

/** Options of startDashboard. */
export interface DashboardOptions {
  readonly storage: Storage;
  /** Port (0: any free one). */
  readonly port: number;
  /** Address to bind; 127.0.0.1 unless the user names another. */
  readonly host: string;
  /** A token every request must carry (`?token=`, `Authorization: Bearer`, or the cookie the first page sets). */
  readonly token?: string;
  /** Shortest time between two storage reads of one study (default 250 ms). */
  readonly minRefreshMs?: number;
  /** Called with each request that failed inside the server (500), for the terminal: the browser gets no stack. */
  readonly onError?: (e: unknown) => void;
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The app's static files: beside this module (src/dashboard/static), or, from dist/dashboard/, in the package's src. */
function staticDir(): string {
  for (const d of [join(here, 'static'), join(here, '..', '..', 'src', 'dashboard', 'static')]) if (existsSync(join(d, 'index.html'))) return d;
  throw new Error(`The dashboard's static files are missing (looked in ${join(here, 'static')})`);
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const COOKIE = 'hyperzone_dashboard_token';

/** Plotly's minified bundle from node_modules (served by the dashboard itself: no CDN, works offline). */
function plotlyFile(): string {
  return createRequire(import.meta.url).resolve('plotly.js-dist-min');
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries, from the query, an Authorization header or the cookie. */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('token');
  if (q !== null) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim();
  const cookie = req.headers.cookie?.split(';').map((c) => c.trim()).find((c) => c.startsWith(`${COOKIE}=`));
  return cookie === undefined ? undefined : decodeURIComponent(cookie.slice(COOKIE.length + 1));
}

/** Host names a loopback dashboard answers to: others are refused, so a page elsewhere cannot reach it by DNS rebinding. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

function send(res: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');
}

/**
 * Starts the dashboard: the static app (index.html, app.js, app.css, Plotly) and the read-only JSON API under /api.
 * Only GET and HEAD; a wrong token is a 401, a bad query a 400 and an unknown study a 404, each with a message.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const api = new DashboardApi(options.storage, options.minRefreshMs !== undefined ? { minRefreshMs: options.minRefreshMs } : {});
  const dir = staticDir();
  const files = new Map<string, { path: string; type: string }>([
    ['/', { path: join(dir, 'index.html'), type: TYPES.html as string }],
    ['/static/app.js', { path: join(dir, 'app.js'), type: TYPES.js as string }],
    ['/static/app.css', { path: join(dir, 'app.css'), type: TYPES.css as string }],
    ['/static/plotly.min.js', { path: plotlyFile(), type: TYPES.js as string }],
  ]);
  const cached = new Map<string, Buffer>();
  const loopbackOnly = options.token === undefined && /^(127\.|localhost$|::1$)/.test(options.host);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://dashboard');
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: `The dashboard is read-only: ${req.method} is not allowed` });
      if (loopbackOnly && !LOOPBACK.test(req.headers.host ?? '')) return sendJson(res, 403, { error: `Host ${JSON.stringify(req.headers.host ?? '')} is not this dashboard's` });
      const extra: Record<string, string> = {};
      if (options.token !== undefined) {
        const given = tokenOf(req, url);
        if (!sameToken(given, options.token)) {
          return sendJson(res, 401, { error: given === undefined ? 'This dashboard needs its token: open it with ?token=TOKEN' : 'Wrong token' });
        }
        extra['set-cookie'] = `${COOKIE}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`;
      }
      if (url.pathname.startsWith('/api/')) {
        const r = await api.handle(url.pathname, url.searchParams);
        return sendJson(res, r.status, r.body);
      }
      if (url.pathname === '/favicon.ico') return send(res, 204, '', 'image/x-icon');
      const file = files.get(url.pathname);
      if (!file) return sendJson(res, 404, { error: `No such page: ${url.pathname}` });
      let body = cached.get(file.path);
      if (!body) cached.set(file.path, (body = readFileSync(file.path)));
      send(res, 200, body, file.type, { ...extra, 'cache-control': url.pathname === '/' ? 'no-store' : 'max-age=3600' });
    })().catch((e: unknown) => {
      options.onError?.(e);
      if (!res.headersSent) sendJson(res, 500, { error: 'The dashboard failed to answer this request; the terminal running it says why' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
