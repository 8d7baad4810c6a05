import type { ComplaintKind } from './events.ts';

export interface FiledComplaint {
  complaintId: string;
  reference: string;
  kind: ComplaintKind;
  filedAt: string;
}

export interface RequestedPayment {
  paymentId: string;
  reference: string;
  totalVnd: number;
  fineVnd: number;
  surchargeVnd: number;
  requestedAt: string;
  paid?: { gatewayRef: string; amountVnd: number; paidAt: string };
}

/** What a client key produced, so a repeat answers the same thing. */
export interface KeyUse {
  kind: 'complaint' | 'payment';
  id: string;
  requestDigest: string;
}

export interface CitizenFile {
  caseId: string;
  complaints: FiledComplaint[];
  payments: RequestedPayment[];
  keys: Readonly<Record<string, KeyUse>>;
}

/** The citizen stream of one case folded: nothing yet, or what was sent and paid. */
export type CitizenState = { status: 'empty' } | ({ status: 'active' } & CitizenFile);

export function paidPayment(state: CitizenState): RequestedPayment | undefined {
  return state.status === 'active' ? state.payments.find((p) => p.paid) : undefined;
}
