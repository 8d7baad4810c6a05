/**
 * Which of the text lines in an image is the plate. The detector finds all text (shop signs, phone numbers,
 * slogans); a plate is a line, or a pair of vertically adjacent lines, that fits the Vietnamese patterns after
 * positional letter/digit fixes and that the domain's `parsePlate` accepts:
 * - car, one row: `^\d{2}[A-Z]{1,2}\d{4,5}$` (separators removed);
 * - motorbike, two rows: top `^\d{2}[A-Z][A-Z0-9]$` directly above bottom `^\d{4,5}$`.
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
const MOTORBIKE_TOP = /^\d{2}[A-Z][A-Z0-9]$/;
const MOTORBIKE_BOTTOM = /^\d{4,5}$/;

const compactOf = (text: string) => text.replace(/[^0-9A-Z]/g, '');

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
  const fixed = fixPlateOcrConfusions(line.text);
  if (!CAR.test(compactOf(fixed))) return undefined;
  const plate = tryParse(fixed, 'car');
  return plate && { plate, lines: [line], confidence: meanProbability([line]) };
}

/** A two-row motorbike plate read from a top and a bottom row, if they make one. */
export function motorbikePlateFrom(top: ReadLine, bottom: ReadLine): PlateCandidate | undefined {
  // Fix the rows as one plate so positions count across both rows, then split them again.
  const fixed = fixPlateOcrConfusions(`${compactOf(top.text)} ${compactOf(bottom.text)}`);
  const [topFixed = '', bottomFixed = ''] = fixed.split(' ');
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
