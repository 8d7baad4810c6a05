import { expect } from 'chai';
import pg from 'pg';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { describeEventStoreContract, newEvent } from '../../contract/eventstore.contract.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../../support/env.ts';
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

  it('LISTEN/NOTIFY wakes a subscriber in another process (simulated by a second store whose poll is 10 minutes)', async function () {
    const writer = new PostgresEventStore({ databaseUrl: db.url });
    const reader = new PostgresEventStore({ databaseUrl: db.url, pollIntervalMs: 600_000 });
    try {
      const start = await writer.headCheckpoint();
      const stream = `notify-${Date.now()}`;
      const seen: string[] = [];
      let caughtUp = false;
      const sub = reader.subscribeToAll({
        after: start,
        onRecord: async (r) => {
          if (r.record.stream === stream) seen.push(r.record.id);
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
      });
      await waitFor(() => caughtUp, { what: 'catch-up' });
      const { records } = await writer.append(stream, [newEvent('Notified')], expected.noStream);
      await waitFor(() => seen.length === 1, { what: 'delivery woken by NOTIFY', timeoutMs: 20_000 });
      expect(seen).to.deep.equal([records[0]!.record.id]);
      await sub.close();
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('the feed holds back records committed behind a still-running older transaction, then shows them in order', async function () {
    const store = new PostgresEventStore({ databaseUrl: db.url });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      const start = await store.headCheckpoint();
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()'); // an xid older than the append below
      const stream = `held-${Date.now()}`;
      const { records } = await store.append(stream, [newEvent('Held')], expected.noStream);
      expect(await store.readStream(stream)).to.have.length(1); // durable and readable by stream at once
      const visible = (await store.readAll(start === undefined ? {} : { after: start })).filter((r) => r.record.stream === stream);
      expect(visible).to.deep.equal([]); // but not yet in the feed: a record could still commit before it
      expect(await store.hasPendingRecords()).to.equal(true);
      await holder.query('COMMIT');
      // Other transactions on a shared server may hold the horizon a little longer: wait on the state.
      const after = await waitFor(async () => {
        const page = (await store.readAll(start === undefined ? {} : { after: start })).filter((r) => r.record.stream === stream);
        return page.length > 0 && page;
      }, { what: 'the held record in the feed' });
      expect(after.map((r) => r.hash)).to.deep.equal([records[0]!.hash]);
    } finally {
      await holder.end();
      await store.close();
    }
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
