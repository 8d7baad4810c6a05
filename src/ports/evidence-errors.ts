/**
 * Typed errors of the evidence blob store. Each carries a category so the HTTP layer and the CLI map it in
 * one place; none of them carries blob content, only digests and sizes.
 */
import { AppError } from '../domain/shared/errors.ts';

/** A digest that is not exactly `sha256:` followed by 64 lowercase hex characters (path traversal included). */
export class InvalidDigestError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'invalid-digest';
  constructor(digest: unknown) {
    // Echo at most a short, JSON-escaped prefix: the value is hostile input.
    super('Evidence digest must be "sha256:" followed by 64 lowercase hex characters', {
      received: JSON.stringify(String(digest).slice(0, 80)),
    });
  }
}

export class EmptyEvidenceError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'empty-evidence';
  constructor() {
    super('Evidence upload is empty');
  }
}

export class EvidenceTooLargeError extends AppError {
  readonly category = 'too_large' as const;
  readonly code = 'evidence-too-large';
  constructor(readonly limit: number) {
    super(`Evidence upload exceeds the limit of ${limit} bytes`, { limit });
  }
}

/** The caller announced a digest and the bytes hash to something else: nothing is stored. */
export class EvidenceDigestMismatchError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'evidence-digest-mismatch';
  constructor(
    readonly expectedDigest: string,
    readonly actualDigest: string,
  ) {
    super('Evidence bytes do not hash to the expected digest', { expectedDigest, actualDigest });
  }
}

export class EvidenceNotFoundError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'evidence-not-found';
  constructor(readonly digest: string) {
    super(`Evidence ${digest} not found`, { digest });
  }
}

/** A stored blob whose size or content no longer matches its digest: an integrity failure, never retried. */
export class EvidenceCorruptedError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'evidence-corrupted';
  constructor(
    readonly digest: string,
    reason: string,
  ) {
    super(`Evidence ${digest} is corrupted: ${reason}`, { digest, reason });
  }
}

/** The backing storage refused a write for lack of space or a similar condition; safe to retry later. */
export class EvidenceStoreUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'evidence-store-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
  }
}

/** A media type that is not a plain `type/subtype` token pair. */
export class InvalidMediaTypeError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'invalid-media-type';
  constructor(mediaType: unknown) {
    super('Media type must be a type/subtype token pair', {
      received: JSON.stringify(String(mediaType).slice(0, 80)),
    });
  }
}

/** A write to a store opened read-only: a configuration or programming error, not bad input. */
export class EvidenceStoreReadOnlyError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'evidence-store-read-only';
  constructor() {
    super('The evidence store was opened read-only');
  }
}

/**
 * Evidence that is encrypted at rest cannot be read with the key-encryption keys at hand: the KEK file is
 * missing, holds another key, or no longer holds the KEK a blob was wrapped under. Raised at start-up (the
 * node serves nothing) and by reads; never carries key material.
 */
export class EvidenceKeyUnavailableError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'evidence-key-unavailable';
  constructor(
    message: string,
    readonly reason: 'missing' | 'wrong' | 'unknown-kek' | 'not-configured',
  ) {
    super(message, { reason });
  }
}

/** A wrapped data key did not authenticate under its KEK and context: a tampered header or a different key. */
export class EvidenceKeyUnwrapError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'evidence-key-unwrap';
  constructor(readonly kekId: string) {
    super(`A wrapped data key does not authenticate under key-encryption key ${kekId}`, { kekId });
  }
}
