/**
 * The checks of `ledger verify` (integrity.md §8), one small function each, over what a
 * `LedgerStorageReader` yields. Each reports what it finds through `report` and never throws; the loop that
 * feeds them records and leaves side by side is `verifyLedgerStorage` in ./verify.ts.
 */
import { carriesOriginals, originalEvidenceOf } from '../../domain/case/originals.ts';
import { hash } from 'node:crypto';
import {
  bytesEqual,
  canonicalize,
  openCheckpoint,
  toBase64,
  verifyConsistency,
  type OpenedCheckpoint,
} from '../../domain/integrity/index.ts';
import { GENESIS_PREV } from '../../domain/record.ts';
import { describeDestroyed, destroyedEvidence, EVIDENCE_DESTROYED } from '../../domain/retention/destroyed.ts';
import type { DestroyedEvidence } from '../../domain/retention/state.ts';
import type { EvidenceStore } from '../../ports/evidence.ts';
import type { StoredCheckpointNote, StoredLeafHashes, StoredRecordText } from '../../ports/ledger-storage.ts';

export const DISCREPANCY_CODES = [
  'RECORD_HASH', // stored hash ≠ SHA-256 of the stored canonical text
  'RECORD_MALFORMED', // the stored text is not a JSON record of the expected shape
  'RECORD_NOT_CANONICAL', // the stored text is not its own RFC 8785 form (with `strictCanonical`)
  'RECORD_ID', // the record's id differs from the id the store indexes it by
  'CHAIN', // a revision out of sequence or a `prev` that is not the previous record's hash
  'LEAF_RECORD', // leaf i is not the i-th record of the feed
  'LEAF_HASH', // stored leaf hash ≠ SHA-256(0x00 ‖ record hash)
  'LEAF_WITHOUT_RECORD', // more leaves than records, or a gap in leaf indexes
  'NODE_HASH', // a stored subtree hash differs from the one rebuilt from the leaves
  'NODE_MISSING',
  'NODE_EXTRA',
  'LEDGER_STATE', // ledger_state's tree size is not the number of leaves
  'CHECKPOINT_SIGNATURE', // the note does not parse or does not verify under the trusted key
  'CHECKPOINT_FIELDS', // size/root lines differ from the stored columns
  'CHECKPOINT_ROOT', // the root differs from the root rebuilt from the leaves
  'CHECKPOINT_BEYOND_TREE', // a checkpoint covers more leaves than are stored
  'CHECKPOINT_CONSISTENCY', // no valid consistency proof from the previous checkpoint
  'CHECKPOINT_FORK', // two checkpoints signed under the trusted key that cannot both be true (integrity.md §6, §10)
  'EVIDENCE_DIGEST', // a blob whose bytes do not hash to its name
  'EVIDENCE_MISSING', // an original evidence item a record names is not stored
] as const;
export type DiscrepancyCode = (typeof DISCREPANCY_CODES)[number];

export interface Discrepancy {
  code: DiscrepancyCode;
  message: string;
  recordId?: string;
  stream?: string;
  leafIndex?: number;
  treeSize?: number;
  digest?: string;
}

export type Report = (d: Discrepancy) => void;

/** Byte equality without copying (native for Buffers and plain Uint8Arrays alike). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export interface RecordShape {
  v?: unknown;
  id?: unknown;
  stream?: unknown;
  revision?: unknown;
  type?: unknown;
  prev?: unknown;
  data?: unknown;
}

/** Each stream's head so far: the last revision seen and its stored hash. */
export type StreamHeads = Map<string, { revision: number; hash: string }>;
/** Original evidence the records name, by digest: the first record naming it. */
export type ReferencedEvidence = Map<string, { size: number | undefined; recordId: string }>;

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * RECORD_HASH: the stored hash is SHA-256 of the stored text. Returns the stored hash as bytes (what the
 * leaf must hold), undefined when it is not 64 hex.
 */
export function checkRecordHash(entry: StoredRecordText, report: Report): Buffer | undefined {
  const storedHash = HEX64.test(entry.hash) ? Buffer.from(entry.hash, 'hex') : undefined;
  if (!storedHash || hash('sha256', entry.canonical, 'hex') !== entry.hash) {
    report({ code: 'RECORD_HASH', recordId: entry.recordId, message: `record ${entry.recordId}: stored hash does not match the stored text` });
  }
  return storedHash;
}

/**
 * RECORD_MALFORMED, RECORD_NOT_CANONICAL, RECORD_ID: the stored text is a v1 record (its own RFC 8785 form
 * with `strictCanonical`) whose id is the one the store indexes it by. Returns the record's fields (parsed
 * fully when `full`), or undefined when it is not a v1 record.
 */
export function checkRecordText(
  entry: StoredRecordText,
  report: Report,
  strictCanonical: boolean,
): { record: RecordShape & { stream: string; revision: number }; full: boolean } | undefined {
  const id = entry.recordId;
  // The chain needs only the scalar fields at the end of the canonical text; reading them there spares a
  // full parse of every record (a fifth of the run). Anything unexpected falls back to JSON.parse.
  let record: RecordShape | undefined = strictCanonical ? undefined : scalarFields(entry.canonical);
  const full = record === undefined;
  if (!record) {
    try {
      record = JSON.parse(entry.canonical) as RecordShape;
    } catch {
      report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: stored text is not JSON` });
      return undefined;
    }
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: stored text is not a JSON object` });
    return undefined;
  }
  if (strictCanonical) {
    let canonical: string | undefined;
    try {
      canonical = canonicalize(record);
    } catch {
      canonical = undefined;
    }
    if (canonical !== entry.canonical) {
      report({ code: 'RECORD_NOT_CANONICAL', recordId: id, message: `record ${id}: stored text is not in RFC 8785 canonical form` });
    }
  }
  if (record.id !== id) {
    report({ code: 'RECORD_ID', recordId: id, message: `record stored as ${id} says its id is ${String(record.id)}` });
  }
  if (record.v !== 1 || typeof record.stream !== 'string' || !Number.isSafeInteger(record.revision) || typeof record.prev !== 'string') {
    report({ code: 'RECORD_MALFORMED', recordId: id, message: `record ${id}: not a v1 record (v, stream, revision, prev)` });
    return undefined;
  }
  return { record: record as RecordShape & { stream: string; revision: number }, full };
}

/** CHAIN: the stream's revisions run 0, 1, 2… and `prev` is the stored hash of the revision before. */
export function checkChain(
  entry: StoredRecordText,
  record: RecordShape & { stream: string; revision: number },
  streams: StreamHeads,
  report: Report,
): void {
  const id = entry.recordId;
  const { stream, revision } = record;
  const last = streams.get(stream);
  const expectedRevision = last ? last.revision + 1 : 0;
  const expectedPrev = last ? last.hash : GENESIS_PREV;
  if (revision !== expectedRevision) {
    report({ code: 'CHAIN', recordId: id, stream, message: `record ${id}: stream ${stream} revision ${revision}, expected ${expectedRevision}` });
  } else if (record.prev !== expectedPrev) {
    report({ code: 'CHAIN', recordId: id, stream, message: `record ${id}: prev is not the hash of ${stream} revision ${revision - 1}` });
  }
  streams.set(stream, { revision, hash: entry.hash });
}

/** Evidence destroyed under a retention policy (`EvidenceDestroyed` on `retention-*`), by digest. */
export type DestroyedEvidenceMap = Map<string, DestroyedEvidence & { recordId: string }>;

/**
 * A finding that is not a discrepancy: an original a record names is not stored because it was destroyed
 * under a retention policy, which a recorded `EvidenceDestroyed` says ("destroyed under policy X at T").
 */
export interface DestroyedFinding {
  digest: string;
  policy: string;
  at: string;
  /** The record naming the evidence, and the `EvidenceDestroyed` record. */
  recordId: string;
  destroyedBy: string;
  message: string;
}

/** Originals an edge node withheld from its relay (`edge-withheld/v1` in a custody `relay` record): digest → edge, since. */
export type WithheldEvidenceMap = Map<string, { edgeId: string; since: string; recordId: string }>;

/**
 * A finding that is not a discrepancy: an original a record names is not stored yet because the edge node
 * that relayed its detection still holds it back (docs/edge.md, "Originals later"), within the allowed age.
 */
export interface PendingAtEdgeFinding {
  digest: string;
  edgeId: string;
  since: string;
  recordId: string;
  message: string;
}

/** Notes the originals a custody `relay` record says its edge withheld (the first statement of a digest wins). */
export function noteWithheldEvidence(entry: StoredRecordText, record: RecordShape, withheld: WithheldEvidenceMap): void {
  if (record.type !== 'EvidenceAccessed' || typeof record.stream !== 'string' || !record.stream.startsWith('custody-')) return;
  if (!entry.canonical.includes('"edge-withheld/v1"')) return;
  let full: RecordShape;
  try {
    full = JSON.parse(entry.canonical) as RecordShape;
  } catch {
    return;
  }
  const data = full.data as { access?: unknown; withheld?: { withheld?: { edgeId?: unknown; receivedAt?: unknown; originals?: unknown } } } | undefined;
  const w = data?.access === 'relay' ? data.withheld?.withheld : undefined;
  if (!w || typeof w.edgeId !== 'string' || typeof w.receivedAt !== 'string' || !Array.isArray(w.originals)) return;
  for (const digest of w.originals)
    if (typeof digest === 'string' && !withheld.has(digest)) withheld.set(digest, { edgeId: w.edgeId, since: w.receivedAt, recordId: entry.recordId });
}

/** Notes an `EvidenceDestroyed` record of a retention stream (the first destruction of a digest wins). */
export function noteDestroyedEvidence(entry: StoredRecordText, record: RecordShape, destroyed: DestroyedEvidenceMap): void {
  if (record.type !== EVIDENCE_DESTROYED || typeof record.stream !== 'string' || !record.stream.startsWith('retention-')) return;
  let full: RecordShape;
  try {
    full = JSON.parse(entry.canonical) as RecordShape;
  } catch {
    return;
  }
  for (const [digest, info] of destroyedEvidence([{ type: EVIDENCE_DESTROYED, data: full.data, stream: record.stream }])) {
    if (!destroyed.has(digest)) destroyed.set(digest, { ...info, recordId: entry.recordId });
  }
}

/** Notes the original evidence a record names (EVIDENCE_MISSING is checked once the blobs are listed). */
export function noteOriginalEvidence(
  entry: StoredRecordText,
  record: RecordShape,
  parsedFully: boolean,
  referencedEvidence: ReferencedEvidence,
): void {
  if (carriesOriginals(record.type) && entry.canonical.includes('"sha256:')) {
    let full: RecordShape | undefined = record;
    if (!parsedFully) {
      try {
        full = JSON.parse(entry.canonical) as RecordShape;
      } catch {
        full = undefined;
      }
    }
    if (full) collectOriginalEvidence(full, entry.recordId, referencedEvidence);
  }
}

/** Checks one record; returns its stored hash as bytes (what the leaf must hold), or undefined if malformed. */
export function checkRecord(
  entry: StoredRecordText,
  streams: StreamHeads,
  referencedEvidence: ReferencedEvidence,
  report: Report,
  strictCanonical: boolean,
  destroyed?: DestroyedEvidenceMap,
  withheld?: WithheldEvidenceMap,
): Buffer | undefined {
  const storedHash = checkRecordHash(entry, report);
  const checked = checkRecordText(entry, report, strictCanonical);
  if (!checked) return storedHash;
  checkChain(entry, checked.record, streams, report);
  noteOriginalEvidence(entry, checked.record, checked.full, referencedEvidence);
  if (destroyed) noteDestroyedEvidence(entry, checked.record, destroyed);
  if (withheld) noteWithheldEvidence(entry, checked.record, withheld);
  return storedHash;
}

/**
 * LEAF_WITHOUT_RECORD, LEAF_RECORD, LEAF_HASH: leaf `index` is the `index`-th stored leaf, maps to the record
 * at that feed position (id and hash), and its stored leaf hash is the one rebuilt, SHA-256(0x00 ‖ record hash)
 * (`leafHashMatches`: the tree checks compare them, ./tree-checks.ts).
 */
export function checkLeaf(
  index: number,
  leaf: StoredLeafHashes,
  entry: StoredRecordText | undefined,
  storedHash: Uint8Array | undefined,
  leafHashMatches: boolean,
  report: Report,
): void {
  if (leaf.leafIndex !== index) {
    report({ code: 'LEAF_WITHOUT_RECORD', leafIndex: leaf.leafIndex, message: `leaf indexes jump from ${index - 1} to ${leaf.leafIndex}` });
  }
  if (!entry) {
    report({ code: 'LEAF_WITHOUT_RECORD', leafIndex: index, recordId: leaf.recordId, message: `leaf ${index} has no record at that feed position` });
  } else if (leaf.recordId !== entry.recordId || !storedHash || !same(storedHash, leaf.recordHash)) {
    report({
      code: 'LEAF_RECORD',
      leafIndex: index,
      recordId: entry.recordId,
      message: `leaf ${index} holds record ${leaf.recordId} (${Buffer.from(leaf.recordHash).toString('hex')}), feed position ${index} is record ${entry.recordId}`,
    });
  }
  if (!leafHashMatches) {
    report({ code: 'LEAF_HASH', leafIndex: index, recordId: leaf.recordId, message: `leaf ${index}: stored leaf hash is not SHA-256(0x00 ‖ record hash)` });
  }
}

/** NODE_MISSING, NODE_HASH: every rebuilt subtree hash is stored, and equal. Returns how many were compared. */
export function checkSubtrees(
  rebuilt: readonly { level: number; index: number; hash: Uint8Array }[],
  stored: Map<string, Uint8Array>,
  report: Report,
): number {
  for (const n of rebuilt) {
    const key = `${n.level}:${n.index}`;
    const s = stored.get(key);
    if (!s) {
      report({ code: 'NODE_MISSING', leafIndex: (n.index + 1) * 2 ** n.level - 1, message: `subtree hash (${key}) is not stored` });
    } else if (!same(s, n.hash)) {
      report({ code: 'NODE_HASH', leafIndex: (n.index + 1) * 2 ** n.level - 1, message: `stored subtree hash (${key}) differs from the leaves` });
    }
  }
  return rebuilt.length;
}

/** `checkSubtrees` over subtree hashes packed by the tree checks (./tree-checks.ts). */
export function checkPackedSubtrees(
  rebuilt: { count: number; levels: Uint8Array; indexes: Float64Array; hashes: Uint8Array },
  stored: Map<string, Uint8Array>,
  report: Report,
): number {
  const hashes = Buffer.from(rebuilt.hashes.buffer, rebuilt.hashes.byteOffset, rebuilt.hashes.byteLength);
  for (let i = 0; i < rebuilt.count; i++) {
    const level = rebuilt.levels[i]!;
    const index = rebuilt.indexes[i]!;
    const key = `${level}:${index}`;
    const s = stored.get(key);
    if (!s) {
      report({ code: 'NODE_MISSING', leafIndex: (index + 1) * 2 ** level - 1, message: `subtree hash (${key}) is not stored` });
    } else if (hashes.compare(s, 0, s.length, i * 32, i * 32 + 32) !== 0) {
      report({ code: 'NODE_HASH', leafIndex: (index + 1) * 2 ** level - 1, message: `stored subtree hash (${key}) differs from the leaves` });
    }
  }
  return rebuilt.count;
}

/**
 * CHECKPOINT_SIGNATURE, CHECKPOINT_FIELDS: the note verifies under a trusted key and its size and root
 * lines equal the columns beside it. Returns the opened note, undefined when it does not verify.
 */
export function openStoredCheckpoint(cp: StoredCheckpointNote, verifierKeys: string[], report: Report): OpenedCheckpoint | undefined {
  let opened: OpenedCheckpoint;
  try {
    opened = openCheckpoint(cp.note, verifierKeys);
  } catch (error) {
    report({ code: 'CHECKPOINT_SIGNATURE', treeSize: cp.treeSize, message: `checkpoint of size ${cp.treeSize}: ${(error as Error).message}` });
    return undefined;
  }
  if (opened.checkpoint.size !== cp.treeSize || !bytesEqual(opened.checkpoint.root, cp.root)) {
    report({
      code: 'CHECKPOINT_FIELDS',
      treeSize: cp.treeSize,
      message: `checkpoint of size ${cp.treeSize}: the signed note says size ${opened.checkpoint.size}, root ${toBase64(opened.checkpoint.root)}`,
    });
  }
  return opened;
}

/** CHECKPOINT_ROOT: the stored root is the root rebuilt from the leaves at its size. */
export function checkCheckpointRoot(cp: StoredCheckpointNote, rebuiltRoot: Uint8Array, report: Report): void {
  if (!bytesEqual(rebuiltRoot, cp.root)) {
    report({
      code: 'CHECKPOINT_ROOT',
      treeSize: cp.treeSize,
      message: `checkpoint of size ${cp.treeSize} has root ${toBase64(cp.root)}, the leaves give ${toBase64(rebuiltRoot)}`,
    });
  }
}

/** A checkpoint as the consistency and fork checks see it. */
export interface CheckpointView {
  size: number;
  /** The root it claims (the signed note's, else the stored column's). */
  root: Uint8Array;
  /** Whether it opened under a trusted key, for its own size. */
  signed: boolean;
  /** Whether the leaves give its claimed root. */
  matchesLeaves: boolean;
}

/**
 * CHECKPOINT_CONSISTENCY, CHECKPOINT_FORK: `next` is proven consistent with `prev` by an RFC 9162 proof
 * built from the stored subtree hashes (`proof`, which may throw: then there is no proof). Two checkpoints
 * both signed that provably cannot both be true (one size with two roots, or the later one agrees with the
 * leaves, which then fix every earlier root, while the earlier one does not) are a fork. A proof that fails
 * only because stored subtree hashes were damaged is not a fork: that stays CHECKPOINT_CONSISTENCY.
 */
export async function checkConsistency(
  prev: CheckpointView,
  next: CheckpointView,
  proof: (from: number, to: number) => Promise<Uint8Array[]>,
  report: Report,
): Promise<void> {
  let consistent = false;
  try {
    const path = prev.size === 0 || prev.size === next.size ? [] : await proof(prev.size, next.size);
    consistent = verifyConsistency(prev.size, next.size, prev.root, next.root, path);
  } catch {
    consistent = false;
  }
  const fork = !consistent && next.signed && prev.signed && (prev.size === next.size || (next.matchesLeaves && !prev.matchesLeaves));
  if (fork) {
    report({
      code: 'CHECKPOINT_FORK',
      treeSize: next.size,
      message:
        prev.size === next.size
          ? `fork: two signed checkpoints of size ${next.size} with different roots (${toBase64(prev.root)}, ${toBase64(next.root)})`
          : `fork: the signed checkpoint of size ${next.size} agrees with the leaves, the signed checkpoint of size ${prev.size} does not; they cannot both be true`,
    });
  } else if (!consistent) {
    report({
      code: 'CHECKPOINT_CONSISTENCY',
      treeSize: next.size,
      message: `checkpoint of size ${next.size} is not proven consistent with the checkpoint of size ${prev.size}`,
    });
  }
}

/** CHECKPOINT_BEYOND_TREE: a checkpoint covering more leaves than are stored. */
export function checkBeyondTree(cp: StoredCheckpointNote, leaves: number, report: Report): void {
  report({ code: 'CHECKPOINT_BEYOND_TREE', treeSize: cp.treeSize, message: `checkpoint of size ${cp.treeSize} covers more than the ${leaves} leaves stored` });
}

/** LEDGER_STATE: the state row's tree size is the number of leaves. */
export function checkLedgerState(stateSize: number | undefined, leaves: number, report: Report): void {
  if (stateSize !== leaves) {
    report({ code: 'LEDGER_STATE', treeSize: stateSize, message: `ledger_state says ${String(stateSize)} leaves, ${leaves} are stored` });
  }
}

/** NODE_EXTRA: no more subtree hashes than a tree of `leaves` leaves has. */
export function checkSubtreeCount(stored: number, leaves: number, report: Report): void {
  const expected = leaves - popcount(leaves);
  if (stored > expected) {
    report({ code: 'NODE_EXTRA', treeSize: leaves, message: `${stored} subtree hashes stored, a tree of ${leaves} leaves has ${expected}` });
  }
}

function popcount(n: number): number {
  let count = 0;
  while (n > 0) {
    count += n % 2;
    n = Math.floor(n / 2);
  }
  return count;
}

/**
 * EVIDENCE_DIGEST, EVIDENCE_MISSING: every blob hashes to its name; every original named is stored, or was
 * destroyed under a retention policy (then a `DestroyedFinding`, never a discrepancy: the records and their
 * hashes stay, only the blob went). Returns the blob count.
 */
export async function checkEvidence(
  evidence: EvidenceStore,
  referenced: ReferencedEvidence,
  report: Report,
  destroyed: DestroyedEvidenceMap = new Map(),
  found: DestroyedFinding[] = [],
  pendingAtEdge?: { withheld: WithheldEvidenceMap; maxAgeMs: number; now: number; found: PendingAtEdgeFinding[] },
): Promise<number> {
  let blobs = 0;
  const stored = new Set<string>();
  for await (const blob of evidence.list()) {
    blobs++;
    stored.add(blob.digest);
    const result = await evidence.verify(blob.digest);
    if (!result.ok) report({ code: 'EVIDENCE_DIGEST', digest: blob.digest, message: `blob ${blob.digest}: ${result.detail}` });
  }
  for (const [digest, ref] of referenced) {
    if (stored.has(digest)) continue;
    const gone = destroyed.get(digest);
    if (gone) {
      found.push({
        digest,
        policy: gone.policy,
        at: gone.at,
        recordId: ref.recordId,
        destroyedBy: gone.recordId,
        message: `record ${ref.recordId} names evidence ${digest}, ${describeDestroyed(gone)}`,
      });
      continue;
    }
    const held = pendingAtEdge?.withheld.get(digest);
    if (held) {
      const ageMs = pendingAtEdge!.now - Date.parse(held.since);
      const what = `pending at edge ${held.edgeId} since ${held.since}`;
      if (ageMs <= pendingAtEdge!.maxAgeMs) {
        pendingAtEdge!.found.push({ digest, edgeId: held.edgeId, since: held.since, recordId: ref.recordId, message: `record ${ref.recordId} names evidence ${digest}, ${what}` });
        continue;
      }
      report({
        code: 'EVIDENCE_MISSING',
        digest,
        recordId: ref.recordId,
        message: `record ${ref.recordId} names evidence ${digest}, which is not stored: ${what}, longer than the ${Math.round(pendingAtEdge!.maxAgeMs / 1000)} s allowed`,
      });
      continue;
    }
    {
      report({ code: 'EVIDENCE_MISSING', digest, recordId: ref.recordId, message: `record ${ref.recordId} names evidence ${digest}, which is not stored` });
    }
  }
  return blobs;
}

// The canonical text ends with the record's scalar members in key order (integrity.md §2, RFC 8785):
// …,"id":"<uuid>","meta":{…},"prev":"<hex>","revision":<n>,"stream":"…","type":"…","v":<n>}
// Quotes inside JSON strings are escaped, and nothing after the top-level `"prev":"` is an object, so its
// last occurrence is the top-level key; `meta` holds no nested `"meta"` key, so its last occurrence before
// `prev` is the top-level one, and `id` sits right before it.
const SCALAR_TAIL = /^"prev":"([^"\\]*)","revision":(0|[1-9][0-9]{0,15}),"stream":"([^"\\]*)","type":"([^"\\]*)","v":([0-9]{1,3})}$/;
const ID_BEFORE_META = /^,"id":"([0-9a-f-]{36})"$/;

/** The scalar members read from the end of a canonical record text, or undefined when it does not have that shape. */
export function scalarFields(text: string): RecordShape | undefined {
  const prevAt = text.lastIndexOf('"prev":"');
  if (prevAt < 0) return undefined;
  const tail = SCALAR_TAIL.exec(text.slice(prevAt));
  if (!tail) return undefined;
  const metaAt = text.lastIndexOf(',"meta":{', prevAt);
  if (metaAt < 44) return undefined;
  const idMatch = ID_BEFORE_META.exec(text.slice(metaAt - 44, metaAt));
  if (!idMatch) return undefined;
  return { v: Number(tail[5]), id: idMatch[1], prev: tail[1], revision: Number(tail[2]), stream: tail[3], type: tail[4] };
}

/** Originals as bundle.md defines them (src/domain/case/originals.ts). */
function collectOriginalEvidence(
  record: RecordShape,
  recordId: string,
  out: Map<string, { size: number | undefined; recordId: string }>,
): void {
  for (const item of originalEvidenceOf([record])) {
    if (!out.has(item.digest)) out.set(item.digest, { size: typeof item.size === 'number' ? item.size : undefined, recordId });
  }
}
