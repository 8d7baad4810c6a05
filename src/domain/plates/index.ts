/**
 * Vietnamese licence plates: parsing, normalisation and OCR clean-up. Pure functions, no I/O.
 * (Minimal first version: signatures are final, the parser is being completed.)
 */
import { ValidationError } from '../shared/errors.ts';
import { provinceForPlateCode } from '../provinces/index.ts';

export type VehicleKind = 'car' | 'motorbike';

export interface Plate {
  /** Canonical display, e.g. "30A-123.45", "29-HA 002.33", "29-B1 123.45". */
  text: string;
  /** Separator-free ASCII key, e.g. "30A12345", "29HA00233". */
  compact: string;
  kind: VehicleKind;
  localityCode: string;
  series: string;
  serial: string;
  /** Administrative code of the issuing province. */
  provinceCode: string;
  /** Special series (KT, LD, DA, MĐ, R, CD, NG, QT, NN, CV) when the plate has one. */
  special?: string;
}

export type InvalidPlateReason = 'empty' | 'unknown-locality' | 'bad-series' | 'bad-serial' | 'unrecognised-format';

export class InvalidPlateError extends ValidationError {
  readonly reason: InvalidPlateReason;
  constructor(reason: InvalidPlateReason, message: string) {
    super(message, { reason }, `invalid-plate-${reason}`);
    this.reason = reason;
  }
}

export const PLATE_ALPHABET = '0123456789ABCDEFGHKLMNPSTUVXYZ-.';

export function parsePlate(input: string, hint?: VehicleKind): Plate {
  const compact = String(input ?? '').toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (compact === '') throw new InvalidPlateError('empty', 'Plate is empty');
  const m = /^(\d{2})([A-Z]{1,2})(\d{4,5})$/.exec(compact);
  if (!m) throw new InvalidPlateError('unrecognised-format', 'Not a plate');
  const [, localityCode, series, serial] = m as unknown as [string, string, string, string];
  const province = provinceForPlateCode(localityCode);
  if (!province) throw new InvalidPlateError('unknown-locality', 'Unknown locality code');
  const kind = hint ?? (series.length === 1 ? 'car' : 'motorbike');
  return { text: `${localityCode}${series}-${serial}`, compact, kind, localityCode, series, serial, provinceCode: province.code };
}

export function normalizePlate(input: string): string {
  return parsePlate(input).compact;
}

export function fixPlateOcrConfusions(raw: string): string {
  return raw;
}
