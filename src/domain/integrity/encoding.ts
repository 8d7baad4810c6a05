/**
 * Byte encodings used by records, proofs and notes: lowercase hex, standard padded base64 (RFC 4648 §4) and
 * UTF-8. Pure JavaScript with no Node-only API, so the in-browser verifier shares it. Decoders are strict:
 * they return `undefined` for anything that is not the canonical encoding, because two encodings of the same
 * bytes would let a tampered file slip past a byte-for-byte comparison.
 */
const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/** Hex (either case) to bytes; undefined unless well-formed and, when given, exactly `length` bytes. */
export function fromHex(hex: string, length?: number): Uint8Array | undefined {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  if (length !== undefined && bytes.length !== length) return undefined;
  return bytes;
}

/** Lowercase hex of exactly `length` bytes (the form records and bundles use), else undefined. */
export function fromLowerHex(hex: string, length: number): Uint8Array | undefined {
  if (typeof hex !== 'string' || !/^[0-9a-f]*$/.test(hex)) return undefined;
  return fromHex(hex, length);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

/**
 * Standard padded base64 to bytes. Undefined for any other alphabet, missing padding, white space, or
 * non-zero padding bits (which would give a second spelling of the same bytes); with `length`, also for
 * any other decoded length.
 */
export function fromBase64(text: string, length?: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const size = (text.length / 4) * 3 - pad;
  if (length !== undefined && size !== length) return undefined;
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const c0 = B64_INDEX.get(text[i]!)!;
    const c1 = B64_INDEX.get(text[i + 1]!)!;
    const c2 = text[i + 2] === '=' ? 0 : B64_INDEX.get(text[i + 2]!)!;
    const c3 = text[i + 3] === '=' ? 0 : B64_INDEX.get(text[i + 3]!)!;
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    if (o < size) out[o++] = (n >> 16) & 255;
    if (o < size) out[o++] = (n >> 8) & 255;
    if (o < size) out[o++] = n & 255;
  }
  // Reject non-canonical trailing bits: re-encoding must give the same text.
  if (pad > 0 && toBase64(out) !== text) return undefined;
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 bytes to text; undefined for invalid UTF-8 (never U+FFFD substitution). */
export function fromUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte equality; false for different lengths. Not constant-time: only public data is compared here. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
