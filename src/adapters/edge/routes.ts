/**
 * The edge node's ingest API (docs/edge.md): the same paths, bodies, checks and problem types as a node's
 * (src/adapters/http/routes/ingest.ts, whose functions these reuse), except that an accepted detection is
 * written to the spool and answered 202 Accepted once durable there, with the edge's signed receipt; the
 * forwarder then hands it to the provincial node.
 *
 *  - `PUT /v1/evidence`, `POST /v1/detections`, `POST /v1/detections/upload`: as on a node. The camera's token
 *    and its signature are verified against the camera's registration as the node holds it (synced by
 *    `EdgeCameraDirectory`); a forged or altered detection is refused here (401 `detection-signature-invalid`)
 *    and never spooled or forwarded. The same detection sent again while still spooled answers 202 with the
 *    first receipt.
 *  - A request that would take the spool past its quota is refused before a byte is stored: 503
 *    `edge-spool-full` with Retry-After.
 *  - `GET /v1/edge/status` (public, no personal data): queue depth, oldest unforwarded age, bytes, rate.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { caseIdForDetection } from '../../domain/ids.ts';
import { buildEdgeReceipt, detectionHash, signEdgeReceipt } from '../../domain/signoff/edge-receipt.ts';
import { EvidenceTooLargeError } from '../../ports/evidence-errors.ts';
import type { Principal } from '../auth/roles.ts';
import { route, type AnyRoute } from '../http/route.ts';
import { requirePrincipal } from '../http/routes/access.ts';
import {
  authenticateDetection,
  discardRest,
  gentle,
  MultipartError,
  parseJsonField,
  rawUploadOptions,
  readMultipart,
  requireCameraDevice,
  requireEvidenceStored,
  requireSupportedMediaTypes,
  SignedDetectionBody,
  storeDeclaredPart,
  type Authenticated,
  type CameraSource,
  type DeclaredBlob,
} from '../http/routes/ingest.ts';
import type { EdgeIdentity } from './cameras.ts';
import type { Spool, SpoolEntry } from './spool.ts';

export interface EdgeStatus {
  edgeId: string;
  province: string;
  upstream: string;
  linkUp: boolean | null;
  queueDepth: number;
  oldestUnforwardedAgeSeconds: number | null;
  spoolBytes: number;
  spoolQuotaBytes: number;
  spoolAlarm: boolean;
  forwardedTotal: number;
  forwardedBytes: number;
  /** Original bytes not sent before review, less the derived bytes sent in their place (since start). */
  bytesSaved: number;
  /** EDGE_ORIGINALS. */
  originals: 'later' | 'now';
  /** Spooled detections whose review copies (originals later) are not derived yet: derived in the background. */
  reviewCopiesPending: number;
  /** Withheld originals whose detection the node has, waiting for the background lane. */
  originalsPending: number;
  originalsPendingBytes: number;
  /** Of those, how many the node asked for (a case opened, a bundle export). */
  originalsRequested: number;
  originalsSent: number;
  originalsBytesSent: number;
  forwardRatePerSecond: number;
  /** Refused by the node (kept in refused/), plus entries that did not authenticate at start (quarantine/). */
  refused: number;
  /** Blobs no pending or refused entry names, removed after EDGE_ORPHAN_MAX_AGE_SECONDS. */
  orphanBlobs: number;
  /** The spool is encrypted at rest (EDGE_SPOOL_ENCRYPTION). */
  spoolEncrypted: boolean;
  lastError: string | null;
}

export interface EdgeRouteServices {
  identity: EdgeIdentity;
  province: string;
  cameras: CameraSource;
  spool: Spool;
  maxEvidenceBytes: number;
  now: () => string;
  status: () => EdgeStatus;
  /** Called after each accepted detection (metrics, the quota alarm). */
  onAccepted?: (entry: SpoolEntry) => void;
}

const Accepted = z.object({
  caseId: z.string(),
  created: z.boolean(),
  queued: z.literal(true),
  sequence: z.number(),
  receivedAt: z.string(),
  receipt: z.unknown(),
});
const EvidenceResponse = z.object({ digest: z.string(), size: z.number(), created: z.boolean() });

/** The entry bytes beside the blobs (the JSON of detection and receipt), for the quota check. */
const ENTRY_ALLOWANCE = 16 * 1024;

export function edgeRoutes(services: EdgeRouteServices): AnyRoute[] {
  const { spool, cameras, identity } = services;
  const served = [services.province];

  /** Spools the detection and answers; false when it was already spooled (the caller releases its pin). */
  async function accept(res: Response, body: SignedDetectionBody): Promise<boolean> {
    const existing = spool.pendingSequenceOf(body.detection.detectionId);
    if (existing && detectionHash(existing.body.detection) === detectionHash(body.detection) && existing.body.signature === body.signature) {
      answer(res, existing, false);
      return false;
    }
    // Verified and durable is all the camera waits for: review copies are derived in the background
    // (review-copies.ts), before the entry's first relay.
    const entry = await append(body);
    services.onAccepted?.(entry);
    answer(res, entry, true);
    return true;
  }

  function append(body: SignedDetectionBody): Promise<SpoolEntry> {
    return spool.appendNext(body.detection.cameraId, (sequence) => {
      const receivedAt = services.now();
      const receipt = signEdgeReceipt(
        buildEdgeReceipt({ edgeId: identity.edgeId, detection: body.detection, cameraSignature: body.signature, receivedAt, sequence }),
        identity.secretKey,
      );
      return {
        sequence,
        receivedAt,
        body: {
          detection: body.detection,
          signature: body.signature,
          keyId: body.keyId,
          ...(body.modelId !== undefined ? { modelId: body.modelId } : {}),
        },
        receipt,
      };
    });
  }

  function answer(res: Response, entry: SpoolEntry, created: boolean): void {
    res.status(202).json({
      caseId: caseIdForDetection(entry.body.detection.detectionId),
      created,
      queued: true,
      sequence: entry.sequence,
      receivedAt: entry.receivedAt,
      receipt: entry.receipt,
    });
  }

  /** Pins the blobs, runs `work`, and releases the pin if no entry took it over. */
  async function pinned(body: SignedDetectionBody, work: () => Promise<boolean>): Promise<void> {
    const items = body.detection.evidence;
    spool.pin(items);
    let done = false;
    try {
      await spool.settled(items);
      done = await work();
    } finally {
      if (!done) spool.unpin(items);
    }
  }

  function contentLength(req: Request): number {
    const length = Number(req.get('content-length') ?? 'NaN');
    return Number.isFinite(length) ? length : 0;
  }

  return [
    route({
      method: 'put',
      path: '/v1/evidence',
      summary: 'Upload one evidence blob to the edge spool (raw bytes); answers its digest',
      tags: ['ingest'],
      auth: ['device'],
      rawBody: { contentTypes: ['image/jpeg', 'image/png', 'video/mp4', 'application/octet-stream'], description: 'The blob bytes' },
      responses: { 201: { description: 'Stored', schema: EvidenceResponse }, 200: { description: 'Already stored', schema: EvidenceResponse } },
      handler: async ({ req, res, principal }) => {
        const p = requirePrincipal(principal);
        try {
          await requireCameraDevice(cameras, served, p);
          const length = contentLength(req);
          if (length > services.maxEvidenceBytes) throw new EvidenceTooLargeError(services.maxEvidenceBytes);
          spool.requireRoom(length);
          const result = await spool.blobs.put(gentle(req), rawUploadOptions(req, services.maxEvidenceBytes));
          spool.blobStored(result.digest, result.size);
          res.status(result.created ? 201 : 200).json(result);
        } catch (error) {
          if (!req.complete) await discardRest(req, res);
          throw error;
        }
      },
    }),
    route({
      method: 'post',
      path: '/v1/detections',
      summary: 'Submit a signed detection whose evidence was uploaded before; spooled, answered 202 once durable',
      tags: ['ingest'],
      auth: ['device'],
      body: SignedDetectionBody,
      responses: { 202: { description: 'Durable in the edge spool; forwarded later', schema: Accepted } },
      handler: async ({ res, principal, body }) => {
        const p: Principal = requirePrincipal(principal);
        await authenticateDetection(cameras, served, p, body);
        spool.requireRoom(ENTRY_ALLOWANCE);
        await pinned(body, async () => {
          await requireEvidenceStored({ evidence: spool.blobs }, body.detection);
          return accept(res, body);
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/detections/upload',
      summary: 'Submit a signed detection with its evidence in one multipart request; spooled, answered 202 once durable',
      tags: ['ingest'],
      auth: ['device'],
      rawBody: { contentTypes: ['multipart/form-data'], description: 'field `detection` (JSON), then file parts named by their digest' },
      responses: { 202: { description: 'Durable in the edge spool; forwarded later', schema: Accepted } },
      handler: async ({ req, res, principal }) => {
        const p = requirePrincipal(principal);
        let signed: SignedDetectionBody | undefined;
        let authenticated: Authenticated | undefined;
        let declared = new Map<string, DeclaredBlob>();
        const checked = new Map<string, number>();
        let pinnedItems: readonly { digest: string; size: number }[] = [];
        let kept = false;
        try {
          try {
            await readMultipart(req, services.maxEvidenceBytes, {
              field: async (name, value, truncated) => {
                if (name !== 'detection' || signed !== undefined) throw new MultipartError('Only one field, `detection`, is expected');
                const parsed = parseJsonField(SignedDetectionBody, 'detection', value, truncated);
                authenticated = await authenticateDetection(cameras, served, p, parsed);
                requireSupportedMediaTypes(parsed.detection);
                spool.requireRoom(parsed.detection.evidence.reduce((n, e) => n + e.size, ENTRY_ALLOWANCE));
                signed = parsed;
                declared = new Map(parsed.detection.evidence.map((e) => [e.digest, e]));
                pinnedItems = parsed.detection.evidence;
                spool.pin(pinnedItems);
                await spool.settled(pinnedItems);
              },
              file: async (name, stream) => {
                if (!signed) throw new MultipartError('The `detection` field must come before the files');
                await storeDeclaredPart(spool.blobs, declared, name, stream, services.maxEvidenceBytes, checked);
              },
            });
          } catch (error) {
            if (!req.complete) await discardRest(req, res);
            throw error;
          }
          if (!signed || !authenticated) throw new MultipartError('The upload holds no `detection` field');
          await requireEvidenceStored({ evidence: spool.blobs }, signed.detection, checked);
          kept = await accept(res, signed);
        } finally {
          if (!kept) spool.unpin(pinnedItems);
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/edge/status',
      summary: 'The edge node: queue depth, oldest unforwarded age, spool bytes and quota, forward rate, bytes saved',
      tags: ['edge'],
      auth: 'public',
      responses: { 200: { description: 'Status', schema: z.record(z.string(), z.unknown()) } },
      handler: async ({ res }) => {
        res.set('Cache-Control', 'no-store').json(services.status());
      },
    }),
  ];
}
