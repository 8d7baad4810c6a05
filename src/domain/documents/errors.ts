/** Document refusals. The HTTP layer maps `category` to a status; tests match on classes. */
import { AppError } from '../shared/errors.ts';

/** The case has not reached the event a document is made from: the case's error (documents are issued on it). */
export { DocumentSourceMissingError } from '../case/errors.ts';

/** No document of this kind was issued for the case. */
export class DocumentNotIssuedError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'document-not-issued';
}
