/**
 * The citizen-report decider (stream `report-<province>`): a citizen reports with photos, flagged `citizen`;
 * only an officer reviews; a report is never a case and decides nothing.
 */
import { expect } from 'chai';
import {
  IdempotencyKeyReusedError,
  parseReportEvent,
  reportDecider,
  ReportAlreadyReviewedError,
  ReportNotFoundError,
  ReportTimeInvalidError,
  type ReportCommand,
  type ReportEvent,
} from '../../../src/domain/citizen/index.ts';
import { ActorNotAllowedError } from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';

const the = spec(reportDecider, { parse: (e: ReportEvent) => parseReportEvent(e) });
const citizen = { kind: 'citizen' as const, id: 'reporter-0123456789abcdef' };
const officer = { kind: 'officer' as const, id: 'officer-01-reviewer' };
const NOW = '2026-12-06T10:00:00.000Z';
const ID = '01900000-0000-7000-8000-00000000abcd';

const submit = (over: Partial<Extract<ReportCommand, { type: 'SubmitReport' }>> = {}): ReportCommand => ({
  type: 'SubmitReport',
  now: NOW,
  actor: citizen,
  province: '01',
  reportId: ID,
  reference: 'PA-01-0000ABCD',
  observedAt: '2026-12-06T09:30:00.000Z',
  place: 'Ngã tư Láng Hạ – Thái Hà',
  plate: '30A-123.45',
  description: 'Xe ô tô vượt đèn đỏ lúc đèn đã đỏ khá lâu',
  photos: [{ digest: `sha256:${'c'.repeat(64)}`, mediaType: 'image/jpeg', size: 2048, role: 'citizen-report-photo' }],
  idempotencyKey: 'report-key-0001',
  requestDigest: `sha256:${'d'.repeat(64)}`,
  ...over,
});
const review = (outcome: 'accepted' | 'rejected', actor: { kind: 'officer' | 'citizen'; id: string } = officer): ReportCommand => ({
  type: 'ReviewReport',
  now: NOW,
  actor,
  province: '01',
  reportId: ID,
  outcome,
  reason: 'Ảnh rõ biển số và đèn tín hiệu',
});

describe('citizen-report decider', () => {
  it('records a citizen-sourced report with its photos', () => {
    the.given([]).when(submit()).thenEvents((events) => {
      expect(events[0]!.type).to.equal('ViolationReported');
      expect(events[0]!.data).to.include({ source: 'citizen', province: '01', reference: 'PA-01-0000ABCD' });
    });
  });

  it('refuses a report without photos, from the future, or by an officer', () => {
    expect(() => reportDecider.decide(submit({ photos: [] }), reportDecider.initialState())).to.throw();
    the.given([]).when(submit({ observedAt: '2026-12-07T10:00:00.000Z' })).thenThrows(ReportTimeInvalidError);
    the.given([]).when({ ...submit(), actor: officer } as ReportCommand).thenThrows(ActorNotAllowedError);
  });

  it('repeats under the same key are no-ops; another request under it is refused', () => {
    const [reported] = reportDecider.decide(submit(), reportDecider.initialState());
    the.given([reported!]).when(submit({ reportId: '01900000-0000-7000-8000-00000000ffff' })).thenNothing();
    the.given([reported!]).when(submit({ reportId: '01900000-0000-7000-8000-00000000ffff', requestDigest: `sha256:${'e'.repeat(64)}` })).thenThrows(IdempotencyKeyReusedError);
  });

  it('only an officer reviews, once; a citizen cannot', () => {
    const [reported] = reportDecider.decide(submit(), reportDecider.initialState());
    the.given([reported!]).when(review('accepted', citizen)).thenThrows(ActorNotAllowedError);
    const state = the.given([reported!]).when(review('accepted')).then([
      { type: 'ReportReviewed', data: { reportId: ID, outcome: 'accepted', reason: 'Ảnh rõ biển số và đèn tín hiệu', officerId: officer.id, reviewedAt: NOW } },
    ]);
    expect(state.status === 'active' && state.reports[ID]!.review?.outcome).to.equal('accepted');
    const [reviewed] = reportDecider.decide(review('accepted'), the.given([reported!]).state);
    the.given([reported!, reviewed!]).when(review('rejected')).thenThrows(ReportAlreadyReviewedError);
    the.given([]).when(review('accepted')).thenThrows(ReportNotFoundError);
  });
});
