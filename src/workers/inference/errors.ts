/**
 * Typed errors of the plate reader. Bad images are the caller's problem (validation / too_large); a missing or
 * unloadable model is an operator problem (unavailable). Messages never echo image bytes or plate text.
 */
import { AppError, type ErrorCategory } from '../../domain/shared/errors.ts';

/** The bytes are not an image the reader accepts (empty, unknown format, corrupt, truncated). */
export class ImageRejectedError extends AppError {
  readonly category: ErrorCategory = 'validation';
  readonly code: string;
  constructor(message: string, code = 'image-rejected', options?: { cause?: unknown }) {
    super(message, undefined, options);
    this.code = code;
  }
}

/** The image is larger than the configured byte or pixel limit; refused before it is decoded. */
export class ImageTooLargeError extends AppError {
  readonly category: ErrorCategory = 'too_large';
  readonly code = 'image-too-large';
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
  }
}

/** The models could not be found or loaded, or the reader was closed. Retrying elsewhere may help. */
export class PlateReaderUnavailableError extends AppError {
  readonly category: ErrorCategory = 'unavailable';
  readonly code = 'plate-reader-unavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, undefined, options);
  }
}
