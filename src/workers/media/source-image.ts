/**
 * Intake of an original evidence image. The original is never altered (integrity.md §3): it is decoded once
 * into an upright 8-bit sRGB pixel buffer and every derived copy is made from that buffer.
 *
 * Hostile input: only JPEG, PNG and WebP are accepted, recognised by their magic bytes before any decoder
 * runs; the byte size and the pixel count declared by the header are checked before any pixel is decoded
 * (sharp `limitInputPixels` as well as an explicit check), so a 100-byte file claiming 50000×50000 pixels
 * is refused with `ImageTooLargeError` without allocating its pixels. Anything sharp cannot decode is
 * `UnsupportedImageError`; no other error type escapes.
 *
 * Orientation: EXIF orientation is applied (the buffer is upright as a viewer shows the photo), so all boxes
 * are in upright display coordinates. Metadata (EXIF incl. GPS, XMP, ICC, IPTC) never reaches a derived copy,
 * because derived copies are encoded from bare pixels.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { ImageTooLargeError, UnsupportedImageError } from './errors.ts';

export interface MediaLimits {
  /** Largest accepted encoded size in bytes. */
  maxBytes: number;
  /** Largest accepted width × height, as declared by the header. */
  maxPixels: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = { maxBytes: 32 * 1024 * 1024, maxPixels: 40_000_000 };

export type SourceFormat = 'jpeg' | 'png' | 'webp';

/** An original decoded for derivation: upright, 8-bit, 3-channel sRGB, no metadata. */
export interface SourceImage {
  /** `sha256:` + hex of the original bytes, as the evidence store names them. */
  readonly digest: string;
  readonly format: SourceFormat;
  /** EXIF orientation of the original (1 when absent); already applied to `pixels`. */
  readonly orientation: number;
  readonly width: number;
  readonly height: number;
  /** Interleaved RGB, row-major, `width * height * 3` bytes. */
  readonly pixels: Buffer;
}

export function evidenceDigest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function sniffFormat(bytes: Uint8Array): SourceFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
    return 'png';
  if (
    bytes.length >= 12 &&
    Buffer.from(bytes.subarray(0, 4)).toString('latin1') === 'RIFF' &&
    Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP'
  )
    return 'webp';
  return undefined;
}

/** Checks, then decodes an original. Throws `ImageTooLargeError` or `UnsupportedImageError` only. */
export async function openSourceImage(
  original: Uint8Array,
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<SourceImage> {
  if (!(original instanceof Uint8Array) || original.length === 0)
    throw new UnsupportedImageError('Image is empty');
  if (original.length > limits.maxBytes)
    throw new ImageTooLargeError('Image exceeds the byte limit', {
      size: original.length,
      limitBytes: limits.maxBytes,
    });
  const format = sniffFormat(original);
  if (!format) throw new UnsupportedImageError('Image is not JPEG, PNG or WebP');
  const input = Buffer.from(original.buffer, original.byteOffset, original.byteLength);
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' as const, sequentialRead: true };
  let width: number;
  let height: number;
  let orientation: number;
  try {
    const metadata = await sharp(input, options).metadata();
    if (metadata.format !== format)
      throw new UnsupportedImageError('Image content does not match its signature');
    if (!metadata.width || !metadata.height) throw new UnsupportedImageError('Image has no dimensions');
    if (metadata.pages !== undefined && metadata.pages > 1)
      throw new UnsupportedImageError('Animated or multi-page images are not accepted');
    width = metadata.width;
    height = metadata.height;
    orientation = metadata.orientation ?? 1;
  } catch (cause) {
    throw mapSharpError(cause, limits);
  }
  if (width * height > limits.maxPixels)
    throw new ImageTooLargeError('Image exceeds the pixel limit', {
      width,
      height,
      limitPixels: limits.maxPixels,
    });
  try {
    const { data, info } = await sharp(input, options)
      .autoOrient()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3)
      throw new UnsupportedImageError('Image could not be converted to RGB');
    return {
      digest: evidenceDigest(original),
      format,
      orientation,
      width: info.width,
      height: info.height,
      pixels: data,
    };
  } catch (cause) {
    throw mapSharpError(cause, limits);
  }
}

function mapSharpError(cause: unknown, limits: MediaLimits): Error {
  if (cause instanceof UnsupportedImageError || cause instanceof ImageTooLargeError) return cause;
  const message = cause instanceof Error ? cause.message : '';
  if (/pixel limit/i.test(message))
    return new ImageTooLargeError('Image exceeds the pixel limit', { limitPixels: limits.maxPixels });
  return new UnsupportedImageError('Image could not be decoded', undefined, { cause });
}
