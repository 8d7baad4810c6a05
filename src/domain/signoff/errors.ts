/**
 * Refusals shared by several deciders. Each class names one rule; callers and tests match on the class
 * (or its stable `code`), never on the message.
 */
import { AppError, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';

/** The actor's kind may not issue this command (e.g. a service or device confirming a review). */
export class ActorNotAllowedError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'actor-not-allowed';
}

/** The command's province is not the aggregate's province. */
export class ProvinceMismatchError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'province-mismatch';
}

/** A command field is malformed (bad timestamp, empty reason, bad key encoding…). */
export class InvalidCommandError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-command';
}

export class InvalidPublicKeyError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-public-key';
}

/** The key is already registered for this camera or officer. */
export class KeyAlreadyRegisteredError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'key-already-registered';
}

export class UnknownKeyError extends DomainRuleError {
  readonly code = 'unknown-key';
}

export class KeyAlreadyRevokedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'key-already-revoked';
}
