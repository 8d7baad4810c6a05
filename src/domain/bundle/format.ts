/**
 * The court bundle, format v1 (bundle.md, normative): entry names, JSON shapes and check codes. A change
 * here is a new format version, never an edit: courts must be able to verify old bundles forever.
 */
import type { CaseEventType } from '../case/events.ts';
import type { ORIGINAL_EVIDENCE_TYPES as ORIGINALS } from '../case/originals.ts';
import { SIGNOFF_PURPOSES as SIGNOFF_PURPOSE_BY_TYPE } from '../signoff/purposes.ts';

export const BUNDLE_FORMAT = 'vn-traffic-evidence-bundle/v1';

export const ENTRY = {
  manifest: 'manifest.json',
  manifestSig: 'manifest.sig',
  records: 'records.jsonl',
  checkpoint: 'checkpoint.txt',
  proofs: 'proofs.json',
  keys: 'keys.json',
  readme: 'README.txt',
} as const;

/** Entries whose digests `manifest.files` MUST list. */
export const HASHED_ENTRIES = [ENTRY.records, ENTRY.checkpoint, ENTRY.proofs, ENTRY.keys] as const;

export const EVIDENCE_PREFIX = 'evidence/';
export const EVIDENCE_ENTRY = /^evidence\/[0-9a-f]{64}$/;

/** The checks of bundle.md, in the order they run. */
export const CHECK_CODES = [
  'FILES',
  'RECORD_HASH',
  'CHAIN',
  'INCLUSION',
  'CHECKPOINT',
  'EVIDENCE',
  'DEVICE_SIGNATURE',
  'SIGNOFF_SIGNATURE',
  'RULES',
] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  caseId: string;
  exportedAt: string;
  exportedBy: { kind: string; id: string };
  origin: string;
  treeSize: number;
  /** Every stream included → number of its records included (all of them, from revision 0). */
  streams: Record<string, number>;
  evidence: { digest: string; mediaType: string; size: number }[];
  /** Entry name → "sha256:<hex>" of its bytes. */
  files: Record<string, string>;
}

export interface BundleRecordLine {
  leafIndex: number;
  /** Record hash, lowercase hex. */
  hash: string;
  record: unknown;
}

export interface BundleProofs {
  treeSize: number;
  /** Leaf index (decimal string) → inclusion proof, lowercase hex hashes, leaf-up (RFC 9162 order). */
  inclusion: Record<string, string[]>;
}

export interface BundleKeys {
  /** The log's verifier key (C2SP, type 0x01); its name is the origin. */
  log: string;
  /** Witness verifier keys (type 0x04) whose cosignatures the checkpoint carries. */
  witnesses: string[];
}

/** Record types whose `data.evidence` / `data.detection.evidence` are originals (bundle.md step 6; case/originals.ts). */
export { ORIGINAL_EVIDENCE_TYPES } from '../case/originals.ts';

/** Sign-off record types and the purpose their signed payload MUST carry; the purposes themselves (signoff/purposes.ts). */
export const SIGNOFF_PURPOSES: Readonly<Record<string, string>> = SIGNOFF_PURPOSE_BY_TYPE;

type SignedType = keyof typeof SIGNOFF_PURPOSE_BY_TYPE;
type OriginalsType = (typeof ORIGINALS)[number];
/**
 * A checklist, one entry per case event type, so a new type fails compilation here until someone has looked at
 * what a court's verifier checks of it. The values are not a second definition: the compiler requires each to
 * match the one definition (signed: a purpose in signoff/purposes.ts; originals: case/originals.ts), so making
 * a type signed or evidence-bearing is a change there, and a new signed type is a bundle format change.
 */
export const CASE_RECORD_RULES = {
  ViolationDetected: 'originals',
  PlateRecognized: 'plain',
  EvidenceDerived: 'plain',
  EvidenceAttached: 'originals',
  CaseFlagged: 'plain',
  ProcessingFailed: 'plain',
  ReviewConfirmed: 'signed',
  ReviewRejected: 'signed',
  OwnerIdentified: 'plain',
  OwnerNotFound: 'plain',
  NoticeIssued: 'plain',
  NoticeDelivered: 'plain',
  NoticeDeliveryFailed: 'plain',
  CaseTransferred: 'signed',
  ExplanationSubmitted: 'plain',
  DriverIdentified: 'plain',
  OwnerUnresponsive: 'plain',
  AgencyWarningSent: 'plain',
  ViolationRecordDrawn: 'signed',
  PenaltyDecided: 'signed',
  PenaltyPaid: 'plain',
  PaymentRecorded: 'plain',
  AppealFiled: 'plain',
  AppealResolved: 'signed',
  CaseClosed: 'plain',
  CaseExpired: 'plain',
  CaseVoided: 'signed',
} as const satisfies { [T in CaseEventType]: T extends SignedType ? 'signed' : T extends OriginalsType ? 'originals' : 'plain' };

export { DETECTION_PURPOSE, DETECTION_V2_PURPOSE } from '../signoff/purposes.ts';

/** Key events (integrity.md §4). */
export const DEVICE_KEY_REGISTERING = ['CameraRegistered', 'DeviceKeyRotated'] as const;
export const DEVICE_KEY_REVOKING = ['DeviceKeyRevoked'] as const;
export const OFFICER_KEY_REGISTERING = ['OfficerEnrolled', 'OfficerKeyRotated'] as const;
export const OFFICER_KEY_REVOKING = ['OfficerKeyRevoked'] as const;
