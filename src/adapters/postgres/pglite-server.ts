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
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { fixPgliteSocketQueue } from './pglite-queue-fix.ts';

export interface EmbeddedPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, for `pg`, TypeORM and the event store. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for the database files; created if missing. Absent = in memory (tests only). */
  dataDir?: string;
  /** Concurrent client connections accepted (default 32; MUST be > 1 for pools). */
  maxConnections?: number;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 32,
  });
  fixPgliteSocketQueue(server);
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const port = Number(server.getServerConn().split(':').pop());
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
    },
  };
}
