import { expect } from 'chai';
import { checkInclusion } from '../../../../src/domain/bundle/checks/inclusion.ts';
import { utf8 } from '../../../../src/domain/integrity/index.ts';
import { buildFixture } from '../fixture.ts';
import { derive, text, tools } from './support.ts';

describe('bundle check 4: INCLUSION', () => {
  it('given an exported bundle, when checked, then every record is proven', () => {
    const d = derive(buildFixture().entries);
    expect(checkInclusion(tools, d.reader, d.body, d.records, d.summary.treeSize)).to.deep.equal([]);
  });

  it('given a record hash that is not the one sealed, when checked, then its leaf is not proven', () => {
    const d = derive(buildFixture().entries);
    const r = d.records[3]!;
    r.hash = 'a'.repeat(64);
    const failures = checkInclusion(tools, d.reader, d.body, d.records, d.summary.treeSize);
    expect(failures).to.have.length(1);
    expect(failures[0]!.recordIds).to.deep.equal([r.id]);
  });

  it('given an inclusion proof missing for one leaf, when checked, then that record fails', () => {
    const f = buildFixture();
    const proofs = JSON.parse(text(f.entries.get('proofs.json'))) as { inclusion: Record<string, unknown> };
    const d0 = derive(f.entries);
    const r = d0.records[0]!;
    delete proofs.inclusion[String(r.leafIndex)];
    f.entries.set('proofs.json', utf8(JSON.stringify(proofs)));
    const d = derive(f.entries);
    const failures = checkInclusion(tools, d.reader, d.body, d.records, d.summary.treeSize);
    expect(failures.map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });

  it('given an unreadable checkpoint, when checked, then no record can be proven', () => {
    const f = buildFixture();
    f.entries.set('checkpoint.txt', utf8('not a note'));
    const d = derive(f.entries);
    expect(d.body).to.have.property('error');
    const failures = checkInclusion(tools, d.reader, d.body, d.records, d.summary.treeSize);
    expect(failures).to.have.length(2);
    expect(failures[1]!.recordIds).to.deep.equal(d.records.map((r) => r.id));
  });

  it('given a manifest tree size other than the checkpoint size, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const failures = checkInclusion(tools, d.reader, d.body, d.records, d.summary.treeSize! + 1);
    expect(failures).to.have.length(1);
  });
});
