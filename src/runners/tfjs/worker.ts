// Worker-thread entry: trains trials one at a time, caching the backend and the uploaded dataset.
import { parentPort, workerData } from 'node:worker_threads';
import { loadDataset } from '../../datasets/load.js';
import { describeError, isInputError } from '../../core/errors.js';
import { initBackend, type Tf } from './backend.js';
import { parseFnnParams } from './params.js';
import { datasetKey, type RunMessage, type WorkerInit, type WorkerMessage } from './protocol.js';
import { trainFnn } from './train.js';
import type { Dataset } from '../../datasets/load.js';

const init = workerData as WorkerInit;
const abort = new Int32Array(init.abortFlag);
let backend: Promise<{ tf: Tf; backend: string }> | null = null;
let cache: { key: string; data: Dataset } | null = null;
let backendName: string | null = null;

function post(m: WorkerMessage): void {
  parentPort?.postMessage(m);
}

async function run(msg: RunMessage): Promise<void> {
  try {
    backend ??= initBackend(init.backend);
    const { tf, backend: name } = await backend;
    backendName = name;
    const cfg = parseFnnParams(msg.params, msg.budget);
    const key = datasetKey(msg.data);
    if (cache?.key !== key) {
      cache = null;
      const { dataset, ...limits } = msg.data;
      cache = { key, data: loadDataset(dataset, limits) };
    }
    const result = trainFnn(tf, cache.data, cfg, msg.seed, msg, {
      onEpoch: (epoch, metrics) => post({ type: 'epoch', id: msg.id, epoch, metrics }),
      onProgress: (epoch, batch, batches) => post({ type: 'progress', id: msg.id, epoch, batch, batches }),
      shouldStop: () => Atomics.load(abort, 0) !== 0,
    });
    post({ type: 'done', id: msg.id, backend: name, result });
  } catch (e) {
    post({ type: 'error', id: msg.id, backend: backendName, message: describeError(e), input: isInputError(e) });
  }
}

// Trials arrive one at a time (the pool never sends a second before 'done'), so a simple chain suffices.
let queue = Promise.resolve();
parentPort?.on('message', (msg: RunMessage) => {
  if (msg.type === 'run') queue = queue.then(() => run(msg));
});
