/**
 * The custody event (integrity.md §2, stream `custody-<caseId>`): one `EvidenceAccessed` record per access to
 * evidence or personal case data. Its schema is defined here once: the command that appends it
 * (src/commands/custody.ts) validates the access against `EvidenceAccessSchema`, and every reader of the
 * stored record (the custody projection) parses it with `EvidenceAccessedSchema`, the same rules plus the
 * time of access. The stricter of the two former rules is the one kept (purpose of 3–200 characters without
 * control characters): it is the rule the only writer has enforced since custody records were first written.
 */
import { z } from 'zod';
import { isLowercaseUuid } from './ids.ts';
import { DigestSchema, UtcTimestampSchema } from './signoff/primitives.ts';
import { SignedEdgeReceiptSchema } from './signoff/edge-receipt.ts';
import { SignedEdgeWithheldSchema } from './signoff/edge-withheld.ts';

export const CUSTODY_EVENT_TYPE = 'EvidenceAccessed';

/**
 * What was done: read in the UI, downloaded, exported in a court bundle, or personal data looked up; or
 * `relay`: an edge node (docs/edge.md) held the evidence and forwarded it here, under its signed receipt.
 */
export const ACCESS_KINDS = ['view', 'download', 'export', 'lookup', 'relay'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** Why: shown to auditors and courts verbatim, so no control characters. */
export const CustodyPurposeSchema = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

/** An access as the caller states it. */
export const EvidenceAccessSchema = z.strictObject({
  caseId: z.string().refine(isLowercaseUuid, 'must be a lowercase UUID'),
  /** The blob accessed; absent when the access is to case data (e.g. the owner's identity) rather than a blob. */
  digest: DigestSchema.optional(),
  access: z.enum(ACCESS_KINDS),
  purpose: CustodyPurposeSchema,
  /**
   * For `relay` only: the edge node's signed forwarding receipt (src/domain/signoff/edge-receipt.ts), verified
   * by the node under the edge's registered key before the record was appended.
   */
  receipt: SignedEdgeReceiptSchema.optional(),
  /**
   * For `relay` only: the originals the edge held back and what it derived from them
   * (src/domain/signoff/edge-withheld.ts, `edge-withheld/v1`), verified under the edge's key like the receipt.
   */
  withheld: SignedEdgeWithheldSchema.optional(),
});
export type EvidenceAccess = z.infer<typeof EvidenceAccessSchema>;

/** `EvidenceAccessed.data` as stored: the access and when it happened. */
export const EvidenceAccessedSchema = EvidenceAccessSchema.extend({ accessedAt: UtcTimestampSchema });
export type EvidenceAccessedData = z.infer<typeof EvidenceAccessedSchema>;
