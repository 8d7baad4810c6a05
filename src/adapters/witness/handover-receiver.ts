/**
 * The receiving side of a case handover across nodes (docs/federation.md "Case handover"), run by a provincial
 * node's worker role. Each round, per province the node serves:
 *  1. asks the national relay (`GET <national>/v1/federation/handovers?toProvince=P`) which cases were handed
 *     over to P: the mirrored `CaseTransferred` records, with the sending log's key and base URL;
 *  2. skips those already received (the case stream here names the same record hash);
 *  3. fetches the sending node's court bundle of the case straight from its base URL (`/v1/cases/<id>/bundle`,
 *     recorded there as an export with this purpose), verifies it as a court would (`verifyBundle` with the
 *     registered log key as the trusted key), and finds the relayed record in it at the relayed leaf with the
 *     relayed hash;
 *  4. stores the originals (each checked against its digest by the evidence store) and the bundle itself;
 *  5. runs `ReceiveCase`, whose decider checks the checkpoint's log signature and trusted witness
 *     cosignature and the record's inclusion proof again, and the facts against the signed transfer.
 * Idempotent (the decider returns nothing for a repeat) and retried: a failed handover is tried again next
 * round; one failure never blocks the others.
 */
import { z } from 'zod';
import { receiveCase } from '../../commands/cases.ts';
import { LogBaseUrlSchema, LogOriginSchema, LogVerifierKeySchema } from '../../domain/federation/events.ts';
import { ProvinceCodeSchema } from '../../domain/signoff/primitives.ts';
import type { CommandDeps } from '../../commands/deps.ts';
import { FEDERATION_RELAY_ACTOR } from '../../domain/case/authorization.ts';
import { caseDecider } from '../../domain/case/decider.ts';
import { parseCaseEvent } from '../../domain/case/events.ts';
import type { CaseState } from '../../domain/case/state.ts';
import { readBundleZip, verifyBundle } from '../../domain/bundle/index.ts';
import { loadStream } from '../../commands/handler.ts';
import { streams, type EventRecord } from '../../domain/record.ts';
import { AppError } from '../../domain/shared/errors.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';

/** The token subject of the receiver (role `auditor` of the receiving province): what the sending node's custody names. */
export const HANDOVER_SUBJECT = 'federation-relay';

/** One handover as the national relay lists it (checked: the relay is not trusted for anything). */
const RelayedHandoverSchema = z.object({
  origin: LogOriginSchema,
  fromProvince: ProvinceCodeSchema,
  toProvince: ProvinceCodeSchema,
  caseId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  leafIndex: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  recordHash: z.string().regex(/^[0-9a-f]{64}$/),
  logKey: LogVerifierKeySchema,
  baseUrl: LogBaseUrlSchema,
});
export type RelayedHandoverItem = z.infer<typeof RelayedHandoverSchema>;

/** The relay's page size (`NationalViews.handovers`' default limit). */
const RELAY_PAGE = 100;

/** The sending node's bundle does not verify, or does not hold the relayed record: nothing is opened. */
export class HandoverBundleError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'handover-bundle-invalid';
}

/** The relay or the sending node answered with an error status (retried next round). */
export class HandoverFetchError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'handover-fetch-failed';
}

export interface HandoverReceiverOptions {
  /** The national node's base URL (the relay). */
  nationalUrl: string;
  /** The provinces this node serves: it receives the handovers to them. */
  provinces: readonly string[];
  /** A bearer token per province: an auditor of that province, which the relay and the sending nodes accept. */
  token: (province: string) => Promise<string>;
  deps: CommandDeps;
  evidence: EvidenceStore;
  /** Witness verifier keys this node trusts (`WITNESS_KEY`): the sending checkpoint must carry one's cosignature. */
  trustedWitnesses: string[];
  fetch?: typeof fetch;
  pollMs?: number;
  timeoutMs?: number;
  onError?: (handover: RelayedHandoverItem | undefined, error: Error) => void;
  onReceived?: (handover: RelayedHandoverItem) => void;
}

interface BundleLine {
  leafIndex: number;
  hash: string;
  record: EventRecord;
}

const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export class HandoverReceiver {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly fetch: typeof fetch;

  constructor(private readonly o: HandoverReceiverOptions) {
    this.fetch = o.fetch ?? fetch;
  }

  start(): void {
    this.running = true;
    const tick = async (): Promise<void> => {
      if (!this.running) return;
      const round = this.round().catch((error: unknown) => this.o.onError?.(undefined, error as Error));
      this.inFlight = round;
      await round;
      if (this.running) this.timer = setTimeout(() => void tick(), this.o.pollMs ?? 1000);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** Stops polling and waits for the round in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  /** One pass over every province served; returns how many cases were opened here. */
  async round(): Promise<{ received: number; failed: number }> {
    let received = 0;
    let failed = 0;
    for (const province of this.o.provinces) {
      const token = await this.o.token(province);
      for (const handover of await this.list(province, token)) {
        if (await this.alreadyReceived(handover)) continue;
        try {
          await this.receive(handover, token);
          received++;
          this.o.onReceived?.(handover);
        } catch (error) {
          failed++;
          this.o.onError?.(handover, error as Error);
        }
      }
    }
    return { received, failed };
  }

  private async get(url: string, token: string, purpose?: string): Promise<Response> {
    const response = await this.fetch(url, {
      headers: { authorization: `Bearer ${token}`, ...(purpose ? { 'x-purpose': purpose } : {}) },
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new HandoverFetchError(`GET ${new URL(url).pathname} answered ${response.status}`, { status: response.status });
    }
    return response;
  }

  /** Every handover the relay lists for `province`, page by page (the relay answers at most 100 at a time). */
  private async list(province: string, token: string): Promise<RelayedHandoverItem[]> {
    const all: RelayedHandoverItem[] = [];
    let after = '';
    for (;;) {
      const url = `${this.o.nationalUrl.replace(/\/+$/, '')}/v1/federation/handovers?toProvince=${province}${after}`;
      const body = (await (await this.get(url, token)).json()) as { handovers?: unknown };
      const page = Array.isArray(body.handovers) ? body.handovers : [];
      // The relay is not trusted: an item of any other shape, or for another province, is skipped.
      for (const item of page) {
        const parsed = RelayedHandoverSchema.safeParse(item);
        if (parsed.success && parsed.data.toProvince === province) all.push(parsed.data);
      }
      const last = RelayedHandoverSchema.safeParse(page.at(-1));
      if (page.length < RELAY_PAGE || !last.success) return all;
      after = `&afterOrigin=${encodeURIComponent(last.data.origin)}&afterLeaf=${last.data.leafIndex}`;
    }
  }

  private async alreadyReceived(h: RelayedHandoverItem): Promise<boolean> {
    const { state } = await loadStream(this.o.deps.store, streams.case(h.caseId), caseDecider, parseCaseEvent);
    return state.status !== 'none' && state.received?.recordHash === h.recordHash;
  }

  /** Fetches, verifies and stores the sending node's bundle, then opens the case (the decider checks again). */
  async receive(h: RelayedHandoverItem, token: string): Promise<void> {
    const url = `${h.baseUrl.replace(/\/+$/, '')}/v1/cases/${encodeURIComponent(h.caseId)}/bundle`;
    const purpose = `handover of case ${h.caseId} to province ${h.toProvince}`;
    const bytes = new Uint8Array(await (await this.get(url, token, purpose)).arrayBuffer());
    if (bytes.length > MAX_BUNDLE_BYTES) throw new HandoverBundleError('The sending bundle is too large', { size: bytes.length });
    const entries = await readBundleZip(bytes);
    const report = verifyBundle(entries, { trustedKey: h.logKey });
    if (!report.valid || report.origin !== h.origin) {
      const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.code);
      throw new HandoverBundleError('The sending node’s bundle does not verify under its registered log key', { failed });
    }
    const text = (name: string): string => new TextDecoder().decode(entries.get(name) ?? new Uint8Array());
    const lines = text('records.jsonl')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as BundleLine);
    const transfer = lines.find((l) => l.leafIndex === h.leafIndex);
    if (!transfer || transfer.hash !== h.recordHash || transfer.record.stream !== streams.case(h.caseId)) {
      throw new HandoverBundleError('The sending bundle does not hold the relayed transfer record', { leafIndex: h.leafIndex });
    }
    const proofs = JSON.parse(text('proofs.json')) as { inclusion: Record<string, string[]> };
    const inclusionProof = proofs.inclusion[String(h.leafIndex)] ?? [];

    // The sending case's facts: its verified case records folded by the same decider.
    const caseLines = lines.filter((l) => l.record.stream === streams.case(h.caseId)).sort((a, b) => a.record.revision - b.record.revision);
    let state: CaseState = caseDecider.initialState();
    for (const l of caseLines) state = caseDecider.evolve(state, parseCaseEvent(l.record));
    if (state.status === 'none' || !state.review || !state.owner) {
      throw new HandoverBundleError('The sending case has no confirmed review or owner', {});
    }

    // The originals travel inside the bundle; the evidence store checks each against its digest.
    for (const original of state.originals) {
      const blob = entries.get(`evidence/${original.digest.slice('sha256:'.length)}`);
      if (!blob) throw new HandoverBundleError('An original is missing from the sending bundle', { digest: original.digest });
      await this.o.evidence.put(blob, { expectedDigest: original.digest, mediaType: original.mediaType });
    }
    const kept = await this.o.evidence.put(bytes, { mediaType: 'application/zip', maxBytes: MAX_BUNDLE_BYTES });

    await receiveCase(
      this.o.deps,
      { actor: FEDERATION_RELAY_ACTOR, province: h.toProvince },
      {
        caseId: h.caseId,
        handover: {
          origin: h.origin,
          logKey: h.logKey,
          checkpoint: text('checkpoint.txt'),
          leafIndex: h.leafIndex,
          inclusionProof,
          transferRecord: transfer.record,
          bundle: { digest: kept.digest, size: kept.size },
        },
        facts: {
          detection: state.detection,
          detectionSignature: state.detectionSignature,
          detectionKeyId: state.detectionKeyId,
          review: {
            plate: state.review.plate,
            violationCode: state.review.violationCode,
            signedAt: state.review.signedAt,
            officerKeyId: state.review.officerKeyId,
          },
          owner: state.owner,
          originals: state.originals,
        },
      },
      this.o.trustedWitnesses,
    );
  }
}
