/**
 * Which of the text lines in an image is the plate. The detector finds all text (shop signs, phone numbers,
 * slogans); a plate is a line, or a pair of vertically adjacent lines, that fits the Vietnamese patterns after
 * positional letter/digit fixes and that the domain's `parsePlate` accepts:
 * - car, one row: `^\d{2}[A-Z]{1,2}\d{4,5}$` (separators removed);
 * - motorbike, two rows: top `^\d{2}[A-Z][A-Z0-9]$` directly above bottom `^\d{4,5}$`.
 * The fixes use the layout (dash, rows) where the reader saw it; see fixCarLine and fixMotorbikeRows.
 * Pure: no I/O, no model.
 */
import { fixPlateOcrConfusions, parsePlate, type Plate, type VehicleKind } from '../../domain/plates/index.ts';
import type { Point } from './image.ts';

export interface ReadLine {
  /** Raw recognised text (plate alphabet only). */
  text: string;
  probabilities: number[];
  centre: Point;
  /** Length along the text and across it, pixels. */
  width: number;
  height: number;
  corners: Point[];
}

export interface PlateCandidate {
  plate: Plate;
  lines: ReadLine[];
  /** Mean per-character probability over every character of every line used, 0–1. */
  confidence: number;
}

const CAR = /^\d{2}[A-Z]{1,2}\d{4,5}$/;
/** Locality + series: a letter and a letter or digit, or an electric motorbike's MĐ + digit (Đ reads as D). */
const MOTORBIKE_TOP = /^\d{2}(?:[A-Z][A-Z0-9]|MD\d)$/;
const MOTORBIKE_BOTTOM = /^\d{4,5}$/;

const compactOf = (text: string) => text.replace(/[^0-9A-Z]/g, '');

// The confusions the recogniser makes between look-alike letters and digits (as in the domain's fixer).
const LETTER_TO_DIGIT: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', B: '8', S: '5', Z: '2', G: '6' };
const DIGIT_TO_LETTER: Readonly<Record<string, string>> = { '8': 'B', '5': 'S', '2': 'Z', '6': 'G', '0': 'D' };
const asDigits = (s: string) => [...s].map((c) => LETTER_TO_DIGIT[c] ?? c).join('');
const asLetters = (s: string) => [...s].map((c) => DIGIT_TO_LETTER[c] ?? c).join('');

/**
 * Positional fixes that use the layout the reader saw, which the text alone cannot tell: on a car line the
 * dash ends the series (`30AB-1234`: the 4th character is a letter), and a motorbike's top row is locality +
 * series while its bottom row is all serial. Without a dash, the domain's `fixPlateOcrConfusions` decides.
 */
export function fixCarLine(text: string): string {
  const dash = /^([0-9A-Z]{3,4})-([0-9A-Z.]{4,6})$/.exec(text.replace(/[^0-9A-Z.-]/g, ''));
  if (!dash) return fixPlateOcrConfusions(text);
  const [, head = '', serial = ''] = dash;
  return `${asDigits(head.slice(0, 2))}${asLetters(head.slice(2))}-${asDigits(serial)}`;
}

/** Top row: 2 digits, a letter, then a letter or digit as read. Bottom row: digits only. */
export function fixMotorbikeRows(top: string, bottom: string): [string, string] {
  const t = compactOf(top);
  return [`${asDigits(t.slice(0, 2))}${asLetters(t.slice(2, 3))}${t.slice(3)}`, asDigits(compactOf(bottom))];
}

function meanProbability(lines: readonly ReadLine[]): number {
  const all = lines.flatMap((l) => l.probabilities);
  return all.length === 0 ? 0 : all.reduce((a, b) => a + b, 0) / all.length;
}

function tryParse(text: string, kind: VehicleKind): Plate | undefined {
  try {
    const plate = parsePlate(text, kind);
    return plate.kind === kind ? plate : undefined;
  } catch {
    return undefined;
  }
}

/** A one-row car plate read from `line`, if it is one. */
export function carPlateFrom(line: ReadLine): PlateCandidate | undefined {
  const fixed = fixCarLine(line.text);
  if (!CAR.test(compactOf(fixed))) return undefined;
  const plate = tryParse(fixed, 'car');
  return plate && { plate, lines: [line], confidence: meanProbability([line]) };
}

/** A two-row motorbike plate read from a top and a bottom row, if they make one. */
export function motorbikePlateFrom(top: ReadLine, bottom: ReadLine): PlateCandidate | undefined {
  const [topFixed, bottomFixed] = fixMotorbikeRows(top.text, bottom.text);
  if (!MOTORBIKE_TOP.test(topFixed) || !MOTORBIKE_BOTTOM.test(bottomFixed)) return undefined;
  const plate = tryParse(`${topFixed.slice(0, 2)}-${topFixed.slice(2)} ${bottomFixed}`, 'motorbike');
  return plate && { plate, lines: [top, bottom], confidence: meanProbability([top, bottom]) };
}

/** True when `bottom` sits directly under `top`, as the rows of one plate do. */
export function areStackedRows(top: ReadLine, bottom: ReadLine): boolean {
  const rowHeight = (top.height + bottom.height) / 2;
  const dy = bottom.centre.y - top.centre.y;
  const dx = Math.abs(bottom.centre.x - top.centre.x);
  const widthRatio = Math.max(top.width, bottom.width) / Math.max(1, Math.min(top.width, bottom.width));
  return dy > 0.5 * rowHeight && dy < 2.2 * rowHeight && dx < 0.35 * Math.max(top.width, bottom.width) && widthRatio < 2.5;
}

/** Every plate the lines can make, best (most confident) first. */
export function plateCandidates(lines: readonly ReadLine[], kind?: VehicleKind): PlateCandidate[] {
  const found: PlateCandidate[] = [];
  if (kind !== 'motorbike') {
    for (const line of lines) {
      const car = carPlateFrom(line);
      if (car) found.push(car);
    }
  }
  if (kind !== 'car') {
    for (const top of lines) {
      for (const bottom of lines) {
        if (top === bottom || !areStackedRows(top, bottom)) continue;
        const bike = motorbikePlateFrom(top, bottom);
        if (bike) found.push(bike);
      }
    }
  }
  return found.sort((a, b) => b.confidence - a.confidence);
}
