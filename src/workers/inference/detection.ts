/**
 * Text detection with the PP-OCRv4 DB model: where is text in an image, as rotated boxes.
 *
 * Pre-processing: longest side at most `maxSide`, each side a multiple of 32, BGR, ImageNet mean/std.
 * Post-processing (DB): probability > 0.3 → 8-connected regions → drop regions whose mean probability < 0.6 →
 * rotated box from the region's principal axis → unclip each side by d = w·h·1.5 / (2·(w+h)) → scale back.
 */
import type * as ort from 'onnxruntime-node';
import { resizeRgb, type Point, type RgbImage } from './image.ts';

export interface TextRegion {
  /** Corners in original-image pixels, clockwise from the top left of the text (reading direction). */
  topLeft: Point;
  topRight: Point;
  bottomRight: Point;
  bottomLeft: Point;
  /** Length of the box along the text and across it, original pixels. */
  width: number;
  height: number;
  centre: Point;
  /** Mean probability of the region, 0–1. */
  score: number;
}

export interface DetectionOptions {
  /** Longest side fed to the model (rounded to a multiple of 32). */
  maxSide: number;
  binaryThreshold: number;
  boxThreshold: number;
  unclipRatio: number;
  /** Regions with fewer pixels than this (in the probability map) are noise. */
  minArea: number;
}

export const DEFAULT_DETECTION_OPTIONS: DetectionOptions = { maxSide: 960, binaryThreshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minArea: 12 };

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

/** The model input size for an image: aspect kept, longest side ≤ maxSide, both sides multiples of 32. */
export function detectionInputSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const round32 = (v: number) => Math.max(32, Math.round((v * scale) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

/** NCHW float32, channels B, G, R, ImageNet-normalised. */
export function detectionTensorData(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  const { data } = image;
  // Output channel k holds source channel 2-k (BGR), normalised with that source channel's mean/std.
  for (let k = 0; k < 3; k++) {
    const source = 2 - k;
    const mean = MEAN[source]!;
    const std = STD[source]!;
    const offset = k * plane;
    for (let p = 0; p < plane; p++) out[offset + p] = (data[p * 3 + source]! / 255 - mean) / std;
  }
  return out;
}

interface RegionBox {
  centre: Point;
  /** Unit vector along the text. */
  u: Point;
  width: number;
  height: number;
  score: number;
}

/**
 * DB post-processing on a probability map (row-major, `mapWidth × mapHeight`): returns rotated boxes in map
 * coordinates, already unclipped.
 */
export function boxesFromProbabilityMap(prob: Float32Array, mapWidth: number, mapHeight: number, options: DetectionOptions): RegionBox[] {
  const n = mapWidth * mapHeight;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const regions: { count: number; sumP: number; sx: number; sy: number; sxx: number; syy: number; sxy: number }[] = [];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== 0 || !(prob[start]! > options.binaryThreshold)) continue;
    const label = regions.length + 1;
    const r = { count: 0, sumP: 0, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0 };
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % mapWidth;
      const y = (p - x) / mapWidth;
      r.count++;
      r.sumP += prob[p]!;
      r.sx += x;
      r.sy += y;
      r.sxx += x * x;
      r.syy += y * y;
      r.sxy += x * y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= mapHeight) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if ((dx === 0 && dy === 0) || nx < 0 || nx >= mapWidth) continue;
          const q = ny * mapWidth + nx;
          if (labels[q] === 0 && prob[q]! > options.binaryThreshold) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    regions.push(r);
  }

  // Principal axis per region, oriented along the reading direction (closer to horizontal, pointing right).
  const axes = regions.map((r) => {
    const mx = r.sx / r.count;
    const my = r.sy / r.count;
    const cxx = r.sxx / r.count - mx * mx;
    const cyy = r.syy / r.count - my * my;
    const cxy = r.sxy / r.count - mx * my;
    let theta = 0.5 * Math.atan2(2 * cxy, cxx - cyy);
    if (Math.abs(Math.cos(theta)) < Math.abs(Math.sin(theta))) theta += Math.PI / 2;
    let ux = Math.cos(theta);
    let uy = Math.sin(theta);
    if (ux < 0) {
      ux = -ux;
      uy = -uy;
    }
    return { mx, my, ux, uy, minU: Infinity, maxU: -Infinity, minV: Infinity, maxV: -Infinity };
  });
  for (let p = 0; p < n; p++) {
    const label = labels[p]!;
    if (label === 0) continue;
    const a = axes[label - 1]!;
    const x = (p % mapWidth) - a.mx;
    const y = Math.floor(p / mapWidth) - a.my;
    const u = x * a.ux + y * a.uy;
    const v = -x * a.uy + y * a.ux;
    if (u < a.minU) a.minU = u;
    if (u > a.maxU) a.maxU = u;
    if (v < a.minV) a.minV = v;
    if (v > a.maxV) a.maxV = v;
  }

  const boxes: RegionBox[] = [];
  regions.forEach((r, i) => {
    const score = r.sumP / r.count;
    if (r.count < options.minArea || score < options.boxThreshold) return;
    const a = axes[i]!;
    const w = a.maxU - a.minU + 1;
    const h = a.maxV - a.minV + 1;
    if (Math.min(w, h) < 3) return;
    const d = (w * h * options.unclipRatio) / (2 * (w + h));
    const cu = (a.minU + a.maxU) / 2;
    const cv = (a.minV + a.maxV) / 2;
    // +0.5: pixel centres to pixel area.
    const centre = { x: a.mx + cu * a.ux - cv * a.uy + 0.5, y: a.my + cu * a.uy + cv * a.ux + 0.5 };
    boxes.push({ centre, u: { x: a.ux, y: a.uy }, width: w + 2 * d, height: h + 2 * d, score });
  });
  return boxes;
}

/** Map-space box → original-image corners (scaling x and y separately, as the resize did). */
export function toImageRegion(box: RegionBox, scaleX: number, scaleY: number, imageWidth: number, imageHeight: number): TextRegion {
  const { centre, u } = box;
  const v = { x: -u.y, y: u.x };
  const hw = box.width / 2;
  const hh = box.height / 2;
  const corner = (su: number, sv: number): Point => ({
    x: Math.max(0, Math.min(imageWidth, (centre.x + su * hw * u.x + sv * hh * v.x) * scaleX)),
    y: Math.max(0, Math.min(imageHeight, (centre.y + su * hw * u.y + sv * hh * v.y) * scaleY)),
  });
  const topLeft = corner(-1, -1);
  const topRight = corner(1, -1);
  const bottomRight = corner(1, 1);
  const bottomLeft = corner(-1, 1);
  return {
    topLeft,
    topRight,
    bottomRight,
    bottomLeft,
    width: Math.hypot(topRight.x - topLeft.x, topRight.y - topLeft.y),
    height: Math.hypot(bottomLeft.x - topLeft.x, bottomLeft.y - topLeft.y),
    centre: { x: centre.x * scaleX, y: centre.y * scaleY },
    score: box.score,
  };
}

/** Runs the detector on a decoded image and returns text regions in the image's own pixels. */
export async function detectTextRegions(session: ort.InferenceSession, tensorCtor: typeof ort.Tensor, image: RgbImage, options: DetectionOptions): Promise<TextRegion[]> {
  const size = detectionInputSize(image.width, image.height, options.maxSide);
  const resized = await resizeRgb(image, size.width, size.height);
  const input = new tensorCtor('float32', detectionTensorData(resized), [1, 3, size.height, size.width]);
  const output = await session.run({ [session.inputNames[0]!]: input });
  const map = output[session.outputNames[0]!]!;
  try {
    const [, , mapHeight, mapWidth] = map.dims as number[];
    const boxes = boxesFromProbabilityMap(map.data as Float32Array, mapWidth!, mapHeight!, options);
    const scaleX = image.width / mapWidth!;
    const scaleY = image.height / mapHeight!;
    return boxes.map((b) => toImageRegion(b, scaleX, scaleY, image.width, image.height));
  } finally {
    input.dispose();
    map.dispose();
  }
}
