/** Plate keys for read models: the plates module's compact form, or a conservative fallback for odd reads. */
import { normalizePlate } from '../../domain/plates/index.ts';

/**
 * The compact key of a plate as read or confirmed. A reading the plate rules refuse (an OCR misread) still
 * gets a key — upper-case ASCII letters and digits only — so it can be searched and compared, never matched
 * to a different valid plate.
 */
export function plateKey(text: string): string {
  try {
    return normalizePlate(text);
  } catch {
    return text
      .normalize('NFKD')
      .replace(/đ/gi, 'D')
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 24);
  }
}
