/**
 * Retention policies as dated configuration (docs/data-protection.md, "Retention"). A policy says how long
 * evidence blobs of one category are kept after the moment the category counts from, and on what legal basis.
 * Records (events, hashes, custody entries) are never destroyed by any policy: only blobs are.
 *
 * A policy applies from `effectiveFrom` on; for a given category and instant the newest policy in force is
 * used. A basis that could not be verified against the published text is marked `verified: false`: such a
 * period is a configurable default of this system, not a statement of what the law requires.
 */
export const RETENTION_CATEGORIES = [
  'rejected-detection', // originals and derived media of a detection an officer rejected, after the case ended
  'closed-case', // originals and derived media of any other ended case, after the archive period
  'derived-media', // derived media (thumbnails, crops, redacted copies) of an ended case
] as const;
export type RetentionCategory = (typeof RETENTION_CATEGORIES)[number];

export interface LegalBasisRef {
  /** The instrument, e.g. "Luật Lưu trữ số 33/2024/QH15". */
  instrument: string;
  /** The article and clause, when known. */
  article?: string;
  /** True only when the period was checked against the published text of the instrument. */
  verified: boolean;
  note?: string;
}

export interface RetentionPolicy {
  /** Stable id recorded in every `EvidenceDestroyed`, e.g. "closed-case/2025-07-01". */
  id: string;
  category: RetentionCategory;
  /** First UTC calendar day (YYYY-MM-DD) the policy is in force. */
  effectiveFrom: string;
  /** Days after the category's starting moment (the case's end) before the blobs may be destroyed. */
  retainDays: number;
  legalBasis: LegalBasisRef;
}

const UNVERIFIED_DEFAULT =
  'configurable default of this system, not enforced as law: the archive period for administrative ' +
  'sanction files could not be verified (docs/data-protection.md)';

/**
 * The default policies. Periods that could not be verified are labelled so (`verified: false`); a deployment
 * replaces them by configuration once the competent authority confirms the period.
 */
export const DEFAULT_RETENTION_POLICIES: readonly RetentionPolicy[] = [
  {
    id: 'rejected-detection/2025-07-01',
    category: 'rejected-detection',
    effectiveFrom: '2025-07-01',
    retainDays: 365,
    legalBasis: {
      instrument: 'Nghị định 13/2023/NĐ-CP (bảo vệ dữ liệu cá nhân)',
      article: 'Điều 3 khoản 6 (lưu trữ trong thời gian phù hợp với mục đích xử lý)',
      verified: false,
      note: UNVERIFIED_DEFAULT,
    },
  },
  {
    id: 'closed-case/2025-07-01',
    category: 'closed-case',
    effectiveFrom: '2025-07-01',
    retainDays: 10 * 365 + 3,
    legalBasis: {
      instrument: 'Luật Lưu trữ số 33/2024/QH15; Luật Xử lý vi phạm hành chính (hồ sơ xử phạt được lưu trữ)',
      verified: false,
      note: UNVERIFIED_DEFAULT,
    },
  },
  {
    id: 'derived-media/2025-07-01',
    category: 'derived-media',
    effectiveFrom: '2025-07-01',
    retainDays: 90,
    legalBasis: {
      instrument: 'Nghị định 13/2023/NĐ-CP (bảo vệ dữ liệu cá nhân)',
      article: 'Điều 3 (nguyên tắc hạn chế lưu trữ)',
      verified: false,
      note: UNVERIFIED_DEFAULT,
    },
  },
];

const DAY_MS = 86_400_000;

/** The policy of `category` in force at `at` (RFC 3339 UTC), or undefined when none is. */
export function policyInForce(
  policies: readonly RetentionPolicy[],
  category: RetentionCategory,
  at: string,
): RetentionPolicy | undefined {
  const day = at.slice(0, 10);
  let best: RetentionPolicy | undefined;
  for (const p of policies) {
    if (p.category !== category || p.effectiveFrom > day) continue;
    if (!best || p.effectiveFrom > best.effectiveFrom) best = p;
  }
  return best;
}

/** The instant (ms) from which a policy allows destruction of blobs whose category counts from `since`. */
export function dueAt(policy: RetentionPolicy, since: string): number {
  return Date.parse(since) + policy.retainDays * DAY_MS;
}
