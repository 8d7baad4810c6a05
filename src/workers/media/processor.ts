/**
 * The media job: fetch an original from the evidence store, derive the standard copies, store each as a new
 * blob, and return what was stored for the queue layer to turn into `EvidenceDerived` commands
 * (`evidenceDerivedFields` in derived-item.ts gives the payload). No BullMQ here; src/node/media-processor.ts
 * wraps it as a BullMQ sandboxed processor (`async (job) => result`) so it can run in its own process.
 *
 * Durable: a returned item's blob was durably stored by `evidence.put` before the job resolves; a caller MUST
 * NOT record an `EvidenceDerived` event for an item that was not returned. A retry re-derives the same bytes
 * (same digests), so the puts are no-ops (`created: false`) and the events de-duplicate in the case decider.
 */
import { assertBox, type Box } from './box.ts';
import type { Caption } from './caption.ts';
import { deriveMedia, type DeriveRequest } from './derive.ts';
import type { DerivedItem } from './derived-item.ts';
import { InvalidMediaRequestError, MediaSourceMismatchError, UnsupportedImageError } from './errors.ts';
import { evidenceDigest, sniffFormat, type MediaLimits } from './source-image.ts';

export interface MediaJob {
  /** The original, `sha256:<64 hex>`. */
  sourceDigest: string;
  /** As the original's evidence reference states: `image/jpeg`, `image/png` or `image/webp`. */
  mediaType: string;
  caption?: Caption;
  boxes?: {
    /** The plate: a plate crop is made and the plate is kept sharp in the privacy copy. */
    plate?: Box;
    /** The offending vehicle(s): kept sharp in the privacy copy. */
    vehicles?: Box[];
  };
  thumbnailWidth?: number;
}

export interface MediaEvidenceStore {
  getBytes(digest: string): Promise<Uint8Array>;
  put(
    bytes: Uint8Array,
    options: { mediaType: string },
  ): Promise<{ digest: string; size: number; created: boolean }>;
}

export interface MediaJobDeps {
  evidence: MediaEvidenceStore;
  limits?: MediaLimits;
}

export type StoredDerivedItem = Omit<DerivedItem, 'bytes'> & { created: boolean };

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const FORMAT_BY_MEDIA_TYPE = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

function parseJob(value: unknown): MediaJob {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidMediaRequestError('The media job must be an object');
  const job = value as Record<string, unknown>;
  if (typeof job.sourceDigest !== 'string' || !DIGEST.test(job.sourceDigest))
    throw new InvalidMediaRequestError('sourceDigest must be sha256: followed by 64 lowercase hex digits', {
      field: 'sourceDigest',
    });
  if (typeof job.mediaType !== 'string' || !Object.hasOwn(FORMAT_BY_MEDIA_TYPE, job.mediaType))
    throw new UnsupportedImageError('Only image/jpeg, image/png and image/webp originals are derived', {
      field: 'mediaType',
    });
  const boxes = job.boxes as Record<string, unknown> | undefined;
  if (boxes !== undefined && (typeof boxes !== 'object' || boxes === null || Array.isArray(boxes)))
    throw new InvalidMediaRequestError('boxes must be an object', { field: 'boxes' });
  if (boxes?.vehicles !== undefined && !Array.isArray(boxes.vehicles))
    throw new InvalidMediaRequestError('boxes.vehicles must be a list', { field: 'boxes.vehicles' });
  return value as MediaJob;
}

/** Derives and stores the copies of one original. Throws the typed errors of this folder and of the store. */
export async function processMediaJob(input: MediaJob, deps: MediaJobDeps): Promise<StoredDerivedItem[]> {
  const job = parseJob(input);
  const plate = job.boxes?.plate === undefined ? undefined : assertBox(job.boxes.plate, 'plate box');
  const vehicles = (job.boxes?.vehicles ?? []).map((b, i) => assertBox(b, `vehicle box ${i}`));
  const request: DeriveRequest = {
    thumbnail: job.thumbnailWidth === undefined ? {} : { width: job.thumbnailWidth },
  };
  if (plate) request.plate = { box: plate };
  if (job.caption !== undefined) request.caption = job.caption;
  const keep = [...vehicles, ...(plate ? [plate] : [])];
  if (keep.length > 0) request.privacy = { keepBoxes: keep };
  if (deps.limits) request.limits = deps.limits;

  const original = await deps.evidence.getBytes(job.sourceDigest);
  if (evidenceDigest(original) !== job.sourceDigest)
    throw new MediaSourceMismatchError(
      'The evidence store returned bytes that do not match the source digest',
      { sourceDigest: job.sourceDigest },
    );
  if (sniffFormat(original) !== FORMAT_BY_MEDIA_TYPE[job.mediaType as keyof typeof FORMAT_BY_MEDIA_TYPE])
    throw new UnsupportedImageError('The original is not of its stated media type', {
      mediaType: job.mediaType,
    });

  const derived = await deriveMedia(original, request);
  const stored: StoredDerivedItem[] = [];
  for (const { bytes, ...item } of derived) {
    const put = await deps.evidence.put(bytes, { mediaType: item.mediaType });
    if (put.digest !== item.digest || put.size !== item.size)
      throw new MediaSourceMismatchError(
        'The evidence store named a derived blob differently from its bytes',
        { digest: item.digest },
      );
    stored.push({ ...item, created: put.created });
  }
  return stored;
}
