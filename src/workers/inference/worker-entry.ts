/**
 * Worker-thread side of `createPlateReaderInWorker`: owns one PlateReader and answers requests from the parent.
 * Only plain data crosses the thread boundary (image bytes in, readings or error descriptions out).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../domain/shared/errors.ts';
import { createPlateReader, type PlateReaderOptions } from './reader.ts';
import type { WorkerReply, WorkerRequest, WorkerErrorDescription } from './worker-protocol.ts';

function describe(error: unknown): WorkerErrorDescription {
  if (error instanceof AppError) return { name: error.name, code: error.code, category: error.category, message: error.message };
  return { name: 'Error', code: 'plate-reader-failed', category: 'internal', message: 'The plate reader failed' };
}

const port = parentPort;
if (!port) throw new Error('worker-entry.ts must run in a worker thread');

try {
  const reader = await createPlateReader(workerData as PlateReaderOptions);
  port.postMessage({ type: 'ready', identity: reader.modelIdentity } satisfies WorkerReply);
  port.on('message', (request: WorkerRequest) => {
    void (async () => {
      try {
        if (request.op === 'close') {
          await reader.close();
          port.postMessage({ type: 'result', id: request.id, result: null } satisfies WorkerReply);
          port.close();
          return;
        }
        switch (request.op) {
          case 'crops': {
            const results = await reader.readCrops(request.crops.map((c) => ({ image: new Uint8Array(c.image), kind: c.kind, colour: c.colour })));
            port.postMessage({ type: 'results', id: request.id, results } satisfies WorkerReply);
            return;
          }
          case 'scene':
          case 'crop': {
            const image = new Uint8Array(request.image);
            const hints = request.colour === undefined ? undefined : { colour: request.colour };
            const result = request.op === 'scene' ? await reader.readScene(image, hints) : await reader.readCrop(image, request.kind, hints);
            port.postMessage({ type: 'result', id: request.id, result } satisfies WorkerReply);
            return;
          }
          default: {
            const unexpected: never = request;
            throw new Error(`unexpected request ${JSON.stringify(unexpected)}`);
          }
        }
      } catch (error) {
        port.postMessage({ type: 'error', id: request.id, error: describe(error) } satisfies WorkerReply);
      }
    })();
  });
} catch (error) {
  port.postMessage({ type: 'fatal', error: describe(error) } satisfies WorkerReply);
  port.close();
}
