/**
 * Runs one exported async function of a module on worker threads, so CPU-heavy work (sharp pipelines, SVG
 * rendering) never holds the event loop that renews BullMQ job locks and serves HTTP. Arguments and results
 * cross by structured clone (Buffers and Uint8Arrays are copied). Typed errors come back as `ThreadTaskError`
 * with the original's name, code and category, so retry decisions (isPermanentFailure) still work.
 *
 * A thread that dies fails its call with category `unavailable` (retryable) and is replaced on the next call.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCategory } from '../../domain/shared/errors.ts';

export class ThreadTaskError extends AppError {
  readonly category: ErrorCategory;
  readonly code: string;
  constructor(message: string, category: ErrorCategory, code: string, readonly originalName: string) {
    super(message);
    this.category = category;
    this.code = code;
  }
}

export interface ThreadTask<Args extends unknown[], Result> {
  run(...args: Args): Promise<Result>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  calls: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
}

const ENTRY = `
const { parentPort, workerData } = require('node:worker_threads');
const load = workerData.tsxApi
  ? import(workerData.tsxApi).then((api) => { api.register(); return import(workerData.moduleUrl); })
  : import(workerData.moduleUrl);
load.then((mod) => {
  const fn = mod[workerData.exportName];
  parentPort.on('message', async ({ id, args }) => {
    try {
      parentPort.postMessage({ id, ok: true, value: await fn(...args) });
    } catch (error) {
      const e = error || {};
      parentPort.postMessage({ id, ok: false, error: { name: String(e.name || 'Error'), message: String(e.message || 'failed'), code: typeof e.code === 'string' ? e.code : 'thread-task-failed', category: typeof e.category === 'string' ? e.category : 'internal' } });
    }
  });
  parentPort.postMessage({ ready: true });
}, (error) => parentPort.postMessage({ fatal: String(error && error.message) }));
`;

/**
 * `moduleUrl`: file URL of the module (a `.ts` module is loaded through tsx when this file runs under tsx).
 * `threads`: how many calls run at once (default 1); further calls wait for a free thread.
 */
export function createThreadTask<Args extends unknown[], Result>(
  moduleUrl: string,
  exportName: string,
  { threads = 1 }: { threads?: number } = {},
): ThreadTask<Args, Result> {
  const tsxApi = moduleUrl.endsWith('.ts')
    ? pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
    : undefined;
  const slots: (Slot | undefined)[] = new Array(Math.max(1, threads)).fill(undefined);
  const queue: { args: Args; resolve: (v: unknown) => void; reject: (e: Error) => void }[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (index: number): Slot => {
    const worker = new Worker(ENTRY, { eval: true, workerData: { moduleUrl, exportName, tsxApi } });
    const slot: Slot = { worker, busy: false, calls: new Map() };
    const fail = (message: string) => {
      for (const call of slot.calls.values()) call.reject(new ThreadTaskError(message, 'unavailable', 'thread-task-unavailable', 'Error'));
      slot.calls.clear();
      if (slots[index] === slot) slots[index] = undefined;
      if (!closed) dispatch();
    };
    worker.on('message', (msg: { id?: number; ok?: boolean; value?: unknown; error?: { name: string; message: string; code: string; category: ErrorCategory }; fatal?: string }) => {
      if (msg.fatal !== undefined) return fail(`The worker thread could not load its module: ${msg.fatal}`);
      if (msg.id === undefined) return;
      const call = slot.calls.get(msg.id);
      if (!call) return;
      slot.calls.delete(msg.id);
      slot.busy = false;
      if (msg.ok) call.resolve(msg.value);
      else call.reject(new ThreadTaskError(msg.error!.message, msg.error!.category, msg.error!.code, msg.error!.name));
      dispatch();
    });
    worker.on('error', () => fail('The worker thread crashed'));
    worker.on('exit', () => fail('The worker thread exited'));
    slots[index] = slot;
    return slot;
  };

  const dispatch = () => {
    for (let i = 0; i < slots.length && queue.length > 0; i++) {
      const slot = slots[i] ?? spawn(i);
      if (slot.busy) continue;
      const call = queue.shift()!;
      const id = nextId++;
      slot.busy = true;
      slot.calls.set(id, { resolve: call.resolve, reject: call.reject });
      slot.worker.postMessage({ id, args: call.args });
    }
  };

  return {
    run(...args: Args): Promise<Result> {
      if (closed) return Promise.reject(new ThreadTaskError('The thread task is closed', 'unavailable', 'thread-task-closed', 'Error'));
      return new Promise<Result>((resolve, reject) => {
        queue.push({ args, resolve: resolve as (v: unknown) => void, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const call of queue.splice(0)) call.reject(new ThreadTaskError('The thread task is closed', 'unavailable', 'thread-task-closed', 'Error'));
      await Promise.all(slots.map((s) => s?.worker.terminate()));
    },
  };
}
