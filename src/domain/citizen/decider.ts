/**
 * Citizen decider (stream `citizen-<caseId>`). Pure: the clock reading, the case's facts (read from the case
 * stream at decision time) and the ids come in through the command.
 *
 * - A complaint or appeal is filed by a `citizen` actor while the case is open and, once a penalty is decided,
 *   within 90 days of the decision; each gets a reference `KN-<case short id>-<nn>`.
 * - A payment is requested by a `citizen` actor once a penalty is decided and while nothing is paid; its amount
 *   is the fine plus the late surcharge on the day of the request (payment.ts).
 * - The payment itself is NOT recorded here: the bank's verified confirmation of a requested payment (checked
 *   by `confirmedPayment` below) records `PaymentRecorded` on the CASE, by the service actor `payment-gateway`
 *   (src/commands/citizen.ts). This stream keeps the request; a `PaymentRecorded` in it is older history, still
 *   folded but no longer written.
 * - Every citizen write carries the client's Idempotency-Key: the same key with the same request is a no-op
 *   (the route answers what the first produced); with another request it is refused.
 */
import type { Decider } from '../decider.ts';
import { caseShortId } from '../documents/build.ts';
import { vietnamDateOf } from '../catalog/dates.ts';
import { assertNever } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import { requireActorKind, requireKnownCommand, requireNow, requireSameProvince, requireText } from '../signoff/guards.ts';
import { DigestSchema, EvidenceRefSchema, IdentifierSchema } from '../signoff/primitives.ts';
import { CITIZEN_COMMAND_TYPES, type CitizenCommand } from './commands.ts';
import {
  AlreadyPaidError,
  CaseNotOpenToCitizenError,
  ComplaintPeriodEndedError,
  IdempotencyKeyReusedError,
  NothingToPayError,
  PaymentAmountMismatchError,
  PaymentNotRequestedError,
} from './errors.ts';
import { COMPLAINT_KINDS, IdempotencyKeySchema, MAX_ATTACHMENTS, type CitizenEvent } from './events.ts';
import { amountDue, complainBy } from './payment.ts';
import { paidPayment, type CitizenState, type RequestedPayment } from './state.ts';

/** The complaint reference printed on the receipt. */
export function complaintReference(caseId: string, ordinal: number): string {
  return `KN-${caseShortId(caseId)}-${String(ordinal).padStart(2, '0')}`;
}

function requireCase(command: CitizenCommand, state: CitizenState): void {
  if (!IdentifierSchema.safeParse(command.caseId).success) throw new InvalidCommandError('caseId is not an identifier', {});
  const facts = command.context?.case;
  if (!facts || facts.caseId !== command.caseId) throw new InvalidCommandError('the case facts describe another case', {});
  if (state.status === 'active' && state.caseId !== command.caseId)
    throw new InvalidCommandError('caseId does not match the stream', {});
  requireSameProvince(command, facts.province);
}

/** True when the key was used before for the same request; throws when for another. */
function repeated(state: CitizenState, key: string, requestDigest: string): boolean {
  if (!IdempotencyKeySchema.safeParse(key).success) throw new InvalidCommandError('idempotencyKey is malformed', { field: 'idempotencyKey' });
  if (!DigestSchema.safeParse(requestDigest).success) throw new InvalidCommandError('requestDigest is not a digest', {});
  const used = state.status === 'active' ? state.keys[key] : undefined;
  if (!used) return false;
  if (used.requestDigest !== requestDigest)
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used for another request', {});
  return true;
}

function decide(command: CitizenCommand, state: CitizenState): CitizenEvent[] {
  requireKnownCommand(command?.type, CITIZEN_COMMAND_TYPES);
  const now = requireNow(command);
  requireCase(command, state);
  const facts = command.context.case;
  switch (command.type) {
    case 'FileComplaint': {
      requireActorKind(command, ['citizen'], 'file a complaint');
      if (repeated(state, command.idempotencyKey, command.requestDigest)) return [];
      if (!IdentifierSchema.safeParse(command.complaintId).success) throw new InvalidCommandError('complaintId is not an identifier', {});
      if (!(COMPLAINT_KINDS as readonly unknown[]).includes(command.kind))
        throw new InvalidCommandError(`kind must be one of ${COMPLAINT_KINDS.join(', ')}`, { field: 'kind' });
      requireText(command.grounds, 'grounds');
      if (!Array.isArray(command.attachments) || command.attachments.length > MAX_ATTACHMENTS)
        throw new InvalidCommandError(`at most ${MAX_ATTACHMENTS} attachments`, { field: 'attachments' });
      for (const a of command.attachments)
        if (!EvidenceRefSchema.safeParse(a).success) throw new InvalidCommandError('an attachment is malformed', { field: 'attachments' });
      if (!facts.open) throw new CaseNotOpenToCitizenError('The case is not open to complaints', {});
      if (facts.decision) {
        const last = complainBy(facts.decision.decidedAt);
        if (vietnamDateOf(now) > last) throw new ComplaintPeriodEndedError('The period to complain has ended', { complainBy: last });
      }
      const ordinal = (state.status === 'active' ? state.complaints.length : 0) + 1;
      return [
        {
          type: 'ComplaintFiled',
          data: {
            caseId: command.caseId,
            complaintId: command.complaintId,
            reference: complaintReference(command.caseId, ordinal),
            kind: command.kind,
            grounds: command.grounds,
            attachments: command.attachments.map((a) => ({ ...a })),
            idempotencyKey: command.idempotencyKey,
            requestDigest: command.requestDigest,
            filedAt: now,
          },
        },
      ];
    }
    case 'RequestPayment': {
      requireActorKind(command, ['citizen'], 'request a payment');
      if (repeated(state, command.idempotencyKey, command.requestDigest)) return [];
      if (!IdentifierSchema.safeParse(command.paymentId).success) throw new InvalidCommandError('paymentId is not an identifier', {});
      requireText(command.reference, 'reference', 25);
      if (!facts.open) throw new CaseNotOpenToCitizenError('The case is not open to payment', {});
      if (!facts.decision) throw new NothingToPayError('No penalty has been decided', {});
      if (facts.paid || paidPayment(state)) throw new AlreadyPaidError('The fine has been paid', {});
      const due = amountDue(facts.decision.fineVnd, facts.decision.decidedAt, now);
      return [
        {
          type: 'PaymentRequested',
          data: {
            caseId: command.caseId,
            paymentId: command.paymentId,
            reference: command.reference,
            fineVnd: due.fineVnd,
            surchargeVnd: due.surchargeVnd,
            totalVnd: due.totalVnd,
            idempotencyKey: command.idempotencyKey,
            requestDigest: command.requestDigest,
            requestedAt: now,
          },
        },
      ];
    }
    default:
      return assertNever(command, 'citizen command');
  }
}

/**
 * The requested payment a bank confirmation names, checked before the case records it: it was requested on
 * this case's stream, for exactly the amount paid. Throws `PaymentNotRequestedError` or
 * `PaymentAmountMismatchError`.
 */
export function confirmedPayment(state: CitizenState, paymentId: string, amountVnd: number): RequestedPayment {
  const requested = state.status === 'active' ? state.payments.find((p) => p.paymentId === paymentId) : undefined;
  if (!requested) throw new PaymentNotRequestedError('No such payment was requested for this case', {});
  if (amountVnd !== requested.totalVnd)
    throw new PaymentAmountMismatchError('The amount paid is not the amount requested', { requestedVnd: requested.totalVnd, paidVnd: amountVnd });
  return requested;
}

function activeOf(state: CitizenState, caseId: string): Extract<CitizenState, { status: 'active' }> {
  return state.status === 'active' ? state : { status: 'active', caseId, complaints: [], payments: [], keys: {} };
}

function evolve(state: CitizenState, event: CitizenEvent): CitizenState {
  const s = activeOf(state, event.data.caseId);
  switch (event.type) {
    case 'ComplaintFiled': {
      const d = event.data;
      return {
        ...s,
        complaints: [...s.complaints, { complaintId: d.complaintId, reference: d.reference, kind: d.kind, filedAt: d.filedAt }],
        keys: { ...s.keys, [d.idempotencyKey]: { kind: 'complaint', id: d.complaintId, requestDigest: d.requestDigest } },
      };
    }
    case 'PaymentRequested': {
      const d = event.data;
      return {
        ...s,
        payments: [
          ...s.payments,
          { paymentId: d.paymentId, reference: d.reference, totalVnd: d.totalVnd, fineVnd: d.fineVnd, surchargeVnd: d.surchargeVnd, requestedAt: d.requestedAt },
        ],
        keys: { ...s.keys, [d.idempotencyKey]: { kind: 'payment', id: d.paymentId, requestDigest: d.requestDigest } },
      };
    }
    case 'PaymentRecorded': {
      const d = event.data;
      return {
        ...s,
        payments: s.payments.map((p) =>
          p.paymentId === d.paymentId ? { ...p, paid: { gatewayRef: d.gatewayRef, amountVnd: d.amountVnd, paidAt: d.paidAt } } : p,
        ),
      };
    }
    default:
      return assertNever(event, 'citizen event');
  }
}

export const citizenDecider: Decider<CitizenCommand, CitizenEvent, CitizenState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'empty' }),
};
