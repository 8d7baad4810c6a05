/**
 * The payment gateway: the bank (or the national public-service payment platform) that takes the citizen's
 * transfer and confirms it by calling the node back. The confirmation is only believed when its signature
 * verifies (`verifyCallback`); the node then records the case's `PaymentRecorded` (docs/citizen-portal.md).
 */
import { AppError } from '../domain/shared/errors.ts';

export interface PaymentOrder {
  caseId: string;
  paymentId: string;
  amountVnd: number;
  /** The transfer message (the decision number, ASCII). */
  reference: string;
}

/** A bank's confirmation, after its signature verified. */
export interface PaymentConfirmation {
  caseId: string;
  paymentId: string;
  gatewayRef: string;
  amountVnd: number;
  paidAt: string;
}

export interface PaymentGateway {
  /** The gateway's name (older citizen-stream `PaymentRecorded.gateway`; the case record names channel `vietqr`). */
  readonly name: string;
  /** Announces an order to the bank (idempotent by paymentId); the confirmation arrives later by callback. */
  startPayment(order: PaymentOrder): Promise<void>;
  /**
   * Verifies a callback: `body` as parsed JSON, `signature` the `X-Gateway-Signature` header, `nowMs` the
   * node's clock. Throws PaymentCallbackInvalidError unless it is authentic, fresh and well-formed.
   */
  verifyCallback(body: unknown, signature: string | undefined, nowMs: number): PaymentConfirmation;
}

/** A callback whose signature does not verify, is too old, or whose body is malformed. */
export class PaymentCallbackInvalidError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'payment-callback-invalid';
}
