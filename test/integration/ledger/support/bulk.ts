/**
 * Bulk generation of a ledger's stores with plain SQL (for the verify specs and the benchmark): records
 * straight into `event_records` (hash-chained exactly as the event store builds them), leaves, subtree
 * hashes, state and signed checkpoints straight into the ledger tables. Batches of `unnest` inserts,
 * never one append per record.
 */
import type pg from 'pg';
import { randomUUID } from 'node:crypto';
import { canonicalize, canonicalTextHash, signCheckpoint, toHex } from '../../../../src/domain/integrity/index.ts';
import { GENESIS_PREV, type EventRecord } from '../../../../src/domain/record.ts';
import { Frontier } from '../../../../src/adapters/ledger/frontier.ts';

export interface BulkOptions {
  records: number;
  recordsPerStream?: number;
  /** Integrate the first `integrate` records as leaves (default all). */
  integrate?: number;
  /** Issue a checkpoint at these sizes (default: the final size). */
  checkpointsAt?: number[];
  origin: string;
  seed: Uint8Array;
  batch?: number;
  /** Records whose data names these evidence items (ViolationDetected originals), by record number. */
  evidence?: Map<number, { digest: string; size: number }[]>;
  /**
   * Records of their own stream (revision 0), by record number, e.g. `EvidenceDestroyed` on `retention-<id>`.
   * Place one at the last revision of a case stream (`i % recordsPerStream === recordsPerStream - 1`) so the
   * case streams stay gapless.
   */
  standalone?: Map<number, { stream: string; type: string; data: Record<string, unknown> }>;
  onProgress?: (done: number) => void;
}

export interface BulkResult {
  recordIds: string[] | undefined;
  streams: number;
}

const RECORDED_AT = Date.parse('2026-11-24T09:00:00.000Z');

export async function bulkGenerate(pool: pg.Pool, options: BulkOptions): Promise<BulkResult> {
  const perStream = options.recordsPerStream ?? 10;
  const integrate = options.integrate ?? options.records;
  const checkpointsAt = new Set(options.checkpointsAt ?? [integrate]);
  const batch = options.batch ?? 10_000;
  const keepIds = options.records <= 100_000;
  const recordIds: string[] = [];
  const frontier = Frontier.empty();
  let streamId = '';
  let prev = GENESIS_PREV;
  const client = await pool.connect();
  try {
    for (let start = 0; start < options.records; start += batch) {
      const end = Math.min(options.records, start + batch);
      const ids: string[] = [];
      const streamsCol: string[] = [];
      const revisions: string[] = [];
      const types: string[] = [];
      const texts: string[] = [];
      const hashes: string[] = [];
      const times: string[] = [];
      const leafIdx: string[] = [];
      const leafRecordHashes: string[] = [];
      const leafHashes: string[] = [];
      const nodeLevels: number[] = [];
      const nodeIndexes: string[] = [];
      const nodeHashes: string[] = [];
      const checkpoints: { size: number; root: Uint8Array }[] = [];
      for (let i = start; i < end; i++) {
        const own = options.standalone?.get(i);
        const revision = own ? 0 : i % perStream;
        if (revision === 0 && !own) {
          streamId = `case-${randomUUID()}`;
          prev = GENESIS_PREV;
        }
        const id = randomUUID();
        const recordedAt = new Date(RECORDED_AT + i).toISOString();
        const evidence = options.evidence?.get(i);
        const record: EventRecord = {
          v: 1,
          id,
          stream: own ? own.stream : streamId,
          revision,
          type: own ? own.type : evidence ? 'ViolationDetected' : 'NoteAdded',
          data: own
            ? (own.data as EventRecord['data'])
            : evidence
              ? { detection: { evidence: evidence.map((e) => ({ digest: e.digest, mediaType: 'image/jpeg', size: e.size, role: 'overview' })) } }
              : { n: i, text: 'bulk record for ledger verification', plate: '29A-123.45' },
          meta: { actor: { kind: 'system', id: 'bulk' }, province: '01', recordedAt },
          prev: own ? GENESIS_PREV : prev,
        };
        const text = canonicalize(record);
        const hash = canonicalTextHash(text);
        if (!own) prev = hash;
        if (keepIds) recordIds.push(id);
        ids.push(id);
        streamsCol.push(record.stream);
        revisions.push(String(revision));
        types.push(record.type);
        texts.push(text);
        hashes.push(hash);
        times.push(recordedAt);
        if (i < integrate) {
          const { leafHash, completed } = frontier.appendRecordHash(Buffer.from(hash, 'hex'));
          leafIdx.push(String(i));
          leafRecordHashes.push(hash);
          leafHashes.push(toHex(leafHash));
          for (const n of completed) {
            if (n.level === 0) continue;
            nodeLevels.push(n.level);
            nodeIndexes.push(String(n.index));
            nodeHashes.push(toHex(n.hash));
          }
          if (checkpointsAt.has(i + 1)) checkpoints.push({ size: i + 1, root: frontier.root() });
        }
      }
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO event_records (stream, revision, event_id, type, record, hash, recorded_at, province)
         SELECT s, r, e, t, x, h, a, '01' FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
           AS u(s, r, e, t, x, h, a)`,
        [streamsCol, revisions, ids, types, texts, hashes, times],
      );
      if (leafIdx.length > 0) {
        await client.query(
          `INSERT INTO ledger_leaves (leaf_index, record_id, record_hash, leaf_hash, integrated_at)
           SELECT i, r, decode(h, 'hex'), decode(l, 'hex'), now() FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[]) AS u(i, r, h, l)`,
          [leafIdx, ids.slice(0, leafIdx.length), leafRecordHashes, leafHashes],
        );
        await client.query(
          `INSERT INTO ledger_nodes (level, node_index, hash)
           SELECT lv, ix, decode(h, 'hex') FROM unnest($1::smallint[], $2::bigint[], $3::text[]) AS u(lv, ix, h)`,
          [nodeLevels, nodeIndexes, nodeHashes],
        );
        await client.query('UPDATE ledger_state SET tree_size = $1, feed_checkpoint = $2 WHERE id = 1', [String(frontier.size), `bulk:${frontier.size}`]);
      }
      for (const c of checkpoints) {
        const time = new Date(RECORDED_AT + c.size).toISOString();
        const note = signCheckpoint({ origin: options.origin, size: c.size, root: c.root, time }, options.seed);
        await client.query('INSERT INTO ledger_checkpoints (tree_size, root_hash, note, issued_at) VALUES ($1, $2, $3, $4)', [
          String(c.size),
          Buffer.from(c.root),
          note,
          time,
        ]);
      }
      await client.query('COMMIT');
      options.onProgress?.(end);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return { recordIds: keepIds ? recordIds : undefined, streams: Math.ceil(options.records / perStream) };
}
