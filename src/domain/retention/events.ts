/**
 * Retention events (stream `retention-<caseId>`, one per case): legal holds placed and lifted by an officer
 * or a court, and evidence destroyed under a policy. The case stream is never written by retention; a hold
 * is its own fact, and a destruction records the digest, the policy, its legal basis and the time.
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import { HOLD_AUTHORITIES, HoldSignoffSchema } from '../signoff/payloads.ts';
import { DigestSchema, IdentifierSchema, TextSchema, UtcTimestampSchema } from '../signoff/primitives.ts';
import { RETENTION_CATEGORIES } from './policies.ts';

export { HOLD_AUTHORITIES, type HoldAuthority } from '../signoff/payloads.ts';

/**
 * How a hold was ordered: an enrolled officer's `hold/v1` sign-off (Ed25519 over JCS(signoff), verified at
 * decision time against the officer's key in force at `signedAt`), or a court's request made through the API
 * by an authenticated court principal, recorded with the court's reference (`order: court-request`; the
 * record's actor names the court). Records written before holds were signed carry neither (`order` absent).
 */
const SignedHoldOrder = z.strictObject({
  kind: z.literal('signed'),
  signoff: HoldSignoffSchema,
  signature: z.string().min(1).max(200),
  keyId: z.string().min(1).max(200),
});
const CourtRequestOrder = z.strictObject({ kind: z.literal('court-request') });
export const HoldOrderSchema = z.discriminatedUnion('kind', [SignedHoldOrder, CourtRequestOrder]);
export type HoldOrderRecord = z.infer<typeof HoldOrderSchema>;

/** A policy id: `<category>/<effectiveFrom>` or any identifier a deployment configures. */
export const PolicyIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}(\/\d{4}-\d{2}-\d{2})?$/, 'must be a policy id');

const LegalBasisSchema = z.strictObject({
  instrument: TextSchema,
  article: TextSchema.optional(),
  verified: z.boolean(),
  note: TextSchema.optional(),
});

export const RetentionEventSchemas = {
  LegalHoldPlaced: z.strictObject({
    caseId: IdentifierSchema,
    holdId: IdentifierSchema,
    authority: z.enum(HOLD_AUTHORITIES),
    /** The court's order or the officer's file reference. */
    reference: TextSchema,
    reason: TextSchema,
    placedAt: UtcTimestampSchema,
    order: HoldOrderSchema.optional(),
  }),
  LegalHoldLifted: z.strictObject({
    caseId: IdentifierSchema,
    holdId: IdentifierSchema,
    reason: TextSchema,
    liftedAt: UtcTimestampSchema,
    /** The authority and reference under which it was lifted (absent on records from before signed holds). */
    authority: z.enum(HOLD_AUTHORITIES).optional(),
    reference: TextSchema.optional(),
    order: HoldOrderSchema.optional(),
  }),
  EvidenceDestroyed: z.strictObject({
    caseId: IdentifierSchema,
    digest: DigestSchema,
    role: z.enum(['original', 'derived']),
    category: z.enum(RETENTION_CATEGORIES),
    policy: PolicyIdSchema,
    legalBasis: LegalBasisSchema,
    destroyedAt: UtcTimestampSchema,
  }),
} as const;

export type RetentionEvent = EventsOf<typeof RetentionEventSchemas>;
export type RetentionEventType = RetentionEvent['type'];
export const RETENTION_EVENT_TYPES = Object.keys(RetentionEventSchemas) as RetentionEventType[];
export const parseRetentionEvent = eventParser('retention', RetentionEventSchemas);
