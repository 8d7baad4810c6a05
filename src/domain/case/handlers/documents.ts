/**
 * `RecordDocumentIssued`: a document made from the case's events (the notice, the violation record, the penalty
 * decision, an appeal's resolution; docs/documents.md) is recorded with its PDF's digest and template version. The record's time is the
 * time of the event the document is made from, never the command's clock, so the same events always give the
 * same `DocumentIssued` (anyone can regenerate the PDF and compare). Issuing again with the same bytes records
 * nothing; other bytes from the same template are refused: the first document stands.
 */
import { ISSUABLE_TEMPLATE_VERSIONS } from '../../documents/types.ts';
import { assertNever } from '../../shared/errors.ts';
import { InvalidCommandError } from '../../signoff/errors.ts';
import { describeInput } from '../../signoff/guards.ts';
import { DigestSchema } from '../../signoff/primitives.ts';
import { DocumentDigestConflictError, DocumentSourceMissingError } from '../errors.ts';
import type { CaseEvent, IssuedDocumentKind } from '../events.ts';
import type { ExistingCase } from '../state.ts';
import type { CaseHandler } from './shared.ts';

/** When the event a document of `kind` is made from happened, or a `DocumentSourceMissingError`. */
function sourceTime(kase: ExistingCase, kind: IssuedDocumentKind, noticeId: string | undefined, appealId: string | undefined): string {
  switch (kind) {
    case 'notice': {
      const notice = kase.notices.find((n) => n.noticeId === noticeId);
      if (!notice) throw new DocumentSourceMissingError('The case has no such notice', {});
      return notice.issuedAt;
    }
    case 'record':
      if (!kase.record) throw new DocumentSourceMissingError('No violation record was drawn up', {});
      return kase.record.signedAt;
    case 'decision':
      if (!kase.decision) throw new DocumentSourceMissingError('No penalty was decided', {});
      return kase.decision.signedAt;
    case 'appeal': {
      const appeal = kase.appeals.find((a) => a.appealId === appealId);
      if (!appeal?.resolvedAt) throw new DocumentSourceMissingError('The case has no such resolved appeal', {});
      return appeal.resolvedAt;
    }
    default:
      return assertNever(kind, 'document kind');
  }
}

export const recordDocumentIssued: CaseHandler<'RecordDocumentIssued'> = (command, { kase }): CaseEvent[] => {
  const { kind, noticeId, appealId, digest, templateVersion } = command;
  if (!DigestSchema.safeParse(digest).success) throw new InvalidCommandError('digest must be sha256:<64 lowercase hex>', {});
  const known = Object.hasOwn(ISSUABLE_TEMPLATE_VERSIONS, kind) ? ISSUABLE_TEMPLATE_VERSIONS[kind] : undefined;
  if (!known) throw new InvalidCommandError('kind must be notice, record, decision or appeal', { kind: describeInput(kind) });
  if ((kind === 'notice') !== (noticeId !== undefined))
    throw new InvalidCommandError('A notice names its noticeId; no other document does', { kind });
  if ((kind === 'appeal') !== (appealId !== undefined))
    throw new InvalidCommandError('An appeal resolution names its appealId; no other document does', { kind });
  if (!known.includes(templateVersion))
    throw new InvalidCommandError('Unknown template version for this document', { templateVersion: describeInput(templateVersion) });
  const issuedAt = sourceTime(kase, kind, noticeId, appealId);
  const earlier = (kase.documents ?? []).find(
    (d) => d.kind === kind && d.noticeId === noticeId && d.appealId === appealId && d.templateVersion === templateVersion,
  );
  if (earlier) {
    if (earlier.digest === digest) return [];
    throw new DocumentDigestConflictError('This document was issued with other bytes; the first one stands', {
      kind,
      issuedDigest: earlier.digest,
    });
  }
  return [
    {
      type: 'DocumentIssued',
      data: {
        kind,
        ...(noticeId !== undefined ? { noticeId } : {}),
        ...(appealId !== undefined ? { appealId } : {}),
        digest,
        templateVersion,
        issuedAt,
      },
    },
  ];
};
