/**
 * The HTTP contract between the node and an agency's warning endpoint (vehicle registration, vehicle
 * inspection, commune police), shared by the adapter (`http-agency-warnings.ts`) and the local stand-in server
 * (`src/adapters/stand-ins/agency-warning-server.ts`). No agency publishes such an API that could be read here;
 * this is the contract the node offers, documented in docs/legal-procedure.md ("Agency warnings over HTTP").
 *
 *   POST <endpoint of the agency kind>
 *   Content-Type: application/json
 *   Idempotency-Key: <warningId>
 *   Authorization: Bearer <token>                                  (when a token is configured)
 *   X-Agency-Signature: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>." + JCS(body))>   (when a secret is)
 *   body: exactly the fields of `AgencyWarningBodySchema` (no name, address or phone of anybody)
 *
 *   → 200/201/202 { receipt, duplicate? }   accepted (or accepted before under this key: same receipt)
 *   → 400, 401, 403, 404, 409, 413, 422     refused for good            → AgencyWarningRejectedError
 *   → 408, 429, 5xx, timeout, network       temporary                    → AgencyWarningUnavailableError (retry)
 *   → 2xx without a valid receipt           treated as temporary (the resend is deduplicated by the key)
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WARNED_AGENCIES } from '../../domain/case/events.ts';
import { canonicalize } from '../../domain/integrity/canonical.ts';
import { PLATE_COLOURS } from '../../domain/plates/colours.ts';
import { IdentifierSchema, UtcTimestampSchema } from '../../domain/signoff/primitives.ts';

export const AGENCY_SIGNATURE_HEADER = 'x-agency-signature';
/** A signature older or newer than this is refused by the receiver (a replay is harmless: the key dedups). */
export const AGENCY_SIGNATURE_TOLERANCE_S = 300;

/** The only fields a warning carries; a receiver refuses any other (strict). */
export const AgencyWarningBodySchema = z.strictObject({
  warningId: IdentifierSchema,
  caseId: IdentifierSchema,
  agency: z.enum(WARNED_AGENCIES),
  province: z.string().regex(/^\d{2}$/),
  plate: z.string().min(1).max(32),
  plateColour: z.enum(PLATE_COLOURS).optional(),
  vehicleClass: z.string().min(1).max(32),
  violationCode: z.string().min(1).max(64),
  observedAt: UtcTimestampSchema,
  ownerRef: z.string().min(1).max(128),
  noticeId: IdentifierSchema,
  periodEndsAt: UtcTimestampSchema,
});
export type AgencyWarningBody = z.infer<typeof AgencyWarningBodySchema>;

/** The documented field names, for specs that check nothing else leaves the node. */
export const AGENCY_WARNING_FIELDS: readonly string[] = Object.freeze(Object.keys(AgencyWarningBodySchema.shape));

export const AgencyReceiptSchema = z.object({ receipt: IdentifierSchema, duplicate: z.boolean().optional() });

function mac(secret: Uint8Array, t: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
}

/** The JSON body as sent: RFC 8785 canonical, so the signature covers exactly the bytes on the wire. */
export function encodeWarningBody(body: AgencyWarningBody): string {
  return canonicalize(body);
}

export function signWarning(secret: Uint8Array, rawBody: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, rawBody)}`;
}

/** Why a signature was refused, or null when it verifies; constant-time comparison. */
export function checkWarningSignature(secret: Uint8Array, rawBody: string, header: string | undefined, nowMs: number): 'missing' | 'stale' | 'mismatch' | null {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return 'missing';
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > AGENCY_SIGNATURE_TOLERANCE_S) return 'stale';
  const expected = Buffer.from(mac(secret, t, rawBody), 'hex');
  const given = Buffer.from(m[2]!, 'hex');
  return timingSafeEqual(expected, given) ? null : 'mismatch';
}
