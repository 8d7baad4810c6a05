/**
 * Typed errors of media derivation. Bad images, boxes and captions are the caller's problem (`validation`,
 * `too_large`); messages name limits and sizes only, never image bytes or caption text.
 */
import { AppError, type ErrorCategory } from '../../domain/shared/errors.ts';

/** The image claims more pixels (or bytes) than the configured limit; refused from its header, before decoding. */
export class ImageTooLargeError extends AppError {
  readonly category: ErrorCategory = 'too_large';
  readonly code = 'media-image-too-large';
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
  }
}

/** The bytes are not a JPEG, PNG or WebP image this worker accepts, or they are corrupt or truncated. */
export class UnsupportedImageError extends AppError {
  readonly category: ErrorCategory = 'validation';
  readonly code = 'media-image-unsupported';
  constructor(message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, details, options);
  }
}

/** A box is malformed (not integers, empty) or lies entirely outside the image. */
export class InvalidBoxError extends AppError {
  readonly category: ErrorCategory = 'validation';
  readonly code = 'media-box-invalid';
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
  }
}

/** A caption or derivation request is malformed (bad timestamp, over-long text, unknown option). */
export class InvalidMediaRequestError extends AppError {
  readonly category: ErrorCategory = 'validation';
  readonly code = 'media-request-invalid';
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
  }
}

/** The evidence store returned bytes that do not hash to the digest asked for: an integrity failure, not bad input. */
export class MediaSourceMismatchError extends AppError {
  readonly category: ErrorCategory = 'internal';
  readonly code = 'media-source-mismatch';
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
  }
}
