/**
 * Publishing the log (integrity.md §9, C2SP tlog-tiles; docs/ledger.md "Publishing the log"): the newest
 * checkpoint with the cosignatures held for it, hash tiles, entry bundles and this system's record bundles,
 * all read from stored hashes (never recomputed) and only within the newest checkpoint's tree size.
 *
 * Tile (L, N) holds tree-level-8L hashes N·256 … N·256+W−1: at L = 0 the stored leaf hashes
 * (`ledger_leaves.leaf_hash`), above it the stored perfect-subtree hashes (`ledger_nodes` at level 8L), which
 * the sequencer writes for every complete subtree. So a tile is one range scan on a primary key.
 */
import type pg from 'pg';
import { addSignatureLines } from '../../domain/integrity/index.ts';
import type { StoredCheckpoint } from '../../ports/ledger.ts';
import { AppError } from '../../domain/shared/errors.ts';
import { LedgerStorageError } from './errors.ts';
import { latestCheckpoint, type Queryable } from './store.ts';
import { TILE_HEIGHT, TILE_WIDTH, tileExists, type TileRef } from './tiles.ts';

/** Lowercase-UUID record id → the exact canonical text stored for it (the event store's bytes). */
export interface RecordTextSource {
  recordTexts(recordIds: string[]): Promise<Map<string, string>>;
  /**
   * The texts of `recordIds` in the order given, each followed by a newline, as one string, and how many were
   * found (the text holds only those). Optional: the fast path of a whole bundle (one row instead of one per record).
   */
  concatenatedTexts?(recordIds: string[]): Promise<{ found: number; text: string }>;
}

/** Record texts read raw from a PostgreSQL event store's `event_records` (like `ledger verify` does). */
export function postgresRecordTexts(pool: Pick<pg.Pool, 'query'>): RecordTextSource {
  return {
    async recordTexts(recordIds) {
      const { rows } = await pool.query<{ event_id: string; record: string }>(
        'SELECT event_id, record FROM event_records WHERE event_id = ANY($1::uuid[])',
        [recordIds],
      );
      return new Map(rows.map((r) => [r.event_id, r.record]));
    },
    async concatenatedTexts(recordIds) {
      const { rows } = await pool.query<{ found: number; text: string | null }>(
        `SELECT count(r.record)::int AS found, string_agg(r.record || E'\n', '' ORDER BY o.n) AS text
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) JOIN event_records r ON r.event_id = o.id`,
        [recordIds],
      );
      return { found: rows[0]?.found ?? 0, text: rows[0]?.text ?? '' };
    },
  };
}

/** One leaf's record as `/log/records` serves it. */
export interface LogRecordLine {
  leafIndex: number;
  recordId: string;
  /** The stored canonical text, exactly as stored (a monitor checks its hash against the entry). */
  text: string;
}

/** What `/log/records` serves for a bundle's lines: each stored text followed by a newline, in leaf order. */
export function bundleBody(lines: readonly LogRecordLine[]): string;
export function bundleBody(lines: readonly LogRecordLine[] | undefined): string | undefined;
export function bundleBody(lines: readonly LogRecordLine[] | undefined): string | undefined {
  return lines?.map((l) => `${l.text}\n`).join('');
}

/** This node cannot serve `/log/records` (its event store is not a PostgreSQL one it can read raw). */
export class LogRecordsUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'log-records-unavailable';
}

export class LogPublisher {
  constructor(
    private readonly db: Queryable,
    private readonly records?: RecordTextSource,
  ) {}

  /** Whether `/log/records` can be served (the event store's record texts are reachable). */
  get servesRecords(): boolean {
    return this.records !== undefined;
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return latestCheckpoint(this.db);
  }

  /** Cosignature lines (`— <name> <base64>`) stored for the checkpoint of `treeSize`, by key name. */
  async cosignatureLines(treeSize: number): Promise<string[]> {
    const { rows } = await this.db.query<{ line: string }>(
      'SELECT line FROM ledger_cosignatures WHERE tree_size = $1 ORDER BY key_name',
      [String(treeSize)],
    );
    return rows.map((r) => r.line);
  }

  /**
   * The newest checkpoint of at least `minSize` leaves that a witness cosigned, as its note followed by its
   * cosignature lines (what a court bundle carries, integrity.md §10); undefined when none is cosigned yet.
   */
  async newestCosignedCheckpoint(minSize: number): Promise<{ treeSize: number; text: string; witnesses: string[] } | undefined> {
    const { rows } = await this.db.query<{ tree_size: string; note: string; lines: string[]; names: string[] }>(
      `SELECT c.tree_size, c.note, array_agg(s.line ORDER BY s.key_name) AS lines, array_agg(s.key_name ORDER BY s.key_name) AS names
         FROM ledger_checkpoints c JOIN ledger_cosignatures s ON s.tree_size = c.tree_size
        WHERE c.tree_size >= $1 GROUP BY c.tree_size, c.note ORDER BY c.tree_size DESC LIMIT 1`,
      [String(minSize)],
    );
    const r = rows[0];
    return r && { treeSize: Number(r.tree_size), text: addSignatureLines(r.note, r.lines), witnesses: r.names };
  }

  /** The newest checkpoint's note followed by every cosignature line held for it; undefined before the first. */
  async checkpointText(): Promise<string | undefined> {
    const latest = await this.latestCheckpoint();
    if (!latest) return undefined;
    const lines = await this.cosignatureLines(latest.treeSize);
    return lines.length === 0 ? latest.note : addSignatureLines(latest.note, lines);
  }

  /** The size tiles are served for: the newest checkpoint's (0 before the first). */
  private async publishedSize(): Promise<number> {
    return (await this.latestCheckpoint())?.treeSize ?? 0;
  }

  /** The concatenated 32-byte hashes of a tile, or undefined when it does not exist at the published size. */
  async hashTile(tile: TileRef): Promise<Uint8Array | undefined> {
    if (!tileExists(await this.publishedSize(), tile)) return undefined;
    const first = tile.index * TILE_WIDTH;
    const treeLevel = tile.level * TILE_HEIGHT;
    const { rows } =
      treeLevel === 0
        ? await this.db.query<{ hash: Buffer }>(
            'SELECT leaf_hash AS hash FROM ledger_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index',
            [String(first), String(first + tile.width)],
          )
        : await this.db.query<{ hash: Buffer }>(
            'SELECT hash FROM ledger_nodes WHERE level = $1 AND node_index >= $2 AND node_index < $3 ORDER BY node_index',
            [treeLevel, String(first), String(first + tile.width)],
          );
    if (rows.length !== tile.width) {
      throw new LedgerStorageError(`tile ${tile.level}/${tile.index}: ${rows.length} stored hashes, ${tile.width} expected`, {
        level: tile.level,
        index: tile.index,
      });
    }
    return Buffer.concat(rows.map((r) => r.hash));
  }

  private async leafRows(index: number, width: number): Promise<{ leaf_index: string; record_id: string; record_hash: Buffer }[] | undefined> {
    if (!tileExists(await this.publishedSize(), { level: 0, index, width })) return undefined;
    const first = index * TILE_WIDTH;
    const { rows } = await this.db.query<{ leaf_index: string; record_id: string; record_hash: Buffer }>(
      'SELECT leaf_index, record_id, record_hash FROM ledger_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index',
      [String(first), String(first + width)],
    );
    if (rows.length !== width) throw new LedgerStorageError(`entry bundle ${index}: ${rows.length} stored leaves, ${width} expected`, { index });
    return rows;
  }

  /** Entry bundle `index` of `width` entries: each the 32-byte record hash behind a big-endian uint16 length. */
  async entryBundle(index: number, width: number): Promise<Uint8Array | undefined> {
    const rows = await this.leafRows(index, width);
    if (!rows) return undefined;
    const out = Buffer.alloc(rows.length * 34);
    rows.forEach((r, i) => {
      out.writeUInt16BE(r.record_hash.length, i * 34);
      r.record_hash.copy(out, i * 34 + 2);
    });
    return out;
  }

  /**
   * The body `/log/records` serves for entry bundle `index` of `width` entries: each record's stored text and a
   * newline, in leaf order; undefined when the bundle does not exist. The same bytes as joining `recordBundle`'s
   * lines, read as two one-row queries where the store allows (the national mirror reads every bundle).
   */
  async recordBundleText(index: number, width: number): Promise<string | undefined> {
    if (!this.records) throw new LogRecordsUnavailableError('this node cannot read record texts (its event store is not PostgreSQL)');
    if (!this.records.concatenatedTexts) return bundleBody(await this.recordBundle(index, width));
    if (!tileExists(await this.publishedSize(), { level: 0, index, width })) return undefined;
    const first = index * TILE_WIDTH;
    const { rows } = await this.db.query<{ ids: string[] | null }>(
      'SELECT array_agg(record_id::text ORDER BY leaf_index) AS ids FROM ledger_leaves WHERE leaf_index >= $1 AND leaf_index < $2',
      [String(first), String(first + width)],
    );
    const ids = rows[0]?.ids ?? [];
    if (ids.length !== width) throw new LedgerStorageError(`entry bundle ${index}: ${ids.length} stored leaves, ${width} expected`, { index });
    const { found, text } = await this.records.concatenatedTexts(ids);
    // A missing record: the per-record path names which leaf it is.
    if (found !== width) return bundleBody(await this.recordBundle(index, width));
    return text;
  }

  /** The records of entry bundle `index` of `width` entries, in leaf order; undefined when it does not exist. */
  async recordBundle(index: number, width: number): Promise<LogRecordLine[] | undefined> {
    if (!this.records) throw new LogRecordsUnavailableError('this node cannot read record texts (its event store is not PostgreSQL)');
    const rows = await this.leafRows(index, width);
    if (!rows) return undefined;
    const texts = await this.records.recordTexts(rows.map((r) => r.record_id));
    return rows.map((r) => {
      const text = texts.get(r.record_id);
      if (text === undefined) throw new LedgerStorageError(`leaf ${r.leaf_index}: its record is not in the event store`, { leafIndex: r.leaf_index });
      return { leafIndex: Number(r.leaf_index), recordId: r.record_id, text };
    });
  }
}
