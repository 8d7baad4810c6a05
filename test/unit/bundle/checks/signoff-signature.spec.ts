import { expect } from 'chai';
import { checkSignoffSignatures, type SignoffFacts } from '../../../../src/domain/bundle/checks/signoff-signature.ts';
import { buildFixture, type Scenario } from '../fixture.ts';
import { derive, tools } from './support.ts';

const factsOf = (scenario: Scenario = {}): SignoffFacts & { ids: (type: string) => string } => {
  const d = derive(buildFixture(scenario).entries);
  return {
    records: d.records,
    byStream: d.byStream,
    caseId: d.summary.caseId,
    caseStream: d.caseStream,
    caseRecords: d.caseRecords,
    originals: d.originals,
    ids: (type) => d.caseRecords.find((r) => r.type === type)!.id,
  };
};

describe('bundle check 8: SIGNOFF_SIGNATURE', () => {
  it('given a review, a decision and an appeal signed by officers with keys in force, when checked, then it passes', () => {
    const result = checkSignoffSignatures(tools, factsOf({ appeal: 'signed' }));
    expect(result.failures).to.deep.equal([]);
    expect([...result.badSignoffs]).to.deep.equal([]);
  });

  for (const reviewSigner of ['stranger', 'revoked'] as const) {
    it(`given a review signed by a ${reviewSigner} key, when checked, then the review fails and is marked bad`, () => {
      const facts = factsOf({ reviewSigner });
      const result = checkSignoffSignatures(tools, facts);
      expect(result.failures.map((x) => x.recordIds)).to.deep.equal([[facts.ids('ReviewConfirmed')]]);
      expect([...result.badSignoffs]).to.deep.equal([facts.ids('ReviewConfirmed')]);
    });
  }

  it('given originals the case no longer lists, when checked, then every sign-off fails with the expected list', () => {
    const facts = factsOf();
    const detected = facts.caseRecords.find((r) => r.type === 'ViolationDetected')!;
    facts.originals.set(detected, { items: [] });
    const result = checkSignoffSignatures(tools, facts);
    expect(result.failures.length).to.equal(2);
    expect(result.failures.every((x) => Array.isArray(x.digests))).to.equal(true);
  });

  it('given an appeal resolution without its sign-off, when checked, then it fails and is marked bad', () => {
    const facts = factsOf({ appeal: 'stripped' });
    const result = checkSignoffSignatures(tools, facts);
    expect([...result.badSignoffs]).to.deep.equal([facts.ids('AppealResolved')]);
  });
});
