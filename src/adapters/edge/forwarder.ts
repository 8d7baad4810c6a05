/**
 * Forwards the spool to the provincial node (`POST /v1/edge/relay`), in sequence order per camera.
 *
 * Cameras are spread over `lanes` (a hash of the camera id); each lane sends one entry at a time, oldest
 * first, and moves on only once the node has answered 200/201 for it, so per camera the node receives the
 * detections in the order the edge acknowledged them. The lanes bound the load on the node (backpressure: at
 * most `lanes` requests in flight; a 429/503 answer's Retry-After is honoured).
 *
 * A failed delivery (no answer, a timeout, 408, 425, 429, 5xx, or a 401 `edge-signature-invalid` while the
 * edge's key is not yet registered) is retried with exponential backoff and jitter, from `minBackoffMs`
 * doubling up to `maxBackoffMs`; the entry stays at the head of its lane. Redelivery is safe: the node's
 * ingest is idempotent (the case id derives from the detection id; a repeat answers 200 with the same case)
 * and the relay's custody record has a deterministic id. A definite refusal (400, 403, 409, 413, 422, other
 * 401s) moves the entry to `refused/` with the node's problem document and counts it: it is never dropped
 * silently, and never blocks the lane behind it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { EDGE_ORIGINAL_PURPOSE, EDGE_REQUESTS_PURPOSE, signEdgeRequest } from '../../domain/signoff/edge-withheld.ts';
import type { EdgeIdentity } from './cameras.ts';
import type { PendingOriginal, Spool, SpoolEntry } from './spool.ts';

export interface ForwarderOptions {
  upstream: string;
  lanes?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
  logger: Logger;
  onForwarded?: (entry: SpoolEntry, bytes: number) => void;
  onRefused?: (entry: SpoolEntry, status: number) => void;
  onLink?: (up: boolean) => void;
  /** Signs the background lane's uploads and request polls (originals later). */
  identity?: EdgeIdentity;
  /** How often the node's requests for originals are polled while the link is up (ms; default 10 s). */
  requestPollMs?: number;
  /** Resolves once the entry is ready to relay (originals later: its review copies recorded; review-copies.ts). */
  beforeRelay?: (entry: SpoolEntry) => Promise<void>;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; afterMs?: number; status?: number } | { kind: 'refused'; status: number; problem: unknown };

interface Lane {
  queue: SpoolEntry[];
  wake: (() => void) | undefined;
  running: Promise<void> | undefined;
}

export class Forwarder {
  private readonly lanes: Lane[];
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  linkUp: boolean | undefined;
  /** Timestamps (ms) of deliveries in the last minute, for the forward rate. */
  private readonly recent: number[] = [];
  forwardedTotal = 0;
  bytesSent = 0;
  /** Original bytes not sent with their detection, less the derived bytes sent in their place. */
  bytesSaved = 0;
  originalsSent = 0;
  originalsBytesSent = 0;
  lastError: string | undefined;
  /** The background lane: withheld originals whose detection the node has, requested ones at the head. */
  private readonly originals: PendingOriginal[] = [];
  private originalsWake: (() => void) | undefined;
  private originalsRunning: Promise<void> | undefined;
  private pollRunning: Promise<void> | undefined;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly spool: Spool,
    private readonly options: ForwarderOptions,
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.lanes = Array.from({ length: Math.max(1, options.lanes ?? 4) }, () => ({ queue: [], wake: undefined, running: undefined }));
  }

  private laneOf(cameraId: string): Lane {
    const h = createHash('sha256').update(cameraId).digest().readUInt32BE(0);
    return this.lanes[h % this.lanes.length]!;
  }

  start(): void {
    for (const entry of this.spool.entries()) this.laneOf(entry.body.detection.cameraId).queue.push(entry);
    this.spool.onAppend((entry) => {
      const lane = this.laneOf(entry.body.detection.cameraId);
      lane.queue.push(entry);
      lane.wake?.();
    });
    for (const lane of this.lanes) lane.running = this.run(lane);
    this.originals.push(...this.spool.pendingOriginals());
    this.spool.onOriginal((original) => {
      this.originals.push(original);
      this.originalsWake?.();
    });
    if (this.options.identity) {
      this.originalsRunning = this.runOriginals(this.options.identity);
      this.pollRunning = this.pollRequests(this.options.identity);
    }
  }

  /** True while no detection lane has anything to send: the background lane uses only idle time. */
  private detectionsIdle(): boolean {
    return this.lanes.every((l) => l.queue.length === 0);
  }

  /** Moves the originals the node asked for to the head of the background lane. */
  prioritise(digests: readonly string[]): number {
    const wanted = new Set(digests);
    const head = this.originals.filter((o) => wanted.has(o.digest));
    if (head.length === 0) return 0;
    const rest = this.originals.filter((o) => !wanted.has(o.digest));
    this.originals.splice(0, this.originals.length, ...head, ...rest);
    this.originalsWake?.();
    return head.length;
  }

  /** Withheld originals still to upload (bytes). */
  originalsQueued(): { count: number; bytes: number; requested: number } {
    return { count: this.originals.length, bytes: this.originals.reduce((n, o) => n + o.size, 0), requested: this.requested.size };
  }

  private readonly requested = new Set<string>();

  private async pollRequests(identity: EdgeIdentity): Promise<void> {
    const every = this.options.requestPollMs ?? 10_000;
    while (!this.stopped) {
      if (this.originals.length > 0) {
        try {
          const response = await fetch(`${this.options.upstream}/v1/edge/requests`, {
            headers: signedEdgeHeaders(identity, EDGE_REQUESTS_PURPOSE, 'requests'),
            signal: this.requestTimeout(),
          });
          if (response.ok) {
            const body = (await response.json()) as { digests?: unknown };
            const digests = Array.isArray(body.digests) ? body.digests.filter((d): d is string => typeof d === 'string') : [];
            this.requested.clear();
            for (const d of digests) this.requested.add(d);
            this.prioritise(digests);
          } else await response.body?.cancel();
        } catch {
          // The link is down: the detection lanes notice and report it; polled again next time.
        }
      }
      await this.sleep(every);
    }
  }

  private async runOriginals(identity: EdgeIdentity): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.stopped) {
      const original = this.originals[0];
      // Requested originals go even while detections are queued (a reviewer or an export is waiting on them).
      if (!original || (!this.detectionsIdle() && !this.requested.has(original.digest))) {
        await Promise.race([new Promise<void>((resolve) => (this.originalsWake = resolve)), this.sleep(original ? 200 : 60_000)]);
        this.originalsWake = undefined;
        continue;
      }
      let outcome: Outcome;
      try {
        outcome = await this.deliverOriginal(original, identity);
        if (outcome.kind === 'done') await this.spool.originalDelivered(original.file);
      } catch (error) {
        this.options.logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'edge: uploading an original failed locally');
        outcome = { kind: 'retry' };
      }
      if (outcome.kind === 'done') {
        if (this.originals[0] === original) this.originals.shift();
        else this.originals.splice(this.originals.indexOf(original), 1);
        this.requested.delete(original.digest);
        backoff = this.minBackoffMs;
        continue;
      }
      if (outcome.kind === 'refused') {
        // Never dropped: an original is evidence. It goes to the back of the lane and is tried again later.
        this.options.logger.error({ sequence: original.sequence, status: outcome.status }, 'edge: the provincial node refused an original; kept and retried');
        const at = this.originals.indexOf(original);
        if (at >= 0) this.originals.splice(at, 1);
        this.originals.push(original);
        await this.sleep(this.maxBackoffMs);
        continue;
      }
      if (this.stopped) break;
      backoff = await this.waitBeforeRetry(backoff, outcome.afterMs);
    }
  }

  private async deliverOriginal(original: PendingOriginal, identity: EdgeIdentity): Promise<Outcome> {
    const bytes = await this.spool.blobs.getBytes(original.digest, { expectedSize: original.size });
    const subject = `${original.detectionId}\n${original.digest}`;
    return this.sendUpstream(
      `/v1/edge/originals/${original.digest}`,
      {
        method: 'PUT',
        headers: {
          'content-type': original.mediaType,
          'x-edge-detection': original.detectionId,
          ...signedEdgeHeaders(identity, EDGE_ORIGINAL_PURPOSE, subject),
        },
        body: new Uint8Array(bytes),
      },
      () => {
        this.originalsSent++;
        this.originalsBytesSent += bytes.length;
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes) lane.wake?.();
    this.originalsWake?.();
    for (const wake of this.sleepers) wake();
    await Promise.all([...this.lanes.map((l) => l.running), this.originalsRunning, this.pollRunning]);
  }

  /** Deliveries per second over the last minute (or since the first delivery, when more recent). */
  rate(now = Date.now()): number {
    while (this.recent.length > 0 && this.recent[0]! < now - 60_000) this.recent.shift();
    if (this.recent.length < 2) return this.recent.length / 60;
    const span = Math.max(1, now - this.recent[0]!) / 1000;
    return this.recent.length / Math.min(60, Math.max(span, 1));
  }

  /**
   * Waits out a failed attempt: the backoff with jitter, or the node's Retry-After when that is longer, never
   * past `maxBackoffMs`. Answers the next backoff (doubled, up to `maxBackoffMs`).
   */
  private async waitBeforeRetry(backoff: number, afterMs: number | undefined): Promise<number> {
    const max = this.maxBackoffMs;
    const jittered = Math.round(backoff * (0.5 + Math.random() * 0.5));
    await this.sleep(Math.min(max, Math.max(jittered, afterMs ?? 0)));
    return Math.min(max, backoff * 2);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  private setLink(up: boolean): void {
    if (this.linkUp === up) return;
    this.linkUp = up;
    this.options.onLink?.(up);
    if (up) this.options.logger.info('edge: link to the provincial node is up');
    else this.options.logger.warn({ error: this.lastError }, 'edge: link to the provincial node is down; spooling');
  }

  private async run(lane: Lane): Promise<void> {
    let backoff = this.minBackoffMs;
    while (!this.stopped) {
      const entry = lane.queue[0];
      if (!entry) {
        await new Promise<void>((resolve) => (lane.wake = resolve));
        lane.wake = undefined;
        continue;
      }
      let outcome: Outcome;
      try {
        // Originals later: the entry's review copies are recorded in the spool before its first relay.
        await this.options.beforeRelay?.(entry);
        outcome = await this.deliver(entry);
        if (outcome.kind === 'done' || outcome.kind === 'refused') await this.settle(entry, outcome);
      } catch (error) {
        // A local fault (the disk): logged, and the entry retried after a backoff; the lane never dies.
        this.options.logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'edge: forwarding failed locally');
        outcome = { kind: 'retry' };
      }
      if (outcome.kind === 'done' || outcome.kind === 'refused') {
        lane.queue.shift();
        backoff = this.minBackoffMs;
        continue;
      }
      if (this.stopped) break;
      backoff = await this.waitBeforeRetry(backoff, outcome.afterMs);
    }
  }

  private async settle(entry: SpoolEntry, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'refused') {
      this.options.logger.warn(
        { sequence: entry.sequence, status: outcome.status },
        'edge: the provincial node refused a spooled detection; kept in refused/',
      );
      await this.spool.refused(entry.sequence, outcome.problem);
      this.options.onRefused?.(entry, outcome.status);
    } else if (outcome.kind === 'done') {
      await this.spool.forwarded(entry.sequence);
    }
  }

  private async deliver(entry: SpoolEntry): Promise<Outcome> {
    let form: FormData;
    let bytes = 0;
    let saved = 0;
    try {
      form = new FormData();
      form.append('detection', JSON.stringify(entry.body));
      form.append('receipt', JSON.stringify(entry.receipt));
      bytes += JSON.stringify(entry.body).length + JSON.stringify(entry.receipt).length;
      const withheld = entry.withheld?.withheld;
      if (entry.withheld) {
        form.append('withheld', JSON.stringify(entry.withheld));
        bytes += JSON.stringify(entry.withheld).length;
      }
      const held = new Set(withheld?.originals ?? []);
      const parts = [
        ...entry.body.detection.evidence.filter((e) => !held.has(e.digest)),
        ...(withheld?.derived ?? []),
      ];
      for (const item of parts) {
        const blob = await this.spool.blobs.getBytes(item.digest, { expectedSize: item.size });
        bytes += blob.length;
        form.append(item.digest, new Blob([new Uint8Array(blob)], { type: item.mediaType }), item.digest.slice(7, 23));
      }
      saved =
        entry.body.detection.evidence.filter((e) => held.has(e.digest)).reduce((n, e) => n + e.size, 0) -
        (withheld?.derived ?? []).reduce((n, d) => n + d.size, 0);
    } catch (error) {
      // The spool's own copy is unreadable: a local fault, kept for the operator rather than retried forever.
      return { kind: 'refused', status: 0, problem: { type: 'edge-spool-unreadable', detail: (error as Error).message } };
    }
    return this.sendUpstream('/v1/edge/relay', { method: 'POST', body: form }, () => {
      this.forwardedTotal++;
      this.bytesSent += bytes;
      this.bytesSaved += saved;
      this.recent.push(Date.now());
      this.options.onForwarded?.(entry, bytes);
    });
  }

  /**
   * One request to the provincial node, its answer as an outcome: no answer (the link is down) is retried;
   * 200/201 is done, once `onAccepted` has counted it; any other status is judged by `failure`.
   */
  private async sendUpstream(path: string, init: RequestInit, onAccepted: () => void): Promise<Outcome> {
    let response: Response;
    try {
      response = await fetch(`${this.options.upstream}${path}`, { ...init, signal: this.requestTimeout() });
    } catch (error) {
      this.lastError = (error as Error).name;
      this.setLink(false);
      return { kind: 'retry' };
    }
    const text = await response.text().catch(() => '');
    this.setLink(true);
    if (response.status === 200 || response.status === 201) {
      onAccepted();
      return { kind: 'done' };
    }
    return this.failure(response, text);
  }

  private requestTimeout(): AbortSignal {
    return AbortSignal.timeout(this.options.requestTimeoutMs ?? 60_000);
  }

  /** A non-2xx answer: retried (transient, or the edge not registered yet) or refused for good. */
  private failure(response: Response, text: string): Outcome {
    let problem: unknown = text.slice(0, 2000);
    try {
      problem = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const type = (problem as { type?: string } | undefined)?.type ?? '';
    this.lastError = `HTTP ${response.status} ${type}`;
    const retryAfter = Number(response.headers.get('retry-after'));
    const afterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 30) * 1000 : undefined;
    const retryable =
      response.status >= 500 ||
      response.status === 408 ||
      response.status === 425 ||
      response.status === 429 ||
      // No such route (a node without edge support, a proxy's page): misconfiguration, never a loss.
      response.status === 404 ||
      // The edge's key is not registered (yet) at the node: retried until an administrator registers it.
      type.endsWith('/edge-signature-invalid');
    if (retryable) return { kind: 'retry', status: response.status, ...(afterMs !== undefined ? { afterMs } : {}) };
    return { kind: 'refused', status: response.status, problem };
  }
}

/** The `X-Edge-*` headers of a signed edge request: the edge's id, the time, and its signature over them, the purpose and `subject`. */
function signedEdgeHeaders(identity: EdgeIdentity, purpose: string, subject: string): Record<string, string> {
  const at = new Date().toISOString();
  return {
    'x-edge-id': identity.edgeId,
    'x-edge-time': at,
    'x-edge-signature': signEdgeRequest(purpose, identity.edgeId, subject, at, identity.secretKey),
  };
}
