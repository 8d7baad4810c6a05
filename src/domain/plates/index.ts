/**
 * Vietnamese licence plates: parsing, normalisation and OCR clean-up. Pure functions, no I/O.
 *
 * Formats (Law 36/2024 Art. 36; TT 24/2023; see docs/legal-catalog.md):
 * - car: 2-digit locality + 1–2 series letters + 5-digit serial, `30A-123.45`; old 4-digit serials, `30A-1234`.
 * - motorbike: locality + (letter+digit | two letters) + 4–5 digits, `29-B1 123.45`, `29-HA 002.33`.
 * - series letters come from 20: A B C D E F G H K L M N P S T U V X Y Z.
 * - special series: KT, LD, DA, CD, NG, QT, NN, CV, RM (two letters), R (trailers), MĐ+digit (electric motorbikes).
 * - locality code 80: vehicles of central agencies registered by the Traffic Police Department (C08); its
 *   `provinceCode` is `NATIONAL` ("00").
 * - foreign layout (Law 36/2024 Art. 36; TT 79/2024): locality + 3-digit country/organisation number + NG, QT,
 *   CV or NN + 2–3 digit order number, `80-011-NG-01`.
 * - temporary registration: a leading `T`, `T30-123.45` (layout not verified against TT 79/2024; see
 *   docs/legal-data.md).
 *
 * `Plate.compact` is the identity of a plate: ASCII only (MĐ is written MD), no separators. Callers MUST key
 * lookups, deduplication and comparisons on `compact`, never on `text`, which is for display only.
 *
 * A separator-free input can be ambiguous (`29B11234` is car `29B-112.34` or old motorbike `29-B1 1234`):
 * without separators or a `hint`, the 5-digit reading wins. To re-parse a stored `compact`, pass its `kind`.
 */
import { ValidationError } from '../shared/errors.ts';
import { NATIONAL, provinceForPlateCode } from '../provinces/index.ts';

export type VehicleKind = 'car' | 'motorbike';

export interface Plate {
  /** Canonical display, e.g. "30A-123.45", "29-HA 002.33", "29-B1 123.45", "29-MĐ1 123.45". */
  text: string;
  /** Separator-free ASCII key, e.g. "30A12345", "29HA00233", "29MD112345". */
  compact: string;
  kind: VehicleKind;
  /** The 2-digit plate locality code, e.g. "30". */
  localityCode: string;
  /** Series as displayed, e.g. "A", "HA", "B1", "LD", "MĐ1". */
  series: string;
  /** Digits only, 4 or 5 of them, e.g. "12345". */
  serial: string;
  /** Administrative code of the issuing province (see src/domain/provinces), e.g. "01"; "00" for code 80. */
  provinceCode: string;
  /** Special series (KT, LD, DA, CD, NG, QT, NN, CV, RM, R, MĐ, T) when the plate has one. */
  special?: string;
  /** Foreign layout only: the 3-digit number of the country or international organisation. */
  country?: string;
}

export type InvalidPlateReason =
  'empty' | 'unknown-locality' | 'bad-series' | 'bad-serial' | 'unrecognised-format';

/** The input is not a Vietnamese plate. `reason` says which part failed; the input itself is never echoed. */
export class InvalidPlateError extends ValidationError {
  readonly reason: InvalidPlateReason;
  constructor(reason: InvalidPlateReason, message: string) {
    super(message, { reason }, `invalid-plate-${reason}`);
    this.reason = reason;
  }
}

/** The 20 series letters allowed on plates. */
export const SERIES_LETTERS = 'ABCDEFGHKLMNPSTUVXYZ';

/**
 * Letters that appear only in special series: Q (QT), R (R, RM) and Đ (MĐ). The recognition alphabet must read
 * them, or those plates could never be read by the camera pipeline.
 */
export const SPECIAL_SERIES_LETTERS = 'QRĐ';

/** Every character a plate can contain apart from the space: digits, all series letters, `-` and `.`. */
export const PLATE_ALPHABET = `0123456789${SERIES_LETTERS}${SPECIAL_SERIES_LETTERS}-.`;

/** The locality code of central agencies' vehicles, registered by the Traffic Police Department (C08). */
export const CENTRAL_LOCALITY_CODE = '80';

/**
 * Two-letter special series (army enterprises, foreign-invested, projects, police special use, diplomatic,
 * international organisations, foreign staff, other foreigners, trailers and semi-trailers).
 */
const TWO_LETTER_SPECIALS = new Set(['KT', 'LD', 'DA', 'CD', 'NG', 'QT', 'NN', 'CV', 'RM']);
/** The series of the foreign layout (Law 36/2024 Art. 36: diplomatic NG, international QT, CV staff, NN). */
const FOREIGN_SERIES = new Set(['NG', 'QT', 'CV', 'NN']);
/** Single-letter special series: R (trailers and semi-trailers). */
const ONE_LETTER_SPECIALS = new Set(['R']);
/** Electric motorbikes: "MĐ" + digit. Compact form "MD" + digit. */
const ELECTRIC_SERIES_ASCII = 'MD';

/** Longest input worth looking at; anything longer is refused before any work is done. */
const MAX_INPUT_LENGTH = 40;
const SEPARATORS = /[\s\-.·•‐‑‒–—_]/u;

interface Candidate {
  seriesAscii: string;
  serial: string;
  kind: VehicleKind;
  special?: string;
  /** Compact index right after the series: a separator there confirms this reading. */
  seriesEnd: number;
}

function isSeriesLetter(ch: string): boolean {
  return ch.length === 1 && SERIES_LETTERS.includes(ch);
}

/** Uppercases, folds full-width forms (NFKC) and strips separators; remembers where separators were. */
function tokenise(input: string): { compact: string; boundaries: Set<number> } {
  // Case-folds ASCII only: a whole-string toUpperCase would turn "ß" into "SS" and "ı" into "I".
  const folded = input.normalize('NFKC');
  let compact = '';
  const boundaries = new Set<number>();
  for (const ch of folded) {
    if (SEPARATORS.test(ch)) {
      if (compact.length > 0) boundaries.add(compact.length);
      continue;
    }
    if (ch === 'Đ' || ch === 'đ') compact += 'D';
    else if (/^[0-9A-Za-z]$/.test(ch)) compact += ch.toUpperCase();
    else
      throw new InvalidPlateError('unrecognised-format', 'Plate contains characters that are not on plates');
  }
  return { compact, boundaries };
}

function formatSerial(serial: string): string {
  return serial.length === 5 ? `${serial.slice(0, 3)}.${serial.slice(3)}` : serial;
}

function displaySeries(seriesAscii: string, special: string | undefined): string {
  return special === 'MĐ' ? `MĐ${seriesAscii.slice(2)}` : seriesAscii;
}

function candidatesFor(
  letters: string,
  digits: string,
  hint: VehicleKind | undefined,
  layout: VehicleKind | undefined,
  boundaries: Set<number>,
): Candidate[] {
  const out: Candidate[] = [];
  const seriesEndA = 2 + letters.length;
  // Reading A: the letters are the whole series.
  if (letters.length === 1) {
    const special = ONE_LETTER_SPECIALS.has(letters) ? letters : undefined;
    out.push({
      seriesAscii: letters,
      serial: digits,
      kind: 'car',
      seriesEnd: seriesEndA,
      ...(special ? { special } : {}),
    });
  } else if (TWO_LETTER_SPECIALS.has(letters)) {
    out.push({
      seriesAscii: letters,
      serial: digits,
      // Trailers and semi-trailers (RM) are never motorbikes, whatever the layout.
      kind: hint ?? (letters === 'RM' ? 'car' : layout) ?? 'car',
      special: letters,
      seriesEnd: seriesEndA,
    });
  } else {
    out.push({
      seriesAscii: letters,
      serial: digits,
      kind: hint ?? layout ?? 'motorbike',
      seriesEnd: seriesEndA,
    });
  }
  // Reading B: letter + digit (motorbike), or MĐ + digit (electric motorbike).
  // A separator between the letter and the digit ("30A-123.45") rules this reading out.
  const first = digits[0];
  if (
    !boundaries.has(seriesEndA) &&
    first !== undefined &&
    first !== '0' &&
    (letters.length === 1 ? isSeriesLetter(letters) : letters === ELECTRIC_SERIES_ASCII)
  ) {
    const special = letters === ELECTRIC_SERIES_ASCII ? 'MĐ' : undefined;
    out.push({
      seriesAscii: letters + first,
      serial: digits.slice(1),
      kind: 'motorbike',
      seriesEnd: seriesEndA + 1,
      ...(special ? { special } : {}),
    });
  }
  return out;
}

/**
 * Parses a plate in any common spelling (spaces, dots, dashes, lowercase, full-width characters, "Đ" or "D"
 * in MĐ plates) and returns its canonical form. `hint` settles readings the characters alone cannot.
 * Throws `InvalidPlateError` when the input is not a plate of a known locality.
 */
export function parsePlate(input: string, hint?: VehicleKind): Plate {
  if (typeof input !== 'string') throw new InvalidPlateError('unrecognised-format', 'Plate must be a string');
  if (input.length > MAX_INPUT_LENGTH)
    throw new InvalidPlateError('unrecognised-format', 'Plate text is too long');
  const { compact, boundaries } = tokenise(input);
  if (compact === '') throw new InvalidPlateError('empty', 'Plate is empty');

  const foreign = /^(\d{2})(\d{3})([A-Z]{2})(\d{2,3})$/.exec(compact);
  if (foreign) return parseForeign(foreign as unknown as [string, string, string, string, string], hint);
  const temporary = /^T(\d{2})([A-Z]?)(\d{4,5})$/.exec(compact);
  if (temporary) return parseTemporary(temporary as unknown as [string, string, string, string], hint);

  const shape = /^(\d{2})([A-Z]{1,3})(\d*)$/.exec(compact);
  if (!shape)
    throw new InvalidPlateError('unrecognised-format', 'Plate must be 2 digits, series letters, then digits');
  const [, localityCode, letters, digits] = shape as unknown as [string, string, string, string];

  const provinceCode = issuingProvince(localityCode);

  const lettersValid =
    (letters.length === 1 && (isSeriesLetter(letters) || ONE_LETTER_SPECIALS.has(letters))) ||
    (letters.length === 2 && (TWO_LETTER_SPECIALS.has(letters) || [...letters].every(isSeriesLetter)));
  if (!lettersValid)
    throw new InvalidPlateError('bad-series', 'Series letters are not among those allowed on plates');

  // "30AB-123.45" (separator after the series only) reads as a car; "29-HA 002.33" as a motorbike.
  const layout: VehicleKind | undefined = boundaries.has(2)
    ? 'motorbike'
    : boundaries.has(2 + letters.length)
      ? 'car'
      : undefined;
  const all = candidatesFor(letters, digits, hint, layout, boundaries);
  const wellFormed = all.filter((c) => /^\d{4,5}$/.test(c.serial));
  if (wellFormed.length === 0) throw new InvalidPlateError('bad-serial', 'Serial must have 4 or 5 digits');
  const nonZero = wellFormed.filter((c) => !/^0+$/.test(c.serial));
  if (nonZero.length === 0) throw new InvalidPlateError('bad-serial', 'Serial must not be all zeros');
  const fitting = hint ? nonZero.filter((c) => c.kind === hint) : nonZero;
  if (fitting.length === 0)
    throw new InvalidPlateError('bad-series', `Series is not valid for a ${hint ?? 'vehicle'}`);

  const chosen =
    fitting.find((c) => boundaries.has(c.seriesEnd)) ??
    fitting.find((c) => c.serial.length === 5) ??
    fitting[0]!;

  const series = displaySeries(chosen.seriesAscii, chosen.special);
  const text =
    chosen.kind === 'car'
      ? `${localityCode}${series}-${formatSerial(chosen.serial)}`
      : `${localityCode}-${series} ${formatSerial(chosen.serial)}`;
  const plate: Plate = {
    text,
    compact: `${localityCode}${chosen.seriesAscii}${chosen.serial}`,
    kind: chosen.kind,
    localityCode,
    series,
    serial: chosen.serial,
    provinceCode,
  };
  if (chosen.special) plate.special = chosen.special;
  return plate;
}

/** The administrative code of the issuer of a locality code: a province, or `NATIONAL` for code 80. */
function issuingProvince(localityCode: string): string {
  if (localityCode === CENTRAL_LOCALITY_CODE) return NATIONAL;
  const province = provinceForPlateCode(localityCode);
  if (!province)
    throw new InvalidPlateError('unknown-locality', 'No province issues plates with this locality code');
  return province.code;
}

/** `41-291-NG-01`: locality, country or organisation number, NG/QT/CV/NN, order number. */
function parseForeign(
  [, localityCode, country, series, order]: [string, string, string, string, string],
  hint: VehicleKind | undefined,
): Plate {
  const provinceCode = issuingProvince(localityCode);
  if (!FOREIGN_SERIES.has(series))
    throw new InvalidPlateError('bad-series', 'Series letters are not among those allowed on plates');
  if (/^0+$/.test(order)) throw new InvalidPlateError('bad-serial', 'Serial must not be all zeros');
  return {
    text: `${localityCode}-${country}-${series}-${order}`,
    compact: `${localityCode}${country}${series}${order}`,
    kind: hint ?? 'car',
    localityCode,
    series,
    serial: order,
    provinceCode,
    special: series,
    country,
  };
}

/** `T30-123.45`, `T30A-123.45`: a temporary registration (layout unverified; docs/legal-data.md). */
function parseTemporary(
  [, localityCode, letter, serial]: [string, string, string, string],
  hint: VehicleKind | undefined,
): Plate {
  const provinceCode = issuingProvince(localityCode);
  if (letter !== '' && !isSeriesLetter(letter))
    throw new InvalidPlateError('bad-series', 'Series letters are not among those allowed on plates');
  if (/^0+$/.test(serial)) throw new InvalidPlateError('bad-serial', 'Serial must not be all zeros');
  return {
    text: `T${localityCode}${letter}-${formatSerial(serial)}`,
    compact: `T${localityCode}${letter}${serial}`,
    kind: hint ?? 'car',
    localityCode,
    series: `T${letter}`,
    serial,
    provinceCode,
    special: 'T',
  };
}

/**
 * The rows as printed: one for a car (its `text`); two for a motorbike: `29-HA` / `002.33`, `T30A` / `123.45`
 * (temporary), `41-291` / `NG-01` (foreign).
 */
export function printedRows(plate: Plate): string[] {
  if (plate.kind === 'car') return [plate.text];
  if (plate.country !== undefined) return [`${plate.localityCode}-${plate.country}`, `${plate.series}-${plate.serial}`];
  const at = plate.special === 'T' ? plate.text.indexOf('-') : plate.text.indexOf(' ');
  return [plate.text.slice(0, at), plate.text.slice(at + 1)];
}

/** The compact key of a plate (`parsePlate(input).compact`). Throws `InvalidPlateError` like `parsePlate`. */
export function normalizePlate(input: string): string {
  return parsePlate(input).compact;
}

const LETTER_TO_DIGIT: Record<string, string> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  B: '8',
  S: '5',
  Z: '2',
  G: '6',
};
const DIGIT_TO_LETTER: Record<string, string> = { '8': 'B', '5': 'S', '2': 'Z', '6': 'G', '0': 'D' };

/**
 * Undoes the letter/digit confusions OCR makes, by position among the plate's characters (separators are kept
 * where they are): positions 0–1 are digits, position 2 is a letter, positions 4 onward are digits. Position 3
 * is a digit in 7- and 8-character plates (30A1234, 30A12345, 29B11234; two-letter series have 5-digit
 * serials), a letter in a 10-character (MĐ) plate, and in 9-character plates (29B112345 or 29HA00233) only
 * corrected when the character could not be a series letter. The result is a better guess, not a validated plate: pass it to
 * `parsePlate`.
 */
export function fixPlateOcrConfusions(raw: string): string {
  if (typeof raw !== 'string' || raw.length > MAX_INPUT_LENGTH * 2) return raw;
  const chars = [...raw.normalize('NFKC').toUpperCase()];
  const alnumAt: number[] = [];
  chars.forEach((ch, i) => {
    if (/^[0-9A-ZĐ]$/.test(ch)) alnumAt.push(i);
  });
  const n = alnumAt.length;
  const toDigit = (ch: string) => LETTER_TO_DIGIT[ch] ?? ch;
  const toLetter = (ch: string) => DIGIT_TO_LETTER[ch] ?? ch;
  alnumAt.forEach((at, position) => {
    const ch = chars[at]!;
    let fixed = ch;
    if (position <= 1 || position >= 4) fixed = toDigit(ch);
    else if (position === 2) fixed = toLetter(ch);
    else if (n === 7 || n === 8) fixed = toDigit(ch);
    else if (n === 10) fixed = toLetter(ch);
    else if (/^[A-Z]$/.test(ch) && !isSeriesLetter(ch)) fixed = toDigit(ch);
    chars[at] = fixed;
  });
  return chars.join('');
}

export { PLATE_COLOURS, isPlateColour, type PlateColour } from './colours.ts';
