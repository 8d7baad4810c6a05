/** Plate comparison key: the plates module's compact form, or a crude alphanumeric key for unparseable text. */
import { parsePlate } from '../plates/index.ts';

export function plateKey(text: string): string {
  try {
    return parsePlate(text).compact;
  } catch {
    return text.toUpperCase().replace(/[^0-9A-ZĐ]/g, '');
  }
}

/** True when both readings name the same plate. */
export function samePlate(a: string, b: string): boolean {
  return plateKey(a) === plateKey(b);
}
