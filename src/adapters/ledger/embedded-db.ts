/**
 * An embedded node's PostgreSQL for `tec ledger …`: PGlite on `<dataDir>/pg`, served over the PostgreSQL
 * protocol by pglite-socket on a loopback port so `pg` talks to it as to a server. PGlite is one session:
 * callers MUST use a single connection at a time (the verifier runs everything on one client).
 * The lead's `src/config.ts` is the shared place for the embedded layout; this is the ledger's own copy
 * until that lands.
 */
import { existsSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { AppError } from '../../domain/shared/errors.ts';

export class EmbeddedDatabaseError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'embedded-database';
}

export interface EmbeddedDatabase {
  url: string;
  close(): Promise<void>;
}

/** Opens an existing embedded database; refuses to create one (verifying an empty directory proves nothing). */
export async function openEmbeddedDatabase(pgliteDir: string): Promise<EmbeddedDatabase> {
  if (!existsSync(pgliteDir)) throw new EmbeddedDatabaseError(`no embedded database at ${pgliteDir}`, { pgliteDir });
  const db = await PGlite.create(pgliteDir);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 1 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
