/**
 * The provincial side of witnessing (integrity.md §10; C2SP tlog-witness; docs/federation.md). Beside the
 * sequencer, never in its way: it polls the newest stored checkpoint, submits it to the national witness
 * (`WITNESS_URL`) with a consistency proof from the size the witness knows, checks the returned cosignature
 * under the witness key (`WITNESS_KEY`, type 0x04) and stores the line in `ledger_cosignatures`, which
 * `/log/checkpoint` serves after the note.
 *
 * - 409 (`text/x.tlog.size`): the witness knows another size; the next attempt proves from that size.
 * - Unreachable, 5xx, or a cosignature that does not verify: retried with exponential backoff
 *   (`initialBackoffMs` doubling to `maxBackoffMs`). Sealing goes on meanwhile; when the link returns the
 *   newest checkpoint is submitted with one proof covering everything sealed since.
 * - Other 4xx (403, 404, 422): reported through `onError` and retried with backoff too (an operator must
 *   register or fix the log; nothing is stored).
 */
import {
  formatAddCheckpointRequest,
  parseTlogSize,
  parseVerifierKey,
  verifyCosignature,
} from '../../domain/integrity/index.ts';
import { AppError } from '../../domain/shared/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { StoredCheckpoint } from '../../ports/ledger.ts';
import type { Queryable } from '../ledger/store.ts';

export interface SubmitterLedger {
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  consistencyProof(size1: number, size2: number): Promise<Uint8Array[]>;
}

export interface SubmitterOptions {
  /** The ledger database (where `ledger_cosignatures` lives). */
  db: Queryable;
  ledger: SubmitterLedger;
  /** The witness's submission prefix, e.g. `https://national.tec.example.vn/witness`. */
  witnessUrl: string;
  /** The witness verifier key `<name>+<id>+<base64(0x04 ‖ key)>`. */
  witnessKey: string;
  clock: Clock;
  fetch?: typeof fetch;
  pollMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  onError?: (error: Error) => void;
  /** After each round: its outcome (`failed` when the witness was unreachable or refused) (metrics). */
  onRound?: (result: SubmitResult | { outcome: 'failed' }) => void;
}

/** The witness answered something other than a cosignature or a size (status in `details`). */
export class WitnessRefusedError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'witness-refused';
}

export type SubmitResult =
  | { outcome: 'nothing-to-submit' }
  | { outcome: 'already-cosigned'; size: number }
  | { outcome: 'cosigned'; size: number; line: string }
  | { outcome: 'size-conflict'; witnessSize: number };

export class CheckpointSubmitter {
  private readonly keyName: string;
  private readonly fetch: typeof fetch;
  /** The size the witness knows for our origin, once learned (a 409 or our own cosignatures tell us). */
  private witnessSize: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private backoffMs: number;
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Consecutive failed rounds (for status and tests). */
  failures = 0;

  constructor(private readonly options: SubmitterOptions) {
    const key = parseVerifierKey(options.witnessKey);
    if (key.type !== 0x04) throw new WitnessRefusedError('WITNESS_KEY must be a cosignature (type 0x04) key');
    this.keyName = key.name;
    this.fetch = options.fetch ?? fetch;
    this.backoffMs = options.initialBackoffMs ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.round().then((delay) => this.schedule(delay));
    }, ms);
    this.timer.unref?.();
  }

  /** One round; returns the delay before the next. Never throws. */
  private async round(): Promise<number> {
    try {
      let result = await this.submitOnce();
      // A 409 taught us the witness's size: prove from it straight away (at most twice in a row).
      for (let i = 0; i < 2 && result.outcome === 'size-conflict'; i++) result = await this.submitOnce();
      if (result.outcome === 'size-conflict')
        throw new WitnessRefusedError('the witness keeps answering 409');
      this.options.onRound?.(result);
      this.failures = 0;
      this.backoffMs = this.options.initialBackoffMs ?? 1000;
      return this.options.pollMs ?? 1000;
    } catch (error) {
      this.failures += 1;
      this.options.onRound?.({ outcome: 'failed' });
      this.options.onError?.(error as Error);
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 60_000);
      return delay;
    }
  }

  /** Newest size this node holds a cosignature by the witness for. */
  async cosignedSize(): Promise<number | undefined> {
    const { rows } = await this.options.db.query<{ size: string | null }>(
      'SELECT max(tree_size) AS size FROM ledger_cosignatures WHERE key_name = $1',
      [this.keyName],
    );
    return rows[0]?.size == null ? undefined : Number(rows[0].size);
  }

  /**
   * Submits the newest checkpoint once. Throws `WitnessRefusedError` (or a network error) when the witness
   * is unreachable or refuses; returns the outcome otherwise.
   */
  async submitOnce(): Promise<SubmitResult> {
    // Two independent reads, in parallel rather than in turn (each round trip counts in the witnessing delay).
    const [latest, cosigned] = await Promise.all([this.options.ledger.latestCheckpoint(), this.cosignedSize()]);
    if (!latest) return { outcome: 'nothing-to-submit' };
    if (cosigned !== undefined && cosigned >= latest.treeSize)
      return { outcome: 'already-cosigned', size: cosigned };
    const oldSize = Math.min(this.witnessSize ?? cosigned ?? 0, latest.treeSize);
    const proof = oldSize === 0 ? [] : await this.options.ledger.consistencyProof(oldSize, latest.treeSize);
    const body = formatAddCheckpointRequest({ oldSize, proof, checkpointText: latest.note });
    const res = await this.fetch(`${this.options.witnessUrl.replace(/\/$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (res.status === 409) {
      const size = parseTlogSize(text);
      if (size === undefined || !(res.headers.get('content-type') ?? '').startsWith('text/x.tlog.size'))
        throw new WitnessRefusedError('409 without a text/x.tlog.size body', { status: 409 });
      if (size > latest.treeSize)
        throw new WitnessRefusedError('the witness knows a larger tree than this node holds', {
          status: 409,
        });
      this.witnessSize = size;
      return { outcome: 'size-conflict', witnessSize: size };
    }
    if (res.status !== 200)
      throw new WitnessRefusedError(`the witness answered ${res.status}`, { status: res.status });
    const lines = text.split('\n').filter((l) => l !== '');
    const line = lines.find((l) => verifyCosignature(latest.note, l, this.options.witnessKey) !== undefined);
    if (!line)
      throw new WitnessRefusedError('no cosignature by the configured witness key verifies', { status: 200 });
    await this.options.db.query(
      `INSERT INTO ledger_cosignatures (tree_size, key_name, line, received_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tree_size, key_name) DO NOTHING`,
      [latest.treeSize, this.keyName, line, this.options.clock.now()],
    );
    this.witnessSize = latest.treeSize;
    return { outcome: 'cosigned', size: latest.treeSize, line };
  }
}
