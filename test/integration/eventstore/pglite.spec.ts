import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../src/adapters/postgres/pglite-server.ts';
import { describeEventStoreContract, newEvent } from '../../contract/eventstore.contract.ts';
import { closedPort } from './support.ts';

describe('embedded PGlite event store', function () {
  let dataDir: string;
  let embedded: EmbeddedPostgres;

  before(async function () {
    dataDir = mkdtempSync(join(tmpdir(), 'tec-pglite-'));
    embedded = await startEmbeddedPostgres({ dataDir });
    await runMigrations(embedded.url);
  });
  after(async function () {
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describeEventStoreContract('pglite', {
    open: async () => new PostgresEventStore({ databaseUrl: embedded.url }),
    openUnreachable: async () => new PostgresEventStore({ databaseUrl: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` }),
  });

  it('keeps records across a restart of the embedded server on the same data directory', async function () {
    const stream = `persist-${Date.now()}`;
    let store = new PostgresEventStore({ databaseUrl: embedded.url });
    const { records } = await store.append(stream, [newEvent('Kept')], expected.noStream);
    await store.close();
    await embedded.stop();

    embedded = await startEmbeddedPostgres({ dataDir });
    await runMigrations(embedded.url);
    store = new PostgresEventStore({ databaseUrl: embedded.url });
    try {
      const [read] = await store.readStream(stream);
      expect(read!.canonical).to.equal(records[0]!.canonical);
      expect(read!.hash).to.equal(records[0]!.hash);
      expect((await store.append(stream, [newEvent('After')], expected.exact(0n))).nextExpectedRevision).to.equal(1n);
    } finally {
      await store.close();
    }
  });

  it('refuses UPDATE on event_records (the append-only trigger works in PGlite too)', async function () {
    const store = new PostgresEventStore({ databaseUrl: embedded.url });
    try {
      await store.pool.query(`UPDATE event_records SET type = 'Forged'`).then(
        () => expect.fail('UPDATE succeeded'),
        (error: { code?: string }) => expect(error.code).to.equal('TEC01'),
      );
    } finally {
      await store.close();
    }
  });
});
