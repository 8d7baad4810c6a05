/**
 * The citizen actor on the case (citizen-rules.ts): the vehicle's holder answers a notice online (explanation,
 * or the driver's registry and licence references; an organisation names its driver), within the notice's
 * period, and appeals a decision within 90 days; nothing on another vehicle's case, nothing else.
 */
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import { holderId } from '../../../src/domain/case/citizen-rules.ts';
import {
  AppealAlreadyOpenError,
  InvalidCaseTransitionError,
  NotTheVehicleHolderError,
  OrganisationMustNameDriverError,
  ProcedurePeriodElapsedError,
} from '../../../src/domain/case/errors.ts';
import { parseCaseEvent, type CaseEvent } from '../../../src/domain/case/events.ts';
import { plateKey } from '../../../src/domain/case/plate-key.ts';
import { fold } from '../../../src/domain/decider.ts';
import type { Actor } from '../../../src/domain/record.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../../../src/domain/signoff/errors.ts';
import type { Offender } from '../../../src/domain/signoff/payloads.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  caseCommand,
  confirmReview,
  decidePenalty,
  drawRecord,
  PLATE,
  violationDetected,
} from './case-fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [
  ...history,
  ...caseDecider.decide(command, fold(caseDecider, history)),
];

const OWNER: Offender = { kind: 'individual', ref: 'owner-0001' };
const ORG: Offender = { kind: 'organisation', ref: 'org-0001' };
const DRIVER: Offender = { kind: 'individual', ref: 'person-0002' };

const HOLDER: Actor = { kind: 'citizen', id: holderId(plateKey(PLATE)) };
const OTHER_HOLDER: Actor = { kind: 'citizen', id: holderId('51F99999') };
// The notice is issued on 2026-03-20 (Vietnam day): 20 days → Thursday 2026-04-09, to 24:00 in Hà Nội.
const WITHIN = '2026-04-09T16:59:59.000Z';
const AFTER_PERIOD = '2026-04-09T17:00:00.000Z';

const detected = [violationDetected()];
const confirmed = after(detected, confirmReview(detected));
const noticedFor = (owner: Offender) =>
  after(
    after(confirmed, caseCommand({ type: 'IdentifyOwner', owner, registry: 'reg', now: '2026-03-11T03:00:00.000Z' })),
    caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic' }),
  );
const noticed = noticedFor(OWNER);
const noticedOrg = noticedFor(ORG);

/** A command from a citizen: no officer context. */
function citizen<C extends CaseCommand>(command: Parameters<typeof caseCommand<C>>[0], actor: Actor = HOLDER): C {
  const { context: _officer, ...rest } = caseCommand<C>({ now: WITHIN, ...command, actor });
  void _officer;
  return rest as C;
}

const explanation = (overrides: Partial<{ explanationId: string; statement: string; channel: 'online' | 'in-person' }> = {}) =>
  ({
    type: 'SubmitExplanation',
    explanationId: 'ex-online-1',
    channel: 'online',
    statement: 'Hôm đó tôi cho em trai mượn xe',
    ...overrides,
  }) as const;
const naming = { type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'gplx-0002' } as const;

describe('the citizen actor on the case', () => {
  describe('answering a notice online', () => {
    it('records the explanation with the citizen actor, channel online', () => {
      caseSpec()
        .given(noticed)
        .when(citizen(explanation()))
        .then([
          {
            type: 'ExplanationSubmitted',
            data: { explanationId: 'ex-online-1', channel: 'online', statement: 'Hôm đó tôi cho em trai mượn xe', submittedAt: WITHIN },
          },
        ]);
    });

    it('records the driver named by registry and licence references (no name)', () => {
      caseSpec()
        .given(noticed)
        .when(citizen(naming))
        .then([{ type: 'DriverIdentified', data: { driver: DRIVER, licenceRef: 'gplx-0002', identifiedAt: WITHIN } }]);
    });

    it('is idempotent: the same explanation id and statement, or the same driver, add nothing', () => {
      const explained = after(noticed, citizen(explanation()));
      caseSpec().given(explained).when(citizen(explanation())).thenNothing();
      const named = after(noticed, citizen(naming));
      caseSpec().given(named).when(citizen(naming)).thenNothing();
      // Even after the period: a repeat is not a new answer.
      caseSpec().given(explained).when(citizen({ ...explanation(), now: AFTER_PERIOD })).thenNothing();
    });

    it('refuses another statement under the same explanation id', () => {
      const explained = after(noticed, citizen(explanation()));
      caseSpec()
        .given(explained)
        .when(citizen(explanation({ statement: 'Một nội dung khác' })))
        .thenThrows(InvalidCaseTransitionError);
    });

    it('refuses once the notice period has ended', () => {
      caseSpec().given(noticed).when(citizen({ ...explanation(), now: AFTER_PERIOD })).thenThrows(ProcedurePeriodElapsedError);
      caseSpec().given(noticed).when(citizen({ ...naming, now: AFTER_PERIOD })).thenThrows(ProcedurePeriodElapsedError);
    });

    it('refuses a citizen explaining "in person" (that is recorded by the unit)', () => {
      caseSpec().given(noticed).when(citizen(explanation({ channel: 'in-person' }))).thenThrows(InvalidCommandError);
    });

    it('refuses before the notice (the owner known but not noticed) and after the record is drawn', () => {
      const ownerKnown = after(confirmed, caseCommand({ type: 'IdentifyOwner', owner: OWNER, registry: 'reg', now: '2026-03-11T03:00:00.000Z' }));
      caseSpec().given(ownerKnown).when(citizen(naming)).thenThrows(InvalidCaseTransitionError);
      caseSpec().given(ownerKnown).when(citizen(explanation())).thenThrows(InvalidCaseTransitionError);
      const recorded = after(noticed, drawRecord(noticed));
      caseSpec().given(recorded).when(citizen(explanation())).thenThrows(InvalidCaseTransitionError);
    });

    it('refuses the holder of another vehicle, whatever they send', () => {
      caseSpec().given(noticed).when(citizen(explanation(), OTHER_HOLDER)).thenThrows(NotTheVehicleHolderError);
      caseSpec().given(noticed).when(citizen(naming, OTHER_HOLDER)).thenThrows(NotTheVehicleHolderError);
    });

    it('an organisation names its driver before it explains', () => {
      caseSpec().given(noticedOrg).when(citizen(explanation())).thenThrows(OrganisationMustNameDriverError);
      const named = after(noticedOrg, citizen(naming));
      caseSpec()
        .given(named)
        .when(citizen(explanation()))
        .thenEvents((events) => {
          if (events.length !== 1 || events[0]!.type !== 'ExplanationSubmitted') throw new Error('expected the explanation');
        });
    });

    it('refuses a citizen every other case command', () => {
      caseSpec().given(noticed).when(citizen({ type: 'RecordOwnerUnresponsive', noticeId: 'ntc-1' })).thenThrows(ActorNotAllowedError);
      caseSpec().given(noticed).when(citizen({ type: 'CloseCase' })).thenThrows(ActorNotAllowedError);
    });
  });

  describe('appealing a decision', () => {
    const recorded = after(noticed, drawRecord(noticed));
    const decided = after(recorded, decidePenalty(recorded));
    // Decided 2026-03-20 (Vietnam day): 90 days → 2026-06-18 (Thursday), to 24:00 in Hà Nội.
    const appeal = { type: 'FileAppeal', appealId: 'KN-ABCDEF12-01', grounds: 'Tôi không điều khiển xe lúc đó' } as const;

    it('records AppealFiled with the citizen actor, linked by the complaint reference as its id', () => {
      caseSpec()
        .given(decided)
        .when(citizen(appeal))
        .then([{ type: 'AppealFiled', data: { appealId: 'KN-ABCDEF12-01', grounds: appeal.grounds, filedAt: WITHIN } }]);
    });

    it('is idempotent on the appeal id and grounds; another appeal while one is open is refused', () => {
      const appealed = after(decided, citizen(appeal));
      caseSpec().given(appealed).when(citizen(appeal)).thenNothing();
      caseSpec()
        .given(appealed)
        .when(citizen({ ...appeal, appealId: 'KN-ABCDEF12-02' }))
        .thenThrows(AppealAlreadyOpenError);
    });

    it('refuses after 90 days, before a decision, and for another vehicle', () => {
      caseSpec().given(decided).when(citizen({ ...appeal, now: '2026-06-18T17:00:00.000Z' })).thenThrows(ProcedurePeriodElapsedError);
      caseSpec().given(decided).when(citizen({ ...appeal, now: '2026-06-18T16:59:00.000Z' })).thenEvents((events) => {
        if (events.length !== 1) throw new Error('expected AppealFiled on the last day');
      });
      caseSpec().given(noticed).when(citizen(appeal)).thenThrows(InvalidCaseTransitionError);
      caseSpec().given(decided).when(citizen(appeal, OTHER_HOLDER)).thenThrows(NotTheVehicleHolderError);
    });
  });
});
