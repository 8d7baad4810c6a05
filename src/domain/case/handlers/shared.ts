/** What every case command handler gets, and the checks several of them share. */
import type { OfficerView } from '../../officer/view.ts';
import { InvalidCommandError } from '../../signoff/errors.ts';
import { IdentifierSchema } from '../../signoff/primitives.ts';
import type { CaseCommand } from '../commands.ts';
import { InvalidCaseTransitionError } from '../errors.ts';
import type { CaseEvent } from '../events.ts';
import type { CaseStatus, ExistingCase, OpenCaseStatus } from '../state.ts';

/** The case a command acts on (it exists, and the command may act on it), the command's time and its signer. */
export interface HandlerContext {
  kase: ExistingCase;
  now: string;
  /** The authorised officer of a signed command; throws when the actor is no officer. */
  signer: () => OfficerView;
}

/** Decides one command type (or several that share their rules) on an existing case. */
export type CaseHandler<T extends CaseCommand['type']> = (
  command: Extract<CaseCommand, { type: T }>,
  context: HandlerContext,
) => CaseEvent[];

export const REVIEWED: readonly OpenCaseStatus[] = [
  'confirmed',
  'owner-identified',
  'owner-not-found',
  'noticed',
];
export const DECIDED: readonly OpenCaseStatus[] = ['decided', 'paid', 'appealed', 'appeal-resolved'];

export function transitionError(kase: ExistingCase, command: CaseCommand): InvalidCaseTransitionError {
  return new InvalidCaseTransitionError(`${command.type} is not allowed in status ${kase.status}`, {
    status: kase.status,
    command: command.type,
  });
}

export function requireStatus(
  kase: ExistingCase,
  command: CaseCommand,
  allowed: readonly CaseStatus[],
): void {
  if (!allowed.includes(kase.status)) throw transitionError(kase, command);
}

export function heldDigests(kase: ExistingCase): Set<string> {
  return new Set([...kase.originals.map((e) => e.digest), ...kase.derivations.map((d) => d.derived.digest)]);
}

export function requireIdentifier(value: unknown, field: string): asserts value is string {
  if (!IdentifierSchema.safeParse(value).success)
    throw new InvalidCommandError(`${field} is not an identifier`, { field });
}
