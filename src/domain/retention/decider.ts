/**
 * Retention decider (stream `retention-<caseId>`). Pure: the clock reading, the case's facts and the policies
 * in force all come in through the command.
 *
 * - A legal hold is placed and lifted by an officer or a court (the command's actor; the record carries it).
 * - Evidence is destroyed only when its policy's period, counted from the case's end, has run out, and no hold
 *   covers the case: no placed hold in force, and none of the automatic ones (the case is still open; an
 *   appeal is pending), which are read from the case at decision time and never stored.
 * - Destroying an already destroyed digest is a no-op.
 */
import type { Decider } from '../decider.ts';
import { SignoffPurposeError, SignoffSignatureInvalidError, TimestampInFutureError } from '../case/errors.ts';
import { OfficerIdentityMismatchError, OfficerKeyNotInForceError, OfficerNotActiveError, OfficerNotEnrolledError } from '../officer/errors.ts';
import { officerKeyAt } from '../officer/view.ts';
import { assertNever } from '../shared/errors.ts';
import { parseOrThrow } from '../signoff/builders.ts';
import { InvalidCommandError } from '../signoff/errors.ts';
import { describeInput, isNotInFuture, requireActorKind, requireKnownCommand, requireNow, requireText } from '../signoff/guards.ts';
import { HOLD_PURPOSE, HoldSignoffSchema } from '../signoff/payloads.ts';
import { DigestSchema, IdentifierSchema } from '../signoff/primitives.ts';
import { verifySignoff } from '../signoff/signing.ts';
import { RETENTION_COMMAND_TYPES, type CaseRetentionFacts, type RetentionCommand } from './commands.ts';
import {
  CourtHoldLiftError,
  EvidenceUnderHoldError,
  HoldOrderInvalidError,
  LegalHoldAlreadyPlacedError,
  LegalHoldNotFoundError,
  RetentionNotApplicableError,
  RetentionNotDueError,
} from './errors.ts';
import { HOLD_AUTHORITIES, type HoldOrderRecord, type RetentionEvent } from './events.ts';
import { dueAt, policyInForce, type RetentionCategory, type RetentionPolicy } from './policies.ts';
import type { RetentionState } from './state.ts';

type Destroyed = Extract<RetentionEvent, { type: 'EvidenceDestroyed' }>;

/** Why a digest may not be destroyed now, or the event that destroys it. */
export type RetentionAssessment =
  | { outcome: 'destroy'; event: Destroyed }
  | { outcome: 'already-destroyed' }
  | { outcome: 'held'; hold: 'open-case' | 'appeal-pending' | 'legal-hold'; holdIds?: string[] }
  | { outcome: 'not-due'; policy: string; dueAt: string }
  | { outcome: 'not-applicable'; reason: 'not-evidence-of-case' | 'no-policy-in-force' };

function categoryOf(role: 'original' | 'derived', facts: CaseRetentionFacts, policies: readonly RetentionPolicy[], now: string) {
  const caseCategory: RetentionCategory = facts.rejected ? 'rejected-detection' : 'closed-case';
  if (role === 'derived' && policyInForce(policies, 'derived-media', now)) return 'derived-media' as const;
  return caseCategory;
}

/**
 * The single rule of retention: what `decide` does for a `DestroyEvidence`, as a value (the scheduled job
 * uses it to list candidates and the dry run to report them).
 */
export function assessDestruction(
  state: RetentionState,
  facts: CaseRetentionFacts,
  digest: string,
  policies: readonly RetentionPolicy[],
  now: string,
): RetentionAssessment {
  if (Object.hasOwn(state.destroyed, digest)) return { outcome: 'already-destroyed' };
  const role = facts.originals.includes(digest) ? 'original' : facts.derived.includes(digest) ? 'derived' : undefined;
  if (!role) return { outcome: 'not-applicable', reason: 'not-evidence-of-case' };
  if (facts.status === 'open' || facts.endedAt === undefined) return { outcome: 'held', hold: 'open-case' };
  if (facts.appealPending) return { outcome: 'held', hold: 'appeal-pending' };
  const holdIds = Object.keys(state.holds);
  if (holdIds.length > 0) return { outcome: 'held', hold: 'legal-hold', holdIds: holdIds.sort() };
  const category = categoryOf(role, facts, policies, now);
  const policy = policyInForce(policies, category, now);
  if (!policy) return { outcome: 'not-applicable', reason: 'no-policy-in-force' };
  const due = dueAt(policy, facts.endedAt);
  if (Date.parse(now) < due) return { outcome: 'not-due', policy: policy.id, dueAt: new Date(due).toISOString() };
  return {
    outcome: 'destroy',
    event: {
      type: 'EvidenceDestroyed',
      data: {
        caseId: facts.caseId,
        digest,
        role,
        category,
        policy: policy.id,
        legalBasis: { ...policy.legalBasis },
        destroyedAt: now,
      },
    },
  };
}

function requireCaseId(command: RetentionCommand, state: RetentionState): void {
  if (!IdentifierSchema.safeParse(command.caseId).success) throw new InvalidCommandError('caseId is not an identifier', {});
  if (state.caseId !== undefined && state.caseId !== command.caseId)
    throw new InvalidCommandError('caseId does not match the stream', {});
}

type HoldCommand = Extract<RetentionCommand, { type: 'PlaceLegalHold' | 'LiftLegalHold' }>;

/**
 * Who ordered the hold (or its lifting), checked: a court's request only under authority `court`; an
 * officer's `hold/v1` sign-off from the enrolled, active acting officer, signed with a key in force at
 * `signedAt` (not in the future), and naming exactly this command's case, hold, action, authority, reference
 * and reason. Returns what the record stores.
 */
function checkHoldOrder(command: HoldCommand, action: 'place' | 'lift', now: string): HoldOrderRecord {
  const order = command.order;
  switch (order?.kind) {
    case 'court-request':
      if (command.authority !== 'court')
        throw new HoldOrderInvalidError('A court request is recorded under authority court only', { authority: command.authority });
      return { kind: 'court-request' };
    case 'signed': {
      const officer = order.officer;
      if (!officer) throw new OfficerNotEnrolledError('A hold is signed by an enrolled officer', {});
      if (officer.officerId !== command.actor.id) throw new OfficerIdentityMismatchError('The signing officer is not the acting officer', {});
      if (officer.status !== 'active') throw new OfficerNotActiveError('The officer is not active', {});
      const purpose = (order.signoff as { purpose?: unknown } | null)?.purpose;
      if (purpose !== HOLD_PURPOSE)
        throw new SignoffPurposeError(`A legal hold takes a ${HOLD_PURPOSE} sign-off`, { purpose: describeInput(purpose, 32) });
      const signoff = parseOrThrow(HoldSignoffSchema, order.signoff, `${HOLD_PURPOSE} sign-off`);
      if (!isNotInFuture(signoff.signedAt, now)) throw new TimestampInFutureError('signedAt lies in the future', { signedAt: signoff.signedAt });
      const key = officerKeyAt(officer, order.keyId, signoff.signedAt);
      if (!key.ok) throw new OfficerKeyNotInForceError('The signing key was not in force at signedAt', { reason: key.reason });
      if (!verifySignoff(signoff, order.signature, key.key.publicKey))
        throw new SignoffSignatureInvalidError('The hold sign-off does not verify under the officer key', { keyId: order.keyId });
      const expected = { caseId: command.caseId, action, holdId: command.holdId, authority: command.authority, reference: command.reference, reason: command.reason };
      const differs = (Object.keys(expected) as (keyof typeof expected)[]).filter((k) => signoff[k] !== expected[k]);
      if (differs.length > 0) throw new HoldOrderInvalidError('The sign-off does not name this hold order', { fields: differs });
      return { kind: 'signed', signoff, signature: order.signature, keyId: order.keyId };
    }
    default:
      throw new HoldOrderInvalidError('A hold is ordered by a signed officer sign-off or a court request', {
        order: describeInput((order as { kind?: unknown } | undefined)?.kind, 32),
      });
  }
}

function decide(command: RetentionCommand, state: RetentionState): RetentionEvent[] {
  requireKnownCommand(command?.type, RETENTION_COMMAND_TYPES);
  const now = requireNow(command);
  requireCaseId(command, state);
  switch (command.type) {
    case 'PlaceLegalHold': {
      requireActorKind(command, ['officer'], command.type);
      if (!IdentifierSchema.safeParse(command.holdId).success) throw new InvalidCommandError('holdId is not an identifier', {});
      if (!(HOLD_AUTHORITIES as readonly unknown[]).includes(command.authority))
        throw new InvalidCommandError(`authority must be one of ${HOLD_AUTHORITIES.join(', ')}`, { field: 'authority' });
      requireText(command.reference, 'reference');
      requireText(command.reason, 'reason');
      const held = state.holds[command.holdId];
      if (held) {
        if (held.authority === command.authority && held.reference === command.reference) return [];
        throw new LegalHoldAlreadyPlacedError('A hold with this id was already placed', { holdId: command.holdId });
      }
      if (state.holdIds.includes(command.holdId))
        throw new LegalHoldAlreadyPlacedError('This hold id was used by a hold since lifted', { holdId: command.holdId });
      const order = checkHoldOrder(command, 'place', now);
      return [
        {
          type: 'LegalHoldPlaced',
          data: {
            caseId: command.caseId,
            holdId: command.holdId,
            authority: command.authority,
            reference: command.reference,
            reason: command.reason,
            placedAt: now,
            order,
          },
        },
      ];
    }
    case 'LiftLegalHold': {
      requireActorKind(command, ['officer'], command.type);
      if (!(HOLD_AUTHORITIES as readonly unknown[]).includes(command.authority))
        throw new InvalidCommandError(`authority must be one of ${HOLD_AUTHORITIES.join(', ')}`, { field: 'authority' });
      requireText(command.reference, 'reference');
      requireText(command.reason, 'reason');
      const held = state.holds[command.holdId];
      if (!held) {
        if (state.holdIds.includes(command.holdId)) return [];
        throw new LegalHoldNotFoundError('No such hold on this case', { holdId: String(command.holdId).slice(0, 128) });
      }
      if (held.authority === 'court' && command.authority !== 'court')
        throw new CourtHoldLiftError("A court's hold is lifted only under a court's authority", { holdId: command.holdId });
      const order = checkHoldOrder(command, 'lift', now);
      return [
        {
          type: 'LegalHoldLifted',
          data: {
            caseId: command.caseId,
            holdId: command.holdId,
            reason: command.reason,
            liftedAt: now,
            authority: command.authority,
            reference: command.reference,
            order,
          },
        },
      ];
    }
    case 'DestroyEvidence': {
      requireActorKind(command, ['system', 'service'], command.type);
      if (!DigestSchema.safeParse(command.digest).success) throw new InvalidCommandError('digest is not a sha256 digest', {});
      if (command.facts?.caseId !== command.caseId) throw new InvalidCommandError('facts describe another case', {});
      const assessment = assessDestruction(state, command.facts, command.digest, command.policies, now);
      switch (assessment.outcome) {
        case 'destroy':
          return [assessment.event];
        case 'already-destroyed':
          return [];
        case 'held':
          throw new EvidenceUnderHoldError('The case is under hold', { hold: assessment.hold });
        case 'not-due':
          throw new RetentionNotDueError('The retention period has not run out', {
            policy: assessment.policy,
            dueAt: assessment.dueAt,
          });
        case 'not-applicable':
          throw new RetentionNotApplicableError('No retention policy applies', { reason: assessment.reason });
        default:
          return assertNever(assessment, 'retention assessment');
      }
    }
    default:
      return assertNever(command, 'retention command');
  }
}

function evolve(state: RetentionState, event: RetentionEvent): RetentionState {
  const caseId = state.caseId ?? event.data.caseId;
  switch (event.type) {
    case 'LegalHoldPlaced': {
      const d = event.data;
      if (state.holdIds.includes(d.holdId)) return { ...state, caseId };
      return {
        ...state,
        caseId,
        holds: { ...state.holds, [d.holdId]: { holdId: d.holdId, authority: d.authority, reference: d.reference, placedAt: d.placedAt } },
        holdIds: [...state.holdIds, d.holdId],
      };
    }
    case 'LegalHoldLifted': {
      const holds = { ...state.holds };
      delete holds[event.data.holdId];
      return { ...state, caseId, holds };
    }
    case 'EvidenceDestroyed': {
      const d = event.data;
      if (Object.hasOwn(state.destroyed, d.digest)) return { ...state, caseId };
      return {
        ...state,
        caseId,
        destroyed: { ...state.destroyed, [d.digest]: { policy: d.policy, basis: d.legalBasis, at: d.destroyedAt } },
      };
    }
    default:
      return assertNever(event, 'retention event');
  }
}

function initialState(): RetentionState {
  return { holds: {}, holdIds: [], destroyed: {} };
}

export const retentionDecider: Decider<RetentionCommand, RetentionEvent, RetentionState> = {
  decide,
  evolve,
  initialState,
};
