/**
 * The citizen portal's application services (docs/citizen-portal.md): complaints and payment requests on the
 * `citizen-<caseId>` stream; the bank's payment confirmations on the case itself. The case's facts the rules need (open, the
 * decision and its fine) are read from the case stream itself at decision time.
 */
import { PAYMENT_GATEWAY_ACTOR } from '../domain/case/authorization.ts';
import { caseDecider, parseCaseEvent, type CaseState } from '../domain/case/index.ts';
import {
  citizenDecider,
  confirmedPayment,
  parseCitizenEvent,
  type CaseFactsForCitizen,
  type CitizenCommand,
  type CitizenEvent,
  type CitizenState,
  parseReportEvent,
  reportDecider,
  type ReportCommand,
  type ReportEvent,
  type ReportQueueState,
} from '../domain/citizen/index.ts';
import { streams } from '../domain/record.ts';
import type { EventStore } from '../ports/eventstore.ts';
import { commandExecutor, commandServices } from './aggregate.ts';
import { fileAppeal, identifyDriver, recordPayment, submitExplanation, type CaseOutcome } from './cases.ts';
import type { Caller } from './outcome.ts';
import type { Offender } from '../domain/signoff/payloads.ts';
import type { StoredRecord } from '../ports/eventstore.ts';
import type { CommandDeps } from './deps.ts';
import { loadStream } from './handler.ts';
import type { CommandOptions } from './outcome.ts';

export const executeCitizenCommand = commandExecutor<CitizenCommand, CitizenEvent, CitizenState>({
  stream: (command) => streams.citizen(command.caseId),
  decider: citizenDecider,
  parseEvent: parseCitizenEvent,
  // Every rule is re-checked on the newest history (keys, payments): deciding again is right.
  retrySafe: () => true,
});

const service = commandServices<CitizenCommand, CitizenState>(executeCitizenCommand);
export const fileComplaint = service('FileComplaint');
export const requestPayment = service('RequestPayment');

/** What the bank's callback confirmed, once its signature verified. */
export interface GatewayConfirmation {
  caseId: string;
  paymentId: string;
  gatewayRef: string;
  amountVnd: number;
}

/**
 * Records a payment the bank confirmed: the requested payment it names is checked on the citizen stream
 * (`confirmedPayment`: requested for this case, for exactly this amount), then `PaymentRecorded` is recorded ON
 * THE CASE by the service actor `payment-gateway`, channel `vietqr`, `paymentRef` = the citizen's payment id,
 * `gatewayRef` = the bank's reference. The case decider computes the surcharge and refuses any other amount; a
 * replayed callback (same payment id and amount) records nothing.
 */
export async function recordGatewayPayment(
  deps: CommandDeps,
  province: string,
  confirmation: GatewayConfirmation,
  options: CommandOptions = {},
): Promise<CaseOutcome> {
  confirmedPayment(await loadCitizenState(deps.store, confirmation.caseId), confirmation.paymentId, confirmation.amountVnd);
  return recordPayment(
    deps,
    { actor: { ...PAYMENT_GATEWAY_ACTOR }, province },
    {
      caseId: confirmation.caseId,
      paymentRef: confirmation.paymentId,
      gatewayRef: confirmation.gatewayRef,
      amountVnd: confirmation.amountVnd,
      channel: 'vietqr',
    },
    options,
  );
}

const NOT_OPEN: ReadonlySet<CaseState['status']> = new Set(['none', 'detected', 'rejected', 'closed', 'expired', 'voided']);

/** The case facts the citizen rules need, from the folded case. */
export function caseFactsForCitizen(state: CaseState): CaseFactsForCitizen | undefined {
  if (state.status === 'none') return undefined;
  return {
    caseId: state.caseId,
    province: state.province,
    open: !NOT_OPEN.has(state.status),
    paid: state.paidVnd !== undefined,
    ...(state.decision ? { decision: { decidedAt: state.decision.signedAt, fineVnd: state.decision.fineVnd } } : {}),
  };
}

export async function loadCaseState(store: EventStore, caseId: string): Promise<CaseState> {
  return (await loadStream(store, streams.case(caseId), caseDecider, parseCaseEvent)).state;
}

export async function loadCitizenState(store: EventStore, caseId: string): Promise<CitizenState> {
  return (await loadStream(store, streams.citizen(caseId), citizenDecider, parseCitizenEvent)).state;
}

export const executeReportCommand = commandExecutor<ReportCommand, ReportEvent, ReportQueueState>({
  stream: (command) => streams.report(command.province),
  decider: reportDecider,
  parseEvent: parseReportEvent,
  // Reports of a province share one stream: a concurrent append is decided again on the newer queue.
  retrySafe: () => true,
});

const reportService = commandServices<ReportCommand, ReportQueueState>(executeReportCommand);
export const submitReport = reportService('SubmitReport');
export const reviewReport = reportService('ReviewReport');

export async function loadReportQueue(store: EventStore, province: string): Promise<ReportQueueState> {
  return (await loadStream(store, streams.report(province), reportDecider, parseReportEvent)).state;
}

/**
 * The holder's answer to a notice, sent through the portal (docs/citizen-portal.md, "Responding to a notice"):
 * the driver first (an organisation must name one before explaining), then the explanation, each on the CASE
 * with the caller's `citizen` actor (the case decider's citizen rules apply: holder, channel online, within the
 * notice's period). Each command is idempotent on its own (the same explanation id and text, the same driver),
 * so a retry records nothing more. Answers the case records that carry the answer (new or from the first try).
 */
export async function answerNotice(
  deps: CommandDeps,
  caller: Caller,
  answer: {
    caseId: string;
    /** `eventId`: the record's id, derived from the client's Idempotency-Key, so a retry appends nothing. */
    explanation?: { explanationId: string; statement: string; eventId: string };
    driver?: { driver: Offender; licenceRef: string; eventId: string };
  },
  options: CommandOptions = {},
): Promise<{ records: StoredRecord[]; appended: number }> {
  let appended = 0;
  if (answer.driver) {
    const { eventId, ...driver } = answer.driver;
    appended += (await identifyDriver(deps, caller, { caseId: answer.caseId, ...driver }, { ...options, eventIds: [eventId] })).events.length;
  }
  if (answer.explanation) {
    const { eventId, ...explanation } = answer.explanation;
    const outcome = await submitExplanation(deps, caller, { caseId: answer.caseId, ...explanation, channel: 'online' }, { ...options, eventIds: [eventId] });
    appended += outcome.events.length;
  }
  const ids = new Set([answer.driver?.eventId, answer.explanation?.eventId].filter((id): id is string => id !== undefined));
  const records = (await deps.store.readStream(streams.case(answer.caseId))).filter((s) => ids.has(s.record.id));
  return { records, appended };
}

/**
 * What an earlier answer under the same Idempotency-Key recorded (by the record ids derived from the key), or
 * undefined when the key is new: the route answers a repeat of the same request with the same receipt and a
 * different request under the key with 409.
 */
export async function earlierAnswer(
  store: CommandDeps['store'],
  caseId: string,
  ids: { explanation: string; driver: string },
): Promise<{ records: StoredRecord[]; statement?: string; driver?: { registryRef: string; licenceRef: string } } | undefined> {
  const records = (await store.readStream(streams.case(caseId))).filter((s) => s.record.id === ids.explanation || s.record.id === ids.driver);
  if (records.length === 0) return undefined;
  const explanation = records.find((s) => s.record.id === ids.explanation)?.record.data as { statement?: string } | undefined;
  const driver = records.find((s) => s.record.id === ids.driver)?.record.data as { driver?: { ref?: string }; licenceRef?: string } | undefined;
  return {
    records,
    ...(explanation?.statement !== undefined ? { statement: explanation.statement } : {}),
    ...(driver?.driver?.ref !== undefined && driver.licenceRef !== undefined ? { driver: { registryRef: driver.driver.ref, licenceRef: driver.licenceRef } } : {}),
  };
}

/**
 * A complaint or appeal against a decision also records `AppealFiled` on the case (so the officers' appeal flow
 * sees it), with the complaint's reference as the appeal id and the complaint's grounds; a retry is a no-op.
 * Skipped (undefined) when the case has no decision, or another appeal is open (that one is being handled).
 */
export async function appealFromComplaint(
  deps: CommandDeps,
  caller: Caller,
  complaint: { caseId: string; reference: string; grounds: string },
  options: CommandOptions = {},
): Promise<string | undefined> {
  const kase = await loadCaseState(deps.store, complaint.caseId);
  if (kase.status === 'none' || !kase.decision) return undefined;
  if (kase.appeals.some((a) => a.appealId === complaint.reference)) return complaint.reference;
  if (kase.appeals.some((a) => a.outcome === undefined)) return undefined;
  await fileAppeal(deps, caller, { caseId: complaint.caseId, appealId: complaint.reference, grounds: complaint.grounds }, options);
  return complaint.reference;
}
