/**
 * Crash safety: a child process running the sequencer is killed with SIGKILL at random moments while
 * appends keep coming; after a final restart the leaves are exactly the feed, in order, with no gap or
 * duplicate, and every checkpoint verifies and is consistent with the one before.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOrCreateNodeKey, nodeVerifierKey } from '../../../src/adapters/keys/node-key.ts';
import { verifyLedger } from '../../../src/adapters/ledger/verify.ts';
import { waitFor } from '../../support/env.ts';
import { ledgerTestDatabase, type LedgerTestDatabase } from './support/db.ts';
import { appendNotes, openEventStore } from './support/events.ts';

const ORIGIN = 'vn-traffic/province-01';
const childScript = join(dirname(fileURLToPath(import.meta.url)), 'support/sequencer-child.ts');

describe('ledger crash safety (integration, SIGKILL)', function () {
  this.timeout(120_000);
  let db: LedgerTestDatabase;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    db = await ledgerTestDatabase('ledger_crash');
    dir = await mkdtemp(join(tmpdir(), 'tec-ledger-crash-'));
  });

  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  function spawnSequencer(keyFile: string): { child: ChildProcess; leading: Promise<void>; exited: Promise<void> } {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
      env: { ...process.env, LEDGER_TEST_DATABASE_URL: db.url, LEDGER_KEY_FILE: keyFile, LEDGER_ORIGIN: ORIGIN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let out = '';
    const leading = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('leading\n')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`sequencer exited (${code ?? signal}) before leading`)));
    });
    leading.catch(() => undefined);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, leading, exited };
  }

  const count = async (table: string): Promise<number> =>
    Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

  it('never skips, duplicates or reorders a leaf when killed at random moments', async () => {
    const keyFile = join(dir, 'keys', 'ledger.key');
    const key = await loadOrCreateNodeKey(keyFile);
    const store = openEventStore(db.url);
    let appending = true;
    let appended = 0;
    const appender = (async () => {
      while (appending) appended += (await appendNotes(store, 5, 4)).length;
    })();
    try {
      const kills = 6;
      for (let round = 0; round < kills; round++) {
        const { child, leading, exited } = spawnSequencer(keyFile);
        await leading;
        const base = await count('ledger_leaves');
        // A random amount of progress, then SIGKILL: the kill lands wherever the child happens to be.
        const progress = 1 + Math.floor(Math.random() * 25);
        await waitFor(async () => (await count('ledger_leaves')) >= base + progress, { timeoutMs: 30_000, what: `round ${round} progress` });
        child.kill('SIGKILL');
        await exited;
      }
      appending = false;
      await appender;
      const { child, leading, exited } = spawnSequencer(keyFile);
      await leading;
      await waitFor(
        async () => {
          const cp = await db.pool.query<{ n: string }>('SELECT max(tree_size) AS n FROM ledger_checkpoints');
          return Number(cp.rows[0]!.n) === appended;
        },
        { timeoutMs: 30_000, what: 'the final checkpoint to cover every appended record' },
      );
      child.kill('SIGTERM');
      await exited;
      const leaves = (await db.pool.query<{ id: string }>('SELECT record_id::text AS id FROM ledger_leaves ORDER BY leaf_index')).rows.map((r) => r.id);
      // The whole feed, page by page (one read returns at most 10,000 records; a slow machine appends more).
      const feed: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 5_000 });
        if (page.length === 0) break;
        feed.push(...page.map((r) => r.record.id));
        after = page[page.length - 1]!.checkpoint;
      }
      expect(leaves.length).to.equal(appended);
      expect(leaves).to.deep.equal(feed);
      const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [nodeVerifierKey(ORIGIN, key)] });
      expect(report.discrepancies).to.deep.equal([]);
      expect(report.checkpoints).to.be.greaterThan(kills);
      expect(report.unsealed).to.equal(0);
    } finally {
      appending = false;
      await appender.catch(() => undefined);
      await store.close();
    }
  });
});
