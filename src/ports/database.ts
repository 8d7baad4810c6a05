/**
 * The PostgreSQL databases (event store, read models, ledger; `pg` or PGlite over the wire protocol) as callers
 * see their failures: "cannot be reached or went away" is retryable and never a refused statement. Pools are
 * created by src/adapters/postgres/pool.ts.
 */
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
