// Test support: a TCP proxy to a PostgreSQL server that a test can cut, to cause an outage without touching the
// shared server (other test files run at the same time and use it; it is never restarted or stopped).
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface PgProxy {
  /** serverUrl through the proxy. */
  url: string;
  /** Closes the proxy and every connection through it, for good. */
  cut: () => Promise<void>;
  /**
   * What a server restart looks like from a client: every connection through the proxy is dropped, new connections
   * are refused for `downMs`, then the proxy accepts again on the same port. Returns the number of connections dropped.
   */
  restart: (downMs: number) => Promise<number>;
  /**
   * What a server at max_connections looks like: every connection through the proxy is dropped, and for `fullMs`
   * each new one is answered as PostgreSQL answers when it is full (FATAL 53300 "sorry, too many clients already").
   */
  full: (fullMs: number) => Promise<number>;
}

/** The ErrorResponse PostgreSQL sends to a startup message when every connection slot is taken. */
function tooManyClients(): Buffer {
  const fields = Buffer.from('SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0\0', 'latin1');
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** A proxy on 127.0.0.1 forwarding to the server of `serverUrl`. */
export async function pgProxy(serverUrl: string): Promise<PgProxy> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let fullUntil = 0;
  const listen = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      if (Date.now() < fullUntil) {
        // Answer the startup message, then hang up, as the server does.
        client.once('data', () => client.end(tooManyClients()));
        client.on('error', () => client.destroy());
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname || '127.0.0.1');
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    return server;
  };
  const close = async (server: Server): Promise<number> => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    const dropped = [...sockets].filter((s) => s.remotePort !== Number(target.port || 5432)).length;
    for (const s of sockets) s.destroy();
    sockets.clear();
    await closed;
    return dropped;
  };
  let server = await listen(0);
  const port = (server.address() as { port: number }).port;
  const via = new URL(serverUrl);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  return {
    url: via.toString(),
    cut: async () => { await close(server); },
    restart: async (downMs) => {
      const dropped = await close(server);
      await new Promise((r) => setTimeout(r, downMs));
      server = await listen(port);
      return dropped;
    },
    full: async (fullMs) => {
      fullUntil = Date.now() + fullMs;
      const dropped = [...sockets].filter((s) => s.remotePort !== Number(target.port || 5432)).length;
      for (const s of sockets) s.destroy();
      sockets.clear();
      return dropped;
    },
  };
}
