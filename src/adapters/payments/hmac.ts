/**
 * Signed payment callbacks, HMAC-SHA256 with the secret shared with the bank (the usual scheme of Vietnamese
 * payment gateways, e.g. VNPAY's `vnp_SecureHash`, here over RFC 8785 canonical JSON):
 *
 *   X-Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + JCS(body))>
 *
 * A callback older or newer than 5 minutes is refused (replays of an old confirmation are harmless anyway:
 * `PaymentRecorded` is once per payment id). Comparison is constant-time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { canonicalize } from '../../domain/integrity/canonical.ts';
import { IdentifierSchema, UtcTimestampSchema } from '../../domain/signoff/primitives.ts';
import { PaymentCallbackInvalidError, type PaymentConfirmation } from '../../ports/payments.ts';

export const SIGNATURE_HEADER = 'x-gateway-signature';
const TOLERANCE_S = 300;

export const PaymentCallbackSchema = z.strictObject({
  caseId: IdentifierSchema,
  paymentId: IdentifierSchema,
  gatewayRef: IdentifierSchema,
  amountVnd: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  paidAt: UtcTimestampSchema,
});

function mac(secret: Uint8Array, t: number, body: unknown): string {
  return createHmac('sha256', secret).update(`${t}.${canonicalize(body)}`).digest('hex');
}

export function signCallback(secret: Uint8Array, body: PaymentConfirmation, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${mac(secret, t, body)}`;
}

export function verifyCallback(secret: Uint8Array, body: unknown, header: string | undefined, nowMs: number): PaymentConfirmation {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) throw new PaymentCallbackInvalidError('The callback is not signed');
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > TOLERANCE_S) throw new PaymentCallbackInvalidError('The callback signature is not fresh');
  const expected = Buffer.from(mac(secret, t, body), 'hex');
  const given = Buffer.from(m[2]!, 'hex');
  if (!timingSafeEqual(expected, given)) throw new PaymentCallbackInvalidError('The callback signature does not verify');
  const parsed = PaymentCallbackSchema.safeParse(body);
  if (!parsed.success) throw new PaymentCallbackInvalidError('The callback body is malformed');
  return parsed.data;
}
