/**
 * Officer application services: enrolment, keys and suspension on `officer-<officerId>`. Safe to retry on a
 * conflict: the decider re-checks each against newer history (a revoked key stays revoked, a second
 * enrolment is refused).
 */
import type { OfficerCommand } from '../domain/officer/commands.ts';
import { officerDecider } from '../domain/officer/decider.ts';
import { parseOfficerEvent } from '../domain/officer/events.ts';
import type { OfficerState } from '../domain/officer/state.ts';
import { streams } from '../domain/record.ts';
import { commandExecutor, commandServices, type ExecuteCommand } from './aggregate.ts';

export const executeOfficerCommand: ExecuteCommand<OfficerCommand, OfficerState> = commandExecutor({
  stream: (command) => streams.officer(command.officerId),
  decider: officerDecider,
  parseEvent: parseOfficerEvent,
  retrySafe: () => true,
  recordProvince: (state) => (state.status === 'unenrolled' ? undefined : state.province),
});

const officer = commandServices(executeOfficerCommand);

export const enrollOfficer = officer('EnrollOfficer');
export const rotateOfficerKey = officer('RotateOfficerKey');
export const revokeOfficerKey = officer('RevokeOfficerKey');
export const suspendOfficer = officer('SuspendOfficer');
export const reinstateOfficer = officer('ReinstateOfficer');
