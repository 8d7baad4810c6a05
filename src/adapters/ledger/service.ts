/**
 * The ledger service a node runs: the node key, the read API (./reader.ts) and, unless disabled, the
 * sequencer (./sequencer.ts). `startLedger` returns at once; the sequencer may still be waiting for the
 * ledger lock (another node process leads), and reads work meanwhile.
 */
import type pg from 'pg';
import type { EventStore } from '../../ports/eventstore.ts';
import { loadOrCreateNodeKey, nodeVerifierKey, type NodeKey } from '../keys/node-key.ts';
import { SequencerStoppedError } from './errors.ts';
import { LedgerReader } from './reader.ts';
import { LedgerSequencer } from './sequencer.ts';
import type { StoredCheckpoint } from '../../ports/ledger.ts';

export interface LedgerServiceOptions {
  /** Pool on the ledger database (max ≥ 3 when the sequencer runs: it holds two connections). */
  pool: pg.Pool;
  eventStore: EventStore;
  /** Path of the node key file; created (0600) on first start. */
  keyFile: string;
  /** Checkpoint origin and key name, e.g. `vn-traffic/province-01`. */
  origin: string;
  clock?: () => Date;
  /** Run the sequencer in this process (default true). */
  sequencer?: boolean;
  checkpointIntervalMs?: number;
  maxBatch?: number;
  /** Where the start-up line `verifier-key: <vkey>` goes (default stdout). */
  print?: (line: string) => void;
  onFailure?: (error: unknown) => void;
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
}

export class LedgerService extends LedgerReader {
  constructor(
    pool: pg.Pool,
    eventStore: EventStore,
    clock: () => Date,
    readonly origin: string,
    readonly key: NodeKey,
    readonly sequencer: LedgerSequencer | undefined,
  ) {
    super(pool, { eventStore, clock });
  }

  /** `<origin>+<hex key id>+<base64(0x01 ‖ public key)>`: what verifiers of this node's checkpoints trust. */
  verifierKey(): string {
    return nodeVerifierKey(this.origin, this.key);
  }

  /** Issues a checkpoint now (only on the node whose sequencer leads). */
  issueCheckpoint(): Promise<StoredCheckpoint> {
    if (!this.sequencer) return Promise.reject(new SequencerStoppedError('this process runs no ledger sequencer'));
    return this.sequencer.issueCheckpoint();
  }

  async close(): Promise<void> {
    await this.sequencer?.stop();
  }
}

export async function startLedger(options: LedgerServiceOptions): Promise<LedgerService> {
  const key = await loadOrCreateNodeKey(options.keyFile);
  const clock = options.clock ?? (() => new Date());
  const verifierKey = nodeVerifierKey(options.origin, key);
  (options.print ?? ((line: string) => process.stdout.write(`${line}\n`)))(`verifier-key: ${verifierKey}`);
  const sequencer =
    options.sequencer === false
      ? undefined
      : new LedgerSequencer({
          pool: options.pool,
          eventStore: options.eventStore,
          signer: { origin: options.origin, seed: key.seed, verifierKey },
          clock,
          checkpointIntervalMs: options.checkpointIntervalMs,
          maxBatch: options.maxBatch,
          onFailure: options.onFailure,
          onCheckpoint: options.onCheckpoint,
        });
  return new LedgerService(options.pool, options.eventStore, clock, options.origin, key, sequencer);
}
