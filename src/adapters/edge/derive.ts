/**
 * What the edge makes of an overview original when originals are sent later, in the background
 * (review-copies.ts; docs/edge.md, "Bandwidth"): a plate crop and a reduced overview, with sharp, deterministic like the node's own
 * derivations (src/workers/media/operations.ts), each recorded at the node as `EvidenceDerived` with the edge
 * as the deriving device.
 *
 * The plate crop: the camera's plate box when the detection gives one; a signed detection (v1, v2) carries
 * none today, so it is the whole lower third of the upright image (where a rear plate sits in an
 * enforcement camera's framing), recorded as `plateBox: lower-third`. The reduced overview: longest side
 * 640 px, JPEG quality 70.
 */
import type { Detection } from '../../domain/signoff/payloads.ts';
import type { EdgeDerivedItem } from '../../domain/signoff/edge-withheld.ts';
import { evidenceDerivedFields, type DerivedItem } from '../../workers/media/derived-item.ts';
import { plateCrop, reducedOverview } from '../../workers/media/operations.ts';
import { openSourceImage } from '../../workers/media/source-image.ts';

const DERIVABLE = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * The originals the edge holds back: the detection's overview images (role `overview`, or the first image
 * when none has that role). Other originals (a plate close-up, a video) are sent with the detection: review
 * needs them as they are, and the edge has nothing smaller to offer in their place.
 */
export function overviewOriginals(detection: Detection): Detection['evidence'] {
  const images = detection.evidence.filter((e) => DERIVABLE.has(e.mediaType));
  const overviews = images.filter((e) => e.role === 'overview');
  return overviews.length > 0 ? overviews : images.slice(0, 1);
}

export interface EdgeDerived {
  item: EdgeDerivedItem;
  bytes: Buffer;
}

/** The plate crop and the reduced overview of one original, with their `edge-withheld/v1` descriptions. */
export async function deriveForReview(original: Uint8Array, edgeId: string): Promise<EdgeDerived[]> {
  const source = await openSourceImage(original);
  const top = Math.floor((source.height * 2) / 3);
  const crop = await plateCrop(source, { x: 0, y: top, width: source.width, height: Math.max(1, source.height - top) }, { padding: 0 });
  const reduced = await reducedOverview(source, { longestSide: 640, quality: 70 });
  return [
    describe(crop, { plateBox: 'lower-third', edgeId }),
    describe(reduced, { edgeId }),
  ];
}

function describe(item: DerivedItem, extra: Record<string, string>): EdgeDerived {
  const fields = evidenceDerivedFields(item);
  return {
    bytes: item.bytes,
    item: {
      digest: fields.derived.digest,
      mediaType: 'image/jpeg',
      size: fields.derived.size,
      kind: fields.derived.kind === 'plate-crop' ? 'plate-crop' : 'thumbnail',
      sourceDigest: fields.sourceDigest,
      operation: fields.operation,
      parameters: { ...fields.parameters, ...extra },
      producer: fields.producer,
    },
  };
}
