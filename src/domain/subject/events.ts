/**
 * Data-subject requests (docs/data-protection.md, "The data subject"), stream `subject-<requestId>`: a vehicle
 * owner asks what is recorded about their vehicle (access), or asks for a correction or an erasure; each
 * request and its outcome is a record with its legal basis. The plate is never stored in these records: the
 * request names the cases it concerns (their own records hold the plate already).
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import { UuidSchema } from '../signoff/payloads.ts';
import { IdentifierSchema, TextSchema, UtcTimestampSchema } from '../signoff/primitives.ts';

export const SUBJECT_REQUEST_KINDS = ['access', 'correction', 'erasure'] as const;
export type SubjectRequestKind = (typeof SUBJECT_REQUEST_KINDS)[number];
/** Through the public lookup (plate + registration certificate), or through an officer who checked identity. */
export const SUBJECT_CHANNELS = ['public', 'officer'] as const;
export type SubjectChannel = (typeof SUBJECT_CHANNELS)[number];
export const SUBJECT_OUTCOMES = ['disclosed', 'corrected', 'erased', 'refused'] as const;
export type SubjectOutcome = (typeof SUBJECT_OUTCOMES)[number];

export const SubjectLegalBasisSchema = z.strictObject({
  instrument: TextSchema,
  article: TextSchema.optional(),
  /** False when the article was not checked against the published text (docs/data-protection.md lists them). */
  verified: z.boolean(),
});
export type SubjectLegalBasis = z.infer<typeof SubjectLegalBasisSchema>;

export const SubjectEventSchemas = {
  SubjectRequestReceived: z.strictObject({
    requestId: IdentifierSchema,
    kind: z.enum(SUBJECT_REQUEST_KINDS),
    channel: z.enum(SUBJECT_CHANNELS),
    /** The cases recorded against the vehicle when the request came (may be empty). */
    caseIds: z.array(UuidSchema).max(1000),
    /** What the owner asks to be corrected or erased, in their words (never shown in logs). */
    details: TextSchema.optional(),
    legalBasis: SubjectLegalBasisSchema,
    receivedAt: UtcTimestampSchema,
  }),
  SubjectRequestAnswered: z.strictObject({
    requestId: IdentifierSchema,
    outcome: z.enum(SUBJECT_OUTCOMES),
    reason: TextSchema,
    legalBasis: SubjectLegalBasisSchema,
    answeredAt: UtcTimestampSchema,
  }),
} as const;

export type SubjectEvent = EventsOf<typeof SubjectEventSchemas>;
export const SUBJECT_EVENT_TYPES = Object.keys(SubjectEventSchemas) as SubjectEvent['type'][];
export const parseSubjectEvent = eventParser('subject', SubjectEventSchemas);

/**
 * The legal basis of each kind of request. Verified against the text of Decree 13/2023/NĐ-CP Art. 9 (rights
 * of the data subject: cl. 3 access, to view, correct or ask for correction; cl. 5 erasure, "unless the law
 * provides otherwise"; cl. 7 being provided one's data). The Law on Personal Data Protection (in force
 * 2026-01-01) is cited as unverified: its article numbers were not checked.
 */
export const SUBJECT_LEGAL_BASIS: Record<SubjectRequestKind, SubjectLegalBasis> = {
  access: { instrument: 'Decree 13/2023/NĐ-CP', article: 'Art. 9 cl. 3 and cl. 7', verified: true },
  correction: { instrument: 'Decree 13/2023/NĐ-CP', article: 'Art. 9 cl. 3', verified: true },
  erasure: { instrument: 'Decree 13/2023/NĐ-CP', article: 'Art. 9 cl. 5', verified: true },
};

/**
 * Why an erasure of evidence of a case still open or sanctioned is refused: the law provides otherwise (the
 * exception Art. 9 cl. 5 itself makes); the sanction file is kept for its archive period (retention policies).
 */
export const ERASURE_REFUSAL_BASIS: SubjectLegalBasis = {
  instrument: 'Decree 13/2023/NĐ-CP; Law on Handling Administrative Violations (sanction files)',
  article: 'Art. 9 cl. 5 ("unless the law provides otherwise")',
  verified: false,
};
