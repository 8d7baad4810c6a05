/**
 * Small checks every decider runs on a command's envelope before its own rules. Throw typed errors only.
 */
import type { ActorKind } from '../record.ts';
import type { CommandBase } from '../decider.ts';
import { isProvinceCode } from '../provinces/index.ts';
import { ActorNotAllowedError, InvalidCommandError, ProvinceMismatchError } from './errors.ts';
import { isUtcTimestamp, MAX_CLOCK_SKEW_MS, NATIONAL_PROVINCE, toMillis } from './primitives.ts';

export function requireActorKind(command: CommandBase, allowed: readonly ActorKind[], what: string): void {
  if (!allowed.includes(command.actor?.kind)) {
    throw new ActorNotAllowedError(`A ${describeInput(command.actor?.kind)} actor may not ${what}`, {
      actorKind: describeInput(command.actor?.kind),
      allowed,
    });
  }
}

export function requireTimestamp(value: unknown, field: string): asserts value is string {
  if (!isUtcTimestamp(value))
    throw new InvalidCommandError(`${field} must be an RFC 3339 UTC timestamp`, { field });
}

/** `now` is valid; returns it. */
export function requireNow(command: CommandBase): string {
  requireTimestamp(command.now, 'now');
  return command.now;
}

/** A province code of the 34 provinces, or "00" when `allowNational`. */
export function requireProvinceCode(
  code: unknown,
  allowNational: boolean,
  field = 'province',
): asserts code is string {
  if (typeof code !== 'string' || !(isProvinceCode(code) || (allowNational && code === NATIONAL_PROVINCE))) {
    throw new InvalidCommandError(`${field} is not a province code`, { field });
  }
}

/**
 * The command acts in the aggregate's province, or nationally ("00") when `allowNational` (national staff and
 * national services act on provincial cases; the record's `meta.province` SHOULD still be the aggregate's).
 */
export function requireSameProvince(
  command: CommandBase,
  aggregateProvince: string,
  allowNational = false,
): void {
  if (command.province !== aggregateProvince && !(allowNational && command.province === NATIONAL_PROVINCE)) {
    throw new ProvinceMismatchError('The command names another province than the aggregate', {
      commandProvince: command.province,
      aggregateProvince,
    });
  }
}

export function requireText(value: unknown, field: string, max = 2000): asserts value is string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw new InvalidCommandError(`${field} must be non-empty text of at most ${max} characters`, { field });
  }
}

/** `at` is not later than `now` plus the tolerated clock skew. */
export function isNotInFuture(at: string, now: string): boolean {
  return toMillis(at) <= toMillis(now) + MAX_CLOCK_SKEW_MS;
}

/** A bounded, crash-proof description of untrusted input for error details (never the value of an object). */
export function describeInput(value: unknown, max = 64): string {
  return typeof value === 'string' ? value.slice(0, max) : typeof value;
}

/** Refuses a command type the decider does not know (before its switch, whose default is a `never` check). */
export function requireKnownCommand(type: unknown, known: readonly string[]): void {
  if (typeof type !== 'string' || !known.includes(type)) {
    throw new InvalidCommandError('Unknown command type', { type: describeInput(type) });
  }
}
