/**
 * The bundle as the checks read it (bundle.md): the archive's entries and its parsed parts. Reading never
 * throws and never judges: a part that is missing or does not parse is `undefined`, and the check that owns
 * it reports that. Pure, no Node-only API (the browser verifier runs it too).
 */
import { fromUtf8 } from '../../integrity/encoding.ts';
import { ENTRY } from '../format.ts';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const HEX64 = /^[0-9a-f]{64}$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses JSON without ever throwing; undefined for invalid UTF-8 or JSON. */
export function parseJson(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  const text = fromUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The reader every check works over: raw entries by name, and the bundle's parts parsed once. */
export interface BundleReader {
  /** Every entry of the archive, in archive order. */
  entries(): Iterable<[string, Uint8Array]>;
  entry(name: string): Uint8Array | undefined;
  /** manifest.json's bytes (what manifest.sig signs) and, when it is a JSON object, its value. */
  readonly manifestBytes: Uint8Array | undefined;
  readonly manifest: Json | undefined;
  /** keys.json and proofs.json as parsed JSON (any value), undefined when missing or not JSON. */
  readonly keys: unknown;
  readonly proofs: unknown;
  /** checkpoint.txt as text, undefined when missing or not UTF-8. */
  readonly checkpointText: string | undefined;
}

/** A reader over the entries of an archive (readBundleZip's output). */
export function bundleReader(entries: Map<string, Uint8Array>): BundleReader {
  const manifestBytes = entries.get(ENTRY.manifest);
  const manifestValue = parseJson(manifestBytes);
  const checkpointBytes = entries.get(ENTRY.checkpoint);
  return {
    entries: () => entries.entries(),
    entry: (name) => entries.get(name),
    manifestBytes,
    manifest: isObject(manifestValue) ? manifestValue : undefined,
    keys: parseJson(entries.get(ENTRY.keys)),
    proofs: parseJson(entries.get(ENTRY.proofs)),
    checkpointText: checkpointBytes ? fromUtf8(checkpointBytes) : undefined,
  };
}
