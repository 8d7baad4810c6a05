/**
 * The `pg` connection pool factory. Every pool gets an `error` listener: an idle client losing its
 * connection (server restart, network) MUST NOT crash the process; the next query fails instead (`isConnectionError`
 * in src/ports/database.ts tells such failures apart), and the
 * caller maps that to StoreUnavailableError.
 *
 * int8 columns come back from `pg` as strings; callers parse them with BigInt, never Number. We do not
 * install a global type parser because other modules share the `pg` module.
 */
import pg from 'pg';

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** How long to wait for a connection before failing (default 5 s). */
  connectionTimeoutMillis?: number;
}

export function createPgPool(databaseUrl: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'tec',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {
    // An idle client died. The pool discards it; nothing to do, and nothing secret to log.
  });
  return pool;
}
