/**
 * `createPlateReaderInWorker`: the same PlateReader, with all decoding and inference on a worker thread so the
 * caller's event loop stays responsive (HTTP, BullMQ heartbeats). Errors come back as the same typed errors the
 * in-process reader throws. If the worker dies, pending and later calls fail with PlateReaderUnavailableError;
 * create a new reader. The worker does not keep the process alive while no call is pending.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ValidationError } from '../../domain/shared/errors.ts';
import type { PlateColour, VehicleKind } from '../../domain/plates/index.ts';
import { ImageRejectedError, ImageTooLargeError, PlateReaderUnavailableError } from './errors.ts';
import type { PlateReader, PlateReaderOptions, PlateReading, ReadHints } from './reader.ts';
import type { WorkerErrorDescription, WorkerReply, WorkerRequest } from './worker-protocol.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function rebuildError(e: WorkerErrorDescription): Error {
  switch (e.name) {
    case 'ImageRejectedError':
      return new ImageRejectedError(e.message, e.code);
    case 'ImageTooLargeError':
      return new ImageTooLargeError(e.message);
    case 'ValidationError':
      return new ValidationError(e.message, undefined, e.code);
    default:
      return new PlateReaderUnavailableError(e.message);
  }
}

/**
 * Starts the worker. When this module is TypeScript (tests, `tsx` runs), the worker registers tsx itself before
 * importing its entry: on Node 20, `--import tsx` in a worker's execArgv does not apply to the worker's entry.
 */
function startWorker(options: PlateReaderOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker-entry.js', import.meta.url), { workerData: options });
  const entry = new URL('./worker-entry.ts', import.meta.url).href;
  // The ESM build of tsx's API (its CommonJS build cannot register ESM hooks here); found next to the CJS one.
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}

export async function createPlateReaderInWorker(options: PlateReaderOptions = {}): Promise<PlateReader> {
  const worker = startWorker(options);
  const pending = new Map<number, { resolve: (r: PlateReading | null | (PlateReading | null)[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | undefined;

  const failAll = (error: Error) => {
    dead ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const identity = await new Promise<PlateReader['modelIdentity']>((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === 'ready') resolve(reply.identity);
      else if (reply.type === 'fatal') reject(rebuildError(reply.error));
    };
    worker.once('message', onMessage);
    worker.once('error', (cause) => reject(new PlateReaderUnavailableError('The plate reader worker failed to start', { cause })));
    worker.once('exit', () => reject(new PlateReaderUnavailableError('The plate reader worker exited while starting')));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on('message', (reply: WorkerReply) => {
    if (reply.type !== 'result' && reply.type !== 'results' && reply.type !== 'error') return;
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker.unref();
    if (reply.type === 'result') call.resolve(reply.result);
    else if (reply.type === 'results') call.resolve(reply.results);
    else call.reject(rebuildError(reply.error));
  });
  worker.on('error', (cause) => failAll(new PlateReaderUnavailableError('The plate reader worker crashed', { cause })));
  worker.on('exit', () => failAll(new PlateReaderUnavailableError('The plate reader worker has exited')));
  worker.unref();

  function call<R extends PlateReading | null | (PlateReading | null)[] = PlateReading | null>(
    request: DistributiveOmit<WorkerRequest, 'id'>,
    transfer: ArrayBuffer[] = [],
  ): Promise<R> {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise<R>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (r: PlateReading | null | (PlateReading | null)[]) => void, reject });
      worker.ref();
      worker.postMessage({ ...request, id } as WorkerRequest, transfer);
    });
  }

  /** The colour hint as sent (validated by the reader on the worker, whose ValidationError comes back as is). */
  function colourOf(hints: { colour?: PlateColour } | undefined): { colour?: PlateColour } {
    return hints?.colour === undefined ? {} : { colour: hints.colour };
  }

  /** A private copy of the caller's bytes, moved (not cloned) to the worker. */
  function ownedCopy(image: Uint8Array): ArrayBuffer {
    if (!(image instanceof Uint8Array)) throw new ImageRejectedError('Image must be bytes', 'image-empty');
    const copy = new ArrayBuffer(image.byteLength);
    new Uint8Array(copy).set(image);
    return copy;
  }

  return {
    modelIdentity: identity,
    readScene(image: Uint8Array, hints?: ReadHints) {
      try {
        const bytes = ownedCopy(image);
        return call({ op: 'scene', image: bytes, ...colourOf(hints) }, [bytes]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    readCrop(image: Uint8Array, kind?: VehicleKind, hints?: ReadHints) {
      try {
        const bytes = ownedCopy(image);
        return call({ op: 'crop', image: bytes, ...(kind === undefined ? {} : { kind }), ...colourOf(hints) }, [bytes]);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    readCrops(crops) {
      try {
        const owned = crops.map((c) => ({ image: ownedCopy(c.image), ...(c.kind === undefined ? {} : { kind: c.kind }), ...colourOf(c) }));
        return call<(PlateReading | null)[]>({ op: 'crops', crops: owned }, owned.map((c) => c.image));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    async close() {
      if (dead) return;
      await call({ op: 'close' }).catch(() => undefined);
      dead = new PlateReaderUnavailableError('The plate reader is closed');
      await worker.terminate();
    },
  };
}
