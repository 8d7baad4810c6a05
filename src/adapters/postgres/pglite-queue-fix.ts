/**
 * Work-around for pglite-socket 0.2.x (electric-sql/pglite issue #1046, PR #977, open upstream): its query
 * queue keeps a connection's affinity to the single PGlite session only while a SQL transaction is open. An
 * extended-protocol batch (Parse/Bind/Describe/Execute … Sync) is not a transaction, so two connections'
 * batches interleave on the shared session: one connection binds against the other's unnamed statement
 * ("bind message supplies 1 parameters, but prepared statement "" requires 3"), or silently gets wrong rows.
 * A failing message also left the queue marked busy forever.
 *
 * This replaces the queue's `processQueue` on a server instance with one that also pins the session to a
 * connection from its first extended-protocol message until its Sync, and keeps going after a failure.
 * Remove it once pglite-socket ships the fix.
 */
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueueInternals {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData(data: Uint8Array): void }): Promise<unknown>;
  };
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q' simple query: a complete cycle on its own
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // Parse, Bind, Describe, Execute, Close, Flush

export function fixPgliteSocketQueue(server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue?: QueueInternals }).queryQueue;
  if (!queue || typeof queue.processQueue !== 'function' || !Array.isArray(queue.queue)) {
    throw new Error('pglite-socket internals changed: review src/adapters/postgres/pglite-queue-fix.ts');
  }
  let batchOpenFor: number | null = null;

  queue.processQueue = async function processQueue(this: QueueInternals): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const pinned = batchOpenFor ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
        let item: QueuedMessage | undefined;
        if (pinned !== null) {
          const index = this.queue.findIndex((q) => q.handlerId === pinned);
          if (index === -1) break; // wait for the pinned connection's next message
          item = this.queue.splice(index, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        const type = item.message[0] ?? 0;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          if (batchOpenFor === item.handlerId) batchOpenFor = null;
          item.reject(error);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        if (type === SYNC || type === QUERY) batchOpenFor = null;
        else if (EXTENDED.has(type)) batchOpenFor = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }.bind(queue);

  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    clear(handlerId);
    if (batchOpenFor === handlerId) {
      batchOpenFor = null;
      void queue.processQueue();
    }
  };
}
