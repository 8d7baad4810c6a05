/** Plate keys for read models: the plates module's compact form, or a conservative fallback for odd reads. */
import { normalizePlate } from '../../domain/plates/index.ts';

/**
 * The compact key of a plate as read or confirmed. A reading the plate rules refuse (an OCR misread) still
 * gets a key — upper-case ASCII letters and digits only — so it can be searched and compared, never matched
 * to a different valid plate.
 */
export function plateKey(text: string): string {
  let key = cache.get(text);
  if (key === undefined) {
    key = computeKey(text);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, key);
  }
  return key;
}

// Plates repeat a lot in a feed (the same vehicle, edge and AI reads of one plate): a bounded memo.
const CACHE_LIMIT = 10_000;
const cache = new Map<string, string>();

function computeKey(text: string): string {
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
