// The dashboard over a storage in a process of its own, as `hyperzone dashboard` runs it, for bench/dashboard-scale.ts
// (so the benchmark's HTTP client does not share the server's event loop). No minimum time between two reads of a
// study (the benchmark asks right after a trial finishes). Prints its URL; stops at SIGTERM.
//   node --import tsx bench/support/serve-dashboard.ts STORAGE
import { openStorage } from '../../src/storage/open.js';
import { startDashboard } from '../../src/dashboard/server.js';

const url = process.argv[2];
if (!url) throw new Error('usage: serve-dashboard.ts STORAGE');
const storage = await openStorage(url, { mustExist: true });
const dash = await startDashboard({ storage, port: 0, host: '127.0.0.1', minRefreshMs: 0 });
process.stdout.write(`${dash.url}\n`);
process.on('SIGTERM', () => {
  void dash.close().then(() => storage.close()).then(() => process.exit(0));
});
