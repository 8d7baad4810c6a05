/**
 * The data-subject request decider, given/when/then: a request is received once with its legal basis; an
 * access is disclosed; a correction corrected or refused; an erasure erased only where the law allows it.
 */
import { expect } from 'chai';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import {
  ERASURE_REFUSAL_BASIS,
  ErasureNotAllowedError,
  parseSubjectEvent,
  SUBJECT_LEGAL_BASIS,
  SubjectOutcomeError,
  SubjectRequestAlreadyAnsweredError,
  SubjectRequestNotFoundError,
  subjectDecider,
  type SubjectCommand,
  type SubjectEvent,
} from '../../../src/domain/subject/index.ts';
import { spec } from '../../support/given-when-then.ts';

const CASE = '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60';
const NOW = '2026-12-06T10:00:00.000Z';
const citizen = { actor: { kind: 'citizen' as const, id: 'public-subject-request' }, province: '01' };
const officer = { actor: { kind: 'officer' as const, id: 'off-01-0001' }, province: '01' };
const receive = (kind: 'access' | 'correction' | 'erasure'): SubjectCommand => ({
  type: 'ReceiveSubjectRequest',
  requestId: 'req-1',
  kind,
  channel: 'public',
  caseIds: [CASE],
  now: NOW,
  ...citizen,
});
const received = (kind: 'access' | 'correction' | 'erasure'): SubjectEvent => ({
  type: 'SubjectRequestReceived',
  data: { requestId: 'req-1', kind, channel: 'public', caseIds: [CASE], legalBasis: SUBJECT_LEGAL_BASIS[kind], receivedAt: NOW },
});
const answer = (outcome: 'disclosed' | 'corrected' | 'erased' | 'refused', erasable = false): SubjectCommand => ({
  type: 'AnswerSubjectRequest',
  requestId: 'req-1',
  outcome,
  reason: 'stated reason',
  erasable,
  now: NOW,
  ...officer,
});
const subject = () => spec(subjectDecider, { parse: (e) => parseSubjectEvent(e) });

describe('data-subject request decider', () => {
  it('given nothing, when an owner asks through the public channel, then SubjectRequestReceived with its legal basis', () => {
    subject().given([]).when(receive('access')).then([received('access')]);
  });
  it('given the same request, when received again, then nothing', () => {
    subject().given([received('erasure')]).when(receive('erasure')).thenNothing();
  });
  it('only a citizen files on the public channel', () => {
    subject().given([]).when({ ...receive('access'), ...officer }).thenThrows(ActorNotAllowedError);
  });
  it('given no request, when answered, then SubjectRequestNotFoundError', () => {
    subject().given([]).when(answer('disclosed')).thenThrows(SubjectRequestNotFoundError);
  });
  it('an access request is disclosed, never erased', () => {
    subject()
      .given([received('access')])
      .when(answer('disclosed'))
      .thenEvents((events) => expect(events[0]!.data).to.deep.include({ outcome: 'disclosed', legalBasis: SUBJECT_LEGAL_BASIS.access }));
    subject().given([received('access')]).when(answer('erased', true)).thenThrows(SubjectOutcomeError);
  });
  it('an erasure the law does not allow (a case open or sanctioned) is refused; a refusal carries the exception as basis', () => {
    subject().given([received('erasure')]).when(answer('erased', false)).thenThrows(ErasureNotAllowedError);
    subject()
      .given([received('erasure')])
      .when(answer('refused'))
      .thenEvents((events) => expect(events[0]!.data).to.deep.include({ outcome: 'refused', legalBasis: ERASURE_REFUSAL_BASIS }));
  });
  it('an erasure the law allows (every case ended rejected) is erased', () => {
    subject()
      .given([received('erasure')])
      .when(answer('erased', true))
      .thenEvents((events) => expect(events[0]!.data).to.deep.include({ outcome: 'erased', legalBasis: SUBJECT_LEGAL_BASIS.erasure }));
  });
  it('given an answered request, when answered otherwise, then refused; the same answer again is nothing', () => {
    const answered: SubjectEvent = {
      type: 'SubjectRequestAnswered',
      data: { requestId: 'req-1', outcome: 'corrected', reason: 'done', legalBasis: SUBJECT_LEGAL_BASIS.correction, answeredAt: NOW },
    };
    subject().given([received('correction'), answered]).when(answer('refused')).thenThrows(SubjectRequestAlreadyAnsweredError);
    subject().given([received('correction'), answered]).when(answer('corrected')).thenNothing();
  });
});
