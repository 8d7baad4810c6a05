/**
 * Who may issue which case command: ONE rule for every case command, checked by the decider before any of the
 * command's own rules.
 *
 * - An officer actor MUST be enrolled (the command's `context.officer` is the view of `officer-<actor.id>`),
 *   be the officer that view describes, be active, hold one of the roles the command allows, and act in the
 *   case's province (national staff, province "00", anywhere). A command no officer role allows refuses
 *   every officer. Where a signature is needed, the signed-command rules (`signoff-rules.ts`) then check
 *   the key in force.
 * - Any other actor kind (a device, a worker `service`, the `system`, a citizen) MUST be one the command lists:
 *   exactly the commands the system itself issues (plate recognition, derived media, owner lookup, notice
 *   delivery; ingest by devices), and what the vehicle's holder sends through the citizen portal (an answer to
 *   a notice, an appeal; citizen-rules.ts). Tokens never become `service` or `system` actors (the HTTP layer maps every
 *   token to `device` or `officer`), so no token can pass as a worker.
 */
import type { OfficerRole } from '../officer/events.ts';
import {
  OfficerIdentityMismatchError,
  OfficerLacksRoleError,
  OfficerNotActiveError,
  OfficerNotEnrolledError,
  OfficerOutsideProvinceError,
} from '../officer/errors.ts';
import { officerActsIn, type OfficerView } from '../officer/view.ts';
import type { ActorKind } from '../record.ts';
import { ActorNotAllowedError } from '../signoff/errors.ts';
import { describeInput } from '../signoff/guards.ts';
import type { ActingOfficer, CaseCommandType } from './commands.ts';

export interface CaseCommandAuthority {
  /** What the command does, for messages ("confirm a review"). */
  what: string;
  /** Officer roles, any one of which allows the command; empty: no officer may issue it. */
  officerRoles: readonly OfficerRole[];
  /** The non-officer actor kinds that issue it. */
  otherKinds: readonly Exclude<ActorKind, 'officer'>[];
  /** When set, the only `service` actor ids allowed (any other service is refused). */
  services?: readonly string[];
}

/** The service actor that records a payment the bank confirmed by its signed callback (docs/citizen-portal.md). */
export const PAYMENT_GATEWAY_ACTOR = { kind: 'service', id: 'payment-gateway' } as const;

/** The service actor that opens a case handed over by another node through the federation. */
export const FEDERATION_RELAY_ACTOR = { kind: 'service', id: 'federation-relay' } as const;
/** The service that records `OwnerUnresponsive` on schedule, 20 days after the notice (docs/legal-procedure.md). */
export const PROCEDURE_SCHEDULE_ACTOR = { kind: 'service', id: 'procedure-schedule' } as const;
/** The worker that sends the warnings `OwnerUnresponsive` names and records `AgencyWarningSent`. */
export const AGENCY_WARNING_ACTOR = { kind: 'service', id: 'agency-warning-worker' } as const;

const CASE_STAFF: readonly OfficerRole[] = ['reviewer', 'decider', 'supervisor'];

/** Per command: the officer roles and other actor kinds allowed. Normative for the API (docs/domain.md). */
export const CASE_COMMAND_AUTHORITY: { readonly [T in CaseCommandType]: CaseCommandAuthority } = {
  RecordDetection: { what: 'record a detection', officerRoles: [], otherKinds: ['device', 'service', 'system'] },
  RecognizePlate: { what: 'record an AI plate reading', officerRoles: [], otherKinds: ['service'] },
  // A device too: an edge node derives the review copies of the originals it holds back (docs/edge.md).
  DeriveEvidence: { what: 'derive evidence', officerRoles: [], otherKinds: ['service', 'device'] },
  AttachEvidence: { what: 'attach evidence', officerRoles: ['reviewer', 'supervisor'], otherKinds: ['device'] },
  FlagCase: { what: 'flag a case', officerRoles: ['reviewer', 'supervisor'], otherKinds: [] },
  RecordProcessingFailure: { what: 'record a processing failure', officerRoles: [], otherKinds: ['service', 'system'] },
  ConfirmReview: { what: 'confirm a review', officerRoles: ['reviewer'], otherKinds: [] },
  RejectReview: { what: 'reject a review', officerRoles: ['reviewer'], otherKinds: [] },
  IdentifyOwner: { what: 'record an owner', officerRoles: CASE_STAFF, otherKinds: ['service'] },
  RecordOwnerNotFound: { what: 'record an owner lookup', officerRoles: CASE_STAFF, otherKinds: ['service'] },
  IssueNotice: { what: 'issue a notice', officerRoles: CASE_STAFF, otherKinds: ['service'] },
  RecordNoticeDelivered: { what: 'record a notice delivery', officerRoles: CASE_STAFF, otherKinds: ['service'] },
  RecordNoticeDeliveryFailed: {
    what: 'record a notice delivery',
    officerRoles: CASE_STAFF,
    otherKinds: ['service'],
  },
  TransferCase: { what: 'transfer a case', officerRoles: ['decider', 'supervisor'], otherKinds: [] },
  // Only the node's own handover service, after it verified the sending log's record (docs/federation.md).
  ReceiveCase: {
    what: 'open a case handed over by another node',
    officerRoles: [],
    otherKinds: ['service'],
    services: [FEDERATION_RELAY_ACTOR.id],
  },
  // Recorded by the handling unit's staff, or sent by the vehicle's holder through the citizen portal (the
  // citizen rules of citizen-rules.ts apply then); no worker issues these.
  SubmitExplanation: { what: "record the owner's explanation", officerRoles: CASE_STAFF, otherKinds: ['citizen'] },
  IdentifyDriver: { what: 'record the driver', officerRoles: CASE_STAFF, otherKinds: ['citizen'] },
  // Staff, or the node's procedure schedule once the 20 days have run (the decider checks the legal ground).
  RecordOwnerUnresponsive: {
    what: 'record an unresponsive owner',
    officerRoles: CASE_STAFF,
    otherKinds: ['service'],
    services: [PROCEDURE_SCHEDULE_ACTOR.id],
  },
  RecordAgencyWarningSent: {
    what: 'record an agency warning sent',
    officerRoles: [],
    otherKinds: ['service'],
    services: [AGENCY_WARNING_ACTOR.id],
  },
  DrawViolationRecord: { what: 'draw up a violation record', officerRoles: CASE_STAFF, otherKinds: [] },
  DecidePenalty: { what: 'decide a penalty', officerRoles: ['decider'], otherKinds: [] },
  RecordDocumentIssued: { what: 'issue a document of the case', officerRoles: CASE_STAFF, otherKinds: [] },
  RecordPayment: {
    what: 'record a payment',
    officerRoles: ['decider', 'supervisor'],
    otherKinds: ['service'],
    services: [PAYMENT_GATEWAY_ACTOR.id],
  },
  // By staff, or by the holder's complaint against the decision through the citizen portal.
  FileAppeal: { what: 'file an appeal', officerRoles: CASE_STAFF, otherKinds: ['citizen'] },
  ResolveAppeal: { what: 'resolve an appeal', officerRoles: ['decider'], otherKinds: [] },
  CloseCase: { what: 'close a case', officerRoles: ['decider', 'supervisor'], otherKinds: [] },
  ExpireCase: { what: 'expire a case', officerRoles: ['supervisor'], otherKinds: [] },
  VoidCase: { what: 'void a case', officerRoles: ['supervisor'], otherKinds: [] },
};

interface Actable {
  type: CaseCommandType;
  actor: { kind: ActorKind; id: string };
  context?: ActingOfficer | undefined;
}

/**
 * Authorises the command's actor for a case of `province`. Returns the acting officer's view when the actor is
 * an officer, undefined for an allowed non-officer actor; throws `ActorNotAllowedError`, `OfficerNotEnrolledError`,
 * `OfficerIdentityMismatchError`, `OfficerNotActiveError`, `OfficerLacksRoleError` or
 * `OfficerOutsideProvinceError` (all category `forbidden`).
 */
export function authorizeCaseActor(command: Actable, province: string): OfficerView | undefined {
  const rule = CASE_COMMAND_AUTHORITY[command.type];
  const kind = command.actor?.kind;
  if (kind !== 'officer') {
    if (!(rule.otherKinds as readonly unknown[]).includes(kind)) {
      throw new ActorNotAllowedError(`A ${describeInput(kind)} actor may not ${rule.what}`, {
        actorKind: describeInput(kind),
        allowed: rule.officerRoles.length > 0 ? ['officer', ...rule.otherKinds] : rule.otherKinds,
      });
    }
    if (kind === 'service' && rule.services && !rule.services.includes(command.actor.id)) {
      throw new ActorNotAllowedError(`This service may not ${rule.what}`, { actorKind: 'service', allowed: rule.services });
    }
    return undefined;
  }
  if (rule.officerRoles.length === 0) {
    throw new ActorNotAllowedError(`An officer may not ${rule.what}`, {
      actorKind: 'officer',
      allowed: rule.otherKinds,
    });
  }
  const officer = command.context?.officer;
  if (!officer) throw new OfficerNotEnrolledError('The acting officer is not enrolled', {});
  if (officer.officerId !== command.actor.id) {
    throw new OfficerIdentityMismatchError('The officer context does not describe the acting officer', {});
  }
  if (officer.status !== 'active')
    throw new OfficerNotActiveError('The officer is suspended', { officerId: officer.officerId });
  if (!rule.officerRoles.some((role) => officer.roles.includes(role)))
    throw new OfficerLacksRoleError(`The officer lacks a role that may ${rule.what}`, {
      roles: rule.officerRoles,
    });
  if (!officerActsIn(officer, province)) {
    throw new OfficerOutsideProvinceError("The officer may not act in this case's province", {
      officerProvince: officer.province,
      caseProvince: province,
    });
  }
  return officer;
}
