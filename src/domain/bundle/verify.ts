/**
 * The court-bundle verifier (bundle.md, normative). Pure: no I/O and no Node-only API. SHA-256 and Ed25519
 * come in through `IntegrityPrimitives`, so the in-browser verifier runs this same file with tweetnacl and a
 * JavaScript SHA-256; the server binds it to node:crypto in ./index.ts.
 *
 * Every check of bundle.md runs, in order, whatever failed before it, and every failure is reported with the
 * record ids or digests concerned. Hostile input (any bytes under any name) yields failures, never a throw.
 */
import { canonicalBytes, canonicalize } from '../integrity/canonical.ts';
import {
  parseCheckpointBody,
  verifyCosignatureWith,
  openCheckpointWith,
  type Checkpoint,
} from '../integrity/checkpoint-core.ts';
import { bytesEqual, fromBase64, fromLowerHex, fromUtf8, toHex } from '../integrity/encoding.ts';
import { createMerkle, isTreeSize } from '../integrity/merkle-core.ts';
import {
  parseNote,
  parseVerifierKeyWith,
  NOTE_KEY_TYPE_COSIGNATURE,
  NOTE_KEY_TYPE_ED25519,
  type VerifierKey,
} from '../integrity/note.ts';
import type { IntegrityPrimitives } from '../integrity/primitives.ts';
import { streams } from '../record.ts';
import { carriesOriginals, originalsListOf } from '../case/originals.ts';
import { AppError } from '../shared/errors.ts';
import {
  BUNDLE_FORMAT,
  CHECK_CODES,
  DETECTION_PURPOSE,
  DEVICE_KEY_REGISTERING,
  DEVICE_KEY_REVOKING,
  ENTRY,
  EVIDENCE_ENTRY,
  EVIDENCE_PREFIX,
  HASHED_ENTRIES,
  OFFICER_KEY_REGISTERING,
  OFFICER_KEY_REVOKING,
  SIGNOFF_PURPOSES,
  type CheckCode,
} from './format.ts';

export interface BundleFailure {
  message: string;
  recordIds?: string[];
  digests?: string[];
}

export interface BundleCheck {
  code: CheckCode;
  status: 'pass' | 'fail';
  failures: BundleFailure[];
}

export interface TimelineEntry {
  revision: number;
  leafIndex: number;
  id: string;
  type: string;
  recordedAt: string;
  actor: { kind: string; id: string };
}

export interface BundleReport {
  /** True only when every check passed. */
  valid: boolean;
  format?: string;
  caseId?: string;
  origin?: string;
  treeSize?: number;
  checkpointTime?: string;
  /** The log's verifier key as the bundle states it. */
  logKey?: string;
  /** "sha256:<hex>" of the log's raw public key; its first 16 hex are the key id. Compare it out of band. */
  logKeyFingerprint?: string;
  /** Whether the bundle's log key is the trusted one (undefined when no trusted key was given). */
  trustedKeyMatched?: boolean;
  witnesses: { name: string; keyId: string; timestamp?: number }[];
  counts: { records: number; streams: number; evidence: number };
  /**
   * Entries present in the archive that no digest covers (not listed in `manifest.files`, not an
   * `evidence/<hex>` entry, not the manifest or its signature): their content is NOT verified, whatever
   * they say. A `README.txt` of a bundle exported before the exporter listed it lands here without failing;
   * any other such entry also fails FILES.
   */
  unverifiedEntries: string[];
  checks: BundleCheck[];
  /** The case stream in order, for a person reading the report. */
  timeline?: TimelineEntry[];
}

export interface VerifyBundleOptions {
  /**
   * The log key the user trusts, obtained out of band: a verifier key (`name+id+base64`), or the
   * fingerprint (`sha256:<hex>` or 64 hex of SHA-256 of the raw public key). A bundle whose log key
   * differs fails CHECKPOINT.
   */
  trustedKey?: string;
}

/** A trusted key that is neither a verifier key nor a fingerprint. */
export class TrustedKeyError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'trusted-key-malformed';
}

type Json = Record<string, unknown>;

interface ParsedRecord {
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

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const HEX64 = /^[0-9a-f]{64}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses JSON without ever throwing; undefined for invalid UTF-8 or JSON. */
function parseJson(bytes: Uint8Array | undefined): unknown {
  if (!bytes) return undefined;
  const text = fromUtf8(bytes);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Interprets a trusted key: returns a matcher against the bundle's log key. Throws `TrustedKeyError`. */
export function parseTrustedKey(p: IntegrityPrimitives, trustedKey: string): (log: VerifierKey) => boolean {
  const fingerprint = /^(?:sha256:)?([0-9a-f]{64})$/.exec(trustedKey.trim().toLowerCase());
  if (fingerprint) return (log) => toHex(p.sha256(log.publicKey)) === fingerprint[1];
  try {
    const key = parseVerifierKeyWith(p, trustedKey.trim());
    return (log) => log.name === key.name && bytesEqual(log.publicKey, key.publicKey);
  } catch {
    throw new TrustedKeyError(
      'the trusted key is neither a verifier key (name+id+key) nor a sha256 fingerprint',
    );
  }
}

export function createBundleVerifier(p: IntegrityPrimitives) {
  const merkle = createMerkle(p.sha256);
  const sha256Hex = (bytes: Uint8Array): string => toHex(p.sha256(bytes));

  // A browser-supplied primitive might throw; a verifier must not.
  const safeVerify = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean => {
    try {
      return p.ed25519Verify(message, signature, publicKey) === true;
    } catch {
      return false;
    }
  };
  const sameCanonical = (a: unknown, b: unknown): boolean => {
    try {
      return canonicalize(a) === canonicalize(b);
    } catch {
      return false;
    }
  };

  return function verifyBundle(
    entries: Map<string, Uint8Array>,
    options: VerifyBundleOptions = {},
  ): BundleReport {
    const trustedMatcher =
      options.trustedKey !== undefined ? parseTrustedKey(p, options.trustedKey) : undefined;
    const checks = new Map<CheckCode, BundleFailure[]>(CHECK_CODES.map((c) => [c, []]));
    const progress: { code: CheckCode } = { code: 'FILES' };
    const fail = (
      code: CheckCode,
      message: string,
      extra: { recordIds?: string[]; digests?: string[] } = {},
    ): void => {
      checks.get(code)!.push({ message, ...extra });
    };
    const report: BundleReport = {
      valid: false,
      format: undefined,
      caseId: undefined,
      origin: undefined,
      treeSize: undefined,
      checkpointTime: undefined,
      logKey: undefined,
      logKeyFingerprint: undefined,
      trustedKeyMatched: undefined,
      witnesses: [],
      counts: { records: 0, streams: 0, evidence: 0 },
      unverifiedEntries: [],
      checks: [],
    };

    try {
      // ---- 1. FILES ---------------------------------------------------------------------------------------
      progress.code = 'FILES';
      const manifestBytes = entries.get(ENTRY.manifest);
      const manifestValue = parseJson(manifestBytes);
      const manifest = isObject(manifestValue) ? manifestValue : undefined;
      if (!manifestBytes) fail('FILES', 'manifest.json is missing');
      else if (!manifest) fail('FILES', 'manifest.json is not a JSON object');
      if (manifest) {
        report.format = isString(manifest.format) ? manifest.format : undefined;
        if (manifest.format !== BUNDLE_FORMAT)
          fail('FILES', `manifest format is ${JSON.stringify(manifest.format)}, expected ${BUNDLE_FORMAT}`);
        if (isString(manifest.caseId)) report.caseId = manifest.caseId;
        else fail('FILES', 'manifest.caseId is missing');
        if (isString(manifest.origin)) report.origin = manifest.origin;
        if (isTreeSize(manifest.treeSize)) report.treeSize = manifest.treeSize;
        else fail('FILES', 'manifest.treeSize is not a non-negative integer');
      }
      const files = manifest && isObject(manifest.files) ? manifest.files : {};
      if (manifest && !isObject(manifest.files)) fail('FILES', 'manifest.files is missing');
      for (const name of HASHED_ENTRIES) {
        if (manifest && !(name in files)) fail('FILES', `manifest.files does not list ${name}`);
      }
      for (const [name, digest] of Object.entries(files)) {
        const bytes = entries.get(name);
        if (!bytes)
          fail('FILES', `${name} is listed in the manifest but missing`, {
            digests: isString(digest) ? [digest] : undefined,
          });
        else if (!isString(digest) || !DIGEST.test(digest))
          fail('FILES', `manifest digest of ${name} is malformed`);
        else if (`sha256:${sha256Hex(bytes)}` !== digest)
          fail('FILES', `${name} does not match its manifest digest`, { digests: [digest] });
      }
      // Covered: the manifest (by manifest.sig), its signature, every entry manifest.files lists (by digest)
      // and evidence/<hex> (by its name). Anything else is not verified content, and is reported as such.
      const covered = new Set<string>([ENTRY.manifest, ENTRY.manifestSig, ...Object.keys(files)]);
      for (const name of entries.keys()) {
        if (covered.has(name) || EVIDENCE_ENTRY.test(name)) continue;
        report.unverifiedEntries.push(name);
        if (name !== ENTRY.readme) fail('FILES', `unexpected entry ${JSON.stringify(name)}`);
      }
      report.unverifiedEntries.sort();

      // keys.json: the log key signs the manifest (FILES) and the checkpoint (CHECKPOINT).
      const keysValue = parseJson(entries.get(ENTRY.keys));
      let logKey: VerifierKey | undefined;
      const witnessKeys: { text: string; key: VerifierKey }[] = [];
      if (!isObject(keysValue) || !isString(keysValue.log)) {
        fail('FILES', 'keys.json is missing or has no log key');
      } else {
        report.logKey = keysValue.log;
        try {
          logKey = parseVerifierKeyWith(p, keysValue.log);
          if (logKey.type !== NOTE_KEY_TYPE_ED25519) {
            fail('FILES', 'keys.json log key is not an Ed25519 (type 0x01) key');
            logKey = undefined;
          }
        } catch (e) {
          fail('FILES', `keys.json log key does not parse: ${(e as Error).message}`);
        }
        const ws = Array.isArray(keysValue.witnesses) ? keysValue.witnesses : [];
        if (keysValue.witnesses !== undefined && !Array.isArray(keysValue.witnesses))
          fail('FILES', 'keys.json witnesses is not a list');
        for (const w of ws) {
          try {
            const key = parseVerifierKeyWith(p, String(w));
            if (key.type !== NOTE_KEY_TYPE_COSIGNATURE)
              fail('CHECKPOINT', `witness key ${key.name} is not a cosignature (type 0x04) key`);
            else witnessKeys.push({ text: String(w), key });
          } catch (e) {
            fail('FILES', `a witness key does not parse: ${(e as Error).message}`);
          }
        }
      }
      if (logKey) report.logKeyFingerprint = `sha256:${sha256Hex(logKey.publicKey)}`;
      const sigText = entries.get(ENTRY.manifestSig);
      const sig = sigText ? fromBase64((fromUtf8(sigText) ?? '').trim(), 64) : undefined;
      if (!sigText) fail('FILES', 'manifest.sig is missing');
      else if (!sig) fail('FILES', 'manifest.sig is not base64 of a 64-byte signature');
      else if (manifestBytes && logKey && !safeVerify(manifestBytes, sig, logKey.publicKey)) {
        fail('FILES', 'manifest.sig does not verify under the log key');
      }

      // ---- 2. RECORD_HASH ---------------------------------------------------------------------------------
      progress.code = 'RECORD_HASH';
      const records: ParsedRecord[] = [];
      const recordsBytes = entries.get(ENTRY.records);
      const recordsText = recordsBytes ? fromUtf8(recordsBytes) : undefined;
      if (recordsBytes && recordsText === undefined) fail('RECORD_HASH', 'records.jsonl is not valid UTF-8');
      if (!recordsBytes) fail('RECORD_HASH', 'records.jsonl is missing');
      const lines = (recordsText ?? '').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const seenIds = new Set<string>();
      let lastLeaf = -1;
      lines.forEach((text, i) => {
        const lineNo = i + 1;
        let value: unknown;
        try {
          value = JSON.parse(text) as unknown;
        } catch {
          fail('RECORD_HASH', `records.jsonl line ${lineNo} is not JSON`);
          return;
        }
        const r = isObject(value) && isObject(value.record) ? value.record : undefined;
        const id = r && isString(r.id) ? r.id : undefined;
        const ids = id ? [id] : undefined;
        if (
          !isObject(value) ||
          !isTreeSize(value.leafIndex) ||
          !isString(value.hash) ||
          !HEX64.test(value.hash) ||
          !r
        ) {
          fail('RECORD_HASH', `records.jsonl line ${lineNo} is not {leafIndex, hash, record}`, {
            recordIds: ids,
          });
          return;
        }
        const meta = r.meta;
        const actor = isObject(meta) ? meta.actor : undefined;
        const shapeOk =
          r.v === 1 &&
          isString(id) &&
          isString(r.stream) &&
          isTreeSize(r.revision) &&
          isString(r.type) &&
          isObject(r.data) &&
          isObject(meta) &&
          isObject(actor) &&
          isString(actor.kind) &&
          isString(actor.id) &&
          isString(meta.recordedAt) &&
          isString(r.prev) &&
          HEX64.test(r.prev);
        if (!shapeOk) {
          fail('RECORD_HASH', `records.jsonl line ${lineNo} does not hold a v1 record`, { recordIds: ids });
          return;
        }
        let computed: string | undefined;
        try {
          computed = sha256Hex(canonicalBytes(r));
        } catch (e) {
          fail('RECORD_HASH', `record on line ${lineNo} cannot be canonicalized: ${(e as Error).message}`, {
            recordIds: ids,
          });
          return;
        }
        if (computed !== value.hash)
          fail('RECORD_HASH', `record hash mismatch: stated ${value.hash}, computed ${computed}`, {
            recordIds: ids,
          });
        if (seenIds.has(id)) fail('RECORD_HASH', 'record id appears twice', { recordIds: ids });
        seenIds.add(id);
        if (value.leafIndex <= lastLeaf)
          fail('RECORD_HASH', `records are not sorted by leaf index at line ${lineNo}`, { recordIds: ids });
        lastLeaf = Math.max(lastLeaf, value.leafIndex);
        records.push({
          line: lineNo,
          leafIndex: value.leafIndex,
          hash: value.hash,
          id,
          stream: r.stream as string,
          revision: r.revision as number,
          type: r.type as string,
          data: r.data as Json,
          actor: { kind: actor.kind as string, id: actor.id as string },
          recordedAt: meta.recordedAt as string,
          prev: r.prev as string,
          raw: r,
        });
      });
      report.counts.records = records.length;

      // ---- 3. CHAIN ---------------------------------------------------------------------------------------
      progress.code = 'CHAIN';
      const byStream = new Map<string, ParsedRecord[]>();
      for (const r of records) {
        const list = byStream.get(r.stream) ?? [];
        list.push(r);
        byStream.set(r.stream, list);
      }
      report.counts.streams = byStream.size;
      const declared = manifest && isObject(manifest.streams) ? manifest.streams : undefined;
      if (manifest && !declared) fail('CHAIN', 'manifest.streams is missing');
      for (const [stream, count] of Object.entries(declared ?? {})) {
        if (!byStream.has(stream))
          fail('CHAIN', `stream ${stream} is declared with ${String(count)} records but none are included`);
      }
      for (const [stream, list] of byStream) {
        const sorted = [...list].sort((a, b) => a.revision - b.revision);
        const expected = declared?.[stream];
        if (declared && expected === undefined)
          fail('CHAIN', `stream ${stream} is not declared in manifest.streams`, {
            recordIds: sorted.map((r) => r.id),
          });
        else if (declared && expected !== sorted.length) {
          fail(
            'CHAIN',
            `stream ${stream}: manifest declares ${String(expected)} records, the bundle holds ${sorted.length}`,
            {
              recordIds: sorted.map((r) => r.id),
            },
          );
        }
        sorted.forEach((r, i) => {
          if (r.revision !== i) {
            const gap =
              r.revision > i
                ? `revision ${i} is missing before revision ${r.revision}`
                : `revision ${r.revision} appears twice`;
            fail('CHAIN', `stream ${stream}: ${gap}`, { recordIds: [r.id] });
          }
          const previous = i > 0 ? sorted[i - 1] : undefined;
          const expectedPrev =
            r.revision === 0
              ? '0'.repeat(64)
              : previous && previous.revision === r.revision - 1
                ? previous.hash
                : undefined;
          if (expectedPrev !== undefined && r.prev !== expectedPrev) {
            fail(
              'CHAIN',
              `stream ${stream} revision ${r.revision}: prev does not equal the hash of revision ${r.revision - 1}`,
              { recordIds: [r.id] },
            );
          }
          if (previous && previous.leafIndex > r.leafIndex) {
            fail(
              'CHAIN',
              `stream ${stream} revision ${r.revision} was integrated before revision ${previous.revision}`,
              { recordIds: [r.id] },
            );
          }
        });
      }
      const caseStream = report.caseId ? streams.case(report.caseId) : undefined;
      if (caseStream && !byStream.has(caseStream))
        fail('CHAIN', `the case stream ${caseStream} is not included`);

      // ---- 4. INCLUSION -----------------------------------------------------------------------------------
      progress.code = 'INCLUSION';
      const checkpointBytes = entries.get(ENTRY.checkpoint);
      const checkpointText = checkpointBytes ? fromUtf8(checkpointBytes) : undefined;
      let checkpoint: Checkpoint | undefined;
      try {
        if (checkpointText === undefined) throw new Error('checkpoint.txt is missing or not UTF-8');
        checkpoint = parseCheckpointBody(parseNote(checkpointText).text);
        report.checkpointTime = checkpoint.time;
      } catch (e) {
        fail('INCLUSION', `cannot read the checkpoint: ${(e as Error).message}`);
      }
      const proofsValue = parseJson(entries.get(ENTRY.proofs));
      const proofs =
        isObject(proofsValue) && isTreeSize(proofsValue.treeSize) && isObject(proofsValue.inclusion)
          ? proofsValue
          : undefined;
      if (!proofs) fail('INCLUSION', 'proofs.json is missing or is not {treeSize, inclusion}');
      if (checkpoint && proofs) {
        if (proofs.treeSize !== checkpoint.size)
          fail(
            'INCLUSION',
            `proofs.json treeSize ${String(proofs.treeSize)} differs from the checkpoint size ${checkpoint.size}`,
          );
        if (report.treeSize !== undefined && report.treeSize !== checkpoint.size) {
          fail(
            'INCLUSION',
            `manifest treeSize ${report.treeSize} differs from the checkpoint size ${checkpoint.size}`,
          );
        }
        const inclusion = proofs.inclusion as Json;
        for (const r of records) {
          const path = inclusion[String(r.leafIndex)];
          const hashes = Array.isArray(path)
            ? path.map((h) => (isString(h) ? fromLowerHex(h, 32) : undefined))
            : undefined;
          if (!hashes || hashes.some((h) => h === undefined)) {
            fail('INCLUSION', `no well-formed inclusion proof for leaf ${r.leafIndex}`, {
              recordIds: [r.id],
            });
            continue;
          }
          const leaf = merkle.leafHash(fromLowerHex(r.hash, 32)!);
          if (
            !merkle.verifyInclusion(
              leaf,
              r.leafIndex,
              checkpoint.size,
              hashes as Uint8Array[],
              checkpoint.root,
            )
          ) {
            fail(
              'INCLUSION',
              `record at leaf ${r.leafIndex} is not proven in the tree of size ${checkpoint.size}`,
              { recordIds: [r.id] },
            );
          }
        }
      } else if (records.length > 0) {
        fail('INCLUSION', 'no record can be proven without a checkpoint and proofs', {
          recordIds: records.map((r) => r.id),
        });
      }

      // ---- 5. CHECKPOINT ----------------------------------------------------------------------------------
      progress.code = 'CHECKPOINT';
      if (!logKey) fail('CHECKPOINT', 'no usable log key in keys.json');
      if (checkpointText === undefined) fail('CHECKPOINT', 'checkpoint.txt is missing or not UTF-8');
      if (logKey && checkpointText !== undefined) {
        try {
          const opened = openCheckpointWith(p, checkpointText, [report.logKey!]);
          if (report.origin !== undefined && opened.checkpoint.origin !== report.origin) {
            fail(
              'CHECKPOINT',
              `checkpoint origin ${opened.checkpoint.origin} differs from the manifest origin ${report.origin}`,
            );
          }
        } catch (e) {
          fail('CHECKPOINT', `checkpoint signature: ${(e as Error).message}`);
        }
        for (const w of witnessKeys) {
          let lines: string[] = [];
          try {
            lines = parseNote(checkpointText)
              .signatures.filter((s) => s.name === w.key.name && s.keyId === w.key.keyId)
              .map((s) => s.line);
          } catch {
            lines = [];
          }
          const timestamps = lines
            .map((line) => {
              try {
                return verifyCosignatureWith(p, checkpointText, line, w.text);
              } catch {
                return undefined; // the checkpoint itself does not parse: already an INCLUSION and CHECKPOINT failure
              }
            })
            .filter((t) => t !== undefined);
          if (timestamps.length === 0)
            fail('CHECKPOINT', `no valid cosignature by witness ${w.key.name} (${w.key.keyId})`);
          else report.witnesses.push({ name: w.key.name, keyId: w.key.keyId, timestamp: timestamps[0] });
        }
      }
      if (trustedMatcher) {
        report.trustedKeyMatched = logKey !== undefined && trustedMatcher(logKey);
        if (!report.trustedKeyMatched)
          fail('CHECKPOINT', 'the bundle is signed by a log key other than the trusted key');
      }

      // ---- 6. EVIDENCE ------------------------------------------------------------------------------------
      progress.code = 'EVIDENCE';
      const evidenceFiles = new Map<string, Uint8Array>();
      for (const [name, bytes] of entries) {
        if (!name.startsWith(EVIDENCE_PREFIX)) continue;
        if (!EVIDENCE_ENTRY.test(name)) continue; // already a FILES failure
        const hex = name.slice(EVIDENCE_PREFIX.length);
        evidenceFiles.set(`sha256:${hex}`, bytes);
        if (sha256Hex(bytes) !== hex)
          fail('EVIDENCE', `${name} does not hash to its name`, { digests: [`sha256:${hex}`] });
      }
      report.counts.evidence = evidenceFiles.size;
      const originalsByRecord = new Map<ParsedRecord, { digest: string; size: unknown }[]>();
      for (const r of records) {
        if (!carriesOriginals(r.type)) continue;
        const list = originalsListOf(r);
        if (!Array.isArray(list)) {
          fail('EVIDENCE', `${r.type} holds no evidence list`, { recordIds: [r.id] });
          continue;
        }
        const refs: { digest: string; size: unknown }[] = [];
        for (const item of list) {
          if (!isObject(item) || !isString(item.digest) || !DIGEST.test(item.digest)) {
            fail('EVIDENCE', `${r.type} holds a malformed evidence reference`, { recordIds: [r.id] });
            continue;
          }
          refs.push({ digest: item.digest, size: item.size });
          const bytes = evidenceFiles.get(item.digest);
          if (!bytes)
            fail('EVIDENCE', 'original evidence is missing from the bundle', {
              recordIds: [r.id],
              digests: [item.digest],
            });
          else if (item.size !== bytes.length) {
            fail(
              'EVIDENCE',
              `original evidence is ${bytes.length} bytes, the record states ${String(item.size)}`,
              {
                recordIds: [r.id],
                digests: [item.digest],
              },
            );
          }
        }
        originalsByRecord.set(r, refs);
      }
      const manifestEvidence = manifest && Array.isArray(manifest.evidence) ? manifest.evidence : [];
      for (const item of manifestEvidence) {
        if (!isObject(item) || !isString(item.digest)) {
          fail('EVIDENCE', 'manifest.evidence holds a malformed entry');
          continue;
        }
        const bytes = evidenceFiles.get(item.digest);
        if (!bytes)
          fail('EVIDENCE', 'evidence listed in the manifest is missing', { digests: [item.digest] });
        else if (item.size !== bytes.length)
          fail('EVIDENCE', 'evidence size differs from the manifest', { digests: [item.digest] });
      }

      // ---- keys in force (integrity.md §4) ----------------------------------------------------------------
      interface KeyEvent {
        leafIndex: number;
        add?: { keyId: string; publicKey: Uint8Array };
        revokeKeyId?: string;
      }
      const keyEvents = (
        stream: string,
        registering: readonly string[],
        revoking: readonly string[],
      ): KeyEvent[] | undefined => {
        const list = byStream.get(stream);
        if (!list) return undefined;
        const events: KeyEvent[] = [];
        for (const r of list) {
          if (registering.includes(r.type)) {
            const publicKey = isString(r.data.publicKey) ? fromBase64(r.data.publicKey, 32) : undefined;
            if (publicKey)
              events.push({
                leafIndex: r.leafIndex,
                add: { keyId: sha256Hex(publicKey).slice(0, 16), publicKey },
              });
          } else if (revoking.includes(r.type) && isString(r.data.keyId)) {
            events.push({ leafIndex: r.leafIndex, revokeKeyId: r.data.keyId });
          }
        }
        return events;
      };
      /** Keys registered below `leafIndex` and not revoked below it; plus the ids revoked below it. */
      const keysInForce = (events: KeyEvent[], leafIndex: number) => {
        const inForce = new Map<string, Uint8Array>();
        const revoked = new Set<string>();
        for (const e of events) {
          if (e.leafIndex >= leafIndex) continue;
          if (e.add) inForce.set(e.add.keyId, e.add.publicKey);
          if (e.revokeKeyId) revoked.add(e.revokeKeyId);
        }
        for (const id of revoked) inForce.delete(id);
        return { inForce, revoked };
      };
      const checkSignature = (
        code: CheckCode,
        r: ParsedRecord,
        keyStream: string,
        events: KeyEvent[] | undefined,
        payload: unknown,
        what: string,
      ): void => {
        if (!events) {
          fail(code, `${what}: key stream ${keyStream} is not in the bundle`, { recordIds: [r.id] });
          return;
        }
        const signature = isString(r.data.signature) ? fromBase64(r.data.signature, 64) : undefined;
        if (!signature) {
          fail(code, `${what}: signature is missing or not base64 of 64 bytes`, { recordIds: [r.id] });
          return;
        }
        const { inForce, revoked } = keysInForce(events, r.leafIndex);
        const claimed = isString(r.data.keyId) ? r.data.keyId : undefined;
        let message: Uint8Array;
        try {
          message = canonicalBytes(payload);
        } catch {
          fail(code, `${what}: signed payload cannot be canonicalized`, { recordIds: [r.id] });
          return;
        }
        const candidates = claimed !== undefined ? [claimed] : [...inForce.keys()];
        for (const id of candidates) {
          const key = inForce.get(id);
          if (key && safeVerify(message, signature, key)) return;
        }
        if (claimed !== undefined && revoked.has(claimed)) {
          fail(code, `${what}: signed by key ${claimed}, revoked before this record`, { recordIds: [r.id] });
        } else if (claimed !== undefined && !inForce.has(claimed)) {
          fail(code, `${what}: key ${claimed} is not registered in ${keyStream} before this record`, {
            recordIds: [r.id],
          });
        } else {
          fail(code, `${what}: signature does not verify under the key in force`, { recordIds: [r.id] });
        }
      };

      // ---- 7. DEVICE_SIGNATURE ----------------------------------------------------------------------------
      progress.code = 'DEVICE_SIGNATURE';
      for (const r of records) {
        if (r.type !== 'ViolationDetected') continue;
        const detection = r.data.detection;
        if (
          !isObject(detection) ||
          detection.purpose !== DETECTION_PURPOSE ||
          !isString(detection.cameraId)
        ) {
          fail('DEVICE_SIGNATURE', `detection is missing or does not carry purpose ${DETECTION_PURPOSE}`, {
            recordIds: [r.id],
          });
          continue;
        }
        const stream = streams.camera(detection.cameraId);
        checkSignature(
          'DEVICE_SIGNATURE',
          r,
          stream,
          keyEvents(stream, DEVICE_KEY_REGISTERING, DEVICE_KEY_REVOKING),
          detection,
          'detection',
        );
      }

      // ---- 8. SIGNOFF_SIGNATURE ---------------------------------------------------------------------------
      progress.code = 'SIGNOFF_SIGNATURE';
      const caseRecords = caseStream
        ? [...(byStream.get(caseStream) ?? [])].sort((a, b) => a.revision - b.revision)
        : [];
      /** Sign-off records that failed any SIGNOFF_SIGNATURE check (RULES refuses an unsigned appeal resolution). */
      const badSignoffs = new Set<string>();
      const signoffFailures = () => checks.get('SIGNOFF_SIGNATURE')!.length;
      const checkSignoff = (r: ParsedRecord, purpose: string): void => {
        const signoff = r.data.signoff;
        if (!isObject(signoff)) {
          fail('SIGNOFF_SIGNATURE', `${r.type} holds no signed sign-off`, { recordIds: [r.id] });
          return;
        }
        if (signoff.purpose !== purpose) {
          fail(
            'SIGNOFF_SIGNATURE',
            `${r.type} sign-off has purpose ${JSON.stringify(signoff.purpose)}, expected ${purpose}`,
            { recordIds: [r.id] },
          );
        }
        const stream = streams.officer(r.actor.id);
        checkSignature(
          'SIGNOFF_SIGNATURE',
          r,
          stream,
          keyEvents(stream, OFFICER_KEY_REGISTERING, OFFICER_KEY_REVOKING),
          signoff,
          r.type,
        );
        if (report.caseId !== undefined && signoff.caseId !== report.caseId) {
          fail('SIGNOFF_SIGNATURE', `${r.type} signs case ${JSON.stringify(signoff.caseId)}, not this case`, {
            recordIds: [r.id],
          });
        }
        if (r.stream !== caseStream)
          fail('SIGNOFF_SIGNATURE', `${r.type} is recorded outside the case stream`, { recordIds: [r.id] });
        if (!isTreeSize(signoff.caseRevision) || signoff.caseRevision >= r.revision) {
          fail(
            'SIGNOFF_SIGNATURE',
            `${r.type} signs case revision ${String(signoff.caseRevision)}, not below its own revision ${r.revision}`,
            {
              recordIds: [r.id],
            },
          );
        }
        // The evidence the officer was shown: every original of the case recorded before the sign-off.
        const originals = new Set<string>();
        for (const c of caseRecords) {
          if (c.revision >= r.revision) break;
          for (const ref of originalsByRecord.get(c) ?? []) originals.add(ref.digest);
        }
        const expected = [...originals].sort();
        const signed = signoff.evidence;
        if (!Array.isArray(signed) || !sameCanonical(signed, expected)) {
          fail(
            'SIGNOFF_SIGNATURE',
            `${r.type} signs evidence that is not the sorted list of the case's original evidence`,
            {
              recordIds: [r.id],
              digests: expected,
            },
          );
        }
        // appeal/v1: what the record states about the resolution is what the officer signed.
        if (r.type === 'AppealResolved') {
          const differs = (['appealId', 'outcome', 'reason'] as const).filter((f) => r.data[f] !== signoff[f]);
          if (differs.length > 0)
            fail('SIGNOFF_SIGNATURE', `AppealResolved states ${differs.join(', ')} other than its sign-off`, {
              recordIds: [r.id],
            });
        }
      };
      for (const r of records) {
        const purpose = SIGNOFF_PURPOSES[r.type];
        if (purpose === undefined) continue;
        const failuresBefore = signoffFailures();
        checkSignoff(r, purpose);
        if (signoffFailures() > failuresBefore) badSignoffs.add(r.id);
      }

      // ---- 9. RULES ---------------------------------------------------------------------------------------
      progress.code = 'RULES';
      for (const r of records) {
        if ((r.type === 'ReviewConfirmed' || r.type === 'PenaltyDecided') && r.actor.kind !== 'officer') {
          const verb = r.type === 'ReviewConfirmed' ? 'confirms' : 'decides';
          fail('RULES', `a ${r.actor.kind} actor ${verb} (${r.type}); only an officer may`, {
            recordIds: [r.id],
          });
        }
      }
      for (const r of records) {
        if (r.type !== 'AppealResolved') continue;
        if (r.actor.kind !== 'officer' || !isObject(r.data.signoff) || badSignoffs.has(r.id)) {
          fail('RULES', 'AppealResolved alters a signed penalty without a valid appeal/v1 sign-off of an officer', {
            recordIds: [r.id],
          });
        }
      }
      for (const r of caseRecords) {
        if (r.type !== 'PenaltyDecided') continue;
        const reviewed = caseRecords.some(
          (c) => c.revision < r.revision && c.type === 'ReviewConfirmed' && c.actor.kind === 'officer',
        );
        if (!reviewed)
          fail('RULES', 'PenaltyDecided is not preceded by a ReviewConfirmed by an officer', {
            recordIds: [r.id],
          });
      }

      if (caseRecords.length > 0) {
        report.timeline = caseRecords.map((r) => ({
          revision: r.revision,
          leafIndex: r.leafIndex,
          id: r.id,
          type: r.type,
          recordedAt: r.recordedAt,
          actor: r.actor,
        }));
      }
    } catch (e) {
      // Last resort: every risky call above is guarded, so this is a bug; report it rather than throw.
      fail(
        progress.code,
        `internal error while checking ${progress.code}: ${(e as Error)?.message ?? String(e)}`,
      );
    }
    report.checks = CHECK_CODES.map((code) => {
      const failures = checks.get(code)!;
      return { code, status: failures.length === 0 ? ('pass' as const) : ('fail' as const), failures };
    });
    report.valid = report.checks.every((c) => c.status === 'pass');
    return report;
  };
}

export type VerifyBundle = ReturnType<typeof createBundleVerifier>;
