import { expect } from 'chai';
import { checkRules } from '../../../../src/domain/bundle/checks/rules.ts';
import { buildFixture, type Scenario } from '../fixture.ts';
import { derive } from './support.ts';

const given = (scenario: Scenario = {}) => derive(buildFixture(scenario).entries);
const idOf = (d: ReturnType<typeof given>, type: string) => d.caseRecords.find((r) => r.type === type)!.id;

describe('bundle check 9: RULES', () => {
  it('given a penalty decided by an officer after an officer review, when checked, then it passes', () => {
    const d = given({ appeal: 'signed' });
    expect(checkRules(d.records, d.caseRecords, new Set())).to.deep.equal([]);
  });

  it('given no review before the penalty, when checked, then the decision fails', () => {
    const d = given({ omitReview: true });
    expect(checkRules(d.records, d.caseRecords, new Set()).map((x) => x.recordIds)).to.deep.equal([
      [idOf(d, 'PenaltyDecided')],
    ]);
  });

  it('given a review confirmed by a service, when checked, then the review and the unreviewed decision fail', () => {
    const d = given({ reviewActorKind: 'service' });
    expect(checkRules(d.records, d.caseRecords, new Set()).map((x) => x.recordIds)).to.deep.equal([
      [idOf(d, 'ReviewConfirmed')],
      [idOf(d, 'PenaltyDecided')],
    ]);
  });

  it('given an appeal resolution whose sign-off failed its check, when checked, then it fails', () => {
    const d = given({ appeal: 'signed' });
    const appeal = idOf(d, 'AppealResolved');
    expect(checkRules(d.records, d.caseRecords, new Set([appeal])).map((x) => x.recordIds)).to.deep.equal([[appeal]]);
  });

  it('given an appeal resolution without a sign-off, when checked, then it fails', () => {
    const d = given({ appeal: 'stripped' });
    expect(checkRules(d.records, d.caseRecords, new Set()).map((x) => x.recordIds)).to.deep.equal([
      [idOf(d, 'AppealResolved')],
    ]);
  });
});
