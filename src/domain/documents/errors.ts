/** Document refusals. The HTTP layer maps `category` to a status; tests match on classes. */
import { AppError, DomainRuleError } from '../shared/errors.ts';

/** The case has not reached the event a document is made from (no notice, no decision). */
export class DocumentSourceMissingError extends DomainRuleError {
  readonly code = 'document-source-missing';
}

/**
 * The event a document is made from does not exist in this system yet: the violation record is made from
 * `ViolationRecordDrawn` (issue 13, procedure branch), which is not recorded on this branch.
 */
export class DocumentSourceNotAvailableError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'document-source-not-available';
}

/** No document of this kind was issued for the case. */
export class DocumentNotIssuedError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'document-not-issued';
}
