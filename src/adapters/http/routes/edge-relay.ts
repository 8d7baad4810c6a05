/**
 * The node's side of edge nodes (docs/edge.md). An edge node (`tec serve --tier edge`) is a device registered
 * like a camera (`POST /v1/admin/cameras` with an id starting `edge-` and the edge's public key; integrity.md
 * §4). It authenticates to the node by its device key, not by a bearer token (an outage of hours would outlive
 * any token):
 *
 *  - `GET /v1/edge/cameras/:cameraId`: the view of a camera of the edge's province (status, keys in force),
 *    so the edge can verify the camera's signatures itself, also while its link is down. The request is signed
 *    (`X-Edge-Id`, `X-Edge-Time`, `X-Edge-Signature` over `edge-sync/v1`), and fresh within five minutes.
 *  - `POST /v1/edge/relay`: the camera's signed detection (field `detection`), the edge's signed forwarding
 *    receipt (field `receipt`), then the evidence files, as `POST /v1/detections/upload`. Before a byte is
 *    stored: the edge is registered, in service and its key was in force at `receivedAt`; the receipt names
 *    exactly this detection; the camera is of the edge's province and its signature verifies under its key
 *    in force (the same check as a camera's own upload, with the same problem types). Then the detection is
 *    ingested exactly as a camera's own (idempotent: a redelivery answers 200 with the existing case) and the
 *    relay is recorded in the case's custody log (`EvidenceAccessed`, access `relay`, with the receipt), once
 *    per detection and edge.
 */
import { v5 as uuidV5 } from 'uuid';
import { z } from 'zod';
import { AppError } from '../../../domain/shared/errors.ts';
import { CameraViewCache } from '../../../commands/context.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { DuplicateEventIdError } from '../../../ports/eventstore.ts';
import { CASE_ID_NAMESPACE } from '../../../domain/ids.ts';
import { checkKeyAt } from '../../../domain/signoff/keys-in-force.ts';
import type { CameraView } from '../../../domain/camera/view.ts';
import {
  isEdgeId,
  SignedEdgeReceiptSchema,
  verifyEdgeReceipt,
  EDGE_SYNC_PURPOSE,
  type SignedEdgeReceipt,
} from '../../../domain/signoff/edge-receipt.ts';
import { DigestSchema, IdentifierSchema } from '../../../domain/signoff/primitives.ts';
import {
  EDGE_ORIGINAL_PURPOSE,
  EDGE_REQUESTS_PURPOSE,
  SignedEdgeWithheldSchema,
  verifyEdgeRequest,
  verifyEdgeWithheld,
  withheldMismatch,
  type SignedEdgeWithheld,
} from '../../../domain/signoff/edge-withheld.ts';
import { recordDerivedEvidence } from '../../../commands/cases.ts';
import { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema } from '../../../domain/custody.ts';
import { caseIdForDetection } from '../../../domain/ids.ts';
import { originalEvidenceOf } from '../../../domain/case/originals.ts';
import { streams } from '../../../domain/record.ts';
import { EvidenceTooLargeError } from '../../../ports/evidence-errors.ts';
import type { EdgeOriginalRequests } from './edge-originals.ts';
import type { Principal } from '../../auth/roles.ts';
import { NotFoundError, route } from '../route.ts';
import type { AnyRoute } from './access.ts';
import {
  DetectionNotAuthenticError,
  EvidenceMissingError,
  EvidenceSizeMismatchError,
  discardRest,
  ingestAndRespond,
  MultipartError,
  ProvinceNotServedError,
  parseJsonField,
  putDeclared,
  readMultipart,
  requireSupportedMediaTypes,
  SignedDetectionBody,
  storeDeclaredPart,
  verifyCameraSignature,
  type Authenticated,
  type DeclaredBlob,
} from './ingest.ts';
import type { ApiServices } from './services.ts';

/** The edge's request or receipt does not verify under a key of a registered edge node in service. */
export class EdgeNotAuthenticError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'edge-signature-invalid';
}

/** An edge forwards only detections of cameras of its own province. */
export class EdgeProvinceMismatchError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'edge-province-mismatch';
}

/** The `withheld` statement is signed but does not fit the detection it is relayed with. */
export class EdgeWithheldMismatchError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'edge-withheld-mismatch';
}

/** An original offered by an edge that no relay record of that edge withholds (wrong edge, wrong digest). */
export class EdgeOriginalNotWithheldError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'edge-original-not-withheld';
}

const SYNC_FRESHNESS_MS = 5 * 60 * 1000;

/**
 * A signed edge request (`X-Edge-Id`, `X-Edge-Time`, `X-Edge-Signature` over purpose, edge id, subject, time):
 * fresh within five minutes and verifying under a key of the registered edge in force at that time.
 */
async function authenticateEdgeRequest(
  cameras: CameraViewCache,
  req: { get(name: string): string | undefined },
  purpose: string,
  subject: string,
): Promise<CameraView> {
  const edgeId = req.get('x-edge-id') ?? '';
  const at = req.get('x-edge-time') ?? '';
  const signature = req.get('x-edge-signature') ?? '';
  const when = Date.parse(at);
  if (!Number.isFinite(when) || Math.abs(when - Date.now()) > SYNC_FRESHNESS_MS)
    throw new EdgeNotAuthenticError('X-Edge-Time is missing or not within five minutes of now');
  const edge = await requireEdge(cameras, edgeId);
  const ok = edge.keys.some((k) => {
    const inForce = checkKeyAt(edge.keys, k.keyId, new Date(when).toISOString());
    return inForce.ok && verifyEdgeRequest(purpose, edgeId, subject, at, signature, inForce.key.publicKey);
  });
  if (!ok) throw new EdgeNotAuthenticError('The request signature does not verify under the edge key');
  return edge;
}
const DEFAULT_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

const CameraViewResponse = z.object({
  cameraId: z.string(),
  province: z.string(),
  status: z.string(),
  location: z.unknown(),
  keys: z.array(z.unknown()),
  calibrations: z.array(z.unknown()),
});
const IngestResponse = z.object({ caseId: z.string(), created: z.boolean(), revision: z.string() });
const OriginalResponse = z.object({ digest: z.string(), size: z.number(), created: z.boolean() });
const RequestsResponse = z.object({ digests: z.array(z.string()) });

/** The edge's view: registered with an `edge-` id and in service (suspended or decommissioned edges are refused). */
async function requireEdge(cameras: CameraViewCache, edgeId: string): Promise<CameraView> {
  const edge = isEdgeId(edgeId)
    ? await cameras.get(edgeId).catch((error: unknown) => {
        if (error instanceof AppError && error.category === 'validation') return undefined;
        throw error;
      })
    : undefined;
  if (!edge || edge.status !== 'active') throw new EdgeNotAuthenticError('Not a registered edge node in service');
  return edge;
}

function edgeKeyAt(edge: CameraView, keyId: string, at: string): string {
  const key = checkKeyAt(edge.keys, keyId, at);
  if (!key.ok) throw new EdgeNotAuthenticError('The edge key was not in force at that time', { reason: key.reason });
  return key.key.publicKey;
}

export function edgeRelayRoutes(services: ApiServices, requests?: EdgeOriginalRequests): AnyRoute[] {
  const maxEvidenceBytes = services.limits?.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  const cameras = new CameraViewCache(services.store);

  return [
    route({
      method: 'get',
      path: '/v1/edge/cameras/:cameraId',
      summary:
        'An edge node reads a camera of its province (status, keys in force, calibrations); signed by the edge key (X-Edge-Id, X-Edge-Time, X-Edge-Signature)',
      tags: ['edge'],
      auth: 'public',
      params: z.strictObject({ cameraId: IdentifierSchema }),
      responses: { 200: { description: 'The camera view', schema: CameraViewResponse } },
      handler: async ({ req, res, params }) => {
        // The sync signature is the edge request format under `edge-sync/v1` with the camera id as subject.
        const edge = await authenticateEdgeRequest(cameras, req, EDGE_SYNC_PURPOSE, params.cameraId);
        const camera = isEdgeId(params.cameraId) ? undefined : await cameras.get(params.cameraId).catch(() => undefined);
        if (!camera || camera.province !== edge.province)
          throw new NotFoundError('No camera of this id in the edge node\'s province');
        res.set('Cache-Control', 'no-store').json(camera);
      },
    }),
    route({
      method: 'post',
      path: '/v1/edge/relay',
      summary:
        'An edge node forwards a camera\'s signed detection with its signed receipt and the evidence (multipart: `detection`, `receipt`, then one file per digest)',
      tags: ['edge'],
      auth: 'public',
      rawBody: {
        contentTypes: ['multipart/form-data'],
        description: 'field `detection` (JSON), field `receipt` (JSON), then file parts named by their digest',
      },
      responses: {
        201: { description: 'Case created', schema: IngestResponse },
        200: { description: 'Replay: the existing case', schema: IngestResponse },
      },
      handler: async ({ req, res }) => {
        let signed: SignedDetectionBody | undefined;
        let receipt: SignedEdgeReceipt | undefined;
        let withheld: SignedEdgeWithheld | undefined;
        let edgeView: CameraView | undefined;
        let authenticated: Authenticated | undefined;
        let declared = new Map<string, DeclaredBlob>();
        const checked = new Map<string, number>();
        try {
          await readMultipart(
            req,
            maxEvidenceBytes,
            {
              field: async (name, value, truncated) => {
                if (name === 'detection' && signed === undefined) {
                  signed = parseJsonField(SignedDetectionBody, 'detection', value, truncated);
                  return;
                }
                if (name === 'withheld' && receipt !== undefined && withheld === undefined && checked.size === 0 && signed && edgeView) {
                  // Originals later: the originals named here stay at the edge; the derived items come instead.
                  const parsed = parseJsonField(SignedEdgeWithheldSchema, 'withheld', value, truncated);
                  const edgeKey = edgeKeyAt(edgeView, parsed.keyId, receipt.receipt.receivedAt);
                  if (!verifyEdgeWithheld(parsed, edgeKey))
                    throw new EdgeNotAuthenticError('The withheld statement does not verify under the edge key');
                  const mismatch = withheldMismatch(parsed.withheld, signed.detection, receipt.receipt.edgeId, receipt.receipt.receivedAt);
                  if (mismatch) throw new EdgeWithheldMismatchError(`The withheld statement does not fit the detection: ${mismatch}`);
                  withheld = parsed;
                  for (const digest of parsed.withheld.originals) declared.delete(digest);
                  for (const item of parsed.withheld.derived) declared.set(item.digest, item);
                  return;
                }
                if (name !== 'receipt' || receipt !== undefined || signed === undefined)
                  throw new MultipartError('Expected the fields `detection`, then `receipt`');
                const parsed = parseJsonField(SignedEdgeReceiptSchema, 'receipt', value, truncated);
                const edge = await requireEdge(cameras, parsed.receipt.edgeId);
                const edgeKey = edgeKeyAt(edge, parsed.keyId, parsed.receipt.receivedAt);
                if (!verifyEdgeReceipt(parsed, signed.detection, signed.signature, edgeKey))
                  throw new EdgeNotAuthenticError('The receipt does not verify or does not name this detection');
                const camera = await cameras.get(signed.detection.cameraId).catch(() => undefined);
                if (!camera || camera.status === 'decommissioned' || isEdgeId(camera.cameraId))
                  throw new DetectionNotAuthenticError('The device is not a registered camera in service');
                if (camera.province !== edge.province)
                  throw new EdgeProvinceMismatchError('The camera is not of the edge node\'s province', {
                    province: camera.province,
                  });
                if (services.servedProvinces && !services.servedProvinces.includes(camera.province))
                  throw new ProvinceNotServedError('This node does not serve the camera\'s province', {
                    province: camera.province,
                    served: services.servedProvinces,
                  });
                authenticated = { camera, verified: verifyCameraSignature(camera, signed) };
                requireSupportedMediaTypes(signed.detection);
                receipt = parsed;
                edgeView = edge;
                declared = new Map(signed.detection.evidence.map((e) => [e.digest, e]));
              },
              file: async (name, stream) => {
                if (!receipt) throw new MultipartError('The `detection` and `receipt` fields must come before the files');
                await storeDeclaredPart(services.evidence, declared, name, stream, maxEvidenceBytes, checked);
              },
            },
            6,
          );
        } catch (error) {
          if (!req.complete) await discardRest(req, res);
          throw error;
        }
        if (!signed || !receipt || !authenticated) throw new MultipartError('The upload holds no `receipt` field');
        const camera = authenticated.camera;
        const devicePrincipal: Principal = {
          subject: camera.cameraId,
          role: 'device',
          province: camera.province,
          tokenId: undefined,
        };
        const edgeId = receipt.receipt.edgeId;
        const relayed = receipt;
        const held = withheld;
        const detectionId = signed.detection.detectionId;
        // Every derived item the edge sent in place of an original must be here, of its stated size.
        for (const item of held?.withheld.derived ?? []) {
          const size = checked.get(item.digest) ?? (await services.evidence.stat(item.digest))?.size;
          if (size === undefined) throw new EvidenceMissingError('A derived item the edge names was not sent', { digest: item.digest });
          if (size !== item.size) throw new EvidenceSizeMismatchError('A derived item differs from its stated size', { digest: item.digest });
        }
        const absent = new Set(held?.withheld.originals ?? []);
        const edgeCaller = { actor: { kind: 'device' as const, id: edgeId }, province: camera.province };
        await ingestAndRespond(
          services,
          req,
          res,
          devicePrincipal,
          signed,
          authenticated,
          checked,
          async (caseId) => {
            for (const item of held?.withheld.derived ?? []) {
              // The edge is the deriving device; a redelivery derives nothing new (the decider's no-op).
              const eventId = uuidV5(`edge-derived:${edgeId}:${detectionId}:${item.digest}`, CASE_ID_NAMESPACE);
              try {
                await recordDerivedEvidence(
                  services.commandDeps,
                  edgeCaller,
                  {
                    caseId,
                    sourceDigest: item.sourceDigest,
                    derived: { digest: item.digest, mediaType: item.mediaType, size: item.size, kind: item.kind },
                    operation: item.operation,
                    parameters: item.parameters,
                    producer: item.producer,
                  },
                  { eventIds: [eventId], correlationId: caseId },
                );
              } catch (error) {
                if (!(error instanceof DuplicateEventIdError)) throw error;
              }
            }
            try {
              await recordEvidenceAccess(
                services.commandDeps,
                edgeCaller,
                {
                  caseId,
                  access: 'relay',
                  purpose: `Relayed by edge node ${edgeId}`,
                  receipt: relayed,
                  ...(held ? { withheld: held } : {}),
                },
                { eventId: uuidV5(`edge-relay:${edgeId}:${detectionId}`, CASE_ID_NAMESPACE) },
              );
            } catch (error) {
              // Already recorded by an earlier delivery of the same detection through the same edge.
              if (!(error instanceof DuplicateEventIdError)) throw error;
            }
          },
          absent,
        );
      },
    }),
    route({
      method: 'put',
      path: '/v1/edge/originals/:digest',
      summary:
        'An edge node uploads an original it withheld from a relay (raw bytes; signed: X-Edge-Id, X-Edge-Time, X-Edge-Detection, X-Edge-Signature over edge-original/v1)',
      tags: ['edge'],
      auth: 'public',
      params: z.strictObject({ digest: DigestSchema }),
      rawBody: { contentTypes: ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'], description: 'The original\'s bytes' },
      responses: {
        201: { description: 'Stored', schema: OriginalResponse },
        200: { description: 'Already stored', schema: OriginalResponse },
      },
      handler: async ({ req, res, params }) => {
        try {
          const detectionId = IdentifierSchema.safeParse(req.get('x-edge-detection') ?? '');
          if (!detectionId.success) throw new EdgeNotAuthenticError('X-Edge-Detection must name the detection');
          const edge = await authenticateEdgeRequest(cameras, req, EDGE_ORIGINAL_PURPOSE, `${detectionId.data}\n${params.digest}`);
          const caseId = caseIdForDetection(detectionId.data);
          const original = await withheldOriginal(caseId, edge.cameraId, params.digest);
          const length = Number(req.get('content-length') ?? 'NaN');
          if (Number.isFinite(length) && length > original.size) throw new EvidenceTooLargeError(original.size);
          const stored = await putDeclared(services.evidence, req, params.digest, original, maxEvidenceBytes);
          try {
            await recordEvidenceAccess(
              services.commandDeps,
              { actor: { kind: 'device', id: edge.cameraId }, province: edge.province },
              { caseId, digest: params.digest, access: 'relay', purpose: `Original delivered by edge node ${edge.cameraId}` },
              { eventId: uuidV5(`edge-original:${edge.cameraId}:${caseId}:${params.digest}`, CASE_ID_NAMESPACE) },
            );
          } catch (error) {
            if (!(error instanceof DuplicateEventIdError)) throw error;
          }
          requests?.delivered(params.digest);
          res.status(stored.created ? 201 : 200).json(stored);
        } catch (error) {
          if (!req.complete) await discardRest(req, res);
          throw error;
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/edge/requests',
      summary:
        'An edge node asks which of its withheld originals the node wants now (a case opened, a bundle export); signed: X-Edge-Id, X-Edge-Time, X-Edge-Signature over edge-requests/v1',
      tags: ['edge'],
      auth: 'public',
      responses: { 200: { description: 'The requested digests, oldest request first', schema: RequestsResponse } },
      handler: async ({ req, res }) => {
        const edge = await authenticateEdgeRequest(cameras, req, EDGE_REQUESTS_PURPOSE, 'requests');
        const wanted = requests ? await requests.pendingFor(edge.cameraId, (digest) => services.evidence.has(digest)) : [];
        res.set('Cache-Control', 'no-store').json({ digests: wanted });
      },
    }),
  ];

  /** The original as the case names it, if a relay record of this edge withholds it; else refused. */
  async function withheldOriginal(caseId: string, edgeId: string, digest: string): Promise<{ size: number; mediaType: string }> {
    const custody = await services.store.readStream(streams.custody(caseId)).catch(() => []);
    const withholds = custody.some((r) => {
      if (r.record.type !== CUSTODY_EVENT_TYPE) return false;
      const data = EvidenceAccessedSchema.safeParse(r.record.data);
      return data.success && data.data.access === 'relay' && data.data.withheld?.withheld.edgeId === edgeId && data.data.withheld.withheld.originals.includes(digest);
    });
    if (!withholds) throw new EdgeOriginalNotWithheldError('No relay of this edge node withholds an original of this digest for that detection', { digest });
    const records = await services.store.readStream(streams.case(caseId));
    const original = originalEvidenceOf(records.map((r) => r.record)).find((o) => o.digest === digest);
    if (!original || typeof original.size !== 'number' || typeof original.mediaType !== 'string')
      throw new EdgeOriginalNotWithheldError('The case names no original of this digest', { digest });
    return { size: original.size, mediaType: original.mediaType };
  }
}
