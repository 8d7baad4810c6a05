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
import type { CommandDeps } from './deps.ts';
import { handleCommand } from './handler.ts';
import type { Caller, CommandFields, CommandOptions, CommandOutcome } from './outcome.ts';

type Fields<T extends OfficerCommand['type']> = CommandFields<Extract<OfficerCommand, { type: T }>>;

export async function executeOfficerCommand(
  deps: CommandDeps,
  command: OfficerCommand,
  options: CommandOptions = {},
): Promise<CommandOutcome<OfficerState>> {
  const stream = streams.officer(command.officerId);
  const result = await handleCommand({
    store: deps.store,
    stream,
    decider: officerDecider,
    parseEvent: parseOfficerEvent,
    command,
    ids: deps.ids,
    ...options,
    retry: { safe: true },
    recordProvince: (state) => (state.status === 'unenrolled' ? undefined : state.province),
  });
  return {
    stream,
    events: result.events,
    nextExpectedRevision: result.nextExpectedRevision,
    state: result.state,
    alreadyApplied: result.alreadyApplied,
  };
}

function officer<T extends OfficerCommand['type']>(type: T) {
  return (deps: CommandDeps, caller: Caller, fields: Fields<T>, options?: CommandOptions) =>
    executeOfficerCommand(deps, { ...fields, type, now: deps.clock.now(), ...caller } as unknown as OfficerCommand, options);
}

export const enrollOfficer = officer('EnrollOfficer');
export const rotateOfficerKey = officer('RotateOfficerKey');
export const revokeOfficerKey = officer('RevokeOfficerKey');
export const suspendOfficer = officer('SuspendOfficer');
export const reinstateOfficer = officer('ReinstateOfficer');
