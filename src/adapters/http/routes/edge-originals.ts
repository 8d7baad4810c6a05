/**
 * The node's side of "originals on demand" (docs/edge.md, "Originals later"): which originals of a case an edge
 * node still holds back (read from the case's custody log: a `relay` record carrying `edge-withheld/v1`, and
 * the blob absent from the evidence store), and the requests for them that opening the case or exporting its
 * bundle records, which the edge reads with `GET /v1/edge/requests` and moves to the head of its background
 * lane.
 *
 * The requests are kept in the API process (a restart forgets them; the next view or export asks again, and
 * the background lane delivers every original anyway). With several API processes behind a balancer an
 * edge's poll may reach a process that did not record the request; it is then served by the background lane's
 * order, not first. A shared store for the requests is not built.
 */
import { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema } from '../../../domain/custody.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import { streams } from '../../../domain/record.ts';
import type { EventStore } from '../../../ports/eventstore.ts';

export interface OriginalAtEdge {
  digest: string;
  edgeId: string;
  /** When the edge acknowledged the detection (the withheld statement's `receivedAt`). */
  since: string;
}

/** A bundle is only ever exported with every original: this one waits for originals still at an edge. */
export class OriginalsPendingError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'originals-pending';
  readonly retryAfterSeconds = 30;
}

/** The originals of `caseId` an edge withheld (custody log) and the store does not hold yet. */
export async function originalsAtEdge(
  store: Pick<EventStore, 'readStream'>,
  has: (digest: string) => Promise<boolean>,
  caseId: string,
): Promise<OriginalAtEdge[]> {
  const custody = await store.readStream(streams.custody(caseId)).catch(() => []);
  const withheld = new Map<string, OriginalAtEdge>();
  for (const r of custody) {
    if (r.record.type !== CUSTODY_EVENT_TYPE) continue;
    const parsed = EvidenceAccessedSchema.safeParse(r.record.data);
    const w = parsed.success && parsed.data.access === 'relay' ? parsed.data.withheld?.withheld : undefined;
    if (!w) continue;
    for (const digest of w.originals) if (!withheld.has(digest)) withheld.set(digest, { digest, edgeId: w.edgeId, since: w.receivedAt });
  }
  const pending: OriginalAtEdge[] = [];
  for (const original of withheld.values()) if (!(await has(original.digest))) pending.push(original);
  return pending;
}

export class EdgeOriginalRequests {
  /** Edge id → digest → when first requested. */
  private readonly byEdge = new Map<string, Map<string, string>>();

  request(originals: readonly OriginalAtEdge[], at: string): void {
    for (const o of originals) {
      let digests = this.byEdge.get(o.edgeId);
      if (!digests) this.byEdge.set(o.edgeId, (digests = new Map()));
      if (!digests.has(o.digest)) digests.set(o.digest, at);
    }
  }

  delivered(digest: string): void {
    for (const digests of this.byEdge.values()) digests.delete(digest);
  }

  /** The digests requested of this edge and not yet delivered, oldest request first. */
  async pendingFor(edgeId: string, has: (digest: string) => Promise<boolean>): Promise<string[]> {
    const digests = this.byEdge.get(edgeId);
    if (!digests) return [];
    const out: string[] = [];
    for (const [digest] of [...digests].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))) {
      if (await has(digest)) digests.delete(digest);
      else out.push(digest);
    }
    return out.slice(0, 1000);
  }
}
