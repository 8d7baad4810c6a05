/**
 * The national witness (integrity.md §7, §10; C2SP tlog-witness; docs/federation.md). The decision is the
 * pure `decideAddCheckpoint`; this adapter reads the log from the provincial log registry and the witness
 * state from `witness_logs`, and stores the new state with one conditional statement guarded by the size and
 * root it decided on, so checking the old size and persisting the new checkpoint are atomic (a concurrent
 * request that moved the state first makes the statement match nothing, and the request is decided again).
 * Fork alarms keep both signed notes in `witness_fork_alarms`.
 */
import type { Clock } from '../../ports/clock.ts';
import {
  checkpointOrigin,
  cosignCheckpoint,
  decideAddCheckpoint,
  formatTlogSize,
  nodePrimitives,
  parseAddCheckpointRequest,
  publicKeyFromSeed,
  sha256,
  witnessVerifierKey,
  WitnessRequestError,
  WITNESS_STATUS,
  TLOG_SIZE_CONTENT_TYPE,
  type AddCheckpointRequest,
  type ForkEvidence,
  type WitnessAnswer,
  type WitnessedLog,
  type WitnessedState,
} from '../../domain/integrity/index.ts';
import type { ProvincialLogRegistry } from '../../domain/federation/state.ts';
import type { Queryable } from '../ledger/store.ts';

export interface WitnessOptions {
  db: Queryable;
  /** The witness's key name, e.g. `vn-traffic/national-witness`. */
  name: string;
  /** 32-byte Ed25519 seed of the witness key. Never log it. */
  seed: Uint8Array;
  clock: Clock;
  /** The provincial log registry as of now (the witness trusts the key in force for each origin). */
  registry: () => Promise<ProvincialLogRegistry>;
  /** Called once per answered request and per new fork alarm (metrics). */
  onAnswer?: (answer: WitnessAnswer) => void;
  onForkAlarm?: (kind: ForkAlarmKind) => void;
}

/**
 * The witness's two kinds, and the mirror's: a province served records or entries that do not match the
 * tree it signed and the witness cosigned (docs/federation.md, "Mirroring").
 */
export type ForkAlarmKind = ForkEvidence['kind'] | 'mirror-mismatch';

/** What the mirror keeps of a mismatch: the cosigned checkpoint and a description of what was served. */
export interface MirrorMismatchEvidence {
  /** The cosigned checkpoint the served data contradicts (note and cosignature). */
  cosignedNote: string;
  cosignedSize: number;
  /** The first leaf index (or size) at which the served data contradicts it. */
  servedAt: number;
  /** What was served: a description, and the served bytes' SHA-256 (no record text: it names people). */
  served: string;
}

/** What the HTTP route sends: status, content type and body exactly as tlog-witness defines them. */
export interface WitnessResponse {
  answer: WitnessAnswer;
  status: number;
  /** For 200 (the cosignature lines) and 409 (`text/x.tlog.size`); other answers are problem documents. */
  contentType?: string;
  body?: string;
  /** Why a 400/403/404/422 was given (never includes the note). */
  reason?: string;
}

export interface WitnessedLogStatus {
  origin: string;
  province: string | undefined;
  baseUrl: string | undefined;
  retired: boolean;
  /** When the log was registered (undefined for a log no longer in the registry). */
  registeredAt: string | undefined;
  /** Newest cosigned size, or undefined before the first cosignature. */
  size: number | undefined;
  cosignedAt: string | undefined;
  forkAlarms: number;
}

export interface ForkAlarm {
  alarmId: string;
  origin: string;
  kind: ForkAlarmKind;
  cosignedSize: number;
  cosignedNote: string;
  submittedSize: number;
  submittedNote: string;
  raisedAt: string;
}

const MAX_ATTEMPTS = 5;

export class Witness {
  readonly name: string;
  private readonly publicKey: Uint8Array;

  constructor(private readonly options: WitnessOptions) {
    this.name = options.name;
    this.publicKey = publicKeyFromSeed(options.seed);
  }

  /** `<name>+<hex key id>+<base64(0x04 ‖ public key)>`: how provinces and verifiers name this witness. */
  verifierKey(): string {
    return witnessVerifierKey(this.name, this.publicKey);
  }

  async addCheckpoint(body: Uint8Array | string): Promise<WitnessResponse> {
    const response = await this.answer(body);
    this.options.onAnswer?.(response.answer);
    return response;
  }

  private async answer(body: Uint8Array | string): Promise<WitnessResponse> {
    let request: AddCheckpointRequest;
    try {
      request = parseAddCheckpointRequest(body);
    } catch (error) {
      if (error instanceof WitnessRequestError) return refuse('bad-request', error.message);
      throw error;
    }
    const origin = checkpointOrigin(request.checkpointText);
    // The registry and the witnessed state are read at once (two round trips in parallel, not in turn): the
    // state read is only a first guess, since the write is conditional on it.
    const [registry, firstKnown] = await Promise.all([this.options.registry(), this.known(origin)]);
    const entry = Object.hasOwn(registry.logs, origin) ? registry.logs[origin] : undefined;
    const log: WitnessedLog | undefined = entry && {
      origin: entry.origin,
      verifierKeys: entry.retiredAt === undefined ? [entry.verifierKey] : [],
      retired: entry.retiredAt !== undefined,
    };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const known = attempt === 0 ? firstKnown : await this.known(origin);
      const decision = decideAddCheckpoint(nodePrimitives, request, log, known);
      switch (decision.answer) {
        case 'cosign': {
          const now = this.options.clock.now();
          const line = cosignCheckpoint(
            request.checkpointText,
            this.name,
            this.options.seed,
            Math.floor(Date.parse(now) / 1000),
          );
          const stored = await this.store(
            origin,
            known,
            decision.checkpoint,
            request.checkpointText,
            line,
            now,
          );
          if (!stored) continue; // another request moved the state between our read and write: decide again
          return { answer: 'cosign', status: 200, contentType: 'text/plain; charset=utf-8', body: line };
        }
        case 'conflict':
          if (decision.fork) await this.raise(origin, entry?.province, decision.fork);
          return {
            answer: 'conflict',
            status: 409,
            contentType: TLOG_SIZE_CONTENT_TYPE,
            body: formatTlogSize(decision.knownSize),
          };
        case 'bad-proof':
          if (known) await this.raise(origin, entry?.province, decision.suspect);
          return refuse('bad-proof', 'the consistency proof does not verify');
        case 'bad-request':
          return refuse('bad-request', decision.reason);
        case 'forbidden':
          return refuse(
            'forbidden',
            decision.reason === 'retired' ? 'the log is retired' : 'no trusted signature',
          );
        case 'unknown-log':
          return refuse('unknown-log', 'unknown log origin');
        default:
          return decision satisfies never;
      }
    }
    // Only under sustained contention for one origin: the client retries (409 with the size we know now).
    const known = await this.known(origin);
    return {
      answer: 'conflict',
      status: 409,
      contentType: TLOG_SIZE_CONTENT_TYPE,
      body: formatTlogSize(known?.size ?? 0),
    };
  }

  private async known(origin: string): Promise<WitnessedState | undefined> {
    const { rows } = await this.options.db.query<{
      tree_size: string;
      root_hash: Buffer;
      checkpoint: string;
    }>('SELECT tree_size, root_hash, checkpoint FROM witness_logs WHERE origin = $1', [origin]);
    const row = rows[0];
    return (
      row && {
        size: Number(row.tree_size),
        root: new Uint8Array(row.root_hash),
        checkpointText: row.checkpoint,
      }
    );
  }

  /** The conditional write: true when the state was still `known` and now holds the new checkpoint. */
  private async store(
    origin: string,
    known: WitnessedState | undefined,
    checkpoint: { size: number; root: Uint8Array },
    note: string,
    line: string,
    now: string,
  ): Promise<boolean> {
    const cosignature = line.replace(/\n$/, '');
    if (!known) {
      const { rowCount } = await this.options.db.query(
        `INSERT INTO witness_logs (origin, tree_size, root_hash, checkpoint, cosignature, cosigned_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (origin) DO NOTHING`,
        [origin, checkpoint.size, Buffer.from(checkpoint.root), note, cosignature, now],
      );
      return rowCount === 1;
    }
    const { rowCount } = await this.options.db.query(
      `UPDATE witness_logs SET tree_size = $2, root_hash = $3, checkpoint = $4, cosignature = $5, cosigned_at = $6
       WHERE origin = $1 AND tree_size = $7 AND root_hash = $8`,
      [
        origin,
        checkpoint.size,
        Buffer.from(checkpoint.root),
        note,
        cosignature,
        now,
        known.size,
        Buffer.from(known.root),
      ],
    );
    return rowCount === 1;
  }

  /**
   * Keeps a fork alarm with both signed notes and stops mirroring the origin (`mirror_logs.stopped_at`), as a
   * mirror mismatch does: both kinds come with a checkpoint signed by the province's own key that the witness
   * cannot reconcile with what it cosigned, so an operator looks before anything more of that log is copied.
   */
  private async raise(origin: string, province: string | undefined, evidence: ForkEvidence): Promise<void> {
    const sizeOf = (note: string) => Number(note.split('\n')[1] ?? 0);
    const { rowCount } = await this.options.db.query(
      `INSERT INTO witness_fork_alarms
         (origin, kind, cosigned_size, cosigned_note, submitted_size, submitted_note, submitted_sha256, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (origin, submitted_sha256) DO NOTHING`,
      [
        origin,
        evidence.kind,
        sizeOf(evidence.cosigned),
        evidence.cosigned,
        sizeOf(evidence.submitted),
        evidence.submitted,
        Buffer.from(sha256(evidence.submitted)),
        this.options.clock.now(),
      ],
    );
    if (rowCount === 1) {
      this.options.onForkAlarm?.(evidence.kind);
      if (province !== undefined) {
        const now = this.options.clock.now();
        const reason = `witness fork alarm (${evidence.kind}): a checkpoint of size ${sizeOf(evidence.submitted)} signed by the log does not extend the cosigned size ${sizeOf(evidence.cosigned)}`;
        await this.options.db.query(
          `INSERT INTO mirror_logs (origin, province, caught_up_at, created_at, stopped_at, stop_reason)
           VALUES ($1, $2, $3, $3, $3, $4)
           ON CONFLICT (origin) DO UPDATE SET stopped_at = excluded.stopped_at, stop_reason = excluded.stop_reason
            WHERE mirror_logs.stopped_at IS NULL`,
          [origin, province, now, reason],
        );
      }
    }
  }

  /** A mirror mismatch, kept in the same alarm store as the witness's forks (one row per served description). */
  async raiseMirrorMismatch(origin: string, evidence: MirrorMismatchEvidence): Promise<void> {
    const { rowCount } = await this.options.db.query(
      `INSERT INTO witness_fork_alarms
         (origin, kind, cosigned_size, cosigned_note, submitted_size, submitted_note, submitted_sha256, raised_at)
       VALUES ($1, 'mirror-mismatch', $2, $3, $4, $5, $6, $7) ON CONFLICT (origin, submitted_sha256) DO NOTHING`,
      [
        origin,
        evidence.cosignedSize,
        evidence.cosignedNote,
        evidence.servedAt,
        evidence.served,
        Buffer.from(sha256(`mirror-mismatch\n${evidence.served}`)),
        this.options.clock.now(),
      ],
    );
    if (rowCount === 1) this.options.onForkAlarm?.('mirror-mismatch');
  }

  /** Every registered log with what the witness knows of it (`tec federation status`, the dashboard). */
  async status(): Promise<WitnessedLogStatus[]> {
    const registry = await this.options.registry();
    const { rows } = await this.options.db.query<{
      origin: string;
      tree_size: string | null;
      cosigned_at: Date | null;
      alarms: string;
    }>(
      `SELECT o.origin, w.tree_size, w.cosigned_at,
              (SELECT count(*) FROM witness_fork_alarms a WHERE a.origin = o.origin) AS alarms
         FROM unnest($1::text[]) AS o(origin) LEFT JOIN witness_logs w ON w.origin = o.origin
       UNION
       SELECT w.origin, w.tree_size, w.cosigned_at,
              (SELECT count(*) FROM witness_fork_alarms a WHERE a.origin = w.origin)
         FROM witness_logs w WHERE NOT (w.origin = ANY($1::text[]))
       ORDER BY 1`,
      [Object.keys(registry.logs)],
    );
    return rows.map((r) => {
      const log = Object.hasOwn(registry.logs, r.origin) ? registry.logs[r.origin] : undefined;
      return {
        origin: r.origin,
        province: log?.province,
        baseUrl: log?.baseUrl,
        retired: log?.retiredAt !== undefined,
        registeredAt: log?.registeredAt,
        size: r.tree_size === null ? undefined : Number(r.tree_size),
        cosignedAt: r.cosigned_at?.toISOString(),
        forkAlarms: Number(r.alarms),
      };
    });
  }

  async forkAlarms(origin?: string): Promise<ForkAlarm[]> {
    const { rows } = await this.options.db.query<{
      alarm_id: string;
      origin: string;
      kind: ForkAlarmKind;
      cosigned_size: string;
      cosigned_note: string;
      submitted_size: string;
      submitted_note: string;
      raised_at: Date;
    }>(
      `SELECT alarm_id, origin, kind, cosigned_size, cosigned_note, submitted_size, submitted_note, raised_at
         FROM witness_fork_alarms WHERE $1::text IS NULL OR origin = $1 ORDER BY alarm_id`,
      [origin ?? null],
    );
    return rows.map((r) => ({
      alarmId: String(r.alarm_id),
      origin: r.origin,
      kind: r.kind,
      cosignedSize: Number(r.cosigned_size),
      cosignedNote: r.cosigned_note,
      submittedSize: Number(r.submitted_size),
      submittedNote: r.submitted_note,
      raisedAt: r.raised_at.toISOString(),
    }));
  }
}

function refuse(answer: Exclude<WitnessAnswer, 'cosign' | 'conflict'>, reason: string): WitnessResponse {
  return { answer, status: WITNESS_STATUS[answer], reason };
}
