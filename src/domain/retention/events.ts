/**
 * Retention events (stream `retention-<caseId>`, one per case): legal holds placed and lifted by an officer
 * or a court, and evidence destroyed under a policy. The case stream is never written by retention; a hold
 * is its own fact, and a destruction records the digest, the policy, its legal basis and the time.
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import { DigestSchema, IdentifierSchema, TextSchema, UtcTimestampSchema } from '../signoff/primitives.ts';
import { RETENTION_CATEGORIES } from './policies.ts';

export const HOLD_AUTHORITIES = ['officer', 'court'] as const;
export type HoldAuthority = (typeof HOLD_AUTHORITIES)[number];

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
  }),
  LegalHoldLifted: z.strictObject({
    caseId: IdentifierSchema,
    holdId: IdentifierSchema,
    reason: TextSchema,
    liftedAt: UtcTimestampSchema,
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
