/**
 * The `pg` connection pool factory. Every pool gets an `error` listener: an idle client losing its
 * connection (server restart, network) MUST NOT crash the process; the next query fails instead, and the
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

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/** True for errors that mean "the database cannot be reached or went away", as opposed to a refused statement. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_CODES.has(code)) return true;
    // 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections.
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === '53300') return true;
  }
  if (typeof message === 'string') {
    return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message);
  }
  return false;
}
