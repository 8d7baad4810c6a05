/**
 * `verifyLedgerStorage` over an in-memory `LedgerStorageReader`: the verifier's checks need nothing but the
 * reader port (the PostgreSQL reader is covered by test/integration/ledger/verify.spec.ts).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Frontier } from '../../../src/adapters/ledger/frontier.ts';
import { verifyLedgerStorage } from '../../../src/adapters/ledger/verify.ts';
import { canonicalize, publicKeyFromSeed, signCheckpoint, verifierKey } from '../../../src/domain/integrity/index.ts';
import type {
  LedgerSnapshot,
  LedgerStorageReader,
  StoredCheckpointNote,
  StoredLeafHashes,
  StoredRecordText,
} from '../../../src/ports/ledger-storage.ts';

const ORIGIN = 'vn-traffic/unit';
const SEED = new Uint8Array(createHash('sha256').update('verify-storage').digest());
const KEY = verifierKey(ORIGIN, publicKeyFromSeed(SEED));
const uuid = (n: number) => `0191f2b4-7c1e-7a52-9a0b-${n.toString(16).padStart(12, '0')}`;

interface Stores {
  records: StoredRecordText[];
  leaves: StoredLeafHashes[];
  nodes: Map<string, Uint8Array>;
  checkpoints: StoredCheckpointNote[];
  stateTreeSize: number | undefined;
}

/** `n` records over three streams, all integrated, a signed checkpoint at `checkpointAt` and at `n`. */
function ledger(n: number, checkpointAt: number): Stores {
  const stores: Stores = { records: [], leaves: [], nodes: new Map(), checkpoints: [], stateTreeSize: n };
  const heads = new Map<string, { revision: number; hash: string }>();
  const frontier = Frontier.empty();
  const seal = () => {
    const root = frontier.root();
    const note = signCheckpoint({ origin: ORIGIN, size: frontier.size, root, time: '2026-11-24T09:00:00.000Z' }, SEED);
    stores.checkpoints.push({ treeSize: frontier.size, root, note });
  };
  for (let i = 0; i < n; i++) {
    const stream = `note-${i % 3}`;
    const head = heads.get(stream);
    const record = {
      v: 1,
      id: uuid(i + 1),
      stream,
      revision: head ? head.revision + 1 : 0,
      type: 'NoteAdded',
      data: { n: i },
      meta: { actor: { kind: 'system', id: 'unit' }, recordedAt: '2026-11-24T09:00:00.000Z' },
      prev: head ? head.hash : '0'.repeat(64),
    };
    const canonical = canonicalize(record);
    const hash = createHash('sha256').update(canonical).digest('hex');
    heads.set(stream, { revision: record.revision, hash });
    stores.records.push({ recordId: record.id, canonical, hash });
    const recordHash = Buffer.from(hash, 'hex');
    const appended = frontier.appendRecordHash(recordHash);
    stores.leaves.push({ leafIndex: i, recordId: record.id, recordHash, leafHash: appended.leafHash });
    for (const node of appended.completed) if (node.level > 0) stores.nodes.set(`${node.level}:${node.index}`, node.hash);
    if (frontier.size === checkpointAt) seal();
  }
  seal();
  return stores;
}

function inMemory(stores: Stores): LedgerStorageReader {
  async function* batches<T>(items: T[], size: number): AsyncGenerator<T[]> {
    for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  }
  const snapshot: LedgerSnapshot = {
    stateTreeSize: stores.stateTreeSize,
    leaves: (size) => batches(stores.leaves, size),
    records: (size) => batches(stores.records, size),
    checkpoints: () => Promise.resolve([...stores.checkpoints].sort((a, b) => a.treeSize - b.treeSize)),
    subtreesCompletedIn: (from, to) => {
      const out = new Map<string, Uint8Array>();
      for (const [key, hash] of stores.nodes) {
        const [level, index] = key.split(':').map(Number) as [number, number];
        const completedBy = (index + 1) * 2 ** level - 1;
        if (completedBy >= from && completedBy < to) out.set(key, hash);
      }
      return Promise.resolve(out);
    },
    withSubtrees: (compute) =>
      Promise.resolve().then(() =>
        compute((level, index) => {
          // Level 0 is the stored leaf hash; above it, the stored subtree hashes.
          const hash = level === 0 ? stores.leaves[index]?.leafHash : stores.nodes.get(`${level}:${index}`);
          if (!hash) throw new Error(`subtree (${level}, ${index}) is not stored`);
          return hash;
        }),
      ),
    subtreeCount: () => Promise.resolve(stores.nodes.size),
  };
  return { read: (read) => read(snapshot) };
}

const verify = (stores: Stores) => verifyLedgerStorage(inMemory(stores), { verifierKeys: [KEY], batchSize: 7 });
const codes = (report: { discrepancies: { code: string }[] }) => [...new Set(report.discrepancies.map((d) => d.code))].sort();

describe('ledger verify over a LedgerStorageReader (in memory)', () => {
  it('given a consistent ledger, when verified, then it is ok and counts what it checked', async () => {
    const report = await verify(ledger(40, 17));
    expect(report.discrepancies).to.deep.equal([]);
    expect(report).to.include({ ok: true, records: 40, leaves: 40, streams: 3, checkpoints: 2, unsealed: 0 });
    // Every subtree hash a tree of 40 leaves completes: 40 − popcount(40) = 38.
    expect(report.subtreeHashes).to.equal(38);
  });

  it('given one changed byte of a stored record, when verified, then the record is named', async () => {
    const stores = ledger(40, 17);
    const target = stores.records[11]!;
    stores.records[11] = { ...target, canonical: target.canonical.replace('"n":11', '"n":12') };
    const report = await verify(stores);
    expect(codes(report)).to.deep.equal(['RECORD_HASH']);
    expect(report.discrepancies[0]!.recordId).to.equal(target.recordId);
  });

  it('given a stored subtree hash changed, when verified, then the subtree is named by the leaf completing it', async () => {
    const stores = ledger(40, 17);
    stores.nodes.set('1:3', new Uint8Array(32));
    const report = await verify(stores);
    expect(codes(report)).to.deep.equal(['NODE_HASH']);
    expect(report.discrepancies[0]!.leafIndex).to.equal(7);
  });

  it('given a leaf that is not integrated yet and a state row behind, when verified, then it is counted, and the state named', async () => {
    const stores = ledger(40, 17);
    stores.leaves.pop();
    const report = await verify(stores);
    expect(report.unintegrated).to.equal(1);
    expect(codes(report)).to.include('LEDGER_STATE');
  });

  it('given damage of every kind the record and tree checks find, when verified on worker threads and inline, then the reports are the same, in the same order', async () => {
    const stores = ledger(60, 17);
    const r11 = stores.records[11]!;
    stores.records[11] = { ...r11, canonical: r11.canonical.replace('"n":11', '"n":12') };
    stores.records[20] = { ...stores.records[20]!, hash: 'not hex' };
    stores.leaves[30] = { ...stores.leaves[30]!, leafHash: new Uint8Array(32) };
    stores.leaves[40] = { ...stores.leaves[40]!, recordHash: stores.leaves[40]!.recordHash.slice(0, 31) };
    stores.nodes.set('2:1', new Uint8Array(32));
    const run = (recordChecks: 'thread' | 'inline') =>
      verifyLedgerStorage(inMemory(stores), { verifierKeys: [KEY], batchSize: 7, recordChecks }).then(({ durationMs: _, ...rest }) => rest);
    const threaded = await run('thread');
    const inline = await run('inline');
    expect(codes(threaded)).to.include.members(['RECORD_HASH', 'LEAF_HASH', 'LEAF_RECORD', 'NODE_HASH', 'CHAIN', 'CHECKPOINT_ROOT']);
    expect(threaded).to.deep.equal(inline);
  });
});
