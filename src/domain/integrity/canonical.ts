/**
 * RFC 8785 JSON Canonicalization Scheme (integrity.md §1).
 *
 * Written here rather than taken from npm because the available packages serialise what RFC 8785 says to
 * reject (NaN, Infinity and undefined become `null` or vanish), and a hash over silently altered data is worse
 * than no hash. Number formatting is ECMAScript's Number::toString, which is exactly what RFC 8785 §3.2.2.3
 * prescribes; string escaping is JSON.stringify's, as §3.2.2.2 prescribes.
 */
import { AppError } from '../shared/errors.ts';

/** The value is not I-JSON that RFC 8785 can canonicalize; `path` says where (`$.data.items[3]`). */
export class CanonicalizationError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'not-canonicalizable';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path || '$'}`, { path: path || '$' });
  }
}

/** Nesting deeper than this is refused rather than risking a stack overflow on hostile input. */
export const MAX_CANONICAL_DEPTH = 512;

// A lone surrogate (not part of a pair) cannot be encoded in UTF-8; I-JSON (RFC 7493) forbids it.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * RFC 8785 canonical text of a JSON value. Throws `CanonicalizationError` for NaN, ±Infinity, undefined,
 * functions, symbols, BigInt, cycles, non-plain objects (Date, Map, class instances), lone surrogates and
 * nesting deeper than `MAX_CANONICAL_DEPTH`; it never silently drops or rewrites a value.
 */
export function canonicalize(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', new Set(), parts);
  return parts.join('');
}

const encoder = new TextEncoder();

/** UTF-8 bytes of the canonical text: what is hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value));
}

function writeString(text: string, path: string, out: string[]): void {
  if (LONE_SURROGATE.test(text))
    throw new CanonicalizationError('a string holds a lone surrogate (not I-JSON)', path);
  out.push(JSON.stringify(text));
}

// UTF-16 code unit order: JavaScript's default string comparison, not localeCompare.
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(value: unknown, path: string, seen: Set<object>, out: string[]): void {
  switch (typeof value) {
    case 'string':
      writeString(value, path, out);
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalizationError(`${value} is not representable in JSON`, path);
      out.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'bigint':
      throw new CanonicalizationError('BigInt is not a JSON number; encode it as a decimal string', path);
    case 'undefined':
      throw new CanonicalizationError('undefined is not a JSON value', path);
    case 'function':
      throw new CanonicalizationError('a function is not a JSON value', path);
    case 'symbol':
      throw new CanonicalizationError('a symbol is not a JSON value', path);
    case 'object':
      break;
  }
  if (value === null) {
    out.push('null');
    return;
  }
  const obj = value as object;
  if (seen.size >= MAX_CANONICAL_DEPTH) throw new CanonicalizationError('nesting too deep', path);
  if (seen.has(obj)) throw new CanonicalizationError('cyclic structure', path);
  seen.add(obj);
  if (Array.isArray(obj)) {
    out.push('[');
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out.push(',');
      write(obj[i], `${path}[${i}]`, seen, out);
    }
    out.push(']');
  } else {
    const proto = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      if (obj instanceof Date)
        throw new CanonicalizationError('a Date must be given as an RFC 3339 string', path);
      throw new CanonicalizationError(
        `a ${proto?.constructor?.name ?? 'non-plain'} object is not a JSON value`,
        path,
      );
    }
    const keys = Object.keys(obj).sort(compareUtf16);
    out.push('{');
    let first = true;
    for (const key of keys) {
      const member = (obj as Record<string, unknown>)[key];
      if (!first) out.push(',');
      first = false;
      writeString(key, `${path}.${key}`, out);
      out.push(':');
      write(member, `${path}.${key}`, seen, out);
    }
    out.push('}');
  }
  seen.delete(obj);
}
