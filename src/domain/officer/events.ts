/**
 * Officer events (stream `officer-<officerId>`). `OfficerEnrolled` and `OfficerKeyRotated` carry `publicKey`
 * and `keyId`; `OfficerKeyRevoked` carries `keyId` (integrity.md §4).
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import {
  IdentifierSchema,
  KeyIdSchema,
  ProvinceCodeSchema,
  PublicKeySchema,
  TextSchema,
  UtcTimestampSchema,
} from '../signoff/primitives.ts';

/** What an officer may do in this system; the legal fine authority comes from the title, not the roles. */
export const OFFICER_ROLES = [
  'reviewer',
  'decider',
  'supervisor',
  'auditor',
  'analyst',
  'administrator',
] as const;
export type OfficerRole = (typeof OFFICER_ROLES)[number];

/** A legal title of the catalog's authority table (the catalog decides which titles exist). */
export const OfficerTitleSchema = z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'must be an officer title');

export const OfficerEventSchemas = {
  OfficerEnrolled: z.strictObject({
    officerId: IdentifierSchema,
    /** Province code, or "00" for national staff (who may act anywhere). */
    province: ProvinceCodeSchema,
    title: OfficerTitleSchema,
    roles: z.array(z.enum(OFFICER_ROLES)).min(1).max(OFFICER_ROLES.length),
    publicKey: PublicKeySchema,
    keyId: KeyIdSchema,
    enrolledAt: UtcTimestampSchema,
  }),
  OfficerKeyRotated: z.strictObject({
    officerId: IdentifierSchema,
    publicKey: PublicKeySchema,
    keyId: KeyIdSchema,
    previousKeyId: KeyIdSchema.optional(),
    rotatedAt: UtcTimestampSchema,
  }),
  OfficerKeyRevoked: z.strictObject({
    officerId: IdentifierSchema,
    keyId: KeyIdSchema,
    reason: TextSchema,
    revokedAt: UtcTimestampSchema,
  }),
  OfficerSuspended: z.strictObject({
    officerId: IdentifierSchema,
    reason: TextSchema,
    suspendedAt: UtcTimestampSchema,
  }),
  OfficerReinstated: z.strictObject({ officerId: IdentifierSchema, reinstatedAt: UtcTimestampSchema }),
} as const;

export type OfficerEvent = EventsOf<typeof OfficerEventSchemas>;
export type OfficerEventType = OfficerEvent['type'];
export type OfficerEventData<T extends OfficerEventType> = Extract<OfficerEvent, { type: T }>['data'];
export const OFFICER_EVENT_TYPES = Object.keys(OfficerEventSchemas) as OfficerEventType[];
export const parseOfficerEvent = eventParser('officer', OfficerEventSchemas);
