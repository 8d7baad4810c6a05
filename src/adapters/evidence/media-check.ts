/**
 * Ingest-time check that evidence bytes are what the signed detection declares (issue 10, item 8). Run before
 * a blob becomes visible (the `check` hook of `EvidenceStore.put`) and before a detection naming a blob that
 * was uploaded earlier is recorded, so text, truncated JPEGs and pixel bombs never become cases.
 *
 * - The media type must be one the system handles: `image/jpeg`, `image/png`, `image/webp`, `video/mp4`.
 * - The magic number must match it (JPEG `FF D8 FF`, PNG signature, `RIFF….WEBP`, an ISO BMFF `ftyp` box).
 * - An image must decode within the media worker's limits: the pixel count the header declares is refused
 *   above `DEFAULT_MEDIA_LIMITS.maxPixels` before any pixel is allocated (sharp `limitInputPixels`), and the
 *   whole entropy-coded stream is decoded at reduced scale (JPEG shrink-on-load: about 10 ms for 1280×720)
 *   with `failOn: 'error'`, so a truncated or corrupt image is refused. A video is checked by signature only.
 *
 * Errors carry the declared media type and a reason code, never bytes.
 */
import sharp from 'sharp';
import { AppError } from '../../domain/shared/errors.ts';
import { DEFAULT_MEDIA_LIMITS, sniffFormat } from '../../workers/media/source-image.ts';

export const INGEST_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'video/mp4'] as const;
export type IngestMediaType = (typeof INGEST_MEDIA_TYPES)[number];

/** The declared media type is not one evidence may have. */
export class EvidenceMediaTypeUnsupportedError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'evidence-media-type-unsupported';
  constructor(mediaType: string) {
    super(`Evidence media type must be one of ${INGEST_MEDIA_TYPES.join(', ')}`, { mediaType });
  }
}

export type MediaMismatchReason = 'signature-mismatch' | 'undecodable' | 'too-many-pixels';

/** The bytes are not a valid item of the declared media type (wrong signature, truncated, corrupt, too many pixels). */
export class EvidenceMediaMismatchError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'evidence-media-mismatch';
  constructor(
    readonly mediaType: string,
    readonly reason: MediaMismatchReason,
    digest?: string,
  ) {
    super(`Evidence bytes are not a valid ${mediaType} (${reason})`, {
      mediaType,
      reason,
      ...(digest !== undefined ? { digest } : {}),
    });
  }
}

const IMAGE_FORMAT = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp' } as const;

function isIngestMediaType(mediaType: string): mediaType is IngestMediaType {
  return (INGEST_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/** ISO BMFF (MP4): a first box of type `ftyp`. */
function isMp4(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && Buffer.from(bytes.subarray(4, 8)).toString('latin1') === 'ftyp';
}

/** Throws EvidenceMediaTypeUnsupportedError or EvidenceMediaMismatchError; resolves when the bytes are sound. */
export async function checkEvidenceMedia(
  mediaType: string,
  bytes: Uint8Array,
  options: { digest?: string; maxPixels?: number } = {},
): Promise<void> {
  if (!isIngestMediaType(mediaType)) throw new EvidenceMediaTypeUnsupportedError(mediaType);
  const mismatch = (reason: MediaMismatchReason) =>
    new EvidenceMediaMismatchError(mediaType, reason, options.digest);
  if (mediaType === 'video/mp4') {
    if (!isMp4(bytes)) throw mismatch('signature-mismatch');
    return;
  }
  const format = IMAGE_FORMAT[mediaType];
  if (sniffFormat(bytes) !== format) throw mismatch('signature-mismatch');
  const maxPixels = options.maxPixels ?? DEFAULT_MEDIA_LIMITS.maxPixels;
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const image = sharp(input, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true });
    const metadata = await image.metadata();
    if (metadata.format !== format) throw mismatch('signature-mismatch');
    if (!metadata.width || !metadata.height) throw mismatch('undecodable');
    if (metadata.width * metadata.height > maxPixels) throw mismatch('too-many-pixels');
    await image.resize(64, 64, { fit: 'inside' }).raw().toBuffer();
  } catch (error) {
    if (error instanceof EvidenceMediaMismatchError) throw error;
    const message = error instanceof Error ? error.message : '';
    throw mismatch(/pixel limit/i.test(message) ? 'too-many-pixels' : 'undecodable');
  }
}
