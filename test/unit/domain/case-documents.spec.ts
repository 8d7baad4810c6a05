/**
 * `DocumentIssued` (docs/documents.md): a document made from the case's events is recorded with its digest and
 * template version, at the time of the event it is made from (never the command's clock), once per template;
 * the same bytes again record nothing, other bytes are refused, and every refusal has its spec.
 */
import { expect } from 'chai';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import { CaseEndedError, DocumentDigestConflictError, DocumentSourceMissingError } from '../../../src/domain/case/errors.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import type { ExistingCase } from '../../../src/domain/case/state.ts';
import { fold } from '../../../src/domain/decider.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  APPEAL_RESOLVED_AT,
  caseCommand,
  confirmReview,
  DECIDED_AT,
  decidePenalty,
  drawRecord,
  resolveAppeal,
  violationDetected,
} from './case-fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];

const NOTICE_AT = '2026-03-12T20:00:00.000Z';
const LATER = '2026-05-01T09:00:00.000Z';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const identified = after(confirmed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg' }));
const noticed = after(identified, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic', now: NOTICE_AT }));
const recorded = after(noticed, drawRecord(noticed));
const decided = after(recorded, decidePenalty(recorded));
const appealed = after(decided, caseCommand({ type: 'FileAppeal', appealId: 'apl-1', grounds: 'Xe của tôi không đi qua đó' }));
const resolved = after(appealed, resolveAppeal(appealed, { outcome: 'overturned', fineVnd: 0, reason: 'Ảnh không rõ biển số' }));

type Issue = Extract<CaseCommand, { type: 'RecordDocumentIssued' }>;
const issue = (fields: Partial<Omit<Issue, 'type'>> & Pick<Issue, 'kind'>, now = LATER): Issue =>
  caseCommand<Issue>({ type: 'RecordDocumentIssued', digest: DIGEST, templateVersion: templateOf(fields.kind), now, ...fields } as never);
function templateOf(kind: Issue['kind']): string {
  if (kind === 'appeal') return 'appeal-resolution/v1';
  return kind === 'notice' ? 'notice/v1' : kind === 'record' ? 'violation-record/v1' : 'penalty-decision/v1';
}

describe('DocumentIssued (documents a person holds)', () => {
  it('records the notice at the notice’s time, whatever the clock says when it is rendered', () => {
    caseSpec()
      .given(noticed)
      .when(issue({ kind: 'notice', noticeId: 'ntc-1' }))
      .then([
        {
          type: 'DocumentIssued',
          data: { kind: 'notice', noticeId: 'ntc-1', digest: DIGEST, templateVersion: 'notice/v1', issuedAt: NOTICE_AT },
        },
      ]);
  });

  it('records the violation record at its signature time, and the decision at the decision’s', () => {
    const record = (recorded.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>).data.signoff.signedAt;
    caseSpec()
      .given(recorded)
      .when(issue({ kind: 'record' }))
      .thenEvents(([e]) => expect(e?.type === 'DocumentIssued' && e.data).to.deep.equal({ kind: 'record', digest: DIGEST, templateVersion: 'violation-record/v1', issuedAt: record }));
    const state = caseSpec()
      .given(decided)
      .when(issue({ kind: 'decision' }))
      .thenEvents(([e]) => expect(e?.type === 'DocumentIssued' && e.data.issuedAt).to.equal(DECIDED_AT)).state as ExistingCase;
    expect(state.documents).to.deep.equal([{ kind: 'decision', digest: DIGEST, templateVersion: 'penalty-decision/v1', issuedAt: DECIDED_AT }]);
  });

  it('the same events give the same record: issuing at another time gives identical data', () => {
    const a = caseDecider.decide(issue({ kind: 'decision' }, LATER), fold(caseDecider, decided));
    const b = caseDecider.decide(issue({ kind: 'decision' }, '2026-09-09T09:09:09.000Z'), fold(caseDecider, structuredClone(decided)));
    expect(a).to.deep.equal(b);
  });

  it('the same document again records nothing; other bytes from the same template are refused', () => {
    const issued = after(decided, issue({ kind: 'decision' }));
    caseSpec().given(issued).when(issue({ kind: 'decision' })).thenNothing();
    caseSpec().given(issued).when(issue({ kind: 'decision', digest: OTHER_DIGEST })).thenThrows(DocumentDigestConflictError);
  });

  it('each notice of the case is its own document', () => {
    const second = after(after(noticed, issue({ kind: 'notice', noticeId: 'ntc-1' })), caseCommand({ type: 'IssueNotice', noticeId: 'ntc-2', channel: 'post' }));
    caseSpec()
      .given(second)
      .when(issue({ kind: 'notice', noticeId: 'ntc-2', digest: OTHER_DIGEST }))
      .thenEvents((events) => expect(events).to.have.length(1));
  });

  it('records an appeal’s resolution at its resolution time, under the appeal’s id', () => {
    const state = caseSpec()
      .given(resolved)
      .when(issue({ kind: 'appeal', appealId: 'apl-1' }))
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['DocumentIssued'])).state as ExistingCase;
    expect(state.documents).to.deep.equal([
      { kind: 'appeal', appealId: 'apl-1', digest: DIGEST, templateVersion: 'appeal-resolution/v1', issuedAt: APPEAL_RESOLVED_AT },
    ]);
    const issued = after(resolved, issue({ kind: 'appeal', appealId: 'apl-1' }));
    caseSpec().given(issued).when(issue({ kind: 'appeal', appealId: 'apl-1' })).thenNothing();
    caseSpec().given(issued).when(issue({ kind: 'appeal', appealId: 'apl-1', digest: OTHER_DIGEST })).thenThrows(DocumentDigestConflictError);
  });

  it('refuses an appeal resolution for an appeal still open or unknown, without its id, or an id on another kind', () => {
    caseSpec().given(appealed).when(issue({ kind: 'appeal', appealId: 'apl-1' })).thenThrows(DocumentSourceMissingError);
    caseSpec().given(resolved).when(issue({ kind: 'appeal', appealId: 'apl-9' })).thenThrows(DocumentSourceMissingError);
    caseSpec().given(resolved).when(issue({ kind: 'appeal' })).thenThrows(InvalidCommandError);
    caseSpec().given(resolved).when(issue({ kind: 'decision', appealId: 'apl-1' })).thenThrows(InvalidCommandError);
    caseSpec().given(resolved).when(issue({ kind: 'appeal', appealId: 'apl-1', templateVersion: 'penalty-decision/v1' })).thenThrows(InvalidCommandError);
  });

  it('refuses a document whose source event the case does not hold', () => {
    caseSpec().given(identified).when(issue({ kind: 'notice', noticeId: 'ntc-1' })).thenThrows(DocumentSourceMissingError);
    caseSpec().given(noticed).when(issue({ kind: 'notice', noticeId: 'ntc-9' })).thenThrows(DocumentSourceMissingError);
    caseSpec().given(noticed).when(issue({ kind: 'record' })).thenThrows(DocumentSourceMissingError);
    caseSpec().given(recorded).when(issue({ kind: 'decision' })).thenThrows(DocumentSourceMissingError);
  });

  it('refuses an unknown kind or template version, a malformed digest, and a notice without its id (or a record with one)', () => {
    caseSpec().given(decided).when(issue({ kind: 'decision', templateVersion: 'penalty-decision/v9' })).thenThrows(InvalidCommandError);
    caseSpec().given(decided).when(issue({ kind: 'decision', templateVersion: 'notice/v1' })).thenThrows(InvalidCommandError);
    caseSpec().given(decided).when(issue({ kind: 'constructor' as never })).thenThrows(InvalidCommandError);
    caseSpec().given(decided).when(issue({ kind: 'decision', digest: 'sha256:XYZ' })).thenThrows(InvalidCommandError);
    caseSpec().given(noticed).when(issue({ kind: 'notice' })).thenThrows(InvalidCommandError);
    caseSpec().given(recorded).when(issue({ kind: 'record', noticeId: 'ntc-1' })).thenThrows(InvalidCommandError);
  });

  it('is issued by case staff only, never by a service or device', () => {
    caseSpec()
      .given(decided)
      .when({ ...issue({ kind: 'decision' }), actor: { kind: 'service', id: 'notice-worker' } })
      .thenThrows(ActorNotAllowedError);
  });

  it('may be issued on a closed case (a court asks for the documents later), not on a voided one', () => {
    const closed = { ...(fold(caseDecider, decided) as ExistingCase), status: 'closed' as const };
    expect(caseDecider.decide(issue({ kind: 'decision' }), closed)).to.have.length(1);
    const voidedLike = { ...(fold(caseDecider, decided) as ExistingCase), status: 'voided' as const };
    expect(() => caseDecider.decide(issue({ kind: 'decision' }), voidedLike)).to.throw(CaseEndedError);
  });
});
