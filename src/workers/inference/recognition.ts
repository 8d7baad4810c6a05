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
  /**
   * Per emitted character, the model's probability of every plate character at the CTC step that emitted it
   * (classes folding to one character summed). What the series check weighs the look-alikes with
   * (plate-selection.ts): the model's own second opinion, not a guess.
   */
  alternatives: CharacterProbabilities[];
  /**
   * The highest probability each plate character had at the steps before the first character emitted (where
   * the decoder chose the blank): a character the decoder dropped at the start, such as the `T` of a temporary
   * plate next to the border, still shows here.
   */
  leading: CharacterProbabilities;
}

/** Plate character → probability at one CTC step (only characters with a probability above 1e-4). */
export type CharacterProbabilities = Readonly<Record<string, number>>;

export interface ClassMask {
  /** Allowed class indices (blank first). */
  classes: Int32Array;
  /** The character each allowed class emits ('' for the blank). */
  characters: string[];
}

/**
 * Classes the decoder may choose: the blank and every dictionary entry that is, or NFKC-folds to, a character
 * of `alphabet`. Only ASCII, full-width forms and `Đ` (the MĐ series) are admitted (not circled digits or
 * superscripts). The PP-OCRv4 dictionary has no `Đ`: that model reads it as `D`, which the plate parser accepts.
 */
export function plateClassMask(dictionary: readonly string[], alphabet: string): ClassMask {
  const classes = [0];
  const characters = [''];
  dictionary.forEach((entry, i) => {
    if ([...entry].length !== 1) return;
    const code = entry.codePointAt(0)!;
    const asciiOrFullWidth = code < 0x80 || (code >= 0xff01 && code <= 0xff5e) || entry === 'Đ';
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

/** Blank columns between lines packed into one input; wide enough (3 CTC steps) that a blank always separates them. */
export const PACK_GAP = 24;

/** One model input row holding one or more lines side by side. */
export interface PackedRow {
  width: number;
  items: { line: number; x: number; width: number }[];
}

/**
 * Packs lines (given their widths at recognition height) into rows at least REC_MIN_WIDTH wide, several short
 * lines side by side with PACK_GAP blank columns between them (first fit, widest first). Model time grows with
 * input width, so reading two motorbike rows costs one padded input, not two.
 */
export function packLines(widths: readonly number[]): PackedRow[] {
  const rows: (PackedRow & { used: number })[] = [];
  const order = widths.map((w, line) => ({ w, line })).sort((a, b) => b.w - a.w);
  for (const { w, line } of order) {
    const row = w <= REC_MIN_WIDTH ? rows.find((r) => r.width === REC_MIN_WIDTH && r.used + PACK_GAP + w <= REC_MIN_WIDTH) : undefined;
    if (row) {
      row.items.push({ line, x: row.used + PACK_GAP, width: w });
      row.used += PACK_GAP + w;
    } else {
      rows.push({ width: Math.max(REC_MIN_WIDTH, w), used: w, items: [{ line, x: 0, width: w }] });
    }
  }
  return rows.map(({ width, items }) => ({ width, items }));
}

/** Writes `line` (RGB) into a batch tensor at column `x0` of item `b`, as BGR, (x/255−0.5)/0.5. */
function writeLine(data: Float32Array, b: number, rowWidth: number, x0: number, line: RgbImage): void {
  const plane = REC_HEIGHT * rowWidth;
  const base = b * 3 * plane;
  for (let y = 0; y < REC_HEIGHT; y++) {
    for (let x = 0; x < line.width; x++) {
      const s = (y * line.width + x) * 3;
      const d = y * rowWidth + x0 + x;
      data[base + d] = line.data[s + 2]! / 127.5 - 1;
      data[base + plane + d] = line.data[s + 1]! / 127.5 - 1;
      data[base + 2 * plane + d] = line.data[s]! / 127.5 - 1;
    }
  }
}

/** Samples a quad at recognition height. */
export function sampleLine(image: RgbImage, q: LineQuad): RgbImage {
  const w = Math.hypot(q.topRight.x - q.topLeft.x, q.topRight.y - q.topLeft.y);
  const h = Math.hypot(q.bottomLeft.x - q.topLeft.x, q.bottomLeft.y - q.topLeft.y);
  return sampleQuad(image, q.topLeft, q.topRight, q.bottomLeft, recognitionWidth(w, h), REC_HEIGHT);
}

interface DecodedChar {
  char: string;
  probability: number;
  alternatives: CharacterProbabilities;
  /** Centre column of the CTC step that emitted it. */
  x: number;
}

/** The plate characters' probabilities at one step (the blank left out; negligible ones dropped). */
function stepProbabilities(probabilities: Float32Array, row: number, mask: ClassMask): CharacterProbabilities {
  const out: Record<string, number> = {};
  for (let k = 1; k < mask.classes.length; k++) {
    const p = probabilities[row + mask.classes[k]!]!;
    if (p < 1e-4) continue;
    const ch = mask.characters[k]!;
    out[ch] = (out[ch] ?? 0) + p;
  }
  return out;
}

/** Greedy CTC over the allowed classes: best class per step, blanks and repeats dropped. */
export function ctcDecode(probabilities: Float32Array, steps: number, classCount: number, mask: ClassMask, offset = 0, inputWidth = steps * 8): DecodedChar[] {
  const out: DecodedChar[] = [];
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
    if (best !== 0 && best !== previous)
      out.push({ char: mask.characters[best]!, probability: bestP, alternatives: stepProbabilities(probabilities, row, mask), x: ((t + 0.5) * inputWidth) / steps });
    previous = best;
  }
  return out;
}

/** Reads every quad; short lines share model inputs (see packLines), inputs of one width share a batch. */
export async function recognizeLines(session: ort.InferenceSession, tensorCtor: typeof ort.Tensor, image: RgbImage, quads: readonly LineQuad[], mask: ClassMask, maxBatch = 8): Promise<LineReading[]> {
  return (await recognizeLineSets(session, tensorCtor, [{ image, quads }], mask, maxBatch))[0]!;
}

/**
 * `recognizeLines` for several images in one go: each image's lines are packed into rows as on their own
 * (so every row is the input it would be alone), and rows of one width from all the images share a batch
 * of up to `maxBatch`. The model reads each batch item on its own, so a line reads the same either way
 * (test/integration/inference/batched-crops.spec.ts compares them); the model runs fewer, fuller times.
 */
export async function recognizeLineSets(
  session: ort.InferenceSession,
  tensorCtor: typeof ort.Tensor,
  sets: readonly { image: RgbImage; quads: readonly LineQuad[] }[],
  mask: ClassMask,
  maxBatch = 8,
): Promise<LineReading[][]> {
  const lineSets = sets.map((set) => set.quads.map((q) => sampleLine(set.image, q)));
  const readingSets: LineReading[][] = lineSets.map((lines) => lines.map(() => ({ text: '', probabilities: [], alternatives: [], leading: {} })));
  // Every row of every set, grouped by width in first-seen order (one set alone: its rows in packLines order).
  const byWidth = new Map<number, { set: number; row: PackedRow }[]>();
  lineSets.forEach((lines, set) => {
    for (const row of packLines(lines.map((l) => l.width))) {
      const group = byWidth.get(row.width) ?? [];
      group.push({ set, row });
      byWidth.set(row.width, group);
    }
  });
  for (const [width, group] of byWidth) {
    for (let start = 0; start < group.length; start += maxBatch) {
      const batch = group.slice(start, start + maxBatch);
      const data = new Float32Array(batch.length * 3 * REC_HEIGHT * width);
      batch.forEach(({ set, row }, b) => row.items.forEach((item) => writeLine(data, b, width, item.x, lineSets[set]![item.line]!)));
      const input = new tensorCtor('float32', data, [batch.length, 3, REC_HEIGHT, width]);
      const output = await session.run({ [session.inputNames[0]!]: input });
      const probs = output[session.outputNames[0]!]!;
      try {
        const [, steps, classes] = probs.dims as number[];
        batch.forEach(({ set, row }, b) => {
          const offset = b * steps! * classes!;
          const chars = ctcDecode(probs.data as Float32Array, steps!, classes!, mask, offset, width);
          for (const item of row.items) {
            const start = item.x - PACK_GAP / 2;
            const first = chars.find((c) => c.x >= start && c.x < item.x + item.width + PACK_GAP / 2);
            const end = first?.x ?? item.x + item.width;
            const leading: Record<string, number> = {};
            for (let t = 0; t < steps!; t++) {
              const x = ((t + 0.5) * width) / steps!;
              if (x < start || x >= end) continue;
              for (const [ch, p] of Object.entries(stepProbabilities(probs.data as Float32Array, offset + t * classes!, mask))) leading[ch] = Math.max(leading[ch] ?? 0, p);
            }
            readingSets[set]![item.line]!.leading = leading;
          }
          for (const c of chars) {
            // A character belongs to the line whose columns (plus half the gap) hold its step.
            const item = row.items.find((it) => c.x >= it.x - PACK_GAP / 2 && c.x < it.x + it.width + PACK_GAP / 2);
            if (!item) continue;
            const reading = readingSets[set]![item.line]!;
            reading.text += c.char;
            reading.probabilities.push(c.probability);
            reading.alternatives.push(c.alternatives);
          }
        });
      } finally {
        input.dispose();
        probs.dispose();
      }
    }
  }
  return readingSets.map((readings) => readings.map((r) => ({ text: r.text.normalize('NFKC'), probabilities: r.probabilities, alternatives: r.alternatives, leading: r.leading })));
}
