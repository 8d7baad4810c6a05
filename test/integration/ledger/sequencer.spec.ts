/**
 * The sequencer on real PostgreSQL with the real PostgreSQL event store: order, exactly-once across
 * restarts, one leader among two, checkpoints and proofs, the fork alarm.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openCheckpoint,
  leafHash,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/domain/integrity/index.ts';
import { startLedger, LedgerForkAlarm, LedgerRangeError, SealTimeoutError, type LedgerService } from '../../../src/adapters/ledger/index.ts';
import { issueCheckpointAt } from '../../../src/adapters/ledger/checkpoints.ts';
import { latestCheckpoint } from '../../../src/adapters/ledger/store.ts';
import { verifyLedger } from '../../../src/adapters/ledger/verify.ts';
import type { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { waitFor } from '../../support/env.ts';
import { ledgerTestDatabase, type LedgerTestDatabase } from './support/db.ts';
import { appendNotes, openEventStore } from './support/events.ts';

const ORIGIN = 'vn-traffic/province-01';
const FIXED_TIME = new Date('2026-11-24T10:00:00.000Z');

describe('ledger sequencer (integration, PostgreSQL)', function () {
  let db: LedgerTestDatabase;
  let dir: string;
  let store: PostgresEventStore;
  const services: LedgerService[] = [];

  beforeEach(async () => {
    db = await ledgerTestDatabase('ledger_seq');
    dir = await mkdtemp(join(tmpdir(), 'tec-ledger-seq-'));
    store = openEventStore(db.url);
  });

  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    await store.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(options: { clock?: () => Date; interval?: number; lines?: string[] } = {}): Promise<LedgerService> {
    const service = await startLedger({
      pool: db.pool,
      eventStore: store,
      keyFile: join(dir, 'keys', 'ledger.key'),
      origin: ORIGIN,
      clock: options.clock ?? (() => new Date()),
      checkpointIntervalMs: options.interval ?? 20,
      maxBatch: 7,
      print: (line) => options.lines?.push(line),
    });
    services.push(service);
    return service;
  }

  async function feedIds(): Promise<string[]> {
    return (await store.readAll({ maxCount: 10_000 })).map((r) => r.record.id);
  }

  async function leafIds(): Promise<string[]> {
    const { rows } = await db.pool.query<{ record_id: string }>('SELECT record_id::text FROM ledger_leaves ORDER BY leaf_index');
    return rows.map((r) => r.record_id);
  }

  it('integrates the feed in order, exactly once, and seals it', async () => {
    const lines: string[] = [];
    const before = await appendNotes(store, 40);
    const ledger = await start({ lines });
    expect(lines).to.deep.equal([`verifier-key: ${ledger.verifierKey()}`]);
    await ledger.sequencer!.started;
    const after = await appendNotes(store, 25);
    const all = [...before, ...after];
    const sealed = await ledger.waitUntilSealed(all, 15_000);
    expect(sealed.treeSize).to.be.at.least(65);
    expect(await leafIds()).to.deep.equal(await feedIds());
    expect(new Set(await leafIds()).size).to.equal(65);
    const lag = await ledger.sealingLag();
    expect(lag).to.include({ records: 0, seconds: 0 });
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [ledger.verifierKey()] });
    expect(report.discrepancies).to.deep.equal([]);
    expect(report.leaves).to.equal(65);
  });

  it('serves inclusion and consistency proofs that verify against its signed checkpoints', async () => {
    const ids = await appendNotes(store, 30);
    const ledger = await start();
    const first = await ledger.waitUntilSealed(ids.slice(0, 13), 15_000);
    await ledger.waitUntilSealed(ids, 15_000);
    const latest = (await ledger.latestCheckpoint())!;
    const opened = openCheckpoint(latest.note, [ledger.verifierKey()]);
    expect(opened.checkpoint.size).to.equal(latest.treeSize);
    for (const id of [ids[0]!, ids[12]!, ids[29]!]) {
      const leaf = (await ledger.leafForRecord(id))!;
      const proof = await ledger.inclusionProof(leaf.leafIndex, latest.treeSize);
      expect(verifyInclusion(leafHash(Buffer.from(leaf.recordHash, 'hex')), leaf.leafIndex, latest.treeSize, proof, opened.checkpoint.root)).to.equal(true);
    }
    const proof = await ledger.consistencyProof(first.treeSize, latest.treeSize);
    expect(verifyConsistency(first.treeSize, latest.treeSize, first.root, latest.root, proof)).to.equal(true);
    expect((await ledger.checkpointAtOrAfter(13))!.treeSize).to.be.at.least(13);
    expect(await ledger.checkpointAtOrAfter(latest.treeSize + 1)).to.equal(undefined);
    await expectRejection(ledger.inclusionProof(0, latest.treeSize + 100), LedgerRangeError);
    await expectRejection(ledger.waitUntilSealed(latest.treeSize + 5, 50), SealTimeoutError);
  });

  it('issues a checkpoint on demand with the injected clock, and none twice for the same size', async () => {
    const ledger = await start({ clock: () => FIXED_TIME, interval: 60_000 });
    await ledger.sequencer!.started;
    const empty = await ledger.issueCheckpoint();
    expect(empty.treeSize).to.equal(0);
    const ids = await appendNotes(store, 9);
    await waitFor(async () => (await ledger.leafForRecord(ids[8]!)) !== undefined, { what: 'integration' });
    const checkpoint = await ledger.issueCheckpoint();
    expect(checkpoint.treeSize).to.equal(9);
    expect(checkpoint.note).to.contain(`\ntime ${FIXED_TIME.toISOString()}\n`);
    expect((await ledger.issueCheckpoint()).note).to.equal(checkpoint.note);
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM ledger_checkpoints');
    expect(rows[0]!.n).to.equal('2');
  });

  it('resumes after a restart with no record skipped or integrated twice', async () => {
    const first = await start();
    const a = await appendNotes(store, 23);
    await first.waitUntilSealed(a, 15_000);
    await first.close();
    const b = await appendNotes(store, 31);
    const second = await start();
    await second.waitUntilSealed(b, 15_000);
    const c = await appendNotes(store, 5);
    await second.waitUntilSealed(c, 15_000);
    expect(await leafIds()).to.deep.equal(await feedIds());
    expect((await leafIds()).length).to.equal(59);
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [second.verifierKey()] });
    expect(report.discrepancies).to.deep.equal([]);
  });

  it('lets one of two sequencers lead; the other waits on the lock and takes over when it stops', async () => {
    const a = await start();
    await a.sequencer!.started;
    const b = await start();
    await waitFor(
      async () => {
        const { rows } = await db.pool.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
        return rows.length === 1;
      },
      { what: 'the second sequencer to wait on the ledger lock' },
    );
    expect(a.sequencer!.status).to.equal('leading');
    expect(b.sequencer!.status).to.equal('waiting');
    const first = await appendNotes(store, 12);
    await a.waitUntilSealed(first, 15_000);
    expect(b.sequencer!.status).to.equal('waiting');
    await a.close();
    await b.sequencer!.started;
    expect(b.sequencer!.status).to.equal('leading');
    const second = await appendNotes(store, 12);
    await b.waitUntilSealed(second, 15_000);
    expect(await leafIds()).to.deep.equal(await feedIds());
  });

  it('two sequencers on one database under concurrent appends, the leader losing its lock session: one checkpoint per size, every record once', async () => {
    const a = await start();
    await a.sequencer!.started;
    const b = await start();
    await waitFor(async () => (await db.pool.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows.length === 1, {
      what: 'the second sequencer to wait on the ledger lock',
    });
    const lockSession = async (): Promise<number | undefined> =>
      (await db.pool.query<{ pid: number }>(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted`)).rows[0]?.pid;
    const firstLeader = await lockSession();
    const appended: string[] = [];
    const appender = async (): Promise<void> => {
      for (let round = 0; round < 8; round++) appended.push(...(await appendNotes(store, 6, 3)));
    };
    const appenders = [appender(), appender(), appender(), appender()];
    // Mid-stream, the leader's lock session dies (as when its server-side connection is killed).
    await waitFor(async () => (await leafIds()).length >= 20, { what: 'the first leader to integrate 20 records' });
    await db.pool.query('SELECT pg_terminate_backend($1)', [firstLeader]);
    await a.sequencer!.done.then(
      () => expect.fail('the first leader must stop when its lock session dies'),
      () => undefined,
    );
    await b.sequencer!.started;
    expect(b.sequencer!.status).to.equal('leading');
    expect(await lockSession()).not.to.equal(firstLeader);
    await Promise.all(appenders);
    await b.waitUntilSealed(appended, 30_000);
    const duplicated = await db.pool.query('SELECT tree_size FROM ledger_checkpoints GROUP BY tree_size HAVING count(*) > 1');
    expect(duplicated.rows).to.deep.equal([]);
    const leaves = await leafIds();
    expect(leaves).to.deep.equal(await feedIds());
    expect(new Set(leaves).size).to.equal(appended.length);
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [b.verifierKey()] });
    expect(report.discrepancies).to.deep.equal([]);
    expect(report.checkpoints).to.be.greaterThan(1);
  });

  it('raises a fork alarm and stores nothing when stored subtree hashes no longer give its root', async () => {
    const failures: unknown[] = [];
    const ledger = await startLedger({
      pool: db.pool,
      eventStore: store,
      keyFile: join(dir, 'keys', 'ledger.key'),
      origin: ORIGIN,
      checkpointIntervalMs: 60_000,
      print: () => undefined,
      onFailure: (e) => failures.push(e),
    });
    services.push(ledger);
    await ledger.sequencer!.started;
    const ids = await appendNotes(store, 8);
    await waitFor(async () => (await ledger.leafForRecord(ids[7]!)) !== undefined, { what: 'integration' });
    await ledger.issueCheckpoint();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(`UPDATE ledger_nodes SET hash = sha256(hash) WHERE level = 3 AND node_index = 0`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const more = await appendNotes(store, 3);
    await waitFor(async () => (await ledger.leafForRecord(more[2]!)) !== undefined, { what: 'integration' });
    await expectRejection(ledger.issueCheckpoint(), LedgerForkAlarm);
    await expectRejection(ledger.sequencer!.done, LedgerForkAlarm);
    expect(failures).to.have.length(1);
    expect((await latestCheckpoint(db.pool))!.treeSize).to.equal(8);
  });

  it('refuses to store a checkpoint that is not consistent with the previous one', async () => {
    const ledger = await start({ interval: 60_000 });
    await ledger.sequencer!.started;
    const ids = await appendNotes(store, 6);
    await waitFor(async () => (await ledger.leafForRecord(ids[5]!)) !== undefined, { what: 'integration' });
    // A previous checkpoint signed by this very key over another history of 4 leaves: a fork.
    const forkedRoot = new Uint8Array(32).fill(9);
    const time = FIXED_TIME.toISOString();
    const previous = { treeSize: 4, root: forkedRoot, note: signCheckpoint({ origin: ORIGIN, size: 4, root: forkedRoot, time }, ledger.key.seed), issuedAt: FIXED_TIME };
    const latest = await ledger.issueCheckpoint();
    expect(latest.treeSize).to.equal(6);
    await expectRejection(
      issueCheckpointAt(db.pool, { origin: ORIGIN, seed: ledger.key.seed, verifierKey: ledger.verifierKey() }, 6, latest.root, previous, time),
      LedgerForkAlarm,
    );
    expect((await latestCheckpoint(db.pool))!.treeSize).to.equal(6);
  });
});

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return;
  }
  expect.fail(`expected a ${type.name}`);
}
