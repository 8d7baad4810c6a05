/**
 * Embedded PostgreSQL: PGlite (PostgreSQL compiled to WebAssembly) with a data directory, served over the
 * PostgreSQL wire protocol by `PGLiteSocketServer` on a free 127.0.0.1 port, so `pg` and TypeORM use it like
 * any server. Durable: PGlite writes through to `dataDir`; records survive `stop()` and a new start on the
 * same directory.
 *
 * What differs from a real server (the adapters feature-detect on `version()` containing "PGlite"):
 * - all connections share ONE backend: statements run one at a time, and the socket server pins the queue
 *   to a connection while it is inside a transaction, so transactions are serial;
 * - LISTEN/NOTIFY does not reach other connections, so subscribers poll;
 * - advisory locks never block (same session); harmless, as only this process can open `dataDir`.
 *
 * One process per directory: PGlite holds the database in this process's memory and writes it back, so a
 * second process on the same directory would silently lose the first one's writes. `dataDir` is locked
 * (`<dataDir>.lock`, see data-dir-lock.ts) before PGlite opens it and until `stop()` has closed it; a
 * second opener gets `DataDirLockedError` naming the process that holds it.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { fixPgliteSocketQueue } from './pglite-queue-fix.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, for `pg`, TypeORM and the event store. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /**
   * Directory for the database files; created if missing, and locked for this process until `stop()`
   * (throws `DataDirLockedError` if another live process holds it). Absent = in memory (tests only).
   */
  dataDir?: string;
  /** Concurrent client connections accepted (default 32; MUST be > 1 for pools). */
  maxConnections?: number;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  let lock: DataDirLock | undefined;
  if (options.dataDir) {
    lock = acquireDataDirLock(options.dataDir);
    mkdirSync(options.dataDir, { recursive: true });
  }
  let db: PGlite | undefined;
  let server: PGLiteSocketServer;
  try {
    db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
    server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: options.port ?? 0,
      maxConnections: options.maxConnections ?? 32,
    });
    fixPgliteSocketQueue(server);
    await server.start();
  } catch (error) {
    await db?.close();
    lock?.release();
    throw error;
  }
  const pglite = db;
  const port = Number(server.getServerConn().split(':').pop());
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
