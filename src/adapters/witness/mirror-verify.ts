/**
 * The "from scratch" check of one mirrored provincial log (docs/federation.md "Operations", `tec replay
 * --national`), in the Tessera sense: trust nothing the mirror derived, recompute it from the stored records.
 * Over `mirror_records` of one origin, in leaf order:
 * - the leaves are 0 … size − 1 with no gap, and as many as the cursor (`mirror_logs.size`) says;
 * - each record text hashes (SHA-256, integrity.md §9) to its stored `record_hash`, is a v1 record and chains
 *   onto its stream (the mirror's own pure checks, `parseMirroredRecords` and `chainMirroredRecords`), and the
 *   columns the national views index (record id, stream, revision, type, province) are the record's;
 * - the RFC 6962 tree over those hashes gives the stored compact range (`mirror_logs.frontier`) and, when the
 *   mirror holds the whole cosigned tree, the root of the checkpoint in `mirror_logs` (opened under a key the
 *   provincial log registry holds for the origin) and the root in `witness_logs` at that size.
 * It only reads. Records are read a page at a time; the stream heads (one per stream) are kept in memory.
 */
import {
  chainMirroredRecords,
  describeMirrorMismatch,
  parseMirroredRecords,
  type StreamHead,
} from '../../domain/federation/mirror.ts';
import { CheckpointError, bytesEqual, openCheckpoint, toHex } from '../../domain/integrity/index.ts';
import { Frontier } from '../ledger/frontier.ts';
import type { Queryable } from '../ledger/store.ts';

export interface MirroredFeedVerification {
  origin: string;
  province: string;
  /** The mirror's cursor: leaves it claims to hold. */
  size: number;
  /** Leaves read and checked. */
  leaves: number;
  /** Lowercase hex RFC 6962 root recomputed from the stored record hashes. */
  root: string;
  /**
   * What the recomputed root was compared with: `cosigned` (the mirror's cosigned checkpoint and the
   * witness's row at that size), or `partial` when an interrupted round left the mirror short of its
   * cosigned checkpoint (then only the stored compact range is compared; the root is checked once it catches up).
   */
  coverage: 'cosigned' | 'partial' | 'empty';
  /** The cosigned checkpoint the mirror verified against: size and the log key that signed it. */
  checkpoint: { size: number; signedBy: string; cosignedBy: string[] } | undefined;
  /** Every failed check, first the lowest leaf (at most `maxProblems`). */
  problems: string[];
  ok: boolean;
}

export interface VerifyMirroredFeedOptions {
  /** Every key the registry held for the origin (`keyHistory`): the checkpoint may predate a rotation. */
  logKeys: readonly string[];
  /**
   * Witness verifier keys (C2SP signed-note, type 0x04) the mirror's checkpoint must carry a valid cosignature
   * from (at least one). The national node's own witness key is found in its key file by `tec replay --national`.
   */
  witnessKeys?: readonly string[];
  /** Records per read (default 2,048). */
  pageSize?: number;
  /** Problems listed before the check stops (default 20). */
  maxProblems?: number;
}

interface CursorRow {
  province: string;
  size: string;
  frontier: Buffer;
  checkpoint: string | null;
  checkpoint_size: string | null;
}

interface RecordRow {
  leaf: string;
  record: string;
  record_hash: Buffer;
  record_id: string;
  stream: string;
  revision: number;
  type: string;
  province: string;
}

export async function verifyMirroredFeed(db: Queryable, origin: string, options: VerifyMirroredFeedOptions): Promise<MirroredFeedVerification> {
  const maxProblems = options.maxProblems ?? 20;
  const pageSize = options.pageSize ?? 2048;
  const { rows: cursors } = await db.query<CursorRow>(
    'SELECT province, size::text, frontier, checkpoint, checkpoint_size::text FROM mirror_logs WHERE origin = $1',
    [origin],
  );
  const cursor = cursors[0];
  if (!cursor) throw new RangeError(`No mirrored log ${origin}`);
  const size = Number(cursor.size);
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < maxProblems) problems.push(text);
  };

  const frontier = Frontier.empty();
  const heads = new Map<string, StreamHead>();
  let leaves = 0;
  // A broken chain makes every later record of that stream look broken too: stop at the first mismatch.
  let feedBroken = false;
  for (;;) {
    const { rows } = await db.query<RecordRow>(
      `SELECT leaf_index::text AS leaf, record, record_hash, record_id::text, stream, revision, type, province
         FROM mirror_records WHERE origin = $1 AND leaf_index >= $2::bigint ORDER BY leaf_index LIMIT $3`,
      [origin, leaves, pageSize],
    );
    if (rows.length === 0) break;
    const first = leaves;
    const contiguous = rows.findIndex((r, i) => Number(r.leaf) !== first + i);
    const page = contiguous === -1 ? rows : rows.slice(0, contiguous);
    if (!feedBroken) {
      const parsed = parseMirroredRecords(first, page.map((r) => new Uint8Array(r.record_hash)), page.map((r) => r.record));
      const chain = chainMirroredRecords(parsed.records, heads);
      const mismatch = chain.ok ? parsed.mismatch : chain.mismatch;
      if (chain.ok) for (const [stream, head] of chain.heads) heads.set(stream, head);
      for (const [i, r] of parsed.records.entries()) {
        const row = page[i]!;
        const columns = { record_id: r.recordId, stream: r.stream, revision: r.revision, type: r.type, province: r.province };
        for (const [column, value] of Object.entries(columns)) {
          if (row[column as keyof typeof columns] !== value) problem(`leaf ${r.leafIndex}: stored ${column} is not the record's`);
        }
      }
      if (mismatch) {
        problem(describeMirrorMismatch(mismatch));
        feedBroken = true;
      }
    }
    for (const r of page) frontier.appendRecordHash(new Uint8Array(r.record_hash));
    leaves += page.length;
    if (page.length < rows.length) {
      problem(`leaf ${leaves} is missing: the next stored leaf is ${rows[page.length]!.leaf}`);
      break;
    }
    if (problems.length >= maxProblems) break;
  }
  if (leaves !== size) problem(`the mirror's cursor says ${size} leaves, ${leaves} are stored in order from 0`);

  const root = frontier.root();
  if (leaves === size && !bytesEqual(frontier.toBytes(), new Uint8Array(cursor.frontier))) {
    problem(`the stored compact range at size ${size} is not the one the stored leaves give`);
  }

  let checkpoint: MirroredFeedVerification['checkpoint'];
  let coverage: MirroredFeedVerification['coverage'] = size === 0 ? 'empty' : 'partial';
  if (cursor.checkpoint !== null) {
    try {
      const opened = openCheckpoint(cursor.checkpoint, [...options.logKeys, ...(options.witnessKeys ?? [])]);
      const signedBy = opened.verifiedBy.find((v) => v.kind === 'log')!;
      const cosignedBy = opened.verifiedBy.filter((v) => v.kind === 'witness').map((v) => `${v.name}+${v.keyId}`);
      checkpoint = { size: opened.checkpoint.size, signedBy: `${signedBy.name}+${signedBy.keyId}`, cosignedBy };
      if (options.witnessKeys !== undefined && options.witnessKeys.length > 0 && cosignedBy.length === 0) {
        problem(`the mirror's checkpoint of size ${opened.checkpoint.size} carries no valid cosignature from the trusted witness`);
      }
      if (opened.checkpoint.origin !== origin) problem(`the mirror's checkpoint is for ${opened.checkpoint.origin}`);
      if (String(opened.checkpoint.size) !== cursor.checkpoint_size) problem(`the mirror's checkpoint has size ${opened.checkpoint.size}, its row says ${cursor.checkpoint_size}`);
      if (opened.checkpoint.size < size) problem(`the mirror holds ${size} leaves, beyond its cosigned checkpoint of ${opened.checkpoint.size}`);
      if (opened.checkpoint.size === size && leaves === size) {
        coverage = 'cosigned';
        if (!bytesEqual(root, opened.checkpoint.root)) {
          problem(`the stored leaves give root ${toHex(root)}, the cosigned checkpoint of size ${size} says ${toHex(opened.checkpoint.root)}`);
        }
      }
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      problem(`the mirror's checkpoint does not open under the registered log keys of ${origin}: ${error.message}`);
    }
  } else if (size > 0) {
    problem(`the mirror holds ${size} leaves but no cosigned checkpoint`);
  }

  const { rows: witnessed } = await db.query<{ tree_size: string; root_hash: Buffer }>(
    'SELECT tree_size::text, root_hash FROM witness_logs WHERE origin = $1',
    [origin],
  );
  const w = witnessed[0];
  if (w === undefined) {
    if (size > 0) problem(`the mirror holds ${size} leaves of a log the witness never cosigned`);
  } else if (Number(w.tree_size) < size) {
    problem(`the mirror holds ${size} leaves, the witness cosigned only ${w.tree_size}`);
  } else if (Number(w.tree_size) === size && leaves === size && !bytesEqual(root, new Uint8Array(w.root_hash))) {
    problem(`the stored leaves give root ${toHex(root)}, the witness cosigned ${toHex(new Uint8Array(w.root_hash))} at size ${size}`);
  }

  return { origin, province: cursor.province, size, leaves, root: toHex(root), coverage, checkpoint, problems, ok: problems.length === 0 };
}
