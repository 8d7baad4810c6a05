/**
 * The four derivations. Each takes the original (encoded bytes, or a `SourceImage` already opened so a set of
 * derivations decodes once) and returns a new JPEG blob as a `DerivedItem`; the original is never altered.
 * Outputs carry no metadata (no EXIF, GPS, XMP or ICC): they are encoded from bare upright sRGB pixels.
 *
 * - `thumbnail`: fixed width, aspect kept, never enlarged.
 * - `plateCrop`: the plate box plus padding, clamped to the image, at native resolution (no upscaling: a crop
 *   shows only pixels the camera recorded).
 * - `captionCopy`: the photo with a caption bar appended below it (nothing of the scene is covered).
 * - `privacyCopy`: everything outside the keep boxes (vehicle, plate) pixelated in coarse blocks, for citizens;
 *   pixels inside the keep boxes are the original's.
 */
import sharp, { type Sharp } from 'sharp';
import { assertBox, clampBox, formatBox, padBox, type Box } from './box.ts';
import {
  captionLayout,
  captionLines,
  captionSvg,
  CAPTION_FONT_FAMILY,
  CAPTION_TIME_ZONE,
  formatLocalTime,
  parseCaption,
  type Caption,
} from './caption.ts';
import { derivedItem, type DerivationParameters, type DerivedItem } from './derived-item.ts';
import { InvalidMediaRequestError } from './errors.ts';
import { DEFAULT_MEDIA_LIMITS, openSourceImage, type MediaLimits, type SourceImage } from './source-image.ts';

export const JPEG_QUALITY = 85;
const MEDIA_TYPE = 'image/jpeg';
// Keep boxes are recorded as one parameter string, which the case event caps at 200 characters.
const MAX_KEEP_BOXES = 6;

export type ImageInput = Uint8Array | SourceImage;

async function open(image: ImageInput, limits: MediaLimits): Promise<SourceImage> {
  return image instanceof Uint8Array ? openSourceImage(image, limits) : image;
}

function raw(source: { pixels: Buffer; width: number; height: number }): Sharp {
  return sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: 3 } });
}

function encode(pipeline: Sharp): Promise<Buffer> {
  return pipeline
    .jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:2:0', mozjpeg: false, progressive: false })
    .toBuffer();
}

function baseParameters(source: SourceImage): DerivationParameters {
  return {
    sourceWidth: source.width,
    sourceHeight: source.height,
    sourceOrientation: source.orientation,
    format: 'jpeg',
    quality: JPEG_QUALITY,
  };
}

function integerOption(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new InvalidMediaRequestError(`${name} must be an integer ${min}–${max}`, { field: name });
  return value;
}

export interface ThumbnailOptions {
  /** Target width in pixels (16–2048); default 320. Never enlarges a narrower original. */
  width?: number;
}

export async function thumbnail(
  image: ImageInput,
  options: ThumbnailOptions = {},
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<DerivedItem> {
  const requested = integerOption(options.width ?? 320, 'thumbnail width', 16, 2048);
  const source = await open(image, limits);
  const width = Math.min(requested, source.width);
  const height = Math.max(1, Math.round((source.height * width) / source.width));
  const bytes = await encode(raw(source).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
  return derivedItem(
    bytes,
    MEDIA_TYPE,
    'thumbnail',
    'thumbnail',
    { ...baseParameters(source), requestedWidth: requested, width, height, kernel: 'lanczos3' },
    source.digest,
  );
}

export interface PlateCropOptions {
  /** Pixels added on every side of the box before clamping (0–512); default 8. */
  padding?: number;
}

export async function plateCrop(
  image: ImageInput,
  box: Box,
  options: PlateCropOptions = {},
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<DerivedItem> {
  const plate = assertBox(box, 'plate box');
  const padding = integerOption(options.padding ?? 8, 'plate crop padding', 0, 512);
  const source = await open(image, limits);
  const region = clampBox(padBox(plate, padding), source.width, source.height, 'plate box');
  const bytes = await encode(
    raw(source).extract({ left: region.x, top: region.y, width: region.width, height: region.height }),
  );
  return derivedItem(
    bytes,
    MEDIA_TYPE,
    'plate-crop',
    'plate-crop',
    {
      ...baseParameters(source),
      box: formatBox(plate),
      padding,
      region: formatBox(region),
      x: region.x,
      y: region.y,
      width: region.width,
      height: region.height,
    },
    source.digest,
  );
}

/** The photo with a caption bar appended below it. `caption` is validated (`InvalidMediaRequestError`). */
export async function captionCopy(
  image: ImageInput,
  caption: Caption,
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<DerivedItem> {
  const valid = parseCaption(caption);
  const source = await open(image, limits);
  const lines = captionLines(valid);
  const layout = captionLayout(source.width, lines.length);
  const svg = Buffer.from(captionSvg(lines, source.width, layout), 'utf8');
  const bar = await sharp(svg, { density: 72 })
    .resize(source.width, layout.barHeight, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const pixels = Buffer.concat([source.pixels, bar]);
  const bytes = await encode(raw({ pixels, width: source.width, height: source.height + layout.barHeight }));
  const parameters: DerivationParameters = {
    ...baseParameters(source),
    placement: 'below',
    time: valid.time,
    shownTime: formatLocalTime(valid.time),
    timeZone: CAPTION_TIME_ZONE,
    place: valid.place,
    cameraId: valid.cameraId,
    violationCode: valid.violation.code,
    violationTitle: valid.violation.title,
    fontFamily: CAPTION_FONT_FAMILY,
    fontSize: layout.fontSize,
    barHeight: layout.barHeight,
    lines: lines.length,
  };
  if (valid.measuredSpeedKmh !== undefined) parameters.measuredSpeedKmh = valid.measuredSpeedKmh;
  if (valid.limitKmh !== undefined) parameters.limitKmh = valid.limitKmh;
  return derivedItem(bytes, MEDIA_TYPE, 'captioned', 'caption-bar', parameters, source.digest);
}

export interface PrivacyOptions {
  /** Pixelation block size in pixels; default max(16, longer side / 48). */
  blockSize?: number;
}

/**
 * A copy for citizens: outside the keep boxes the scene is pixelated into `blockSize` blocks (faces, other
 * vehicles, pedestrians become unrecognisable); inside them the original pixels are kept.
 */
export async function privacyCopy(
  image: ImageInput,
  keepBoxes: readonly Box[],
  options: PrivacyOptions = {},
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<DerivedItem> {
  if (!Array.isArray(keepBoxes) || keepBoxes.length === 0 || keepBoxes.length > MAX_KEEP_BOXES)
    throw new InvalidMediaRequestError(`keepBoxes must list 1–${MAX_KEEP_BOXES} boxes`, {
      field: 'keepBoxes',
    });
  const boxes = keepBoxes.map((b, i) => assertBox(b, `keep box ${i}`));
  const source = await open(image, limits);
  const kept = boxes.map((b, i) => clampBox(b, source.width, source.height, `keep box ${i}`));
  const blockSize = integerOption(
    options.blockSize ?? Math.max(16, Math.round(Math.max(source.width, source.height) / 48)),
    'privacy block size',
    4,
    512,
  );
  const smallWidth = Math.max(1, Math.ceil(source.width / blockSize));
  const smallHeight = Math.max(1, Math.ceil(source.height / blockSize));
  const small = await raw(source)
    .resize(smallWidth, smallHeight, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const pixels = await raw({ pixels: small, width: smallWidth, height: smallHeight })
    .resize(source.width, source.height, { fit: 'fill', kernel: 'nearest' })
    .raw()
    .toBuffer();
  const rowBytes = source.width * 3;
  for (const box of kept) {
    for (let row = box.y; row < box.y + box.height; row++) {
      const from = row * rowBytes + box.x * 3;
      source.pixels.copy(pixels, from, from, from + box.width * 3);
    }
  }
  const bytes = await encode(raw({ pixels, width: source.width, height: source.height }));
  return derivedItem(
    bytes,
    MEDIA_TYPE,
    'privacy',
    'privacy-pixelate',
    { ...baseParameters(source), blockSize, keepBoxes: kept.map(formatBox).join(';') },
    source.digest,
  );
}

export interface ReducedOverviewOptions {
  /** The longest side in pixels (64–4096); default 640. Never enlarges a smaller original. */
  longestSide?: number;
  /** JPEG quality (30–95); default 70. */
  quality?: number;
}

/**
 * A reduced copy of an overview for review before the original arrives (an edge node sends it in place of the
 * original; docs/edge.md, "Originals later"): the longest side scaled to `longestSide`, aspect kept, JPEG at
 * `quality`. Deterministic like every derivation here.
 */
export async function reducedOverview(
  image: ImageInput,
  options: ReducedOverviewOptions = {},
  limits: MediaLimits = DEFAULT_MEDIA_LIMITS,
): Promise<DerivedItem> {
  const longest = integerOption(options.longestSide ?? 640, 'reduced overview longest side', 64, 4096);
  const quality = integerOption(options.quality ?? 70, 'reduced overview quality', 30, 95);
  const source = await open(image, limits);
  const scale = Math.min(1, longest / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  const bytes = await raw(source)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false, progressive: false })
    .toBuffer();
  return derivedItem(
    bytes,
    MEDIA_TYPE,
    'thumbnail',
    'reduced-overview',
    { ...baseParameters(source), quality, longestSide: longest, width, height, kernel: 'lanczos3' },
    source.digest,
  );
}
