/**
 * Originals later, off the acceptance path (docs/edge.md, "Bandwidth"): the camera is answered 202 once its
 * detection is verified and durable in the spool; the plate crop and reduced overview (derive.ts) are made
 * here, in the background, and recorded in the spool (`Spool.recordReview`) before the entry's first relay.
 *
 * One deriver lane walks the spool's entries oldest first and derives those without a review record, while
 * the link is up or down, so a backlog is ready to relay when the link returns. A forwarding lane whose head
 * entry has no record yet asks for it (`settle`) and waits: the same derivation when the deriver lane is on
 * it, else one of its own. Order: store the copies' blobs, write the record (tmp, fsync, rename, fsync), then
 * relay. A crash before the record leaves only unnamed blobs (the orphan clean-up removes them) and the entry
 * is derived again; a crash after it relays the recorded statement and files, so a redelivery never sends
 * different copies.
 */
import type { Logger } from 'pino';
import { detectionHash } from '../../domain/signoff/edge-receipt.ts';
import { EDGE_WITHHELD_PURPOSE, signEdgeWithheld, type EdgeDerivedItem } from '../../domain/signoff/edge-withheld.ts';
import type { EdgeIdentity } from './cameras.ts';
import { deriveForReview, overviewOriginals } from './derive.ts';
import { SpoolFullError, type Spool, type SpoolEntry } from './spool.ts';

export interface ReviewCopiesOptions {
  logger: Logger;
  /** A derivation failed or found no room: the originals go with the detection (as with EDGE_ORIGINALS=now). */
  onDeriveFailed?: (error: Error) => void;
  /** Pause of the deriver lane after a local fault (ms; default 1 s). */
  retryMs?: number;
}

export class ReviewCopies {
  private readonly inFlight = new Map<number, Promise<void>>();
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  /** Entries whose review record was written since start. */
  recorded = 0;

  constructor(
    private readonly spool: Spool,
    private readonly identity: EdgeIdentity,
    private readonly options: ReviewCopiesOptions,
  ) {}

  /** Entries the deriver lane has still to look at, oldest first. */
  private readonly queue: SpoolEntry[] = [];

  start(): void {
    this.queue.push(...this.spool.entries());
    this.spool.onAppend((entry) => {
      this.queue.push(entry);
      this.wake?.();
    });
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Spooled entries without their review record yet (forwarded ones leave the count as the lane reaches them). */
  backlog(): number {
    return this.queue.filter((e) => !this.spool.reviewSettled(e) && this.spool.pendingSequenceOf(e.body.detection.detectionId) === e).length;
  }

  /** Resolves once the entry's review record is on disk (derived now, or by the deriver lane). */
  settle(entry: SpoolEntry): Promise<void> {
    if (this.spool.reviewSettled(entry)) return Promise.resolve();
    const running = this.inFlight.get(entry.sequence);
    if (running) return running;
    const work = this.derive(entry).finally(() => this.inFlight.delete(entry.sequence));
    this.inFlight.set(entry.sequence, work);
    return work;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const next = this.queue[0];
      if (!next) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      // Settled already (by its forwarding lane), or no longer spooled (forwarded, refused): nothing to make.
      if (this.spool.reviewSettled(next) || this.spool.pendingSequenceOf(next.body.detection.detectionId) !== next) {
        this.queue.shift();
        continue;
      }
      try {
        await this.settle(next);
        if (this.queue[0] === next) this.queue.shift();
      } catch (error) {
        // A local fault (the disk): logged; the forwarding lane retries this entry on its own schedule.
        this.options.logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'edge: recording review copies failed locally');
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
      }
    }
  }

  private async derive(entry: SpoolEntry): Promise<void> {
    const detection = entry.body.detection;
    const made: { item: EdgeDerivedItem; bytes: Buffer }[] = [];
    try {
      for (const original of overviewOriginals(detection)) {
        const copies = await deriveForReview(await this.spool.blobs.getBytes(original.digest, { expectedSize: original.size }), this.identity.edgeId);
        // Withheld only when that saves bytes: a small original is sent as it is (its copies would be larger).
        if (copies.reduce((n, c) => n + c.item.size, 0) < original.size) made.push(...copies);
      }
    } catch (error) {
      this.options.onDeriveFailed?.(error as Error);
      made.length = 0;
    }
    const items = made.map((m) => m.item);
    if (items.length > 0) {
      try {
        this.spool.requireRoom(items.reduce((n, i) => n + i.size, 0));
      } catch (error) {
        if (!(error instanceof SpoolFullError)) throw error;
        // No room for the copies: the originals go with the detection rather than the detection waiting.
        this.options.onDeriveFailed?.(error);
        items.length = 0;
      }
    }
    if (items.length === 0) {
      await this.spool.recordReview(entry.sequence, undefined);
      this.recorded++;
      return;
    }
    this.spool.pin(items);
    try {
      await this.spool.settled(items);
      for (const { item, bytes } of made) await this.spool.blobs.put(bytes, { expectedDigest: item.digest, mediaType: item.mediaType });
      const withheld = signEdgeWithheld(
        {
          purpose: EDGE_WITHHELD_PURPOSE,
          edgeId: this.identity.edgeId,
          detectionId: detection.detectionId,
          detectionHash: detectionHash(detection),
          originals: [...new Set(items.map((d) => d.sourceDigest))],
          derived: items,
          // The statement binds to the receipt's time, as the node checks.
          receivedAt: entry.receivedAt,
        },
        this.identity.secretKey,
      );
      await this.spool.recordReview(entry.sequence, withheld);
      this.recorded++;
    } catch (error) {
      this.spool.unpin(items);
      throw error;
    }
  }
}
