/**
 * Text-line recognition with the PP-OCRv4 CTC model, restricted to the plate alphabet.
 *
 * Input: height 48, width ceil(48·w/h) zero-padded to at least 320; NCHW float32, BGR, (x/255 − 0.5)/0.5.
 * Output [batch, T, classes]: softmax probabilities; class 0 is the CTC blank, class i is dictionary line i−1,
 * the last class a space. Classes whose character is not on plates are masked before the argmax, so the
 * decoded text is ASCII plate characters only (after NFKC folds the dictionary's full-width forms).
 */
import type * as ort from 'onnxruntime-node';
import { sampleQuad, type Point, type RgbImage } from './image.ts';

export const REC_HEIGHT = 48;
export const REC_MIN_WIDTH = 320;
/** Lines longer than 25 heights are not plates; cap the tensor so a hostile crop cannot blow up memory. */
export const REC_MAX_WIDTH = REC_HEIGHT * 25;

export interface LineReading {
  /** ASCII plate characters, as read (no positional fixes yet). */
  text: string;
  /** Per emitted character, the probability of the chosen class. */
  probabilities: number[];
}

export interface ClassMask {
  /** Allowed class indices (blank first). */
  classes: Int32Array;
  /** The character each allowed class emits ('' for the blank). */
  characters: string[];
}

/**
 * Classes the decoder may choose: the blank and every dictionary entry that is, or NFKC-folds to, a character
 * of `alphabet`. Only ASCII and full-width forms are admitted (not circled digits or superscripts).
 */
export function plateClassMask(dictionary: readonly string[], alphabet: string): ClassMask {
  const classes = [0];
  const characters = [''];
  dictionary.forEach((entry, i) => {
    if ([...entry].length !== 1) return;
    const code = entry.codePointAt(0)!;
    const asciiOrFullWidth = code < 0x80 || (code >= 0xff01 && code <= 0xff5e);
    const folded = entry.normalize('NFKC');
    if (asciiOrFullWidth && folded.length === 1 && alphabet.includes(folded)) {
      classes.push(i + 1);
      characters.push(folded);
    }
  });
  return { classes: Int32Array.from(classes), characters };
}

/** Width a line of `width × height` pixels gets at recognition height. */
export function recognitionWidth(width: number, height: number): number {
  return Math.max(1, Math.min(REC_MAX_WIDTH, Math.ceil((REC_HEIGHT * width) / Math.max(1, height))));
}

/** A line to read: a rotated rectangle in an image, given by three corners. */
export interface LineQuad {
  topLeft: Point;
  topRight: Point;
  bottomLeft: Point;
}

/** Samples each quad at recognition height into one zero-padded batch tensor (BGR, (x/255−0.5)/0.5). */
export function recognitionBatch(image: RgbImage, quads: readonly LineQuad[]): { data: Float32Array; width: number } {
  const lines = quads.map((q) => {
    const w = Math.hypot(q.topRight.x - q.topLeft.x, q.topRight.y - q.topLeft.y);
    const h = Math.hypot(q.bottomLeft.x - q.topLeft.x, q.bottomLeft.y - q.topLeft.y);
    return sampleQuad(image, q.topLeft, q.topRight, q.bottomLeft, recognitionWidth(w, h), REC_HEIGHT);
  });
  const width = Math.max(REC_MIN_WIDTH, ...lines.map((l) => l.width));
  const plane = REC_HEIGHT * width;
  const data = new Float32Array(lines.length * 3 * plane);
  lines.forEach((line, b) => {
    const base = b * 3 * plane;
    for (let y = 0; y < REC_HEIGHT; y++) {
      for (let x = 0; x < line.width; x++) {
        const s = (y * line.width + x) * 3;
        const d = y * width + x;
        data[base + d] = line.data[s + 2]! / 127.5 - 1;
        data[base + plane + d] = line.data[s + 1]! / 127.5 - 1;
        data[base + 2 * plane + d] = line.data[s]! / 127.5 - 1;
      }
    }
  });
  return { data, width };
}

/** Greedy CTC over the allowed classes: best class per step, blanks and repeats dropped. */
export function ctcDecode(probabilities: Float32Array, steps: number, classCount: number, mask: ClassMask, offset = 0): LineReading {
  let text = '';
  const chosen: number[] = [];
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classCount;
    let best = 0;
    let bestP = -1;
    for (let k = 0; k < mask.classes.length; k++) {
      const p = probabilities[row + mask.classes[k]!]!;
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    if (best !== 0 && best !== previous) {
      text += mask.characters[best]!;
      chosen.push(bestP);
    }
    previous = best;
  }
  return { text: text.normalize('NFKC'), probabilities: chosen };
}

/** Reads every quad in one batch. */
export async function recognizeLines(session: ort.InferenceSession, tensorCtor: typeof ort.Tensor, image: RgbImage, quads: readonly LineQuad[], mask: ClassMask): Promise<LineReading[]> {
  if (quads.length === 0) return [];
  const batch = recognitionBatch(image, quads);
  const input = new tensorCtor('float32', batch.data, [quads.length, 3, REC_HEIGHT, batch.width]);
  const output = await session.run({ [session.inputNames[0]!]: input });
  const probs = output[session.outputNames[0]!]!;
  try {
    const [, steps, classes] = probs.dims as number[];
    const data = probs.data as Float32Array;
    return quads.map((_, b) => ctcDecode(data, steps!, classes!, mask, b * steps! * classes!));
  } finally {
    input.dispose();
    probs.dispose();
  }
}
