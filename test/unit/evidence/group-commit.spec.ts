/**
 * Group commit of the evidence store's directory fsyncs (issue 15): concurrent puts share one fsync per
 * directory per batch, and a put is acknowledged only once the batch holding its link is durable. The store
 * runs on the real filesystem; the directory fsync is the real one, wrapped to count it and to hold a batch.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSystemEvidenceStore, fsyncDirectory, type PutResult } from '../../../src/adapters/evidence/index.ts';
import { waitFor } from '../../support/env.ts';

/** A gate the test opens: fsyncs issued while it is closed wait for it. */
function gate(): { wait: () => Promise<void>; open: () => void; fail: (error: Error) => void } {
  let release!: () => void;
  let refuse!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    release = resolve;
    refuse = reject;
  });
  opened.catch(() => undefined);
  return { wait: () => opened, open: release, fail: refuse };
}

describe('FileSystemEvidenceStore: group commit of directory fsyncs', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tec-group-commit-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('puts that link while a batch is syncing share the next batch, and none is acknowledged before its batch is durable', async () => {
    const held = gate();
    const synced: string[] = [];
    let holding = true;
    const store = await FileSystemEvidenceStore.open(join(root, 'evidence'), {
      directoryFsync: async (path) => {
        if (holding) await held.wait();
        await fsyncDirectory(path);
        synced.push(path);
      },
    });
    const group = store.directorySync;

    // The first put starts batch 1, which is held open.
    const acknowledged = new Set<number>();
    const first = store.put(randomBytes(1000)).then((r) => (acknowledged.add(0), r));
    await waitFor(() => group.waiting === 1 && group.fsyncs >= 1, { what: 'the first batch started' });
    // Twenty more puts link their blobs meanwhile and all wait for batch 2.
    const rest = Array.from({ length: 20 }, (_, i) =>
      store.put(randomBytes(1000 + i)).then((r) => (acknowledged.add(i + 1), r)),
    );
    await waitFor(() => group.waiting === 21, { timeoutMs: 30_000, what: 'every put linked and waiting' });
    expect(acknowledged.size, 'acknowledged before any directory was durable').to.equal(0);
    expect(synced).to.have.length(0);

    holding = false;
    held.open();
    const results: PutResult[] = await Promise.all([first, ...rest]);
    expect(results.every((r) => r.created)).to.equal(true);
    expect(group.batches).to.equal(2);
    // Batch 1: one shard and the root; batch 2: each distinct shard once, plus the root once for the new shards.
    const shards = new Set(results.map((r) => r.digest.slice('sha256:'.length, 'sha256:'.length + 2)));
    expect(group.fsyncs).to.be.at.most(shards.size + 1 + 2);
    expect(group.fsyncs).to.be.lessThan(2 * results.length);
    for (const r of results) expect(await store.has(r.digest)).to.equal(true);
  });

  it('a put of bytes already stored also waits for a durable batch (a concurrent writer may not have synced yet)', async () => {
    const held = gate();
    let holding = false;
    const store = await FileSystemEvidenceStore.open(join(root, 'evidence'), {
      directoryFsync: async (path) => {
        if (holding) await held.wait();
        await fsyncDirectory(path);
      },
    });
    const bytes = randomBytes(2000);
    await store.put(bytes);
    holding = true;
    let done = false;
    const again = store.put(bytes).then((r) => ((done = true), r));
    await waitFor(() => store.directorySync.waiting === 1, { what: 'the replayed put waiting for its batch' });
    expect(done).to.equal(false);
    held.open();
    expect((await again).created).to.equal(false);
  });

  it('a failed directory fsync refuses every put of its batch, and the next batch is unaffected', async () => {
    const held = gate();
    let failing = true;
    let holding = true;
    const store = await FileSystemEvidenceStore.open(join(root, 'evidence'), {
      directoryFsync: async (path) => {
        if (holding) await held.wait();
        if (failing) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
        await fsyncDirectory(path);
      },
    });
    const refused = [store.put(randomBytes(500)), store.put(randomBytes(501))].map((p) =>
      p.then(
        () => 'acknowledged',
        (error: Error) => error.message,
      ),
    );
    await waitFor(() => store.directorySync.waiting === 2, { what: 'both puts waiting' });
    holding = false;
    held.fail(new Error('EIO: i/o error, fsync'));
    expect(await Promise.all(refused)).to.deep.equal(['EIO: i/o error, fsync', 'EIO: i/o error, fsync']);
    failing = false;
    const later = await store.put(randomBytes(502));
    expect(later.created).to.equal(true);
    expect(await store.has(later.digest)).to.equal(true);
  });
});
