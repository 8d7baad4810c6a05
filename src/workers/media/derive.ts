/**
 * `deriveMedia`: the standard set of derived copies of one original, decoded once. The order of the result is
 * fixed (thumbnail, plate crop, captioned, privacy) and each item is deterministic in the original's bytes and
 * the request, so a retried job produces the same digests and the case decider treats it as a no-op.
 */
import { assertBox, type Box } from './box.ts';
import { parseCaption, type Caption } from './caption.ts';
import type { DerivedItem } from './derived-item.ts';
import { InvalidMediaRequestError } from './errors.ts';
import { captionCopy, plateCrop, privacyCopy, thumbnail } from './operations.ts';
import { DEFAULT_MEDIA_LIMITS, openSourceImage, type MediaLimits } from './source-image.ts';

export interface DeriveRequest {
  /** Default `{ width: 320 }`; `false` skips the thumbnail. */
  thumbnail?: { width?: number } | false;
  /** The plate box (upright pixels) for a plate crop. */
  plate?: { box: Box; padding?: number };
  /** Caption bar text; omitted means no captioned copy. */
  caption?: Caption;
  /** Boxes to keep sharp in the privacy copy (vehicle, plate); omitted or empty means no privacy copy. */
  privacy?: { keepBoxes: Box[]; blockSize?: number };
  limits?: MediaLimits;
}

export async function deriveMedia(original: Uint8Array, request: DeriveRequest = {}): Promise<DerivedItem[]> {
  if (typeof request !== 'object' || request === null)
    throw new InvalidMediaRequestError('The derivation request must be an object');
  // Validate every cheap part of the request before paying for a decode.
  if (request.plate !== undefined) assertBox(request.plate?.box, 'plate box');
  if (request.caption !== undefined) parseCaption(request.caption);
  if (request.privacy !== undefined) {
    if (!Array.isArray(request.privacy?.keepBoxes))
      throw new InvalidMediaRequestError('privacy.keepBoxes must be a list', { field: 'privacy.keepBoxes' });
    request.privacy.keepBoxes.forEach((b, i) => assertBox(b, `keep box ${i}`));
  }
  const source = await openSourceImage(original, request.limits ?? DEFAULT_MEDIA_LIMITS);
  const items: DerivedItem[] = [];
  if (request.thumbnail !== false) items.push(await thumbnail(source, request.thumbnail ?? {}));
  if (request.plate)
    items.push(
      await plateCrop(
        source,
        request.plate.box,
        request.plate.padding === undefined ? {} : { padding: request.plate.padding },
      ),
    );
  if (request.caption) items.push(await captionCopy(source, request.caption));
  if (request.privacy && request.privacy.keepBoxes.length > 0)
    items.push(
      await privacyCopy(
        source,
        request.privacy.keepBoxes,
        request.privacy.blockSize === undefined ? {} : { blockSize: request.privacy.blockSize },
      ),
    );
  return items;
}
