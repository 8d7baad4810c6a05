import { expect } from 'chai';
import { checkChain } from '../../../../src/domain/bundle/checks/chain.ts';
import { groupByStream } from '../../../../src/domain/bundle/checks/facts.ts';
import { buildFixture } from '../fixture.ts';
import { derive } from './support.ts';

describe('bundle check 3: CHAIN', () => {
  it('given an exported bundle, when checked, then it passes', () => {
    const d = derive(buildFixture().entries);
    expect(checkChain(d.reader, d.byStream, d.caseStream)).to.deep.equal([]);
  });

  it('given a case record left out, when checked, then the gap and the declared count fail', () => {
    const f = buildFixture();
    const d = derive(f.entries);
    const omitted = f.byType('EvidenceDerived');
    const byStream = groupByStream(d.records.filter((r) => r.id !== omitted.id));
    const failures = checkChain(d.reader, byStream, d.caseStream);
    expect(failures.length).to.be.greaterThan(1);
    const next = d.caseRecords.find((r) => r.revision === omitted.revision + 1)!;
    expect(failures.some((x) => x.recordIds?.length === 1 && x.recordIds[0] === next.id)).to.equal(true);
  });

  it('given a prev that is not the previous hash, when checked, then it fails naming the record', () => {
    const f = buildFixture();
    const d = derive(f.entries);
    const r = d.caseRecords[1]!;
    r.prev = 'f'.repeat(64);
    const failures = checkChain(d.reader, d.byStream, d.caseStream);
    expect(failures).to.have.length(1);
    expect(failures[0]!.recordIds).to.deep.equal([r.id]);
  });

  it('given no case stream among the records, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const byStream = new Map(d.byStream);
    byStream.delete(d.caseStream!);
    const failures = checkChain(d.reader, byStream, d.caseStream);
    expect(failures.at(-1)).to.not.have.property('recordIds');
    expect(failures).to.have.length(2); // declared but not included; the case stream is not included
  });
});
