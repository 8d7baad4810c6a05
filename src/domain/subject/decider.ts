/**
 * Data-subject request decider (stream `subject-<requestId>`). Pure: time, ids and what is known about the
 * vehicle's cases come in through the command.
 *
 * - A request is received once (same id and kind again: nothing); from a citizen on the public channel
 *   (authenticated by plate + registration certificate before the command) or from an officer.
 * - An access request is answered `disclosed` (the answer is the export itself); a correction `corrected` or
 *   `refused`; an erasure `erased` only when the law allows it: none of its cases is still open or ended
 *   with a sanction (`erasable`, computed by the service from the cases), else only `refused`.
 * - Every answer carries a reason and its legal basis; a request is answered once.
 */
import type { CommandBase, Decider } from '../decider.ts';
import { AppError, assertNever, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import { requireActorKind, requireKnownCommand, requireNow, requireText } from '../signoff/guards.ts';
import { UuidSchema } from '../signoff/payloads.ts';
import { IdentifierSchema } from '../signoff/primitives.ts';
import {
  ERASURE_REFUSAL_BASIS,
  SUBJECT_CHANNELS,
  SUBJECT_LEGAL_BASIS,
  SUBJECT_OUTCOMES,
  SUBJECT_REQUEST_KINDS,
  type SubjectChannel,
  type SubjectEvent,
  type SubjectOutcome,
  type SubjectRequestKind,
} from './events.ts';

export type SubjectCommand =
  | (CommandBase & {
      type: 'ReceiveSubjectRequest';
      requestId: string;
      kind: SubjectRequestKind;
      channel: SubjectChannel;
      caseIds: readonly string[];
      details?: string;
    })
  | (CommandBase & {
      type: 'AnswerSubjectRequest';
      requestId: string;
      outcome: SubjectOutcome;
      reason: string;
      /** For an erasure: whether the law allows it (no case still open or sanctioned), from the cases. */
      erasable?: boolean;
    });

export const SUBJECT_COMMAND_TYPES = ['ReceiveSubjectRequest', 'AnswerSubjectRequest'] as const satisfies readonly SubjectCommand['type'][];

export type SubjectState =
  | { status: 'none' }
  | { status: 'received'; requestId: string; kind: SubjectRequestKind; caseIds: readonly string[] }
  | { status: 'answered'; requestId: string; kind: SubjectRequestKind; caseIds: readonly string[]; outcome: SubjectOutcome };

export class SubjectRequestNotFoundError extends DomainRuleError {
  override readonly category: ErrorCategory = 'not_found';
  readonly code = 'subject-request-not-found';
}
export class SubjectRequestAlreadyAnsweredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'subject-request-already-answered';
}
/** The outcome does not fit the kind of request (an access is disclosed; a correction is not erased…). */
export class SubjectOutcomeError extends DomainRuleError {
  readonly code = 'subject-outcome-invalid';
}
/** Erasure refused by law: a case of the vehicle is still open or ended with a sanction. */
export class ErasureNotAllowedError extends DomainRuleError {
  readonly code = 'erasure-not-allowed';
}

const OUTCOMES_BY_KIND: Record<SubjectRequestKind, readonly SubjectOutcome[]> = {
  access: ['disclosed'],
  correction: ['corrected', 'refused'],
  erasure: ['erased', 'refused'],
};

function decide(command: SubjectCommand, state: SubjectState): SubjectEvent[] {
  requireKnownCommand(command?.type, SUBJECT_COMMAND_TYPES);
  const now = requireNow(command);
  if (!IdentifierSchema.safeParse(command.requestId).success) throw new InvalidCommandError('requestId is not an identifier', {});
  switch (command.type) {
    case 'ReceiveSubjectRequest': {
      if (!(SUBJECT_REQUEST_KINDS as readonly unknown[]).includes(command.kind)) throw new InvalidCommandError('unknown request kind', { field: 'kind' });
      if (!(SUBJECT_CHANNELS as readonly unknown[]).includes(command.channel)) throw new InvalidCommandError('unknown channel', { field: 'channel' });
      requireActorKind(command, command.channel === 'public' ? ['citizen'] : ['officer'], command.type);
      if (!Array.isArray(command.caseIds) || command.caseIds.some((id) => !UuidSchema.safeParse(id).success))
        throw new InvalidCommandError('caseIds must be case ids', { field: 'caseIds' });
      if (command.details !== undefined) requireText(command.details, 'details');
      if (state.status !== 'none') {
        if (state.kind === command.kind) return [];
        throw new InvalidCommandError('This request id was used for another request', { field: 'requestId' });
      }
      return [
        {
          type: 'SubjectRequestReceived',
          data: {
            requestId: command.requestId,
            kind: command.kind,
            channel: command.channel,
            caseIds: [...command.caseIds].sort(),
            ...(command.details !== undefined ? { details: command.details } : {}),
            legalBasis: SUBJECT_LEGAL_BASIS[command.kind],
            receivedAt: now,
          },
        },
      ];
    }
    case 'AnswerSubjectRequest': {
      requireActorKind(command, ['officer', 'system'], command.type);
      if (state.status === 'none') throw new SubjectRequestNotFoundError('No such request', {});
      if (!(SUBJECT_OUTCOMES as readonly unknown[]).includes(command.outcome)) throw new InvalidCommandError('unknown outcome', { field: 'outcome' });
      requireText(command.reason, 'reason');
      if (state.status === 'answered') {
        if (state.outcome === command.outcome) return [];
        throw new SubjectRequestAlreadyAnsweredError('The request was answered', { outcome: state.outcome });
      }
      if (!OUTCOMES_BY_KIND[state.kind].includes(command.outcome))
        throw new SubjectOutcomeError(`A ${state.kind} request is not answered ${command.outcome}`, { kind: state.kind });
      if (command.outcome === 'erased' && command.erasable !== true)
        throw new ErasureNotAllowedError('A case of the vehicle is still open or sanctioned: the law provides otherwise', {});
      const refusedErasure = state.kind === 'erasure' && command.outcome === 'refused';
      return [
        {
          type: 'SubjectRequestAnswered',
          data: {
            requestId: command.requestId,
            outcome: command.outcome,
            reason: command.reason,
            legalBasis: refusedErasure ? ERASURE_REFUSAL_BASIS : SUBJECT_LEGAL_BASIS[state.kind],
            answeredAt: now,
          },
        },
      ];
    }
    default:
      return assertNever(command, 'subject command');
  }
}

function evolve(state: SubjectState, event: SubjectEvent): SubjectState {
  switch (event.type) {
    case 'SubjectRequestReceived':
      if (state.status !== 'none') return state;
      return { status: 'received', requestId: event.data.requestId, kind: event.data.kind, caseIds: event.data.caseIds };
    case 'SubjectRequestAnswered':
      if (state.status !== 'received') return state;
      return { ...state, status: 'answered', outcome: event.data.outcome };
    default:
      return assertNever(event, 'subject event');
  }
}

export const subjectDecider: Decider<SubjectCommand, SubjectEvent, SubjectState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
