import { expect } from 'chai';
import pg from 'pg';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { expected } from '../../../src/adapters/eventstore/port.ts';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { describeEventStoreContract, newEvent } from '../../contract/eventstore.contract.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';
import { closedPort } from './support.ts';

describe('PostgreSQL event store', function () {
  let db: ScratchDatabase;

  before(async function () {
    db = await scratchDatabase('es');
    await runMigrations(db.url);
  });
  after(async function () {
    await db?.drop();
  });

  describeEventStoreContract('postgres', {
    open: async () => new PostgresEventStore({ databaseUrl: db.url }),
    openUnreachable: async () => new PostgresEventStore({ databaseUrl: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` }),
  });

  describe('schema', function () {
    let client: pg.Client;
    before(async function () {
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const store = new PostgresEventStore({ databaseUrl: db.url });
      await store.append(`schema-${Date.now()}`, [newEvent()], expected.any);
      await store.close();
    });
    after(async function () {
      await client?.end();
    });

    for (const [what, sql] of [
      ['UPDATE', `UPDATE event_records SET type = 'Forged'`],
      ['DELETE', 'DELETE FROM event_records'],
      ['TRUNCATE', 'TRUNCATE event_records'],
    ] as const) {
      it(`refuses ${what} on event_records`, async function () {
        const before = await client.query('SELECT count(*)::int AS n, string_agg(hash, \',\' ORDER BY global_position) AS h FROM event_records');
        try {
          await client.query(sql);
          expect.fail(`${what} succeeded`);
        } catch (error) {
          expect((error as { code?: string }).code).to.equal('TEC01');
          expect((error as Error).message).to.contain('append-only');
        }
        const after = await client.query('SELECT count(*)::int AS n, string_agg(hash, \',\' ORDER BY global_position) AS h FROM event_records');
        expect(after.rows[0]).to.deep.equal(before.rows[0]);
        expect(after.rows[0].n).to.be.greaterThan(0);
      });
    }

    it('re-running migrations, also from several processes at once, applies each exactly once', async function () {
      await Promise.all([runMigrations(db.url), runMigrations(db.url), runMigrations(db.url)]);
      const { rows } = await client.query('SELECT name FROM typeorm_migrations ORDER BY id');
      const names = rows.map((r: { name: string }) => r.name);
      expect(names).to.include('EventStore1795478400000');
      expect(new Set(names).size).to.equal(names.length);
    });

    it('parses positions as BigInt, never Number', async function () {
      const store = new PostgresEventStore({ databaseUrl: db.url });
      try {
        const { nextExpectedRevision, records } = await store.append(`big-${Date.now()}`, [newEvent()], expected.noStream);
        expect(typeof nextExpectedRevision).to.equal('bigint');
        expect(records[0]!.checkpoint).to.match(/^\d+:\d+$/);
      } finally {
        await store.close();
      }
    });
  });
});
