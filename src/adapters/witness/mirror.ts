/**
 * The national mirror (integrity.md §9, §10; docs/federation.md "Mirroring"). On the national node it follows
 * every registered provincial log through the province's published log (`/log/tile/entries/…` and the record
 * companion `/log/records/…`, C2SP tlog-tiles) up to the size the national witness cosigned, and stores each
 * record verbatim at its provincial leaf index in `mirror_records`.
 *
 * One round per log:
 * 1. The province's newest checkpoint (`/log/checkpoint`, opened under the registered log key): freshness, and
 *    the proof that the registered base URL publishes this log (else the round fails: nothing is fetched from
 *    another log's node at a stale address). It is never a mirror target.
 * 2. The target is the witness's own state (`witness_logs`): the newest size and root this node cosigned.
 * 3. Entries from the mirrored size to the target are fetched (a few bundles in flight); the tree root is
 *    recomputed from the stored compact range plus those entries. It must be the cosigned root: then every
 *    entry is authenticated.
 * 4. Record bundles are fetched a few ahead; each record must hash to its entry and chain onto its stream
 *    (`parseMirroredRecords`, `chainMirroredRecords`). Consecutive bundles (up to 2,048 records) are stored
 *    with the cursor (size and compact range after them) in one statement guarded by the size it started
 *    from, so a crash or a second follower never skips or duplicates a leaf, and nothing unverified is ever
 *    stored. The next batch is checked while the previous one is stored.
 * Logs are followed concurrently.
 * A root that is not the cosigned one, or a record that does not match its entry or chain, is a fork alarm
 * (`mirror-mismatch`, in the witness's alarm store) and stops mirroring that log. An unreachable province or
 * an error answer is retried with backoff (per base URL: a moved log is tried at its new URL at once); it is
 * never an alarm.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  addSignatureLines,
  bytesEqual,
  openCheckpoint,
  sha256Hex,
  toHex,
} from '../../domain/integrity/index.ts';
import {
  chainMirroredRecords,
  describeMirrorMismatch,
  parseMirroredRecords,
  type MirroredRecord,
  type StreamHead,
} from '../../domain/federation/mirror.ts';
import type { ProvincialLog, ProvincialLogRegistry } from '../../domain/federation/state.ts';
import { AppError } from '../../domain/shared/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import { Frontier } from '../ledger/frontier.ts';
import { formatTileSuffix, TILE_WIDTH } from '../ledger/tiles.ts';
import type { Witness } from './witness.ts';

/** A province answered with something other than the log (an error status, a malformed body): retried. */
export class MirrorFetchError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'mirror-fetch-failed';
}

/** Another follower moved the cursor between this one's read and write: the round is abandoned, nothing stored. */
export class MirrorCursorMovedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'mirror-cursor-moved';
}

export interface MirrorFollowerOptions {
  db: pg.Pool;
  /** The national witness: its alarm store receives mirror mismatches. */
  witness: Pick<Witness, 'raiseMirrorMismatch'>;
  registry: () => Promise<ProvincialLogRegistry>;
  clock: Clock;
  /** A national-scope auditor bearer token the provinces accept (subject `national-mirror`). */
  token: () => Promise<string>;
  fetch?: typeof fetch;
  /** Between rounds (default 500 ms). */
  pollMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
  /** Record bundles fetched ahead per log (default 8; entry bundles four times as many). */
  fetchWindow?: number;
  /** Records per storing statement (default 2,048: consecutive bundles are stored together). */
  batchRecords?: number;
  /**
   * How a checked batch is written: `copy` (default, PostgreSQL) or `insert` (one `INSERT … SELECT FROM unnest`),
   * which the embedded PGlite needs: its socket server loses protocol synchronisation on `COPY FROM STDIN`.
   */
  storeBy?: 'copy' | 'insert';
  /** Each failed round (never with record contents). */
  onError?: (log: { origin: string; province: string }, error: Error) => void;
  /** After each round of a log, its freshness (metrics). */
  onStatus?: (status: MirrorLogStatus) => void;
}

export interface MirrorLogStatus {
  origin: string;
  province: string;
  /** Leaves mirrored and verified. */
  size: number;
  /** The cosigned checkpoint the mirrored leaves were verified against (note and cosignature). */
  checkpoint: string | undefined;
  checkpointSize: number | undefined;
  /** The province's newest checkpoint size, as last read from it. */
  provinceSize: number | undefined;
  provinceSeenAt: string | undefined;
  /** 0 when the mirror holds the province's newest checkpoint; otherwise seconds since it last did. */
  secondsBehind: number;
  stoppedAt: string | undefined;
  stopReason: string | undefined;
}

export type MirrorRoundOutcome =
  | { outcome: 'mirrored'; origin: string; from: number; to: number }
  | { outcome: 'idle'; origin: string; size: number }
  | { outcome: 'stopped'; origin: string; reason: string }
  | { outcome: 'failed'; origin: string; error: Error };

interface CursorRow {
  origin: string;
  province: string;
  size: string;
  frontier: Buffer;
  province_size: string | null;
  province_seen_at: Date | null;
  caught_up_at: Date;
  checkpoint: string | null;
  checkpoint_size: string | null;
  stopped_at: Date | null;
  stop_reason: string | null;
}

interface Chunk {
  tile: number;
  width: number;
  /** First leaf of the chunk (≥ tile·256 for the first chunk of a round). */
  first: number;
  entries: Uint8Array[];
  /** The compact range after the chunk's last leaf. */
  frontier: Uint8Array;
  size: number;
}

const MIRROR_PURPOSE = 'national mirror of the provincial log';
/** Record bundles in flight per log: the round waits on round trips, not on CPU. */
const DEFAULT_FETCH_WINDOW = 8;
/** Entry bundles are 8.5 KiB (a record bundle is ~100 KiB): this many times more of them are in flight. */
const ENTRY_WINDOW_FACTOR = 4;
/** Records checked and stored per statement (eight full bundles). */
const DEFAULT_BATCH_RECORDS = 2048;

export class MirrorFollower {
  private readonly fetchFn: typeof fetch;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  /** Per origin, for the base URL that failed: a move to another URL is tried at once. */
  private readonly backoff = new Map<string, { until: number; ms: number; baseUrl: string }>();

  constructor(private readonly options: MirrorFollowerOptions) {
    this.fetchFn = options.fetch ?? fetch;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.syncOnce()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 500);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * One round over every registered log (logs in backoff are skipped). Logs are followed concurrently, so a
   * slow or unreachable province never holds back the others' freshness.
   */
  async syncOnce(): Promise<MirrorRoundOutcome[]> {
    const registry = await this.options.registry();
    const due = Object.values(registry.logs).filter((log) => {
      const b = this.backoff.get(log.origin);
      return !(b && b.baseUrl === log.baseUrl && Date.now() < b.until);
    });
    return Promise.all(
      due.map(async (log) => {
        const result = await this.syncLog(log);
        const b = this.backoff.get(log.origin);
        if (result.outcome === 'failed') {
          const again = b !== undefined && b.baseUrl === log.baseUrl;
          const ms = Math.min(again ? b.ms * 2 : (this.options.initialBackoffMs ?? 1000), this.options.maxBackoffMs ?? 30_000);
          this.backoff.set(log.origin, { until: Date.now() + ms, ms, baseUrl: log.baseUrl });
          this.options.onError?.(log, result.error);
        } else {
          this.backoff.delete(log.origin);
        }
        return result;
      }),
    );
  }

  /** One round for one log: freshness, then everything up to the witnessed size. */
  async syncLog(log: ProvincialLog): Promise<MirrorRoundOutcome> {
    const origin = log.origin;
    try {
      let cursor = await this.cursor(log);
      if (cursor.stopped_at) return { outcome: 'stopped', origin, reason: cursor.stop_reason ?? 'stopped' };
      // Nothing is fetched from a base URL that does not serve a checkpoint of this log (under its registered
      // key): a stale address (a node restarted on other ports before the move is recorded) may be another
      // log's node, whose entries would rebuild another root, a false mirror-mismatch that stops the origin.
      // Such a round fails (backoff, no alarm), as an unreachable province's does.
      await this.readProvinceCheckpoint(log);
      const witnessed = await this.witnessed(origin);
      const from = Number(cursor.size);
      if (witnessed && witnessed.size > from) {
        const verdict = await this.mirrorUpTo(log, cursor, witnessed);
        if (verdict) return { outcome: 'stopped', origin, reason: verdict };
      }
      cursor = await this.cursor(log);
      await this.refreshCaughtUp(origin);
      this.emitStatus(origin);
      const to = Number(cursor.size);
      return to > from ? { outcome: 'mirrored', origin, from, to } : { outcome: 'idle', origin, size: to };
    } catch (error) {
      this.emitStatus(origin);
      return { outcome: 'failed', origin, error: error as Error };
    }
  }

  private emitStatus(origin: string): void {
    if (!this.options.onStatus) return;
    void this.status()
      .then((all) => {
        const s = all.find((l) => l.origin === origin);
        if (s) this.options.onStatus?.(s);
      })
      .catch(() => undefined);
  }

  private async cursor(log: ProvincialLog): Promise<CursorRow> {
    const now = this.options.clock.now();
    await this.options.db.query(
      `INSERT INTO mirror_logs (origin, province, caught_up_at, created_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (origin) DO NOTHING`,
      [log.origin, log.province, now],
    );
    const { rows } = await this.options.db.query<CursorRow>('SELECT * FROM mirror_logs WHERE origin = $1', [log.origin]);
    return rows[0]!;
  }

  private async witnessed(origin: string): Promise<{ size: number; root: Uint8Array; checkpoint: string } | undefined> {
    const { rows } = await this.options.db.query<{ tree_size: string; root_hash: Buffer; checkpoint: string; cosignature: string }>(
      'SELECT tree_size, root_hash, checkpoint, cosignature FROM witness_logs WHERE origin = $1',
      [origin],
    );
    const r = rows[0];
    return r && { size: Number(r.tree_size), root: new Uint8Array(r.root_hash), checkpoint: addSignatureLines(r.checkpoint, [r.cosignature]) };
  }

  private async get(log: ProvincialLog, path: string, auth: boolean): Promise<Response> {
    const headers: Record<string, string> = {};
    if (auth) {
      headers.authorization = `Bearer ${await this.options.token()}`;
      headers['x-purpose'] = MIRROR_PURPOSE;
    }
    const res = await this.fetchFn(`${log.baseUrl.replace(/\/$/, '')}/log/${path}`, {
      headers,
      signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new MirrorFetchError(`${log.province}: /log/${path} answered ${res.status}`, { status: res.status });
    }
    return res;
  }

  /** The province's newest checkpoint, opened under its registered key: freshness only, never a mirror target. */
  private async readProvinceCheckpoint(log: ProvincialLog): Promise<void> {
    const text = await (await this.get(log, 'checkpoint', false)).text();
    const opened = openCheckpoint(text, [log.verifierKey]);
    await this.options.db.query(
      `UPDATE mirror_logs SET province_size = $2, province_seen_at = $3
        WHERE origin = $1 AND (province_size IS NULL OR province_size <= $2)`,
      [log.origin, opened.checkpoint.size, this.options.clock.now()],
    );
  }

  private async refreshCaughtUp(origin: string): Promise<void> {
    await this.options.db.query(
      `UPDATE mirror_logs SET caught_up_at = $2 WHERE origin = $1 AND size >= coalesce(province_size, 0)`,
      [origin, this.options.clock.now()],
    );
  }

  /** Mirrors [cursor.size, witnessed.size); returns the stop reason when the province contradicted its tree. */
  private async mirrorUpTo(
    log: ProvincialLog,
    cursor: CursorRow,
    witnessed: { size: number; root: Uint8Array; checkpoint: string },
  ): Promise<string | undefined> {
    const m = Number(cursor.size);
    const target = witnessed.size;
    const frontier = Frontier.fromBytes(m, new Uint8Array(cursor.frontier));
    const tiles: { tile: number; width: number }[] = [];
    for (let tile = Math.floor(m / TILE_WIDTH); tile * TILE_WIDTH < target; tile++) {
      tiles.push({ tile, width: Math.min(TILE_WIDTH, target - tile * TILE_WIDTH) });
    }
    // Phase 1: every entry up to the target, authenticated by the cosigned root. The round is bound by
    // round trips (the follower mostly waits on the province and PostgreSQL), so bundles are fetched
    // `fetchWindow` at a time and appended in order.
    const window = this.options.fetchWindow ?? DEFAULT_FETCH_WINDOW;
    const chunks: Chunk[] = [];
    // The first record bundles are fetched while the entries are: nothing is stored before the root check.
    const recordBundles = inOrder(tiles, window, async ({ tile, width }) =>
      Buffer.from(await (await this.get(log, `records/${formatTileSuffix(tile, width)}`, true)).arrayBuffer()),
    );
    if (tiles.length > 0) void recordBundles.next(0);
    const entryBundles = inOrder(tiles, window * ENTRY_WINDOW_FACTOR, async ({ tile, width }) =>
      parseEntryBundle(
        new Uint8Array(await (await this.get(log, `tile/entries/${formatTileSuffix(tile, width)}`, false)).arrayBuffer()),
        width,
        log.province,
        tile,
      ),
    );
    for (const [i, { tile, width }] of tiles.entries()) {
      const all = await entryBundles.next(i);
      const first = Math.max(m, tile * TILE_WIDTH);
      const entries = all.slice(first - tile * TILE_WIDTH);
      for (const e of entries) frontier.appendRecordHash(e);
      chunks.push({ tile, width, first, entries, frontier: frontier.toBytes(), size: frontier.size });
    }
    if (!bytesEqual(frontier.root(), witnessed.root)) {
      return this.stopWithAlarm(log, witnessed, m, `entries ${m}…${target - 1} served by the province rebuild root ${toHex(frontier.root())}, not the cosigned root ${toHex(witnessed.root)} of size ${target}`);
    }
    // Phase 2: the records, pipelined. Bundles are prefetched `fetchWindow` ahead. Consecutive bundles, up to
    // `batchRecords` records, are checked together (each line against its entry, then the chain) and stored
    // with the cursor after them in one guarded statement; the next batch is fetched, parsed, hashed and
    // chained while the previous one is being stored (PostgreSQL and this process work at the same time).
    // Stream heads come from this round's own checked records, else from the feed stored below the round's
    // first leaf (a stream not met in this round has no record between it and the batch). A batch is stored
    // only if the cursor is where this round left it, so no other follower stored anything in between.
    const batchRecords = this.options.batchRecords ?? DEFAULT_BATCH_RECORDS;
    const roundHeads = new Map<string, StreamHead>();
    let size = m;
    let storing: Promise<void> = Promise.resolve();
    let batch: { chunks: Chunk[]; served: Buffer[]; bodies: Buffer[] } = { chunks: [], served: [], bodies: [] };
    // Verified records are stored before an alarm about later ones is raised, as they would be one by one.
    const alarm = async (at: number, description: string, bodies: Uint8Array): Promise<string> => {
      await storing;
      return this.stopWithAlarm(log, witnessed, at, description, bodies);
    };
    const flush = async (): Promise<string | undefined> => {
      if (batch.chunks.length === 0) return undefined;
      const { chunks: group, served, bodies } = batch;
      batch = { chunks: [], served: [], bodies: [] };
      const last = group.at(-1)!;
      const first = group[0]!.first;
      const parsed = parseMirroredRecords(first, group.flatMap((c) => c.entries), served);
      const unknown = [...new Set(parsed.records.map((r) => r.stream))].filter((stream) => !roundHeads.has(stream));
      const stored = unknown.length === 0 ? new Map<string, StreamHead>() : await this.heads(log.origin, m, unknown);
      const chain = chainMirroredRecords(parsed.records, new Map([...stored, ...roundHeads]));
      const mismatch = chain.ok ? parsed.mismatch : chain.mismatch;
      if (mismatch) return alarm(first, describeMirrorMismatch(mismatch), Buffer.concat(bodies));
      if (chain.ok) for (const [stream, head] of chain.heads) roundHeads.set(stream, head);
      const from = size;
      size = last.size;
      storing = storing.then(() => this.store(log.origin, from, first, last, parsed.records, witnessed));
      storing.catch(() => undefined); // surfaces at the next `await storing`
      return undefined;
    };
    try {
      for (const [i, chunk] of chunks.entries()) {
        const body = await recordBundles.next(i);
        const served = servedLines(body).slice(chunk.first - chunk.tile * TILE_WIDTH);
        // A bundle with the wrong number of lines is refused on its own, before lines of two bundles could
        // be read as one another's.
        if (served.length !== chunk.entries.length) {
          const stopped = await flush();
          if (stopped !== undefined) return stopped;
          const description = describeMirrorMismatch({ kind: 'count', expected: chunk.entries.length, served: served.length });
          return await alarm(chunk.first, description, body);
        }
        batch.chunks.push(chunk);
        batch.served.push(...served);
        batch.bodies.push(body);
        if (batch.served.length >= batchRecords) {
          const stopped = await flush();
          if (stopped !== undefined) return stopped;
        }
      }
      const stopped = await flush();
      await storing;
      return stopped;
    } catch (error) {
      await storing.catch(() => undefined); // the round ends only once nothing of it is in flight
      throw error;
    }
  }

  /**
   * The newest record of each of `streams` among the leaves below `size` of the mirrored feed of `origin`.
   * Those leaves were all stored when the round read its cursor at `size`, and never change, so the answer
   * does not depend on what another follower stores meanwhile (its records are at or above `size`): a chain
   * mismatch found against it is the province's, never a race between followers.
   */
  private async heads(origin: string, size: number, streams: readonly string[]): Promise<Map<string, StreamHead>> {
    const { rows } = await this.options.db.query<{ stream: string; revision: number; record_hash: Buffer }>(
      `SELECT DISTINCT ON (stream) stream, revision, record_hash FROM mirror_records
        WHERE origin = $1 AND stream = ANY($2::text[]) AND leaf_index < $3 ORDER BY stream, revision DESC`,
      [origin, streams, size],
    );
    return new Map(rows.map((r) => [r.stream, { revision: r.revision, hash: toHex(new Uint8Array(r.record_hash)) }]));
  }

  /**
   * Stores checked records (leaves `first …`, consecutive) and moves the cursor from `from` to the chunk's end
   * with its compact range, in one transaction: the cursor update is guarded by `size = from` (and not
   * stopped) and comes first, so it takes the cursor row's lock; the records follow by `COPY` only if it
   * moved, and both commit together or neither does. A second follower that moved the cursor first makes this
   * one store nothing (`MirrorCursorMovedError`); one that is storing the same range at that moment holds the
   * row lock, and this one's update, re-checked after that commit, finds the size moved. `COPY` (text format)
   * is used because the per-row cost of an `INSERT … SELECT FROM unnest(…)` bounded the mirror
   * (docs/federation.md, Benchmarks).
   */
  private store(
    origin: string,
    from: number,
    first: number,
    last: Chunk,
    records: readonly MirroredRecord[],
    witnessed: { size: number; checkpoint: string },
  ): Promise<void> {
    return storeMirroredBatch(this.options.db, { origin, from, first, to: last, records, witnessed }, this.options.storeBy);
  }

  private async stopWithAlarm(
    log: ProvincialLog,
    witnessed: { size: number; checkpoint: string },
    at: number,
    description: string,
    servedBytes?: Uint8Array,
  ): Promise<string> {
    const served = `${log.province} ${log.origin}: ${description}${servedBytes === undefined ? '' : `\nserved bundle sha256 ${sha256Hex(servedBytes)}`}`;
    await this.options.witness.raiseMirrorMismatch(log.origin, {
      cosignedNote: witnessed.checkpoint,
      cosignedSize: witnessed.size,
      servedAt: at,
      served,
    });
    await this.options.db.query(
      'UPDATE mirror_logs SET stopped_at = $2, stop_reason = $3 WHERE origin = $1 AND stopped_at IS NULL',
      [log.origin, this.options.clock.now(), description],
    );
    return description;
  }

  /** Freshness of every mirrored log (`/v1/federation/status`, `/metrics`). */
  async status(): Promise<MirrorLogStatus[]> {
    const { rows } = await this.options.db.query<CursorRow>('SELECT * FROM mirror_logs ORDER BY province, origin');
    const now = Date.parse(this.options.clock.now());
    return rows.map((r) => {
      const size = Number(r.size);
      const provinceSize = r.province_size === null ? undefined : Number(r.province_size);
      return {
        origin: r.origin,
        province: r.province,
        size,
        checkpoint: r.checkpoint ?? undefined,
        checkpointSize: r.checkpoint_size === null ? undefined : Number(r.checkpoint_size),
        provinceSize,
        provinceSeenAt: r.province_seen_at?.toISOString(),
        secondsBehind: size >= (provinceSize ?? 0) ? 0 : Math.max(0, (now - r.caught_up_at.getTime()) / 1000),
        stoppedAt: r.stopped_at?.toISOString(),
        stopReason: r.stop_reason ?? undefined,
      };
    });
  }
}

/**
 * Stores a checked batch of mirrored records (leaves `first …`, consecutive) and moves the cursor of `origin`
 * from `from` to `to` (size and compact range after the batch) in one transaction; see
 * `MirrorFollower.store`. Exported for the insert benchmark (bench/mirror-insert.bench.ts).
 */
export async function storeMirroredBatch(
  db: pg.Pool,
  batch: {
    origin: string;
    from: number;
    first: number;
    to: { size: number; frontier: Uint8Array };
    records: readonly MirroredRecord[];
    witnessed: { size: number; checkpoint: string };
  },
  storeBy: 'copy' | 'insert' = 'copy',
): Promise<void> {
  const { origin, from, first, records, witnessed } = batch;
  const client = await db.connect();
  let committed = false;
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const moved = await client.query(
      `UPDATE mirror_logs SET size = $3, frontier = $4, checkpoint = $5, checkpoint_size = $6
        WHERE origin = $1 AND size = $2 AND stopped_at IS NULL`,
      [origin, from, batch.to.size, Buffer.from(batch.to.frontier), witnessed.checkpoint, witnessed.size],
    );
    if (moved.rowCount !== 1) {
      throw new MirrorCursorMovedError(`the mirror cursor of ${origin} moved from ${from}`, { stored: 0 });
    }
    const stored = storeBy === 'copy' ? await copyRecords(client, origin, first, records) : await insertRecords(client, origin, first, records);
    if (stored !== records.length) {
      // Both store every row or fail; a different count means the rows were not the ones checked.
      throw new Error(`mirror ${storeBy} of ${origin} at ${first} stored ${stored} of ${records.length} rows`);
    }
    await client.query('COMMIT');
    committed = true;
  } catch (error) {
    broken = error as Error;
    throw error;
  } finally {
    if (!committed) {
      // Nothing of the batch stays; a connection that cannot roll back is discarded, never reused mid-transaction.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      client.release(rolledBack ? undefined : (broken ?? new Error('rollback failed')));
    } else {
      client.release();
    }
  }
}

async function copyRecords(client: pg.PoolClient, origin: string, first: number, records: readonly MirroredRecord[]): Promise<number | null> {
  const copy = client.query(copyFrom(`COPY mirror_records (${MIRROR_RECORD_COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from([copyRows(origin, first, records)]), copy);
  return copy.rowCount;
}

/** The same rows by one statement (the embedded database's path; see `MirrorFollowerOptions.storeBy`). */
async function insertRecords(client: pg.PoolClient, origin: string, first: number, records: readonly MirroredRecord[]): Promise<number | null> {
  const { rowCount } = await client.query(
    `INSERT INTO mirror_records (${MIRROR_RECORD_COLUMNS})
     SELECT $1, $2::bigint + r.n - 1, r.province, r.record_id, r.stream, r.revision, r.type, r.recorded_at,
            substring($8::bytea FROM ((r.n - 1) * 32 + 1)::int FOR 32), r.plate, r.record
       FROM unnest($3::text[], $4::uuid[], $5::text[], $6::int[], $7::text[], $9::timestamptz[], $10::text[], $11::text[])
            WITH ORDINALITY AS r(province, record_id, stream, revision, type, recorded_at, plate, record, n)`,
    [
      origin,
      first,
      records.map((r) => r.province),
      records.map((r) => r.recordId),
      records.map((r) => r.stream),
      records.map((r) => r.revision),
      records.map((r) => r.type),
      Buffer.from(records.map((r) => r.hash).join(''), 'hex'),
      records.map((r) => r.recordedAt),
      records.map((r) => r.plate ?? null),
      records.map((r) => r.text),
    ],
  );
  return rowCount;
}

const MIRROR_RECORD_COLUMNS =
  'origin, leaf_index, province, record_id, stream, revision, type, recorded_at, record_hash, plate, record';

/** COPY text format: backslash, tab, newline and carriage return are escaped; anything else is literal. */
const COPY_TEXT_SPECIAL = /[\\\t\n\r]/g;
const COPY_TEXT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
function copyText(value: string): string {
  return value.replace(COPY_TEXT_SPECIAL, (c) => COPY_TEXT_ESCAPES[c]!);
}

/** The rows of `records` (leaves `first …`) in COPY text format, columns as `MIRROR_RECORD_COLUMNS`. */
export function copyRows(origin: string, first: number, records: readonly MirroredRecord[]): string {
  const o = copyText(origin);
  const lines = records.map((r, i) =>
    [
      o,
      String(first + i),
      copyText(r.province),
      copyText(r.recordId),
      copyText(r.stream),
      String(r.revision),
      copyText(r.type),
      copyText(r.recordedAt),
      `\\\\x${r.hash}`, // bytea hex input, its backslash escaped for COPY
      r.plate === undefined ? '\\N' : copyText(r.plate),
      copyText(r.text),
    ].join('\t'),
  );
  return lines.join('\n') + '\n';
}

/**
 * `fn` over `items`, at most `window` running ahead of the consumer, whose `next(i)` takes results in order.
 * A failure surfaces when its result is taken; a rejection left behind (the round ended early) is
 * already handled, so it never becomes an unhandled rejection.
 */
function inOrder<T, R>(items: readonly T[], window: number, fn: (item: T) => Promise<R>): { next(i: number): Promise<R> } {
  const started: Promise<R>[] = [];
  const startUpTo = (n: number) => {
    while (started.length < Math.min(n, items.length)) {
      const p = fn(items[started.length]!);
      p.catch(() => undefined);
      started.push(p);
    }
  };
  return {
    next(i: number): Promise<R> {
      startUpTo(i + Math.max(1, window));
      return started[i]!;
    },
  };
}

const NEWLINE = 0x0a;
/** A line that stands for a bundle's unterminated tail: it can match no entry (a NUL is no JSON text). */
const TRUNCATED = Buffer.from('\u0000truncated');

/**
 * The lines of a served record bundle as byte slices (no copy, no decoding: each is hashed as served). Every
 * line ends in a newline; a body whose last line does not (an empty body included) is truncated: its tail is
 * followed by a line that matches no entry, so the count or the entry check refuses it.
 */
function servedLines(body: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = body.indexOf(NEWLINE); nl !== -1; nl = body.indexOf(NEWLINE, start)) {
    lines.push(body.subarray(start, nl));
    start = nl + 1;
  }
  if (start < body.length || body.length === 0) lines.push(body.subarray(start), TRUNCATED);
  return lines;
}

/** An entry bundle of `width` entries, each a big-endian uint16 length and 32 bytes (a record hash). */
function parseEntryBundle(bytes: Uint8Array, width: number, province: string, tile: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) break;
    const len = (bytes[at]! << 8) | bytes[at + 1]!;
    if (len !== 32 || at + 2 + len > bytes.length) break;
    out.push(bytes.slice(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (out.length !== width || at !== bytes.length) {
    throw new MirrorFetchError(`${province}: entry bundle ${tile} is not ${width} 32-byte entries`, { tile, width });
  }
  return out;
}
