/**
 * The national registry of provincial logs (docs/federation.md), one stream `provincial-logs` on the national
 * node (province "00"). The witness trusts, per origin, the verifier key in force here; a retired log is
 * never cosigned again. Changed by a national administrator only.
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import { ProvinceCodeSchema, TextSchema, UtcTimestampSchema } from '../signoff/primitives.ts';

/** A log origin (C2SP key name): no white space, no '+', at most 256 characters. */
export const LogOriginSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s+\p{Cc}]+$/u, 'must be a note key name (no spaces, no "+")');
/** `<origin>+<8 hex key id>+<base64(0x01 ‖ 32-byte Ed25519 key)>`; the decider checks the key id. */
export const LogVerifierKeySchema = z
  .string()
  .max(400)
  .regex(/^[^\s+\p{Cc}]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/u, 'must be a note verifier key');
/** Where the provincial log is published (`<baseUrl>/log/checkpoint`): http(s), no credentials. */
export const LogBaseUrlSchema = z
  .string()
  .max(500)
  .url()
  .regex(/^https?:\/\/[^/@\s]+(\/[^\s@]*)?$/, 'must be an http(s) URL without credentials');

export const ProvincialLogEventSchemas = {
  ProvincialLogRegistered: z.strictObject({
    province: ProvinceCodeSchema,
    origin: LogOriginSchema,
    verifierKey: LogVerifierKeySchema,
    baseUrl: LogBaseUrlSchema,
    registeredAt: UtcTimestampSchema,
  }),
  ProvincialLogKeyRotated: z.strictObject({
    province: ProvinceCodeSchema,
    origin: LogOriginSchema,
    verifierKey: LogVerifierKeySchema,
    rotatedAt: UtcTimestampSchema,
  }),
  /** The log is now published at another base URL (a province moved its node); the mirror follows it from then on. */
  ProvincialLogMoved: z.strictObject({
    province: ProvinceCodeSchema,
    origin: LogOriginSchema,
    baseUrl: LogBaseUrlSchema,
    previousBaseUrl: LogBaseUrlSchema,
    movedAt: UtcTimestampSchema,
  }),
  ProvincialLogRetired: z.strictObject({
    province: ProvinceCodeSchema,
    origin: LogOriginSchema,
    reason: TextSchema,
    retiredAt: UtcTimestampSchema,
  }),
} as const;

export type ProvincialLogEvent = EventsOf<typeof ProvincialLogEventSchemas>;
export type ProvincialLogEventType = ProvincialLogEvent['type'];
export const PROVINCIAL_LOG_EVENT_TYPES = Object.keys(ProvincialLogEventSchemas) as ProvincialLogEventType[];
export const parseProvincialLogEvent = eventParser('provincial log registry', ProvincialLogEventSchemas);
