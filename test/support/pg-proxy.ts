// Test support: a TCP proxy to a PostgreSQL server that a test can cut, to cause an outage without touching the
// shared server (other tests use it; it is never restarted or stopped).
import { createServer, connect, type Socket } from 'node:net';

/** A proxy on 127.0.0.1 forwarding to the server of `serverUrl`; `url` is serverUrl through it; `cut` closes it and every connection. */
export async function pgProxy(serverUrl: string): Promise<{ url: string; cut: () => Promise<void> }> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const via = new URL(serverUrl);
  via.hostname = '127.0.0.1';
  via.port = String((server.address() as { port: number }).port);
  return {
    url: via.toString(),
    cut: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
