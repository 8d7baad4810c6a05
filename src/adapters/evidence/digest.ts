/**
 * Strict evidence digest parsing (integrity.md §3). The digest becomes a file name (or an object key), so
 * nothing but the exact canonical form is accepted: no uppercase, no whitespace, no other algorithm, no path.
 */
import { DIGEST_PATTERN } from '../../domain/integrity/hash.ts';
import { InvalidDigestError, InvalidMediaTypeError } from '../../ports/evidence-errors.ts';

export interface ParsedDigest {
  digest: string;
  /** The 64 lowercase hex characters. */
  hex: string;
}

export function parseDigest(digest: unknown): ParsedDigest {
  if (typeof digest !== 'string' || digest.length !== 71 || !DIGEST_PATTERN.test(digest)) {
    throw new InvalidDigestError(digest);
  }
  return { digest, hex: digest.slice(7) };
}

export function digestFromHex(hex: string): string {
  return `sha256:${hex}`;
}

// RFC 6838 restricted names, no parameters: the record holds the bare media type.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function assertMediaType(mediaType: unknown): string {
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) throw new InvalidMediaTypeError(mediaType);
  return mediaType;
}
