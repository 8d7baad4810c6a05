/**
 * Citizen events (stream `citizen-<caseId>`, one per case): what the person holding a vehicle's papers did about
 * the case through the public portal. The bank's verified confirmation is recorded on the CASE (its
 * `PaymentRecorded`, by the service `payment-gateway`), not here; officers and auditors read this stream beside
 * the case (docs/citizen-portal.md).
 *
 * Actors: `citizen` for what the person sent (the actor id is a pseudonym of the plate, never a name).
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import {
  DigestSchema,
  EvidenceRefSchema,
  IdentifierSchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
} from '../signoff/primitives.ts';

export const COMPLAINT_KINDS = ['complaint', 'appeal'] as const;
export type ComplaintKind = (typeof COMPLAINT_KINDS)[number];

/** A client-supplied `Idempotency-Key`: 8–64 letters, digits, `-` or `_`. */
export const IdempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 letters, digits, - or _');

/** The person's attachments: at most 5, each a stored, media-checked blob. */
export const MAX_ATTACHMENTS = 5;

const AmountSchema = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

export const CitizenEventSchemas = {
  ComplaintFiled: z.strictObject({
    caseId: IdentifierSchema,
    complaintId: IdentifierSchema,
    /** The reference printed on the receipt, e.g. `KN-1A2B3C4D-01`. */
    reference: ShortTextSchema,
    kind: z.enum(COMPLAINT_KINDS),
    grounds: TextSchema,
    attachments: z.array(EvidenceRefSchema).max(MAX_ATTACHMENTS),
    idempotencyKey: IdempotencyKeySchema,
    /** SHA-256 of the request as sent (a repeat under the same key must be the same request). */
    requestDigest: DigestSchema,
    filedAt: UtcTimestampSchema,
  }),
  PaymentRequested: z.strictObject({
    caseId: IdentifierSchema,
    paymentId: IdentifierSchema,
    /** The transfer message (the decision number, ASCII). */
    reference: ShortTextSchema,
    fineVnd: AmountSchema,
    surchargeVnd: AmountSchema,
    totalVnd: AmountSchema,
    idempotencyKey: IdempotencyKeySchema,
    requestDigest: DigestSchema,
    requestedAt: UtcTimestampSchema,
  }),
  /** Older history: the bank's confirmation as first recorded here. No longer written (the case records it). */
  PaymentRecorded: z.strictObject({
    caseId: IdentifierSchema,
    paymentId: IdentifierSchema,
    gateway: ShortTextSchema,
    gatewayRef: IdentifierSchema,
    amountVnd: AmountSchema,
    fineVnd: AmountSchema,
    surchargeVnd: AmountSchema,
    paidAt: UtcTimestampSchema,
  }),
} as const;

export type CitizenEvent = EventsOf<typeof CitizenEventSchemas>;
export type CitizenEventType = CitizenEvent['type'];
export const CITIZEN_EVENT_TYPES = Object.keys(CitizenEventSchemas) as CitizenEventType[];
export const parseCitizenEvent = eventParser('citizen', CitizenEventSchemas);
