/**
 * Violations reported by citizens (Circular 73/2024 lets people send what they saw on the road, with photos):
 * stream `report-<province>`, the province's citizen-report queue. A report is a citizen-sourced detection,
 * flagged as such (`source: 'citizen'`): it is NOT a case and nothing here can decide a penalty. An officer of
 * the province reviews it (`ReportReviewed`: accepted for investigation, or rejected with a reason); only then
 * can the unit open a case through its own procedure, with the same human review every case has.
 *
 * Pure decider: time, ids and the report's reference come in through the command.
 */
import { z } from 'zod';
import type { CommandBase, Decider } from '../decider.ts';
import { eventParser, type EventsOf } from '../decider.ts';
import { AppError, assertNever, DomainRuleError } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import { isNotInFuture, requireActorKind, requireKnownCommand, requireNow, requireProvinceCode, requireText } from '../signoff/guards.ts';
import {
  DigestSchema,
  EvidenceRefSchema,
  IdentifierSchema,
  ProvinceCodeSchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
  type EvidenceRef,
} from '../signoff/primitives.ts';
import { IdempotencyKeyReusedError } from './errors.ts';
import { IdempotencyKeySchema, MAX_ATTACHMENTS } from './events.ts';

export const REPORT_OUTCOMES = ['accepted', 'rejected'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

export const ReportEventSchemas = {
  ViolationReported: z.strictObject({
    reportId: IdentifierSchema,
    reference: ShortTextSchema,
    province: ProvinceCodeSchema,
    /** Always `citizen`: a report is never a camera's signed detection. */
    source: z.literal('citizen'),
    observedAt: UtcTimestampSchema,
    place: ShortTextSchema,
    plate: ShortTextSchema.optional(),
    description: TextSchema,
    photos: z.array(EvidenceRefSchema).min(1).max(MAX_ATTACHMENTS),
    idempotencyKey: IdempotencyKeySchema,
    requestDigest: DigestSchema,
    reportedAt: UtcTimestampSchema,
  }),
  ReportReviewed: z.strictObject({
    reportId: IdentifierSchema,
    outcome: z.enum(REPORT_OUTCOMES),
    reason: TextSchema,
    officerId: IdentifierSchema,
    reviewedAt: UtcTimestampSchema,
  }),
} as const;

export type ReportEvent = EventsOf<typeof ReportEventSchemas>;
export const parseReportEvent = eventParser('report', ReportEventSchemas);

export interface ReportFacts {
  reportId: string;
  reference: string;
  observedAt: string;
  place: string;
  plate?: string;
  description: string;
  photos: EvidenceRef[];
  reportedAt: string;
  review?: { outcome: ReportOutcome; reason: string; officerId: string; reviewedAt: string };
}

/** The province's report queue folded. */
export type ReportQueueState =
  | { status: 'empty' }
  | { status: 'active'; province: string; reports: Readonly<Record<string, ReportFacts>>; order: readonly string[]; keys: Readonly<Record<string, { reportId: string; requestDigest: string }>> };

export type ReportCommand =
  | (CommandBase & {
      type: 'SubmitReport';
      reportId: string;
      reference: string;
      observedAt: string;
      place: string;
      plate?: string;
      description: string;
      photos: EvidenceRef[];
      idempotencyKey: string;
      requestDigest: string;
    })
  /** An officer of the province (the route checks the token's role and province). */
  | (CommandBase & { type: 'ReviewReport'; reportId: string; outcome: ReportOutcome; reason: string });

export const REPORT_COMMAND_TYPES = ['SubmitReport', 'ReviewReport'] as const satisfies readonly ReportCommand['type'][];

export class ReportNotFoundError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'report-not-found';
}

export class ReportAlreadyReviewedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'report-already-reviewed';
}

/** The report says the violation happened in the future. */
export class ReportTimeInvalidError extends DomainRuleError {
  readonly code = 'report-time-invalid';
}

function decide(command: ReportCommand, state: ReportQueueState): ReportEvent[] {
  requireKnownCommand(command?.type, REPORT_COMMAND_TYPES);
  const now = requireNow(command);
  requireProvinceCode(command.province, false);
  if (state.status === 'active' && state.province !== command.province) throw new InvalidCommandError('the command names another province', {});
  switch (command.type) {
    case 'SubmitReport': {
      requireActorKind(command, ['citizen'], 'report a violation');
      if (!IdempotencyKeySchema.safeParse(command.idempotencyKey).success) throw new InvalidCommandError('idempotencyKey is malformed', {});
      const used = state.status === 'active' ? state.keys[command.idempotencyKey] : undefined;
      if (used) {
        if (used.requestDigest === command.requestDigest) return [];
        throw new IdempotencyKeyReusedError('This Idempotency-Key was used for another request', {});
      }
      if (!IdentifierSchema.safeParse(command.reportId).success) throw new InvalidCommandError('reportId is not an identifier', {});
      if (state.status === 'active' && Object.hasOwn(state.reports, command.reportId)) throw new InvalidCommandError('reportId is taken', {});
      requireText(command.place, 'place', 200);
      requireText(command.description, 'description');
      if (command.plate !== undefined) requireText(command.plate, 'plate', 24);
      if (!UtcTimestampSchema.safeParse(command.observedAt).success) throw new InvalidCommandError('observedAt must be an RFC 3339 UTC timestamp', {});
      if (!isNotInFuture(command.observedAt, now)) throw new ReportTimeInvalidError('The violation cannot have happened in the future', {});
      if (!Array.isArray(command.photos) || command.photos.length < 1 || command.photos.length > MAX_ATTACHMENTS)
        throw new InvalidCommandError(`a report needs 1 to ${MAX_ATTACHMENTS} photos`, { field: 'photos' });
      return [
        {
          type: 'ViolationReported',
          data: {
            reportId: command.reportId,
            reference: command.reference,
            province: command.province,
            source: 'citizen',
            observedAt: command.observedAt,
            place: command.place,
            ...(command.plate !== undefined ? { plate: command.plate } : {}),
            description: command.description,
            photos: command.photos.map((p) => ({ ...p })),
            idempotencyKey: command.idempotencyKey,
            requestDigest: command.requestDigest,
            reportedAt: now,
          },
        },
      ];
    }
    case 'ReviewReport': {
      requireActorKind(command, ['officer'], 'review a citizen report');
      const report = state.status === 'active' ? state.reports[command.reportId] : undefined;
      if (!report) throw new ReportNotFoundError('No such report in this province', {});
      if (!(REPORT_OUTCOMES as readonly unknown[]).includes(command.outcome)) throw new InvalidCommandError('outcome must be accepted or rejected', {});
      requireText(command.reason, 'reason');
      if (report.review) {
        if (report.review.outcome === command.outcome && report.review.officerId === command.actor.id) return [];
        throw new ReportAlreadyReviewedError('The report was reviewed already', {});
      }
      return [{ type: 'ReportReviewed', data: { reportId: command.reportId, outcome: command.outcome, reason: command.reason, officerId: command.actor.id, reviewedAt: now } }];
    }
    default:
      return assertNever(command, 'report command');
  }
}

function evolve(state: ReportQueueState, event: ReportEvent): ReportQueueState {
  switch (event.type) {
    case 'ViolationReported': {
      const d = event.data;
      const s = state.status === 'active' ? state : { status: 'active' as const, province: d.province, reports: {}, order: [], keys: {} };
      const facts: ReportFacts = {
        reportId: d.reportId,
        reference: d.reference,
        observedAt: d.observedAt,
        place: d.place,
        ...(d.plate !== undefined ? { plate: d.plate } : {}),
        description: d.description,
        photos: d.photos,
        reportedAt: d.reportedAt,
      };
      return {
        ...s,
        reports: { ...s.reports, [d.reportId]: facts },
        order: [...s.order, d.reportId],
        keys: { ...s.keys, [d.idempotencyKey]: { reportId: d.reportId, requestDigest: d.requestDigest } },
      };
    }
    case 'ReportReviewed': {
      if (state.status !== 'active') return state;
      const d = event.data;
      const report = state.reports[d.reportId];
      if (!report || report.review) return state;
      return { ...state, reports: { ...state.reports, [d.reportId]: { ...report, review: { outcome: d.outcome, reason: d.reason, officerId: d.officerId, reviewedAt: d.reviewedAt } } } };
    }
    default:
      return assertNever(event, 'report event');
  }
}

export const reportDecider: Decider<ReportCommand, ReportEvent, ReportQueueState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'empty' }),
};

/** The reference the reporter keeps: `PA-<province>-<the last 8 hex of the report id>` (the random part of a v7 id). */
export function reportReference(province: string, reportId: string): string {
  return `PA-${province}-${reportId.replace(/-/g, '').slice(-8).toUpperCase()}`;
}
