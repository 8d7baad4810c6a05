/**
 * Officer decider. An officer is enrolled once with a legal title (which sets their fine authority), roles
 * (what they may do here) and a first signing key. Keys rotate or are revoked like device keys. Nobody
 * enrols, suspends or reinstates themself.
 */
import { AUTHORITY_LIMITS_VND } from '../catalog/index.ts';
import type { Decider } from '../decider.ts';
import { assertNever } from '../shared/errors.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../signoff/errors.ts';
import {
  describeInput,
  requireActorKind,
  requireKnownCommand,
  requireNow,
  requireProvinceCode,
  requireSameProvince,
  requireText,
} from '../signoff/guards.ts';
import { decideKeyRevocation, decideKeyRotation, requirePublicKey } from '../signoff/key-changes.ts';
import { withRevokedKey, withRotatedKey } from '../signoff/keys-in-force.ts';
import { IdentifierSchema } from '../signoff/primitives.ts';
import { OFFICER_COMMAND_TYPES, type OfficerCommand } from './commands.ts';
import {
  InvalidOfficerTitleError,
  OfficerAlreadyEnrolledError,
  OfficerAlreadySuspendedError,
  OfficerNotEnrolledError,
  OfficerNotSuspendedError,
} from './errors.ts';
import { OFFICER_ROLES, type OfficerEvent, type OfficerRole } from './events.ts';
import type { OfficerFacts, OfficerState } from './state.ts';

type Enrolled = Exclude<OfficerState, { status: 'unenrolled' }>;

/** True for a title of the catalog's authority table. */
export function isOfficerTitle(title: unknown): boolean {
  return typeof title === 'string' && Object.hasOwn(AUTHORITY_LIMITS_VND, title);
}

function requireEnrolled(state: OfficerState, command: OfficerCommand): Enrolled {
  if (state.status === 'unenrolled') throw new OfficerNotEnrolledError('Officer is not enrolled', {});
  if (command.officerId !== state.officerId)
    throw new InvalidCommandError('officerId does not match the stream', {});
  requireSameProvince(command, state.province);
  return state;
}

function requireNotSelf(command: OfficerCommand): void {
  if (command.actor.kind === 'officer' && command.actor.id === command.officerId) {
    throw new ActorNotAllowedError(`An officer may not ${command.type} themself`, { command: command.type });
  }
}

function requireRoles(roles: unknown): OfficerRole[] {
  if (
    !Array.isArray(roles) ||
    roles.length === 0 ||
    !roles.every((r) => (OFFICER_ROLES as readonly unknown[]).includes(r))
  ) {
    throw new InvalidCommandError(`roles must be a non-empty list of ${OFFICER_ROLES.join(', ')}`, {
      field: 'roles',
    });
  }
  // Stored in the catalogue order, without duplicates, so equal enrolments give equal records.
  return OFFICER_ROLES.filter((r) => roles.includes(r));
}

function decide(command: OfficerCommand, state: OfficerState): OfficerEvent[] {
  requireKnownCommand(command?.type, OFFICER_COMMAND_TYPES);
  const now = requireNow(command);
  requireActorKind(command, ['officer', 'system'], command.type);
  switch (command.type) {
    case 'EnrollOfficer': {
      if (state.status !== 'unenrolled')
        throw new OfficerAlreadyEnrolledError('Officer is already enrolled', {});
      if (!IdentifierSchema.safeParse(command.officerId).success)
        throw new InvalidCommandError('officerId is not an identifier', {});
      requireNotSelf(command);
      requireProvinceCode(command.province, true);
      if (!isOfficerTitle(command.title))
        throw new InvalidOfficerTitleError('Unknown officer title', {
          title: describeInput(command.title, 48),
        });
      const roles = requireRoles(command.roles);
      const keyId = requirePublicKey(command.publicKey);
      return [
        {
          type: 'OfficerEnrolled',
          data: {
            officerId: command.officerId,
            province: command.province,
            title: command.title,
            roles,
            publicKey: command.publicKey,
            keyId,
            enrolledAt: now,
          },
        },
      ];
    }
    case 'RotateOfficerKey': {
      const officer = requireEnrolled(state, command);
      const rotation = decideKeyRotation(officer.keys, command.publicKey);
      return [
        { type: 'OfficerKeyRotated', data: { officerId: officer.officerId, ...rotation, rotatedAt: now } },
      ];
    }
    case 'RevokeOfficerKey': {
      const officer = requireEnrolled(state, command);
      const revocation = decideKeyRevocation(officer.keys, command, 'officer');
      return [
        { type: 'OfficerKeyRevoked', data: { officerId: officer.officerId, ...revocation, revokedAt: now } },
      ];
    }
    case 'SuspendOfficer': {
      const officer = requireEnrolled(state, command);
      requireNotSelf(command);
      requireText(command.reason, 'reason');
      if (officer.status === 'suspended')
        throw new OfficerAlreadySuspendedError('Officer is already suspended', {});
      return [
        {
          type: 'OfficerSuspended',
          data: { officerId: officer.officerId, reason: command.reason, suspendedAt: now },
        },
      ];
    }
    case 'ReinstateOfficer': {
      const officer = requireEnrolled(state, command);
      requireNotSelf(command);
      if (officer.status !== 'suspended') throw new OfficerNotSuspendedError('Officer is not suspended', {});
      return [{ type: 'OfficerReinstated', data: { officerId: officer.officerId, reinstatedAt: now } }];
    }
    default:
      return assertNever(command, 'officer command');
  }
}

function facts(state: Enrolled): OfficerFacts {
  const { officerId, province, title, roles, keys } = state;
  return { officerId, province, title, roles, keys };
}

function withFacts(state: Enrolled, next: OfficerFacts): OfficerState {
  switch (state.status) {
    case 'active':
      return { status: 'active', ...next };
    case 'suspended':
      return { status: 'suspended', suspendedReason: state.suspendedReason, ...next };
    default:
      return assertNever(state, 'officer state');
  }
}

function evolve(state: OfficerState, event: OfficerEvent): OfficerState {
  if (event.type === 'OfficerEnrolled') {
    if (state.status !== 'unenrolled') return state;
    const d = event.data;
    return {
      status: 'active',
      officerId: d.officerId,
      province: d.province,
      title: d.title,
      roles: d.roles,
      keys: [{ keyId: d.keyId, publicKey: d.publicKey, validFrom: d.enrolledAt }],
    };
  }
  if (state.status === 'unenrolled') return state;
  const current = facts(state);
  switch (event.type) {
    case 'OfficerKeyRotated':
      return withFacts(state, {
        ...current,
        keys: withRotatedKey(current.keys, event.data, event.data.rotatedAt),
      });
    case 'OfficerKeyRevoked':
      return withFacts(state, {
        ...current,
        keys: withRevokedKey(current.keys, event.data.keyId, event.data.revokedAt),
      });
    case 'OfficerSuspended':
      return { status: 'suspended', suspendedReason: event.data.reason, ...current };
    case 'OfficerReinstated':
      return { status: 'active', ...current };
    default:
      return assertNever(event, 'officer event');
  }
}

function initialState(): OfficerState {
  return { status: 'unenrolled' };
}

export const officerDecider: Decider<OfficerCommand, OfficerEvent, OfficerState> = {
  decide,
  evolve,
  initialState,
};
