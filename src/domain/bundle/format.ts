/**
 * The court bundle, format v1 (bundle.md, normative): entry names, JSON shapes and check codes. A change
 * here is a new format version, never an edit: courts must be able to verify old bundles forever.
 */
import type { CaseEventType } from '../case/events.ts';

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

/**
 * Per case record type, what the verifier checks of it (bundle.md): `signoff`, the purpose its officer sign-off
 * MUST carry (`null`: it holds none); `originalEvidence`, whether its `data.evidence` /
 * `data.detection.evidence` are originals (bundle.md step 6). One entry per case event type, so a new type
 * fails compilation here until its rules are decided (a new signed type is a format change).
 */
const CASE_RECORD_RULES = {
  ViolationDetected: { signoff: null, originalEvidence: true },
  PlateRecognized: { signoff: null, originalEvidence: false },
  EvidenceDerived: { signoff: null, originalEvidence: false },
  EvidenceAttached: { signoff: null, originalEvidence: true },
  CaseFlagged: { signoff: null, originalEvidence: false },
  ProcessingFailed: { signoff: null, originalEvidence: false },
  ReviewConfirmed: { signoff: 'review/v1', originalEvidence: false },
  ReviewRejected: { signoff: 'review/v1', originalEvidence: false },
  OwnerIdentified: { signoff: null, originalEvidence: false },
  OwnerNotFound: { signoff: null, originalEvidence: false },
  NoticeIssued: { signoff: null, originalEvidence: false },
  NoticeDelivered: { signoff: null, originalEvidence: false },
  NoticeDeliveryFailed: { signoff: null, originalEvidence: false },
  PenaltyDecided: { signoff: 'decision/v1', originalEvidence: false },
  PenaltyPaid: { signoff: null, originalEvidence: false },
  AppealFiled: { signoff: null, originalEvidence: false },
  /** Added with integrity.md §4 "purposes added": resolving an appeal alters a signed penalty. */
  AppealResolved: { signoff: 'appeal/v1', originalEvidence: false },
  CaseClosed: { signoff: null, originalEvidence: false },
  CaseExpired: { signoff: null, originalEvidence: false },
  CaseVoided: { signoff: 'void/v1', originalEvidence: false },
} as const satisfies Record<CaseEventType, { signoff: string | null; originalEvidence: boolean }>;

const caseRecordRules = Object.entries(CASE_RECORD_RULES) as [CaseEventType, { signoff: string | null; originalEvidence: boolean }][];

/** Record types whose `data.evidence` / `data.detection.evidence` are originals (bundle.md step 6). */
export const ORIGINAL_EVIDENCE_TYPES: readonly CaseEventType[] = caseRecordRules
  .filter(([, rules]) => rules.originalEvidence)
  .map(([type]) => type);

/** Sign-off record types and the purpose their signed payload MUST carry. */
export const SIGNOFF_PURPOSES: Record<string, string> = Object.fromEntries(
  caseRecordRules.flatMap(([type, rules]) => (rules.signoff === null ? [] : [[type, rules.signoff]])),
);

export const DETECTION_PURPOSE = 'detection/v1';

/** Key events (integrity.md §4). */
export const DEVICE_KEY_REGISTERING = ['CameraRegistered', 'DeviceKeyRotated'] as const;
export const DEVICE_KEY_REVOKING = ['DeviceKeyRevoked'] as const;
export const OFFICER_KEY_REGISTERING = ['OfficerEnrolled', 'OfficerKeyRotated'] as const;
export const OFFICER_KEY_REVOKING = ['OfficerKeyRevoked'] as const;
