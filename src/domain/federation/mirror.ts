/**
 * The national mirror's check of one record bundle (integrity.md §9; docs/federation.md "Mirroring"): pure.
 * The entries (record hashes) are already authenticated: the follower recomputed the tree root from them and
 * it equals the root the witness cosigned. Each served record line must then hash to its entry, be a v1
 * record, and chain onto its stream: revision 0 with the genesis `prev`, or the previous record of the same
 * stream (earlier in the mirrored feed) with its hash as `prev`. Anything else is a mismatch: the province
 * served records that do not match its own signed tree, a fork alarm.
 */
import { GENESIS_PREV } from '../record.ts';
import { canonicalTextHash, sha256Hex } from '../integrity/index.ts';
import { plateKey } from '../case/plate-key.ts';

/** The last mirrored record of a stream: what the next record of that stream must chain onto. */
export interface StreamHead {
  revision: number;
  /** Lowercase hex record hash. */
  hash: string;
}

/** A record as the mirror stores it: the served text verbatim, with the fields the national views index. */
export interface MirroredRecord {
  leafIndex: number;
  recordId: string;
  stream: string;
  revision: number;
  type: string;
  /** `meta.province` of the record (the province that filed it). */
  province: string;
  /** `meta.recordedAt`. */
  recordedAt: string;
  /** Lowercase hex SHA-256 of `text`, equal to the entry. */
  hash: string;
  /** The plate comparison key a record names (a detection's plate read, a plate recognition), if any. */
  plate: string | undefined;
  text: string;
}

export type MirrorMismatch =
  | { kind: 'count'; expected: number; served: number }
  | { kind: 'entry'; leafIndex: number; entry: string; served: string }
  | { kind: 'malformed'; leafIndex: number; reason: string }
  | { kind: 'chain'; leafIndex: number; stream: string; reason: string };

export type MirrorCheck = { ok: true; records: MirroredRecord[] } | { ok: false; mismatch: MirrorMismatch };

interface RecordShape {
  v?: unknown;
  id?: unknown;
  stream?: unknown;
  revision?: unknown;
  type?: unknown;
  prev?: unknown;
  data?: { detection?: { plateRead?: { text?: unknown } }; compact?: unknown };
  meta?: { province?: unknown; recordedAt?: unknown };
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Lowercase hex of an entry (the server's fast path: one native call per record). */
function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function plateOf(r: RecordShape): string | undefined {
  if (r.type === 'ViolationDetected' && typeof r.data?.detection?.plateRead?.text === 'string') {
    return plateKey(r.data.detection.plateRead.text);
  }
  if (r.type === 'PlateRecognized' && typeof r.data?.compact === 'string') return plateKey(r.data.compact);
  return undefined;
}

/** A served record that hashes to its entry and is a v1 record: what the chain check then needs. */
export interface ParsedMirroredRecord extends MirroredRecord {
  /** The record's `prev` (the previous record of its stream's hash, or the genesis value). */
  prev: string;
}

/**
 * The per-record half of the check: each served line of leaves `first …` must hash to its authenticated
 * entry and be a v1 record. Stops at the first line that is not; `records` are the lines before it.
 */
export function parseMirroredRecords(
  first: number,
  entries: readonly Uint8Array[],
  lines: readonly (string | Uint8Array)[],
): { records: ParsedMirroredRecord[]; mismatch?: MirrorMismatch } {
  const records: ParsedMirroredRecord[] = [];
  if (lines.length !== entries.length) {
    return { records, mismatch: { kind: 'count', expected: entries.length, served: lines.length } };
  }
  for (let i = 0; i < lines.length; i++) {
    const leafIndex = first + i;
    const line = lines[i]!;
    // A served line is hashed as the bytes it arrived as (the entry commits to bytes, not to a decoding of them).
    const hash = typeof line === 'string' ? canonicalTextHash(line) : sha256Hex(line);
    const entry = hexOf(entries[i]!);
    if (hash !== entry) return { records, mismatch: { kind: 'entry', leafIndex, entry, served: hash } };
    let text: string;
    if (typeof line === 'string') {
      text = line;
    } else {
      try {
        // Fatal: bytes that are not UTF-8 would decode to a text that no longer hashes to the entry.
        text = STRICT_UTF8.decode(line);
      } catch {
        return { records, mismatch: { kind: 'malformed', leafIndex, reason: 'not UTF-8' } };
      }
    }
    let r: RecordShape;
    try {
      r = JSON.parse(text) as RecordShape;
    } catch {
      return { records, mismatch: { kind: 'malformed', leafIndex, reason: 'not JSON' } };
    }
    if (
      r === null ||
      typeof r !== 'object' ||
      r.v !== 1 ||
      typeof r.id !== 'string' ||
      !UUID.test(r.id) ||
      typeof r.stream !== 'string' ||
      typeof r.type !== 'string' ||
      typeof r.prev !== 'string' ||
      !Number.isSafeInteger(r.revision) ||
      typeof r.meta?.province !== 'string' ||
      typeof r.meta.recordedAt !== 'string'
    ) {
      return { records, mismatch: { kind: 'malformed', leafIndex, reason: 'not a v1 record' } };
    }
    records.push({
      leafIndex,
      recordId: r.id,
      stream: r.stream,
      revision: r.revision as number,
      type: r.type,
      province: r.meta.province,
      recordedAt: r.meta.recordedAt,
      hash,
      plate: plateOf(r),
      text,
      prev: r.prev,
    });
  }
  return { records };
}

/**
 * The chain half of the check, over records in leaf order: each must be revision 0 with the genesis `prev`,
 * or follow its stream's head (earlier in `records`, else in `heads`) with that head's hash as `prev`.
 * Returns the new head of every stream the records name, or the first record out of chain. `heads` is read,
 * never changed.
 */
export function chainMirroredRecords(
  records: readonly ParsedMirroredRecord[],
  heads: ReadonlyMap<string, StreamHead>,
): { ok: true; heads: Map<string, StreamHead> } | { ok: false; mismatch: MirrorMismatch } {
  const local = new Map<string, StreamHead>();
  for (const r of records) {
    const head = local.get(r.stream) ?? heads.get(r.stream);
    const expectedRevision = head ? head.revision + 1 : 0;
    const expectedPrev = head ? head.hash : GENESIS_PREV;
    if (r.revision !== expectedRevision) {
      return {
        ok: false,
        mismatch: { kind: 'chain', leafIndex: r.leafIndex, stream: r.stream, reason: `revision ${r.revision}, expected ${expectedRevision}` },
      };
    }
    if (r.prev !== expectedPrev) {
      return { ok: false, mismatch: { kind: 'chain', leafIndex: r.leafIndex, stream: r.stream, reason: 'prev is not the previous record’s hash' } };
    }
    local.set(r.stream, { revision: r.revision, hash: r.hash });
  }
  return { ok: true, heads: local };
}

/**
 * Checks the served lines of leaves `first … first + entries.length − 1` against their authenticated entries
 * and the stream heads mirrored before them (`parseMirroredRecords`, then `chainMirroredRecords`); the
 * mismatch reported is the one at the lowest leaf. `heads` is read, never changed.
 */
export function checkMirroredRecords(
  first: number,
  entries: readonly Uint8Array[],
  lines: readonly (string | Uint8Array)[],
  heads: ReadonlyMap<string, StreamHead>,
): MirrorCheck {
  const parsed = parseMirroredRecords(first, entries, lines);
  if (parsed.mismatch?.kind === 'count') return { ok: false, mismatch: parsed.mismatch };
  const chain = chainMirroredRecords(parsed.records, heads);
  if (!chain.ok) return chain;
  if (parsed.mismatch) return { ok: false, mismatch: parsed.mismatch };
  return { ok: true, records: parsed.records.map(({ prev: _prev, ...record }) => record) };
}

/** One line for the fork alarm: what the province served that its signed tree contradicts. */
export function describeMirrorMismatch(m: MirrorMismatch): string {
  switch (m.kind) {
    case 'count':
      return `served ${m.served} records for ${m.expected} entries`;
    case 'entry':
      return `leaf ${m.leafIndex}: the served record hashes to ${m.served}, the signed tree's entry is ${m.entry}`;
    case 'malformed':
      return `leaf ${m.leafIndex}: ${m.reason}`;
    case 'chain':
      return `leaf ${m.leafIndex}: stream ${m.stream}: ${m.reason}`;
    default:
      return m satisfies never;
  }
}
