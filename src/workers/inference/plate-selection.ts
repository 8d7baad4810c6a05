/**
 * Which of the text lines in an image is the plate, and which plate. The detector finds all text (shop signs,
 * phone numbers, slogans); a plate is a line, or a pair of vertically adjacent lines, that fits one of the
 * layouts the domain's `parsePlate` accepts, after positional letter/digit fixes:
 * - car, one row: ordinary `30A-123.45` (`^\d{2}[A-Z]{1,2}\d{4,5}$`), temporary `T30A-123.45`
 *   (`^T\d{2}[A-Z]?\d{4,5}$`), foreign `41-291-NG-01` (`^\d{5}[A-Z]{2}\d{2,3}$`), separators removed;
 * - motorbike, two rows, the top directly above the bottom: ordinary `29-HA` / `002.33`, temporary `T30` /
 *   `123.45`, foreign `41-291` / `NG-01`.
 *
 * The reading is checked against the closed set of valid plates with the model's own probabilities: every
 * layout the characters fit, every change of one character (a letter at a series position, a digit at a
 * digit position) and a leading `T` the decoder dropped are weighed by the probability the model gave those
 * characters at those steps (a look-alike digit counting for a letter, as the positional fixes do). Only
 * valid plates (of the plate colour, when known) count. The most probable one wins, and its confidence is at
 * most its share of the probability of all of them: `QT` read as `DT` with a real `Q` probability is a
 * low-confidence reading naming the other, never a confident wrong one. Pure: no I/O, no model.
 */
import {
  fixPlateOcrConfusions,
  parsePlate,
  type Plate,
  type PlateColour,
  type VehicleKind,
} from '../../domain/plates/index.ts';
import type { Point } from './image.ts';
import type { CharacterProbabilities } from './recognition.ts';

export interface ReadLine {
  /** Raw recognised text (plate alphabet only). */
  text: string;
  probabilities: number[];
  /** Per character, the model's probability of each plate character (recognition.ts); absent: only the read one. */
  alternatives?: readonly CharacterProbabilities[];
  /** Per plate character, its highest probability before the first character read (recognition.ts). */
  leading?: CharacterProbabilities;
  centre: Point;
  /** Length along the text and across it, pixels. */
  width: number;
  height: number;
  corners: Point[];
}

export interface PlateCandidate {
  plate: Plate;
  lines: ReadLine[];
  /**
   * 0–1: the mean per-character probability of the characters chosen, capped by the plate's share of the
   * probability of every valid plate the same line(s) could be read as.
   */
  confidence: number;
  /** Other valid plates (canonical text) the same line(s) could be, most probable first: for the reviewer. */
  alternatives: string[];
  /** Each alternative's share (0–1) of the probability of every valid plate the line(s) could be, in the same order. */
  alternativeShares: number[];
}

/** What is known about the plate apart from its pixels. */
export interface SelectionHints {
  /** The plate colour the camera reported (detection/v2): `white-red` plates carry NG or QT, others never. */
  colour?: PlateColour;
}

const CAR = /^\d{2}[A-Z]{1,2}\d{4,5}$/;
const TEMPORARY = /^T\d{2}[A-Z]?\d{4,5}$/;
const FOREIGN = /^\d{5}[A-Z]{2}\d{2,3}$/;
/** Locality + series: a letter and a letter or digit, or an electric motorbike's MĐ + digit (Đ reads as D). */
const MOTORBIKE_TOP = /^\d{2}(?:[A-Z][A-Z0-9]|MD\d)$/;
const MOTORBIKE_BOTTOM = /^\d{4,5}$/;
const TEMPORARY_TOP = /^T\d{2}[A-Z]?$/;
const FOREIGN_TOP = /^\d{5}$/;
const FOREIGN_BOTTOM = /^[A-Z]{2}\d{2,3}$/;

/** Letters a series position can hold: the 20 series letters and the special series' Q and R. */
const SERIES_POSITION_LETTERS = 'ABCDEFGHKLMNPSTUVXYZQR';
/** Series with a colour of their own: diplomatic NG and international QT plates are white with a red series. */
const RED_SERIES = new Set(['NG', 'QT']);
/** Other valid plates listed for the reviewer when their share is at least this. */
const ALTERNATIVE_SHARE = 0.05;
/** Joins the two rows of a motorbike plate in one string (never a plate character). */
const ROW_BREAK = '|';

const compactOf = (text: string) => text.replace(/[^0-9A-Z]/g, '');

// The confusions the recogniser makes between look-alike letters and digits (as in the domain's fixer).
const LETTER_TO_DIGIT: Readonly<Record<string, string>> = { O: '0', Q: '0', D: '0', I: '1', B: '8', S: '5', Z: '2', G: '6' };
const DIGIT_TO_LETTER: Readonly<Record<string, string>> = { '8': 'B', '5': 'S', '2': 'Z', '6': 'G', '0': 'D' };
const asDigit = (c: string) => LETTER_TO_DIGIT[c] ?? c;
const asLetter = (c: string) => DIGIT_TO_LETTER[c] ?? c;
const asDigits = (s: string) => [...s].map(asDigit).join('');
const asLetters = (s: string) => [...s].map(asLetter).join('');

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

/** Applies `roles[i]` to the i-th letter or digit of `text`, keeping separators where they are. */
function byAlnumPosition(text: string, role: (position: number, ch: string) => string): string {
  let position = 0;
  return [...text].map((ch) => (/^[0-9A-Z]$/.test(ch) ? role(position++, ch) : ch)).join('');
}

/** Top row: 2 digits, a letter, then a letter or digit as read. Bottom row: digits only. */
export function fixMotorbikeRows(top: string, bottom: string): [string, string] {
  return [compactOf(fixMotorbikeTop(top)), asDigits(compactOf(bottom))];
}

function fixMotorbikeTop(top: string): string {
  return byAlnumPosition(top, (i, ch) => (i <= 1 ? asDigit(ch) : i === 2 ? asLetter(ch) : ch));
}

/** Indices (in `text`) of its letters and digits, in order. */
function alnumIndices(text: string): number[] {
  const out: number[] = [];
  [...text].forEach((ch, i) => {
    if (/^[0-9A-Z]$/.test(ch)) out.push(i);
  });
  return out;
}

/**
 * One way to read the characters: the fixed text (same length as the read text, character for character),
 * where its series letters are, and the plate text it stands for if it fits the layout.
 */
interface Interpretation {
  fixed: string;
  series: number[];
  kind: VehicleKind;
  plateText(variant: string): string | undefined;
}

function carInterpretations(text: string): Interpretation[] {
  const out: Interpretation[] = [];
  // Ordinary: 30A-123.45. The series is the letters from the third character up to the first digit after it.
  // At most one dash, after the series: `41-291-0-01` is a foreign plate missing a letter, not `41Z-910.01`.
  const ordinary = fixCarLine(text);
  const dashes = [...text].flatMap((ch, i) => (ch === '-' ? [i] : []));
  const dashAfterSeries = dashes.length === 0 || (dashes.length === 1 && alnumIndices(text.slice(0, dashes[0])).length >= 3);
  if (ordinary.length === text.length && dashAfterSeries) {
    const at = alnumIndices(ordinary);
    const series = at.slice(2, 4).filter((i, n) => /^[A-Z]$/.test(ordinary[i]!) && (n === 0 || /^[A-Z]$/.test(ordinary[at[2]!]!)));
    out.push({ fixed: ordinary, series, kind: 'car', plateText: (v) => (CAR.test(compactOf(v)) ? v : undefined) });
  }
  // Temporary: T30-123.45, T30A-123.45. Needs the dash or a read T (without either it is an ordinary line).
  for (const withLetter of [false, true]) {
    const shape = withLetter ? /^(.)([0-9A-Z]{2})([0-9A-Z])(-?)([0-9A-Z.]{4,6})$/ : /^(.)([0-9A-Z]{2})()(-?)([0-9A-Z.]{4,6})$/;
    const m = shape.exec(text);
    if (!m) continue;
    const [, first = '', locality = '', letter = '', dash = '', serial = ''] = m;
    if (dash === '' && first !== 'T') continue;
    const fixed = `T${asDigits(locality)}${asLetters(letter)}${dash}${asDigits(serial)}`;
    out.push({ fixed, series: withLetter ? [3] : [], kind: 'car', plateText: (v) => (TEMPORARY.test(compactOf(v)) ? v : undefined) });
  }
  // Foreign: 41-291-NG-01 (the dashes may be missed).
  const foreign = /^([0-9A-Z]{2})(-?)([0-9A-Z]{3})(-?)([0-9A-Z]{2})(-?)([0-9A-Z]{2,3})$/.exec(text);
  if (foreign) {
    const [, locality = '', d1 = '', country = '', d2 = '', series = '', d3 = '', order = ''] = foreign;
    const fixed = `${asDigits(locality)}${d1}${asDigits(country)}${d2}${asLetters(series)}${d3}${asDigits(order)}`;
    const at = 5 + d1.length + d2.length;
    out.push({ fixed, series: [at, at + 1], kind: 'car', plateText: (v) => (FOREIGN.test(compactOf(v)) ? v : undefined) });
  }
  return out;
}

function motorbikeInterpretations(top: string, bottom: string): Interpretation[] {
  const out: Interpretation[] = [];
  const join = (t: string, b: string) => `${t}${ROW_BREAK}${b}`;
  const split = (v: string): [string, string] => {
    const at = v.indexOf(ROW_BREAK);
    return [compactOf(v.slice(0, at)), compactOf(v.slice(at + 1))];
  };
  const topAt = alnumIndices(top);
  // Ordinary: 29-HA / 002.33. Series: the third character, and the fourth when it is a letter.
  const ordinaryTop = fixMotorbikeTop(top);
  out.push({
    fixed: join(ordinaryTop, asDigits(bottom)),
    series: topAt.slice(2, 4).filter((i) => /^[A-Z]$/.test(ordinaryTop[i]!)),
    kind: 'motorbike',
    plateText: (v) => {
      const [t, b] = split(v);
      return MOTORBIKE_TOP.test(t) && MOTORBIKE_BOTTOM.test(b) ? `${t.slice(0, 2)}-${t.slice(2)} ${b}` : undefined;
    },
  });
  // Temporary: T30 (or T30A) / 123.45.
  if (topAt.length === 3 || topAt.length === 4) {
    const fixed = byAlnumPosition(top, (i, ch) => (i === 0 ? 'T' : i <= 2 ? asDigit(ch) : asLetter(ch)));
    out.push({
      fixed: join(fixed, asDigits(bottom)),
      series: topAt.length === 4 ? [topAt[3]!] : [],
      kind: 'motorbike',
      plateText: (v) => {
        const [t, b] = split(v);
        return TEMPORARY_TOP.test(t) && MOTORBIKE_BOTTOM.test(b) ? `${t}-${b}` : undefined;
      },
    });
  }
  // Foreign: 41-291 / NG-01.
  if (topAt.length === 5) {
    const fixedBottom = byAlnumPosition(bottom, (i, ch) => (i <= 1 ? asLetter(ch) : asDigit(ch)));
    const bottomAt = alnumIndices(bottom);
    const offset = top.length + 1;
    out.push({
      fixed: join(asDigits(top), fixedBottom),
      series: bottomAt.slice(0, 2).map((i) => offset + i),
      kind: 'motorbike',
      plateText: (v) => {
        const [t, b] = split(v);
        return FOREIGN_TOP.test(t) && FOREIGN_BOTTOM.test(b) ? `${t.slice(0, 2)}-${t.slice(2)}-${b.slice(0, 2)}-${b.slice(2)}` : undefined;
      },
    });
  }
  return out;
}

/** The model's support for character `ch` at one step: its own probability plus that of its look-alike. */
function support(alternatives: CharacterProbabilities, ch: string): number {
  let p = alternatives[ch] ?? 0;
  const digit = LETTER_TO_DIGIT[ch];
  if (digit !== undefined) p += alternatives[digit] ?? 0;
  if (/^\d$/.test(ch)) for (const [letter, d] of Object.entries(LETTER_TO_DIGIT)) if (d === ch) p += alternatives[letter] ?? 0;
  return Math.min(1, p);
}

function allowedByColour(plate: Plate, colour: PlateColour | undefined): boolean {
  if (colour === undefined) return true;
  const red = plate.special !== undefined && RED_SERIES.has(plate.special);
  return colour === 'white-red' ? red : !red;
}

function tryParse(text: string, kind: VehicleKind): Plate | undefined {
  try {
    const plate = parsePlate(text, kind);
    return plate.kind === kind ? plate : undefined;
  } catch {
    return undefined;
  }
}

/** Per-character probabilities of a read text (its alternatives, or only the read characters). */
function stepsOf(lines: readonly ReadLine[]): CharacterProbabilities[] {
  const one = (l: ReadLine) => l.alternatives ?? [...l.text].map((ch, i) => ({ [ch]: l.probabilities[i] ?? 0 }));
  return lines.flatMap((l, n) => (n === 0 ? one(l) : [{ [ROW_BREAK]: 1 }, ...one(l)]));
}

/** One reading of the line(s) to weigh: its text, per-character probabilities, layouts, and its prior weight. */
interface Source {
  read: string;
  steps: readonly CharacterProbabilities[];
  interpretations: readonly Interpretation[];
  /** The probability of this source's own start: a leading `T` the decoder dropped, or its absence. */
  weight: number;
}

/**
 * A character with less support than this at a step (its own probability plus its look-alike's) is not tried
 * there: its plate could change the share by about as much at most, and trying every character costs time.
 */
const MIN_ALTERNATIVE = 0.01;
/** Below this, a dropped leading character is not worth considering. */
const MIN_LEADING = 1e-3;

/**
 * The sources of a line: as read, and, when the model saw a `T` before the first character it emitted, with
 * that `T` in front (a temporary plate whose `T` the decoder dropped). The two are weighed against each other
 * by that `T`'s probability.
 */
function sourcesOf(read: string, steps: readonly CharacterProbabilities[], leadingT: number, interpret: (text: string) => Interpretation[]): Source[] {
  if (leadingT < MIN_LEADING || read.startsWith('T')) return [{ read, steps, interpretations: interpret(read), weight: 1 }];
  return [
    { read, steps, interpretations: interpret(read), weight: 1 - leadingT },
    // The inserted T's own step carries its probability.
    { read: `T${read}`, steps: [{ T: leadingT }, ...steps], interpretations: interpret(`T${read}`), weight: 1 },
  ];
}

/**
 * The most probable valid plate among the interpretations of the sources and every change of one series letter
 * to one the model gave some probability, with its share of the probability of all valid plates one changed
 * character away (a series letter or a digit: a digit the model was unsure of lowers the confidence and names
 * the other plate, but never replaces what it read).
 */
function choosePlate(sources: readonly Source[], lines: ReadLine[], hints: SelectionHints): PlateCandidate | undefined {
  const found = new Map<string, { plate: Plate; score: number; support: number[]; eligible: boolean }>();
  for (const { read, steps, interpretations, weight } of sources) {
    // `eligible`: may be the answer (the read, or a series letter changed); a changed digit only weighs against it.
    /** Records `variant` if it is a valid plate; true if it is. */
    const consider = (variant: string, interpretation: Interpretation, eligible: boolean): boolean => {
      const text = interpretation.plateText(variant);
      if (text === undefined) return false;
      const plate = tryParse(text, interpretation.kind);
      if (!plate || !allowedByColour(plate, hints.colour)) return false;
      const perChar = [...variant].map((ch, i) => (ch === ROW_BREAK ? 1 : support(steps[i] ?? {}, ch)));
      const score = weight * perChar.reduce((a, b) => a * b, 1);
      if (score <= 0) return false;
      const known = found.get(plate.compact);
      if (!known || known.score < score)
        found.set(plate.compact, { plate, score, support: perChar.filter((_, i) => variant[i] !== ROW_BREAK), eligible: eligible || (known?.eligible ?? false) });
      else if (eligible) known.eligible = true;
      return true;
    };
    const change = (text: string, at: number, ch: string) => `${text.slice(0, at)}${ch}${text.slice(at + 1)}`;
    // Its look-alike counts: Q is tried where the model read 0 with a near-zero Q of its own.
    const seen = (at: number, ch: string) => support(steps[at] ?? {}, ch) >= MIN_ALTERNATIVE;
    for (const interpretation of interpretations) {
      const { fixed, series } = interpretation;
      if (fixed.length !== read.length) continue;
      const answers = [fixed];
      for (const at of series)
        for (const letter of SERIES_POSITION_LETTERS) if (letter !== fixed[at] && seen(at, letter)) answers.push(change(fixed, at, letter));
      for (const answer of answers) {
        if (!consider(answer, interpretation, true)) continue;
        [...answer].forEach((ch, at) => {
          if (!/^\d$/.test(ch)) return;
          for (const digit of '0123456789') if (digit !== ch && seen(at, digit)) consider(change(answer, at, digit), interpretation, false);
        });
      }
    }
  }
  const ranked = [...found.values()].sort((a, b) => b.score - a.score);
  const best = ranked.find((r) => r.eligible);
  if (!best) return undefined;
  const total = ranked.reduce((sum, r) => sum + r.score, 0);
  const mean = best.support.reduce((a, b) => a + b, 0) / Math.max(1, best.support.length);
  const others = ranked.filter((r) => r !== best && r.score / total >= ALTERNATIVE_SHARE).slice(0, 3);
  return {
    plate: best.plate,
    lines,
    confidence: Math.min(mean, best.score / total),
    alternatives: others.map((r) => r.plate.text),
    alternativeShares: others.map((r) => r.score / total),
  };
}

/** A one-row car plate read from `line`, if it is one. */
export function carPlateFrom(line: ReadLine, hints: SelectionHints = {}): PlateCandidate | undefined {
  return choosePlate(sourcesOf(line.text, stepsOf([line]), line.leading?.['T'] ?? 0, carInterpretations), [line], hints);
}

/** A two-row motorbike plate read from a top and a bottom row, if they make one. */
export function motorbikePlateFrom(top: ReadLine, bottom: ReadLine, hints: SelectionHints = {}): PlateCandidate | undefined {
  const read = `${top.text}${ROW_BREAK}${bottom.text}`;
  const interpret = (text: string) => {
    const at = text.indexOf(ROW_BREAK);
    return motorbikeInterpretations(text.slice(0, at), text.slice(at + 1));
  };
  return choosePlate(sourcesOf(read, stepsOf([top, bottom]), top.leading?.['T'] ?? 0, interpret), [top, bottom], hints);
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
export function plateCandidates(lines: readonly ReadLine[], kind?: VehicleKind, hints: SelectionHints = {}): PlateCandidate[] {
  const found: PlateCandidate[] = [];
  if (kind !== 'motorbike') {
    for (const line of lines) {
      const car = carPlateFrom(line, hints);
      if (car) found.push(car);
    }
  }
  if (kind !== 'car') {
    for (const top of lines) {
      for (const bottom of lines) {
        if (top === bottom || !areStackedRows(top, bottom)) continue;
        const bike = motorbikePlateFrom(top, bottom, hints);
        if (bike) found.push(bike);
      }
    }
  }
  return found.sort((a, b) => b.confidence - a.confidence);
}
