/**
 * Catch-up-then-live subscription to the PostgreSQL global feed. One loop: read a batch after the last
 * delivered checkpoint, deliver it record by record, and when the feed is drained wait for a NOTIFY on
 * `event_records` (sent by every append at commit) or, failing that, a slow poll. When committed records are
 * held back by an older running transaction, it re-polls quickly instead of waiting for a notification that
 * has already been sent. Delivery is strictly in feed order and never concurrent.
 */
import pg from 'pg';
import { isConnectionError } from '../../../ports/database.ts';
import { StoreUnavailableError, type StoredRecord, type SubscribeOptions, type Subscription } from '../../../ports/eventstore.ts';

export interface FeedSource {
  readAll(options: { after?: string; maxCount?: number }): Promise<StoredRecord[]>;
  hasPendingRecords(): Promise<boolean>;
}

export interface SubscriptionSettings {
  databaseUrl: string;
  channel: string;
  features: Promise<{ embedded: boolean }>;
  pollIntervalMs: number | undefined;
}

const BATCH_SIZE = 500;
/** Re-poll delay while committed records wait behind an older transaction: doubles up to the maximum. */
const PENDING_RETRY_MIN_MS = 5;
const PENDING_RETRY_MAX_MS = 200;
/** Longest wait between polls of an idle feed (the idle back-off's cap; a wake-up or NOTIFY ends it early). */
export const IDLE_POLL_MAX_MS = 1000;

export class PostgresSubscription implements Subscription {
  readonly done: Promise<void>;
  private closed = false;
  private woken = false;
  private wakeSleeper: (() => void) | undefined;
  private listener: pg.Client | undefined;

  constructor(
    private readonly source: FeedSource,
    private readonly options: SubscribeOptions,
    private readonly settings: SubscriptionSettings,
  ) {
    this.done = this.run();
    // `done` is for whoever wants it; an unobserved failure must not crash the process.
    this.done.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal();
    await this.done.catch(() => undefined);
  }

  /** Re-read the feed now (an append in this process just committed). */
  wake(): void {
    this.signal();
  }

  private signal(): void {
    this.woken = true;
    const wake = this.wakeSleeper;
    this.wakeSleeper = undefined;
    wake?.();
  }

  private async run(): Promise<void> {
    try {
      const { embedded } = await this.settings.features;
      const pollMs = this.settings.pollIntervalMs ?? (embedded ? 25 : 1000);
      // Idle back-off: every poll that finds nothing doubles the wait, up to IDLE_POLL_MAX_MS, and any record or
      // wake-up resets it. Appends in this process wake the subscription at once (embedded, every append is in
      // this process), and other processes' NOTIFY does too, so the poll is only the safety net: an idle node
      // costs a poll a second, not 40, and latency under load is unchanged (a busy feed never backs off).
      const maxIdleMs = Math.max(pollMs, IDLE_POLL_MAX_MS);
      let idleMs = pollMs;
      if (!embedded) await this.listen();
      let after = this.options.after;
      let caughtUp = false;
      let pendingDelay = PENDING_RETRY_MIN_MS;
      while (!this.closed) {
        this.woken = false;
        const batch = await this.source.readAll(after === undefined ? { maxCount: BATCH_SIZE } : { after, maxCount: BATCH_SIZE });
        for (const record of batch) {
          if (this.closed) return;
          await this.options.onRecord(record);
          after = record.checkpoint;
        }
        if (batch.length > 0) {
          pendingDelay = PENDING_RETRY_MIN_MS;
          idleMs = pollMs;
        }
        if (batch.length === BATCH_SIZE) continue;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
        }
        if (this.closed) return;
        const pending = await this.source.hasPendingRecords();
        if (pending) {
          await this.sleep(pendingDelay);
          pendingDelay = Math.min(pendingDelay * 2, PENDING_RETRY_MAX_MS);
        } else {
          const slept = await this.sleep(idleMs);
          idleMs = slept === 'woken' || batch.length > 0 ? pollMs : Math.min(idleMs * 2, maxIdleMs);
        }
      }
    } catch (error) {
      if (isConnectionError(error)) throw new StoreUnavailableError('The PostgreSQL event store is unavailable', { cause: error });
      throw error;
    } finally {
      const listener = this.listener;
      this.listener = undefined;
      await listener?.end().catch(() => undefined);
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.settings.databaseUrl, application_name: 'tec-eventstore-listen' });
    client.on('error', () => {
      // The poll keeps the subscription correct without notifications; a lost listener only slows it.
    });
    client.on('notification', () => this.signal());
    await client.connect();
    this.listener = client;
    await client.query(`LISTEN ${this.settings.channel}`);
  }

  /** Waits `ms` or until woken; says which. */
  private sleep(ms: number): Promise<'woken' | 'timeout'> {
    if (this.woken || this.closed) return Promise.resolve('woken');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeSleeper = undefined;
        resolve('timeout');
      }, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve('woken');
      };
    });
  }
}
