/**
 * The citizen portal's application services (docs/citizen-portal.md): complaints, payment requests and the
 * bank's payment confirmations, on the `citizen-<caseId>` stream. The case's facts the rules need (open, the
 * decision and its fine) are read from the case stream itself at decision time.
 */
import { caseDecider, parseCaseEvent, type CaseState } from '../domain/case/index.ts';
import {
  citizenDecider,
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
import { loadStream } from './handler.ts';

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
export const recordGatewayPayment = service('RecordPayment');

const NOT_OPEN: ReadonlySet<CaseState['status']> = new Set(['none', 'detected', 'rejected', 'closed', 'expired', 'voided']);

/** The case facts the citizen rules need, from the folded case. */
export function caseFactsForCitizen(state: CaseState): CaseFactsForCitizen | undefined {
  if (state.status === 'none') return undefined;
  return {
    caseId: state.caseId,
    province: state.province,
    open: !NOT_OPEN.has(state.status),
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
