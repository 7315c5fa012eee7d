import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** A worker id: host, process id and a random tag ("host:1234:ab12cd"). */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** Splits a worker id into host and pid (null when it is not of that form). */
export function parseWorkerId(id: string): { host: string; pid: number } | null {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(id);
  return m ? { host: m[1] as string, pid: Number(m[2]) } : null;
}

/** Whether the id names a process on this host that no longer exists (killed, crashed): its trials can be requeued at once. */
export function isDeadLocalWorker(id: string): boolean {
  const w = parseWorkerId(id);
  if (!w || w.host !== hostname()) return false;
  if (w.pid === process.pid) return false;
  try {
    process.kill(w.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
