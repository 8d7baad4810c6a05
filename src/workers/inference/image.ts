/**
 * Image intake and pixel maths on raw RGB buffers. sharp decodes and resizes; everything per pixel (crops along
 * a rotated box, tensors) is done here on plain buffers so the arithmetic is explicit and testable.
 *
 * Hostile input: only JPEG, PNG and WebP are accepted, recognised by their magic bytes before any decoder runs;
 * byte size and pixel count are checked from the header before decoding (sharp `limitInputPixels`), so a small
 * file claiming 30000×30000 pixels is refused without allocating its pixels.
 */
import sharp, { type Metadata } from 'sharp';
import { ImageRejectedError, ImageTooLargeError } from './errors.ts';

export interface RgbImage {
  /** Interleaved RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface ImageLimits {
  /** Largest accepted encoded size in bytes. */
  maxBytes: number;
  /** Largest accepted width × height. */
  maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 40_000_000 };

type ImageFormat = 'jpeg' | 'png' | 'webp';

function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...bytes.subarray(8, 12)) === 'WEBP') return 'webp';
  return undefined;
}

/** Decodes an encoded image to RGB after checking format, size and pixel count. Throws typed errors only. */
export async function decodeImage(input: Uint8Array, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<RgbImage> {
  if (!(input instanceof Uint8Array) || input.length === 0) throw new ImageRejectedError('Image is empty', 'image-empty');
  if (input.length > limits.maxBytes) throw new ImageTooLargeError('Image exceeds the byte limit', { limitBytes: limits.maxBytes });
  const format = sniffFormat(input);
  if (!format) throw new ImageRejectedError('Image format is not JPEG, PNG or WebP', 'image-unsupported-format');
  const options = { limitInputPixels: limits.maxPixels, failOn: 'error' as const };
  let metadata: Metadata;
  try {
    metadata = await sharp(input, options).metadata();
  } catch (cause) {
    throw mapSharpError(cause, limits);
  }
  if (metadata.format !== format) throw new ImageRejectedError('Image content does not match its signature', 'image-corrupt');
  const { width, height } = metadata;
  if (!width || !height) throw new ImageRejectedError('Image has no dimensions', 'image-corrupt');
  if (width * height > limits.maxPixels) throw new ImageTooLargeError('Image exceeds the pixel limit', { limitPixels: limits.maxPixels });
  try {
    const { data, info } = await sharp(input, options).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageRejectedError('Image could not be converted to RGB', 'image-corrupt');
    return { data, width: info.width, height: info.height };
  } catch (cause) {
    throw mapSharpError(cause, limits);
  }
}

function mapSharpError(cause: unknown, limits: ImageLimits): Error {
  if (cause instanceof ImageRejectedError || cause instanceof ImageTooLargeError) return cause;
  const message = cause instanceof Error ? cause.message : '';
  if (/pixel limit/i.test(message)) return new ImageTooLargeError('Image exceeds the pixel limit', { limitPixels: limits.maxPixels });
  return new ImageRejectedError('Image could not be decoded', 'image-corrupt', { cause });
}

/** Resizes (stretching, no aspect kept) with sharp. */
export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/**
 * Samples the parallelogram spanned by `topLeft → topRight` and `topLeft → bottomLeft` (a rotated rectangle) into
 * an `outWidth × outHeight` image, bilinear, with edge clamping. When shrinking, each output pixel averages a
 * grid of up to 4×4 samples so thin strokes survive.
 */
export function sampleQuad(image: RgbImage, topLeft: Point, topRight: Point, bottomLeft: Point, outWidth: number, outHeight: number): RgbImage {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const ux = (topRight.x - topLeft.x) / outWidth;
  const uy = (topRight.y - topLeft.y) / outWidth;
  const vx = (bottomLeft.x - topLeft.x) / outHeight;
  const vy = (bottomLeft.y - topLeft.y) / outHeight;
  const stepLength = Math.max(Math.hypot(ux, uy), Math.hypot(vx, vy));
  const grid = Math.max(1, Math.min(4, Math.ceil(stepLength - 0.25)));
  const { data, width, height } = image;
  const maxX = width - 1;
  const maxY = height - 1;
  const n = grid * grid;
  for (let j = 0; j < outHeight; j++) {
    for (let i = 0; i < outWidth; i++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let gj = 0; gj < grid; gj++) {
        const fv = j + (gj + 0.5) / grid;
        for (let gi = 0; gi < grid; gi++) {
          const fu = i + (gi + 0.5) / grid;
          let x = topLeft.x + ux * fu + vx * fv - 0.5;
          let y = topLeft.y + uy * fu + vy * fv - 0.5;
          x = x < 0 ? 0 : x > maxX ? maxX : x;
          y = y < 0 ? 0 : y > maxY ? maxY : y;
          const x0 = x | 0;
          const y0 = y | 0;
          const dx = x0 < maxX ? 3 : 0;
          const dy = y0 < maxY ? width * 3 : 0;
          const fx = x - x0;
          const fy = y - y0;
          const w00 = (1 - fx) * (1 - fy);
          const w10 = fx * (1 - fy);
          const w01 = (1 - fx) * fy;
          const w11 = fx * fy;
          const p00 = (y0 * width + x0) * 3;
          const p10 = p00 + dx;
          const p01 = p00 + dy;
          const p11 = p01 + dx;
          r += data[p00]! * w00 + data[p10]! * w10 + data[p01]! * w01 + data[p11]! * w11;
          g += data[p00 + 1]! * w00 + data[p10 + 1]! * w10 + data[p01 + 1]! * w01 + data[p11 + 1]! * w11;
          b += data[p00 + 2]! * w00 + data[p10 + 2]! * w10 + data[p01 + 2]! * w01 + data[p11 + 2]! * w11;
        }
      }
      const o = (j * outWidth + i) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** Axis-aligned sub-image (clamped to the image). */
export function cropRgb(image: RgbImage, x: number, y: number, width: number, height: number): RgbImage {
  const x0 = Math.max(0, Math.min(image.width - 1, Math.floor(x)));
  const y0 = Math.max(0, Math.min(image.height - 1, Math.floor(y)));
  const w = Math.max(1, Math.min(image.width - x0, Math.round(width)));
  const h = Math.max(1, Math.min(image.height - y0, Math.round(height)));
  const out = new Uint8Array(w * h * 3);
  for (let row = 0; row < h; row++) {
    const from = ((y0 + row) * image.width + x0) * 3;
    out.set(image.data.subarray(from, from + w * 3), row * w * 3);
  }
  return { data: out, width: w, height: h };
}
