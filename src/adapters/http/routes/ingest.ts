/**
 * Ingest (role `device`): a camera or edge node sends a detection it signed with its registered key
 * (integrity.md §4) together with its evidence.
 *
 * Two ways to send the evidence:
 *  - `PUT /v1/evidence` with the raw bytes of one blob (hashed while streamed to the blob store), then
 *    `POST /v1/detections` with the signed detection naming those digests;
 *  - `POST /v1/detections/upload`, multipart/form-data: first a field `detection` holding the same JSON as
 *    `POST /v1/detections`, then one file part per evidence item whose field name is its digest.
 *
 * What is checked, in order, before anything is appended: the token's subject is the detection's camera; the
 * camera is registered and not decommissioned; the key named was in force at `observedAt`; the signature
 * verifies over JCS(detection) (401 otherwise); every digest the detection names is a stored blob of exactly
 * the stated size and a sound item of its declared media type (magic number, and an image decodes within the
 * pixel limit: media-check.ts; 422 otherwise). The case decider then re-checks all of it and applies the legal rules;
 * the signature is verified once, here: the decider trusts the route's `VerifiedDetection` for this very detection
 * object instead of verifying again. The camera view comes from a cache keyed by the camera stream's head revision
 * (commands/context.ts), so a key rotation or revocation takes effect for the next request.
 *
 * Refused requests leave nothing that a later request could be confused by. Records are the only thing that
 * makes a blob evidence, and a blob is content-addressed: its name pins its bytes, so a blob left behind by a
 * refused request can only ever be the very bytes a later signed detection names. The multipart route also
 * verifies the signature BEFORE storing a byte, and stores each part only if it hashes to a digest the
 * signed detection names (`expectedDigest`), so a forged request stores nothing at all.
 *
 * Replays: the case id is derived from the detection id. The same signed detection again answers 200 with the
 * existing case; a different detection under the same id is refused with 409.
 */
import type { Request, Response } from 'express';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError, ValidationError } from '../../../domain/shared/errors.ts';
import { cameraKeyAt, type CameraView } from '../../../domain/camera/view.ts';
import { DetectionSchema, type Detection } from '../../../domain/signoff/payloads.ts';
import { IdentifierSchema, KeyIdSchema, SignatureSchema } from '../../../domain/signoff/primitives.ts';
import { verifyDetectionOnce, type VerifiedDetection } from '../../../domain/signoff/verified-detection.ts';
import { CameraViewCache } from '../../../commands/context.ts';
import { ingestDetection } from '../../../commands/cases.ts';
import type { Principal } from '../../auth/roles.ts';
import { EvidenceTooLargeError } from '../../../ports/evidence-errors.ts';
import {
  checkEvidenceMedia,
  EvidenceMediaTypeUnsupportedError,
  INGEST_MEDIA_TYPES,
} from '../../evidence/media-check.ts';
import type { EvidenceStore, PutOptions, PutResult, StagedBlob } from '../../../ports/evidence.ts';
import { route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

export class DeviceNotCameraError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'device-not-camera';
}

/** The signature does not verify, or the key was not the camera's key in force: a forged request. */
export class DetectionNotAuthenticError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'detection-signature-invalid';
}

/**
 * A provincial node (`--tier province --province 01,…`) accepts records only for the provinces it serves: a
 * camera of another province sends to its own province's node.
 */
export class ProvinceNotServedError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'province-not-served';
}

export class EvidenceMissingError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'evidence-missing';
}

export class EvidenceSizeMismatchError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'evidence-size-mismatch';
}

export class MultipartError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'invalid-multipart';
}

export const SignedDetectionBody = z.strictObject({
  detection: DetectionSchema,
  signature: SignatureSchema,
  keyId: KeyIdSchema,
  /** The edge model version that made the detection, when there is one. */
  modelId: IdentifierSchema.optional(),
});
export type SignedDetectionBody = z.infer<typeof SignedDetectionBody>;

const IngestResponse = z.object({ caseId: z.string(), created: z.boolean(), revision: z.string() });
const EvidenceResponse = z.object({ digest: z.string(), size: z.number(), created: z.boolean() });

const DEFAULT_MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

/** Where a camera's view comes from: the node's event store (CameraViewCache), or an edge node's synced copy. */
export interface CameraSource {
  get(cameraId: string): Promise<CameraView | undefined>;
}

/** The device token MUST name a registered, usable camera; returns its view. */
export async function requireCameraDevice(
  cameras: CameraSource,
  servedProvinces: readonly string[] | undefined,
  principal: Principal,
  cameraId?: string,
): Promise<CameraView> {
  if (cameraId !== undefined && principal.subject !== cameraId) {
    throw new DeviceNotCameraError('A device may only submit its own detections');
  }
  const camera = await cameras.get(principal.subject).catch((error: unknown) => {
    if (error instanceof AppError && error.category === 'validation') return undefined;
    throw error;
  });
  if (!camera || camera.status === 'decommissioned') {
    throw new DetectionNotAuthenticError('The device is not a registered camera in service');
  }
  if (servedProvinces && !servedProvinces.includes(camera.province)) {
    throw new ProvinceNotServedError('This node does not serve the camera\'s province', {
      province: camera.province,
      served: servedProvinces,
    });
  }
  return camera;
}

export interface Authenticated {
  camera: CameraView;
  verified: VerifiedDetection;
}

/** The key named was the camera's key in force at `observedAt`, and the signature verifies under it. */
export function verifyCameraSignature(camera: CameraView, body: SignedDetectionBody): VerifiedDetection {
  const key = cameraKeyAt(camera, body.keyId, body.detection.observedAt);
  if (!key.ok)
    throw new DetectionNotAuthenticError('The key was not in force for this camera at observedAt', {
      reason: key.reason,
    });
  const verified = verifyDetectionOnce(body.detection, body.signature, body.keyId, key.key.publicKey);
  if (!verified) {
    throw new DetectionNotAuthenticError('The detection signature does not verify under the camera key');
  }
  return verified;
}

/**
 * Signature and key checks done at the edge, before the command path (and before any blob is stored). The
 * camera view and the proof of the verified signature go on to the decider, so neither is repeated.
 */
export async function authenticateDetection(
  cameras: CameraSource,
  servedProvinces: readonly string[] | undefined,
  principal: Principal,
  body: SignedDetectionBody,
): Promise<Authenticated> {
  const camera = await requireCameraDevice(cameras, servedProvinces, principal, body.detection.cameraId);
  return { camera, verified: verifyCameraSignature(camera, body) };
}

/** Refuses, before a byte is stored, a detection naming evidence of a media type the system does not handle. */
export function requireSupportedMediaTypes(detection: Detection): void {
  for (const item of detection.evidence) {
    if (!(INGEST_MEDIA_TYPES as readonly string[]).includes(item.mediaType))
      throw new EvidenceMediaTypeUnsupportedError(item.mediaType);
  }
}

/** The store's `check` hook: the received bytes must be a sound item of the declared media type. */
export function mediaCheck(mediaType: string): (staged: StagedBlob) => Promise<void> {
  return async (staged) => checkEvidenceMedia(mediaType, await staged.bytes(), { digest: staged.digest });
}

/** What a signed statement (a detection, a withheld statement) declares of one blob. */
export interface DeclaredBlob {
  size: number;
  mediaType: string;
}

/**
 * Stores a blob as declared: refused, keeping nothing, once the bytes pass the declared size (or the upload
 * limit), hash to another digest, or are not sound media of the declared type.
 */
export function putDeclared(
  store: Pick<EvidenceStore, 'put'>,
  body: Readable,
  digest: string,
  declared: DeclaredBlob,
  maxEvidenceBytes: number,
): Promise<PutResult> {
  return store.put(gentle(body), {
    expectedDigest: digest,
    maxBytes: Math.max(1, Math.min(declared.size, maxEvidenceBytes)),
    check: mediaCheck(declared.mediaType),
  });
}

/**
 * A multipart file part, named by the digest of a blob in `declared`, stored by `putDeclared`; the size the
 * store acknowledged goes into `checked` (digest → size) for `requireEvidenceStored`.
 */
export async function storeDeclaredPart(
  store: Pick<EvidenceStore, 'put'>,
  declared: ReadonlyMap<string, DeclaredBlob>,
  name: string,
  stream: Readable,
  maxEvidenceBytes: number,
  checked: Map<string, number>,
): Promise<void> {
  const item = declared.get(name);
  if (item === undefined) throw new MultipartError('A file part is not named by a digest of the detection');
  const stored = await putDeclared(store, stream, name, item, maxEvidenceBytes);
  checked.set(name, stored.size);
}

/**
 * The store options of a raw evidence upload (`PUT /v1/evidence`): the X-Evidence-Digest the bytes must hash
 * to, when sent; a specific image/video Content-Type is checked now, octet-stream once a detection names the blob.
 */
export function rawUploadOptions(req: Request, maxEvidenceBytes: number): PutOptions {
  const declared = req.get('x-evidence-digest');
  const contentType = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  return {
    maxBytes: maxEvidenceBytes,
    ...(declared !== undefined ? { expectedDigest: declared } : {}),
    ...(contentType !== undefined && contentType !== 'application/octet-stream' ? { check: mediaCheck(contentType) } : {}),
  };
}

/**
 * Every blob the detection names is stored with the stated size and is of its declared media type. Blobs this
 * request stored (`checked`: digest → the size the store acknowledged as durable) were checked on the way in
 * and need no second look at the store; blobs uploaded before are looked up and checked here, since only now is
 * their media type declared.
 */
export async function requireEvidenceStored(
  services: Pick<ApiServices, 'evidence'>,
  detection: Detection,
  checked: ReadonlyMap<string, number> = new Map(),
  /** Originals an edge node holds back (`edge-withheld/v1`): not required now; they arrive later. */
  absent: ReadonlySet<string> = new Set(),
): Promise<void> {
  requireSupportedMediaTypes(detection);
  for (const item of detection.evidence) {
    if (absent.has(item.digest)) continue;
    const storedNow = checked.get(item.digest);
    const size = storedNow ?? (await services.evidence.stat(item.digest))?.size;
    if (size === undefined)
      throw new EvidenceMissingError('Evidence named by the detection was not uploaded', {
        digest: item.digest,
      });
    if (size !== item.size) {
      throw new EvidenceSizeMismatchError('Evidence size differs from the size the detection states', {
        digest: item.digest,
      });
    }
    if (storedNow === undefined) {
      await checkEvidenceMedia(item.mediaType, await services.evidence.getBytes(item.digest), {
        digest: item.digest,
      });
    }
  }
}

/**
 * The ingest answer, written directly: a camera reads three fields, so express's `res.json` (ETag hashing of the
 * body, charset negotiation) is not worth its cost on the hot path (issue 15 profile, docs/api.md).
 */
export function sendIngestAnswer(res: Response, status: 200 | 201, caseId: string, created: boolean, revision: bigint): void {
  const body = JSON.stringify({ caseId, created, revision: revision.toString() });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    Location: `/v1/cases/${encodeURIComponent(caseId)}`,
  });
  res.end(body);
}

export async function ingestAndRespond(
  services: ApiServices,
  req: Request,
  res: Response,
  principal: Principal,
  body: SignedDetectionBody,
  authenticated: Authenticated,
  checked?: ReadonlyMap<string, number>,
  /** Runs once the detection is durable, before the answer (the edge relay's custody record). */
  beforeAnswer?: (caseId: string) => Promise<void>,
  /** Originals an edge node holds back for later (`edge-withheld/v1`). */
  absent?: ReadonlySet<string>,
): Promise<void> {
  await requireEvidenceStored(services, body.detection, checked, absent);
  const outcome = await ingestDetection(
    services.commandDeps,
    callerFor(principal),
    {
      detection: body.detection,
      signature: body.signature,
      keyId: body.keyId,
      ...(body.modelId !== undefined ? { modelId: body.modelId } : {}),
      authenticated,
    },
    { correlationId: (req as { id?: string }).id },
  );
  if (beforeAnswer) await beforeAnswer(outcome.caseId);
  sendIngestAnswer(res, outcome.created ? 201 : 200, outcome.caseId, outcome.created, outcome.nextExpectedRevision);
}

/** An async iterable over a stream that, when the consumer stops early, does not destroy the stream. */
export function gentle(stream: Readable): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => stream.iterator({ destroyOnReturn: false }) };
}

/** A refused body at most this large is read to its end before the answer, so the client reads the answer. */
const DRAIN_REFUSED_BYTES = 8 * 1024 * 1024;
/** How long a refused body may take to arrive before the connection is closed instead. */
const DRAIN_REFUSED_MS = 10_000;

/**
 * After a refusal mid-upload: drop the rest of the body. A client still writing when the node answers and
 * closes sees its write fail (EPIPE, connection reset) before it can read the answer, so a camera would never
 * learn why it was refused. A body of declared length up to 8 MiB is therefore read to its end (at most 10 s)
 * and the answer sent on a connection that stays open; a larger, undeclared or slower body is not waited for:
 * the answer goes out at once and the connection closes after it.
 */
export async function discardRest(req: Request, res: Response): Promise<void> {
  req.resume();
  const declared = Number(req.get('content-length') ?? 'NaN');
  if (!(Number.isFinite(declared) && declared <= DRAIN_REFUSED_BYTES)) {
    res.set('Connection', 'close');
    return;
  }
  const ended = await new Promise<boolean>((resolve) => {
    if (req.complete || req.readableEnded) return resolve(true);
    const settle = (value: boolean) => {
      clearTimeout(timer);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(value);
    };
    const onEnd = () => settle(true);
    const onClose = () => settle(req.complete);
    const timer = setTimeout(() => settle(false), DRAIN_REFUSED_MS);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
  if (!ended) res.set('Connection', 'close');
}

export interface MultipartHandlers {
  field(name: string, value: string, truncated: boolean): Promise<void>;
  file(name: string, stream: Readable): Promise<void>;
}

/**
 * Parses the multipart body, handing parts to `handlers` one at a time. On any refusal (a handler throws, a
 * file passes the size limit, too many parts, a malformed body, the client going away) the part being
 * stored is destroyed with the error, so its consumer (the evidence store's `put`, which owns the temp file
 * in one try/finally) stops, closes its descriptor and removes its temp file; the returned promise rejects
 * only after that in-flight work has settled, so a refused request has released everything it opened by
 * the time it is answered.
 */
export function readMultipart(
  req: Request,
  maxFileBytes: number,
  handlers: MultipartHandlers,
  maxFields = 4,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fields: maxFields, fieldSize: 128 * 1024, files: 32, fileSize: maxFileBytes, parts: 32 + maxFields },
      });
    } catch {
      reject(new MultipartError('Expected a multipart/form-data body'));
      return;
    }
    let failed = false;
    let chain: Promise<void> = Promise.resolve();
    /** File streams handed out and not yet fully consumed: destroyed on failure so no consumer stalls. */
    const open = new Set<Readable>();
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      // Destroyed without an error (nobody may be listening for one yet): a consumer sees a premature close.
      for (const stream of open) stream.destroy();
      open.clear();
      // Answer only once the part being stored has released its temp file and descriptor.
      void chain.finally(() => reject(error));
    };
    const enqueue = (work: () => Promise<void>) => {
      chain = chain.then(() => (failed ? undefined : work())).catch(fail);
    };
    parser.on('field', (name, value, info) =>
      enqueue(() => handlers.field(name, value, info.valueTruncated)),
    );
    parser.on('file', (name, stream) => {
      if (failed) {
        stream.resume();
        return;
      }
      open.add(stream);
      stream.once('close', () => open.delete(stream));
      stream.once('end', () => open.delete(stream));
      stream.on('limit', () => fail(new EvidenceTooLargeError(maxFileBytes)));
      const previous = chain;
      chain = previous
        .then(() => (failed ? undefined : handlers.file(name, stream)))
        .catch(fail)
        .finally(() => stream.resume());
    });
    const limit = (what: string) => () => fail(new MultipartError(`Too many ${what} in the upload`));
    parser.on('partsLimit', limit('parts'));
    parser.on('filesLimit', limit('files'));
    parser.on('fieldsLimit', limit('fields'));
    parser.on('error', () => fail(new MultipartError('Malformed multipart body')));
    parser.on('close', () => {
      chain.then(() => (failed ? undefined : resolve()), fail);
    });
    // The client went away before the body was complete (`aborted` is not emitted by every Node version).
    const gone = () => {
      if (!req.complete) fail(new MultipartError('The upload was aborted'));
    };
    req.on('aborted', gone);
    req.on('close', gone);
    req.on('error', gone);
    req.pipe(parser);
  });
}

/** A multipart field holding JSON of the given schema (the signed detection; an edge's receipt). */
export function parseJsonField<T>(schema: z.ZodType<T>, name: string, value: string, truncated: boolean): T {
  if (truncated) throw new MultipartError(`The ${name} field is too large`);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new MultipartError(`The ${name} field is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(
      `Invalid ${name}`,
      { errors: parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message })) },
      'invalid-body',
    );
  }
  return parsed.data;
}

export function ingestRoutes(services: ApiServices): AnyRoute[] {
  const maxEvidenceBytes = services.limits?.maxEvidenceBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  const cameras = new CameraViewCache(services.store);

  return [
    route({
      method: 'put',
      path: '/v1/evidence',
      summary:
        'Upload one evidence blob (raw bytes); answers its digest. Optional X-Evidence-Digest is enforced.',
      tags: ['ingest'],
      auth: ['device'],
      rawBody: {
        contentTypes: ['image/jpeg', 'image/png', 'video/mp4', 'application/octet-stream'],
        description: 'The blob bytes',
      },
      responses: {
        201: { description: 'Stored', schema: EvidenceResponse },
        200: { description: 'Already stored', schema: EvidenceResponse },
      },
      handler: async ({ req, res, principal }) => {
        const p = requirePrincipal(principal);
        try {
          await requireCameraDevice(cameras, services.servedProvinces, p);
          const length = Number(req.get('content-length') ?? 'NaN');
          if (Number.isFinite(length) && length > maxEvidenceBytes)
            throw new EvidenceTooLargeError(maxEvidenceBytes);
          const result = await services.evidence.put(gentle(req), rawUploadOptions(req, maxEvidenceBytes));
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
      summary: 'Submit a signed detection whose evidence blobs were uploaded before',
      tags: ['ingest'],
      auth: ['device'],
      body: SignedDetectionBody,
      responses: {
        201: { description: 'Case created', schema: IngestResponse },
        200: { description: 'Replay: the existing case', schema: IngestResponse },
      },
      handler: async ({ req, res, principal, body }) => {
        const p = requirePrincipal(principal);
        const authenticated = await authenticateDetection(cameras, services.servedProvinces, p, body);
        await ingestAndRespond(services, req, res, p, body, authenticated);
      },
    }),
    route({
      method: 'post',
      path: '/v1/detections/upload',
      summary:
        'Submit a signed detection with its evidence in one multipart request (field `detection` first, then one file per digest)',
      tags: ['ingest'],
      auth: ['device'],
      rawBody: {
        contentTypes: ['multipart/form-data'],
        description: 'field `detection` (JSON), then file parts named by their digest',
      },
      responses: {
        201: { description: 'Case created', schema: IngestResponse },
        200: { description: 'Replay: the existing case', schema: IngestResponse },
      },
      handler: async ({ req, res, principal }) => {
        const p = requirePrincipal(principal);
        let signed: SignedDetectionBody | undefined;
        let authenticated: Authenticated | undefined;
        let declared = new Map<string, DeclaredBlob>();
        const checked = new Map<string, number>();
        try {
          await readMultipart(req, maxEvidenceBytes, {
            field: async (name, value, truncated) => {
              if (name !== 'detection' || signed !== undefined)
                throw new MultipartError('Only one field, `detection`, is expected');
              const parsed = parseJsonField(SignedDetectionBody, 'detection', value, truncated);
              authenticated = await authenticateDetection(cameras, services.servedProvinces, p, parsed);
              requireSupportedMediaTypes(parsed.detection);
              signed = parsed;
              declared = new Map(parsed.detection.evidence.map((e) => [e.digest, e]));
            },
            file: async (name, stream) => {
              if (!signed) throw new MultipartError('The `detection` field must come before the files');
              await storeDeclaredPart(services.evidence, declared, name, stream, maxEvidenceBytes, checked);
            },
          });
        } catch (error) {
          if (!req.complete) await discardRest(req, res);
          throw error;
        }
        if (!signed || !authenticated) throw new MultipartError('The upload holds no `detection` field');
        await ingestAndRespond(services, req, res, p, signed, authenticated, checked);
      },
    }),
  ];
}
