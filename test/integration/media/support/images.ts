/**
 * Test images made with sharp: a textured street-like scene with a synthetic vehicle and plate at known
 * boxes, solid quadrants for crop checks, and pixel statistics used by the media specs.
 */
import sharp from 'sharp';
import type { Box } from '../../../../src/workers/media/index.ts';

export const SCENE = { width: 1280, height: 720 } as const;
export const VEHICLE_BOX: Box = { x: 480, y: 300, width: 360, height: 260 };
export const PLATE_BOX: Box = { x: 590, y: 470, width: 140, height: 44 };
export const VEHICLE_RGB = [40, 70, 200] as const;

/** 1280×720 RGB: a diagonal gradient under 4-pixel checks (lots of fine detail), a blue vehicle with stripes, a white plate with text. */
export async function sceneRaw(): Promise<{ pixels: Buffer; width: number; height: number }> {
  const { width, height } = SCENE;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const check = ((x >> 2) ^ (y >> 2)) & 1 ? 60 : -60;
      const o = (y * width + x) * 3;
      pixels[o] = clamp(Math.round((x / width) * 200) + 30 + check);
      pixels[o + 1] = clamp(Math.round((y / height) * 200) + 30 + check);
      pixels[o + 2] = clamp(128 + check);
    }
  }
  const v = VEHICLE_BOX;
  for (let y = v.y; y < v.y + v.height; y++) {
    for (let x = v.x; x < v.x + v.width; x++) {
      const o = (y * width + x) * 3;
      const stripe = (y >> 3) & 1 ? 30 : 0;
      pixels[o] = VEHICLE_RGB[0] + stripe;
      pixels[o + 1] = VEHICLE_RGB[1] + stripe;
      pixels[o + 2] = VEHICLE_RGB[2] + stripe;
    }
  }
  const p = PLATE_BOX;
  const plate = await sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${p.height}"><rect width="100%" height="100%" fill="#ffffff"/>` +
        `<text x="8" y="32" font-family="DejaVu Sans" font-size="26" fill="#000000">30A-123.45</text></svg>`,
    ),
  )
    .removeAlpha()
    .raw()
    .toBuffer();
  for (let row = 0; row < p.height; row++)
    plate.copy(pixels, ((p.y + row) * width + p.x) * 3, row * p.width * 3, (row + 1) * p.width * 3);
  return { pixels, width, height };
}

function clamp(n: number): number {
  return n < 0 ? 0 : n > 255 ? 255 : n;
}

export async function sceneJpeg(): Promise<Buffer> {
  const { pixels, width, height } = await sceneRaw();
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
}

/** Four solid quadrants: red top-left, green top-right, blue bottom-left, white bottom-right; PNG (lossless). */
export async function quadrantsPng(width = 400, height = 300): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour =
        y < height / 2
          ? x < width / 2
            ? [255, 0, 0]
            : [0, 255, 0]
          : x < width / 2
            ? [0, 0, 255]
            : [255, 255, 255];
      pixels.set(colour, (y * width + x) * 3);
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export interface Decoded {
  data: Buffer;
  width: number;
  height: number;
}

export async function decode(bytes: Buffer): Promise<Decoded> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export function pixel(image: Decoded, x: number, y: number): [number, number, number] {
  const o = (y * image.width + x) * 3;
  return [image.data[o]!, image.data[o + 1]!, image.data[o + 2]!];
}

function insideAny(x: number, y: number, boxes: readonly Box[]): boolean {
  return boxes.some((b) => x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height);
}

/** Mean |a − b| over the pixels of `region` (same-sized images). */
export function meanAbsDiff(a: Decoded, b: Decoded, region: Box): number {
  let sum = 0;
  let n = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const o = (y * a.width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.data[o + c]! - b.data[o + c]!);
      n += 3;
    }
  }
  return sum / n;
}

/** Mean squared difference of horizontally adjacent pixels, over pixels outside `exclude`: fine detail energy. */
export function detailEnergy(image: Decoded, exclude: readonly Box[]): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x + 1 < image.width; x++) {
      if (insideAny(x, y, exclude) || insideAny(x + 1, y, exclude)) continue;
      const o = (y * image.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const d = image.data[o + c]! - image.data[o + 3 + c]!;
        sum += d * d;
      }
      n += 3;
    }
  }
  return sum / n;
}

/** Grows a box by `margin` (for excluding JPEG ringing at box edges from statistics). */
export function grow(box: Box, margin: number): Box {
  return {
    x: box.x - margin,
    y: box.y - margin,
    width: box.width + 2 * margin,
    height: box.height + 2 * margin,
  };
}

export function shrink(box: Box, margin: number): Box {
  return grow(box, -margin);
}

/** A valid PNG whose IHDR claims `width × height` pixels; a few dozen bytes. */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A small real JPEG whose SOF0 header is patched to claim `width × height`. */
export async function jpegBomb(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
      .jpeg({ progressive: false, mozjpeg: false })
      .toBuffer(),
  );
  for (let i = 2; i + 9 < jpeg.length; i++) {
    if (jpeg[i] === 0xff && (jpeg[i + 1] === 0xc0 || jpeg[i + 1] === 0xc2)) {
      jpeg.writeUInt16BE(height, i + 5);
      jpeg.writeUInt16BE(width, i + 7);
      return jpeg;
    }
  }
  throw new Error('no SOF marker in the generated JPEG');
}
