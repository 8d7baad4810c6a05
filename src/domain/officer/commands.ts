import type { CommandBase } from '../decider.ts';
import type { OfficerRole } from './events.ts';

/**
 * Officer commands. Enrolment and suspension are done by another officer (an administrator) or the system;
 * an officer may rotate or revoke their own key.
 */
export type OfficerCommand =
  | (CommandBase & {
      type: 'EnrollOfficer';
      /** The officer's province is the command's `province` ("00" for national staff). */
      officerId: string;
      title: string;
      roles: OfficerRole[];
      publicKey: string;
    })
  | (CommandBase & { type: 'RotateOfficerKey'; officerId: string; publicKey: string })
  | (CommandBase & { type: 'RevokeOfficerKey'; officerId: string; keyId: string; reason: string })
  | (CommandBase & { type: 'SuspendOfficer'; officerId: string; reason: string })
  | (CommandBase & { type: 'ReinstateOfficer'; officerId: string });

export type OfficerCommandType = OfficerCommand['type'];

export const OFFICER_COMMAND_TYPES = [
  'EnrollOfficer',
  'RotateOfficerKey',
  'RevokeOfficerKey',
  'SuspendOfficer',
  'ReinstateOfficer',
] as const satisfies readonly OfficerCommandType[];
