/**
 * Facts derived once from the bundle's parts and shared by several checks: the manifest's summary, the
 * keys of keys.json, the parsed records grouped by stream, the checkpoint body, the evidence entries. A
 * fact never throws; what is wrong with a part is carried as a problem for the check that owns it.
 */
import { streams } from '../../record.ts';
import { parseCheckpointBody, type Checkpoint } from '../../integrity/checkpoint-core.ts';
import { parseNote, parseVerifierKeyWith, NOTE_KEY_TYPE_COSIGNATURE, NOTE_KEY_TYPE_ED25519, type VerifierKey } from '../../integrity/note.ts';
import { isTreeSize } from '../../integrity/merkle-core.ts';
import { EVIDENCE_ENTRY, EVIDENCE_PREFIX, type CheckCode } from '../format.ts';
import { isObject, isString, type BundleReader, type Json } from './parts.ts';
import type { CheckTools } from './tools.ts';

/** A record line that passed RECORD_HASH's shape checks (its hash may still be wrong). */
export interface ParsedRecord {
  line: number;
  leafIndex: number;
  hash: string;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: Json;
  actor: { kind: string; id: string };
  recordedAt: string;
  prev: string;
  raw: unknown;
}

/** What the manifest states about the bundle (each field only when well-formed). */
export interface ManifestSummary {
  format?: string;
  caseId?: string;
  origin?: string;
  treeSize?: number;
}

export function manifestSummary(reader: BundleReader): ManifestSummary {
  const m = reader.manifest;
  if (!m) return {};
  return {
    format: isString(m.format) ? m.format : undefined,
    caseId: isString(m.caseId) ? m.caseId : undefined,
    origin: isString(m.origin) ? m.origin : undefined,
    treeSize: isTreeSize(m.treeSize) ? m.treeSize : undefined,
  };
}

/** The case stream's name, when the manifest names a case. */
export const caseStreamOf = (caseId: string | undefined): string | undefined =>
  caseId ? streams.case(caseId) : undefined;

export interface KeyProblem {
  code: CheckCode;
  message: string;
}

/** keys.json read: the log key (signs manifest and checkpoint), the witnesses' cosignature keys. */
export interface BundleKeys {
  /** The log key's text as keys.json states it (even when it does not parse). */
  logKeyText?: string;
  /** The log key, when it parses and is an Ed25519 (type 0x01) key. */
  logKey?: VerifierKey;
  witnessKeys: { text: string; key: VerifierKey }[];
  /** What is wrong with keys.json, in reading order: FILES problems and CHECKPOINT problems. */
  problems: KeyProblem[];
}

export function readKeys(t: CheckTools, reader: BundleReader): BundleKeys {
  const keysValue = reader.keys;
  const out: BundleKeys = { witnessKeys: [], problems: [] };
  const problem = (code: CheckCode, message: string) => out.problems.push({ code, message });
  if (!isObject(keysValue) || !isString(keysValue.log)) {
    problem('FILES', 'keys.json is missing or has no log key');
    return out;
  }
  out.logKeyText = keysValue.log;
  try {
    const logKey = parseVerifierKeyWith(t.p, keysValue.log);
    if (logKey.type !== NOTE_KEY_TYPE_ED25519) problem('FILES', 'keys.json log key is not an Ed25519 (type 0x01) key');
    else out.logKey = logKey;
  } catch (e) {
    problem('FILES', `keys.json log key does not parse: ${(e as Error).message}`);
  }
  const ws = Array.isArray(keysValue.witnesses) ? keysValue.witnesses : [];
  if (keysValue.witnesses !== undefined && !Array.isArray(keysValue.witnesses))
    problem('FILES', 'keys.json witnesses is not a list');
  for (const w of ws) {
    try {
      const key = parseVerifierKeyWith(t.p, String(w));
      if (key.type !== NOTE_KEY_TYPE_COSIGNATURE)
        problem('CHECKPOINT', `witness key ${key.name} is not a cosignature (type 0x04) key`);
      else out.witnessKeys.push({ text: String(w), key });
    } catch (e) {
      problem('FILES', `a witness key does not parse: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The records of each stream, in leaf order (records.jsonl order). */
export function groupByStream(records: readonly ParsedRecord[]): Map<string, ParsedRecord[]> {
  const byStream = new Map<string, ParsedRecord[]>();
  for (const r of records) {
    const list = byStream.get(r.stream) ?? [];
    list.push(r);
    byStream.set(r.stream, list);
  }
  return byStream;
}

/** The case stream's records by revision (empty without a case stream). */
export function caseRecordsOf(byStream: Map<string, ParsedRecord[]>, caseStream: string | undefined): ParsedRecord[] {
  return caseStream ? [...(byStream.get(caseStream) ?? [])].sort((a, b) => a.revision - b.revision) : [];
}

/** checkpoint.txt's body, or why it cannot be read. */
export type CheckpointBody = { checkpoint: Checkpoint } | { error: string };

export function readCheckpointBody(reader: BundleReader): CheckpointBody {
  try {
    if (reader.checkpointText === undefined) throw new Error('checkpoint.txt is missing or not UTF-8');
    return { checkpoint: parseCheckpointBody(parseNote(reader.checkpointText).text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The `evidence/<hex>` entries, by the digest their name states. */
export interface EvidenceEntry {
  name: string;
  hex: string;
  bytes: Uint8Array;
}

export function evidenceEntries(reader: BundleReader): Map<string, EvidenceEntry> {
  const out = new Map<string, EvidenceEntry>();
  for (const [name, bytes] of reader.entries()) {
    if (!name.startsWith(EVIDENCE_PREFIX)) continue;
    if (!EVIDENCE_ENTRY.test(name)) continue; // a FILES failure
    const hex = name.slice(EVIDENCE_PREFIX.length);
    out.set(`sha256:${hex}`, { name, hex, bytes });
  }
  return out;
}
