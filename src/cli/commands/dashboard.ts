import { InputError } from '../../core/errors.js';
import { openStorage, redactUrl } from '../../storage/open.js';
import { startDashboard } from '../../dashboard/server.js';
import { storageUrl } from '../context.js';

/** Flags of `hyperzone dashboard`. */
export interface DashboardFlags {
  storage?: string;
  port?: string;
  host?: string;
  token?: string;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1'];

/**
 * `hyperzone dashboard [--storage URL] [--port N] [--host H] [--token T]`: serves the live, read-only dashboard until
 * Ctrl-C. It binds 127.0.0.1 unless --host names another address, which prints a warning; a token (--token or
 * HYPERZONE_DASHBOARD_TOKEN) is then checked on every request.
 */
export async function dashboardCommand(flags: DashboardFlags, io: { out: (s: string) => void; err: (s: string) => void } = {
  out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s),
}): Promise<number> {
  const port = flags.port === undefined ? 8080 : Number(flags.port);
  if (flags.port !== undefined && (!/^\d+$/.test(flags.port) || port > 65535)) throw new InputError(`Expected \`--port\` to be an integer from 0 to 65535, got ${JSON.stringify(flags.port)}`);
  const host = flags.host ?? '127.0.0.1';
  if (host.trim() === '') throw new InputError('Expected `--host` to be an address, got ""');
  const token = flags.token ?? process.env.HYPERZONE_DASHBOARD_TOKEN;
  if (token !== undefined && token.length < 8) throw new InputError(`Expected the dashboard token (\`--token\` or HYPERZONE_DASHBOARD_TOKEN) to have at least 8 characters, got ${token.length}`);
  const url = storageUrl(flags.storage);
  const storage = await openStorage(url, { mustExist: true });
  let dashboard;
  try {
    dashboard = await startDashboard({ storage, port, host, ...(token !== undefined ? { token } : {}), onError: (e) => io.err(`hyperzone dashboard: ${e instanceof Error ? e.message : String(e)}\n`) });
  } catch (e) {
    await storage.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new InputError(`Port ${port} is in use (\`--port\`): stop what uses it, or pick another port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EACCES') throw new InputError(`Cannot listen on ${host}:${port} (\`--host\`/\`--port\`): ${(e as Error).message}`);
    throw e;
  }
  if (!LOOPBACK_HOSTS.includes(host)) {
    io.err(`hyperzone dashboard: warning: listening on ${host}, not only this machine: anyone who can reach it can read every study here${token === undefined ? ' (give --token or HYPERZONE_DASHBOARD_TOKEN to require a token)' : ' that has the token'}\n`);
  }
  io.out(`hyperzone dashboard: ${dashboard.url}${token !== undefined ? '?token=…' : ''} (storage ${redactUrl(url)}, read-only; Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await dashboard.close();
  await storage.close();
  return 0;
}
