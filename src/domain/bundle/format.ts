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
/**
 * Addition to v1 (docs/integrity.md, "Bundle additions"): each issued document as `documents/<kind>-<n>.pdf`,
 * the n-th `DocumentIssued` of that kind in the case stream, and, when the exporter could rebuild it, the typed
 * input it was rendered from as `documents/<kind>-<n>.json` (so `tec verify --regenerate` can render it again
 * and compare); both listed in `manifest.files` (a v1 verifier's FILES check covers their bytes, and it
 * ignores what it does not know).
 */
export const DOCUMENTS_PREFIX = 'documents/';
export const DOCUMENT_ENTRY = /^documents\/(notice|record|decision|appeal)-([1-9][0-9]{0,3})\.(pdf|json)$/;

/**
 * Addition to v1 (docs/federation.md "Bundle addition: linked parts"): a case received from another node
 * carries the sending node's own v1 bundle of the case, every entry under `linked/<province>/` and listed in
 * `manifest.files` (so a v1 verifier checks its bytes by digest and ignores its meaning). `<province>` is the
 * sending province's two-digit code.
 */
export const LINKED_PREFIX = 'linked/';
export const LINKED_PART = /^linked\/([0-9]{2})\/(.+)$/;
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
  /** Addition: included documents match their `DocumentIssued` records (checks/documents.ts). */
  'DOCUMENTS',
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
  // Holds the sending node's transfer sign-off, checked in the linked part (bundle.md addition, docs/federation.md).
  CaseReceived: 'plain',
  ExplanationSubmitted: 'plain',
  DriverIdentified: 'plain',
  OwnerUnresponsive: 'plain',
  DocumentIssued: 'plain',
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
