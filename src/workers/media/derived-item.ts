/**
 * A derived copy and everything an `EvidenceDerived` event records about it (integrity.md §3): the source
 * digest, the operation and its parameters (flat strings, integers and booleans; no floats, integrity.md §1),
 * and the library and version that produced it. Same source bytes + same parameters + same producer version
 * MUST give the same bytes; derivation is deterministic so a court expert can re-run it.
 */
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { evidenceDigest } from './source-image.ts';

export type DerivedRole = 'thumbnail' | 'plate-crop' | 'captioned' | 'privacy';

export type DerivationParameters = Record<string, string | number | boolean>;

export interface MediaProducer {
  library: 'sharp';
  /** The sharp version. */
  version: string;
  /** The libvips version sharp was built against; codecs and resamplers live there. */
  libvips: string;
}

export interface DerivedItem {
  bytes: Buffer;
  mediaType: string;
  size: number;
  /** `sha256:` + hex of `bytes`. */
  digest: string;
  role: DerivedRole;
  operation: string;
  parameters: DerivationParameters;
  producer: MediaProducer;
  sourceDigest: string;
}

function sharpVersion(): string {
  const reported = (sharp.versions as { sharp?: string }).sharp;
  if (reported) return reported;
  return (createRequire(import.meta.url)('sharp/package.json') as { version: string }).version;
}

export const MEDIA_PRODUCER: MediaProducer = Object.freeze({
  library: 'sharp',
  version: sharpVersion(),
  libvips: sharp.versions.vips,
});

export function derivedItem(
  bytes: Buffer,
  mediaType: string,
  role: DerivedRole,
  operation: string,
  parameters: DerivationParameters,
  sourceDigest: string,
): DerivedItem {
  return {
    bytes,
    mediaType,
    size: bytes.length,
    digest: evidenceDigest(bytes),
    role,
    operation,
    parameters,
    producer: MEDIA_PRODUCER,
    sourceDigest,
  };
}

const KIND_BY_ROLE = {
  thumbnail: 'thumbnail',
  'plate-crop': 'plate-crop',
  captioned: 'captioned',
  privacy: 'redacted',
} as const;

/**
 * The `EvidenceDerived` payload fields for an item (everything but `derivedAt`, which the command supplies).
 * The case event's producer has no libvips field, so it is folded into the version: `0.35.5+libvips.8.18.7`.
 */
export function evidenceDerivedFields(item: Omit<DerivedItem, 'bytes'>): {
  sourceDigest: string;
  derived: { digest: string; mediaType: string; size: number; kind: (typeof KIND_BY_ROLE)[DerivedRole] };
  operation: string;
  parameters: DerivationParameters;
  producer: { library: string; version: string };
} {
  return {
    sourceDigest: item.sourceDigest,
    derived: {
      digest: item.digest,
      mediaType: item.mediaType,
      size: item.size,
      kind: KIND_BY_ROLE[item.role],
    },
    operation: item.operation,
    parameters: item.parameters,
    producer: {
      library: item.producer.library,
      version: `${item.producer.version}+libvips.${item.producer.libvips}`,
    },
  };
}
