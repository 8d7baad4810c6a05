/**
 * The court-bundle verifier (bundle.md, normative). Pure: no I/O and no Node-only API. SHA-256 and Ed25519
 * come in through `IntegrityPrimitives`, so the in-browser verifier runs this same file with tweetnacl and a
 * JavaScript SHA-256; the server binds it to node:crypto in ./index.ts.
 *
 * Every check of bundle.md runs, in order, whatever failed before it, and every failure is reported with the
 * record ids or digests concerned. Hostile input (any bytes under any name) yields failures, never a throw.
 */
import { bytesEqual, toHex } from '../integrity/encoding.ts';
import { parseVerifierKeyWith, type VerifierKey } from '../integrity/note.ts';
import type { IntegrityPrimitives } from '../integrity/primitives.ts';
import { AppError } from '../shared/errors.ts';
import { CHECK_CODES, type CheckCode } from './format.ts';
import { checkChain } from './checks/chain.ts';
import { checkCheckpoint } from './checks/checkpoint.ts';
import { checkDeviceSignatures } from './checks/device-signature.ts';
import { checkDocuments, type IncludedDocument } from './checks/documents.ts';
import { checkEvidence, destroyedOriginals, type DestroyedOriginal } from './checks/evidence.ts';
import {
  caseRecordsOf,
  caseStreamOf,
  evidenceEntries,
  groupByStream,
  manifestSummary,
  readCheckpointBody,
  readKeys,
} from './checks/facts.ts';
import { checkFiles } from './checks/files.ts';
import { checkInclusion } from './checks/inclusion.ts';
import { originalsByRecord } from './checks/originals.ts';
import { bundleReader } from './checks/parts.ts';
import { checkRecordHash } from './checks/record-hash.ts';
import { checkRules } from './checks/rules.ts';
import { checkSignoffSignatures } from './checks/signoff-signature.ts';
import { checkTools } from './checks/tools.ts';
import type { BundleFailure } from './checks/types.ts';

export type { BundleFailure } from './checks/types.ts';
export type { IncludedDocument } from './checks/documents.ts';

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
  /**
   * Originals not in the bundle because they were destroyed under a retention policy, as the bundle's own
   * `retention-<caseId>` records say: "destroyed under policy X at T". Not a failure, never "missing".
   */
  destroyed: DestroyedOriginal[];
  /** Issued documents the bundle includes, each matched to its `DocumentIssued` record (addition to v1). */
  documents: IncludedDocument[];
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
  const t = checkTools(p);

  return function verifyBundle(
    entries: Map<string, Uint8Array>,
    options: VerifyBundleOptions = {},
  ): BundleReport {
    const trustedMatcher =
      options.trustedKey !== undefined ? parseTrustedKey(p, options.trustedKey) : undefined;
    const checks = new Map<CheckCode, BundleFailure[]>(CHECK_CODES.map((c) => [c, []]));
    const progress: { code: CheckCode } = { code: 'FILES' };
    const add = (code: CheckCode, failures: BundleFailure[]): void => {
      checks.get(code)!.push(...failures);
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
      destroyed: [],
      documents: [],
    };

    try {
      // Each check re-derives what it needs from the reader and the facts before it, in bundle.md's order.
      progress.code = 'FILES';
      const reader = bundleReader(entries);
      const summary = manifestSummary(reader);
      Object.assign(report, summary);
      const keys = readKeys(t, reader);
      report.logKey = keys.logKeyText;
      if (keys.logKey) report.logKeyFingerprint = `sha256:${t.sha256Hex(keys.logKey.publicKey)}`;
      const files = checkFiles(t, reader, keys);
      add('FILES', files.failures);
      report.unverifiedEntries = files.unverifiedEntries;

      progress.code = 'RECORD_HASH';
      const { records, failures: recordFailures } = checkRecordHash(t, reader);
      add('RECORD_HASH', recordFailures);
      report.counts.records = records.length;

      progress.code = 'CHAIN';
      const byStream = groupByStream(records);
      report.counts.streams = byStream.size;
      const caseStream = caseStreamOf(summary.caseId);
      add('CHAIN', checkChain(reader, byStream, caseStream));

      progress.code = 'INCLUSION';
      const body = readCheckpointBody(reader);
      if ('checkpoint' in body) report.checkpointTime = body.checkpoint.time;
      add('INCLUSION', checkInclusion(t, reader, body, records, summary.treeSize));

      progress.code = 'CHECKPOINT';
      const checkpoint = checkCheckpoint(t, reader, keys, summary.origin, trustedMatcher);
      add('CHECKPOINT', checkpoint.failures);
      report.witnesses = checkpoint.witnesses;
      if (trustedMatcher) report.trustedKeyMatched = checkpoint.trustedKeyMatched;

      progress.code = 'EVIDENCE';
      const evidence = evidenceEntries(reader);
      report.counts.evidence = evidence.size;
      const originals = originalsByRecord(records);
      add('EVIDENCE', checkEvidence(t, reader, evidence, originals, destroyedOriginals(records, summary.caseId), report.destroyed));

      progress.code = 'DEVICE_SIGNATURE';
      add('DEVICE_SIGNATURE', checkDeviceSignatures(t, records, byStream));

      progress.code = 'SIGNOFF_SIGNATURE';
      const caseRecords = caseRecordsOf(byStream, caseStream);
      const signoffs = checkSignoffSignatures(t, {
        records,
        byStream,
        caseId: summary.caseId,
        caseStream,
        caseRecords,
        originals,
      });
      add('SIGNOFF_SIGNATURE', signoffs.failures);

      progress.code = 'RULES';
      add('RULES', checkRules(records, caseRecords, signoffs.badSignoffs));

      progress.code = 'DOCUMENTS';
      const documents = checkDocuments(t, reader, caseRecords, summary.caseId);
      add('DOCUMENTS', documents.failures);
      report.documents = documents.documents;

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
      // Last resort: every risky call in the checks is guarded, so this is a bug; report it rather than throw.
      add(progress.code, [
        { message: `internal error while checking ${progress.code}: ${(e as Error)?.message ?? String(e)}` },
      ]);
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
