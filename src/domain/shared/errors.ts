/**
 * Typed errors. Every error the system raises on purpose carries a category; the HTTP layer maps the
 * category to a status in exactly one place, and the CLI to an exit code. The domain never sees HTTP.
 */
export type ErrorCategory =
  | 'validation' // the input is malformed or breaks a rule about its own shape (400)
  | 'unauthenticated' // no or bad credentials, forged signature of a request (401)
  | 'forbidden' // the actor may not do this (403, or 404 where existence must not leak)
  | 'not_found' // (404)
  | 'conflict' // the state of the aggregate refuses the command (409)
  | 'precondition' // optimistic concurrency: the revision the caller saw is stale (412)
  | 'too_large' // payload or record exceeds a configured limit (413)
  | 'unprocessable' // well-formed but refused by a legal or domain rule (422)
  | 'rate_limited' // too many attempts; retry after the time the error states (429)
  | 'unavailable' // a backing service is down; safe to retry later (503)
  | 'internal'; // a bug or an integrity failure (500)

export abstract class AppError extends Error {
  abstract readonly category: ErrorCategory;
  /** Stable machine-readable code, e.g. `officer-not-active`. Used as the problem `type` suffix. */
  abstract readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** A command or input that is malformed. */
export class ValidationError extends AppError {
  readonly category = 'validation' as const;
  readonly code: string;
  constructor(message: string, details?: Record<string, unknown>, code = 'validation-failed') {
    super(message, details);
    this.code = code;
  }
}

/** Base class for rule refusals inside deciders. Subclasses name the rule. */
export abstract class DomainRuleError extends AppError {
  readonly category: ErrorCategory = 'unprocessable';
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
