/**
 * A local stand-in for the bank behind the payment gateway (the real one cannot exist here). It keeps the
 * orders announced to it and, to play the citizen's transfer, calls the node's callback route with the
 * confirmation signed exactly as the real gateway would (hmac.ts). With `autoPayAfterMs` it pays every order
 * that long after it was announced (the demo: the QR is shown, then the "bank" confirms); tests call `pay`.
 */
import { randomUUID } from 'node:crypto';
import type { PaymentConfirmation, PaymentGateway, PaymentOrder } from '../../ports/payments.ts';
import { signCallback, verifyCallback, SIGNATURE_HEADER } from './hmac.ts';

export interface StandInBankOptions {
  secret: Uint8Array;
  /** The node's callback URL, known once it listens. */
  callbackUrl: () => string | undefined;
  autoPayAfterMs?: number;
  now?: () => number;
}

export class StandInBank implements PaymentGateway {
  readonly name = 'stand-in-bank';
  readonly orders = new Map<string, PaymentOrder>();
  /** Callbacks sent and the node's HTTP status for each. */
  readonly callbacks: { paymentId: string; status: number }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: StandInBankOptions) {}

  async startPayment(order: PaymentOrder): Promise<void> {
    if (this.orders.has(order.paymentId)) return;
    this.orders.set(order.paymentId, { ...order });
    const delay = this.options.autoPayAfterMs;
    if (delay !== undefined) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.pay(order.paymentId).catch(() => undefined);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }

  /** Plays the transfer of an announced order: POSTs the signed confirmation; returns the node's status. */
  async pay(paymentId: string, overrides: Partial<PaymentConfirmation> = {}): Promise<number> {
    const order = this.orders.get(paymentId);
    const url = this.options.callbackUrl();
    if (!order || !url) return 0;
    const now = this.options.now?.() ?? Date.now();
    const body: PaymentConfirmation = {
      caseId: order.caseId,
      paymentId: order.paymentId,
      gatewayRef: `bank-${randomUUID()}`,
      amountVnd: order.amountVnd,
      paidAt: new Date(now).toISOString(),
      ...overrides,
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(this.options.secret, body, now) },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    this.callbacks.push({ paymentId, status: res.status });
    return res.status;
  }

  verifyCallback(body: unknown, signature: string | undefined, nowMs: number): PaymentConfirmation {
    return verifyCallback(this.options.secret, body, signature, nowMs);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
