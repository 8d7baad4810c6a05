import { expect } from 'chai';
import { checkRecordHash } from '../../../../src/domain/bundle/checks/record-hash.ts';
import { buildFixture } from '../fixture.ts';
import { derive, editRecords, tools } from './support.ts';

describe('bundle check 2: RECORD_HASH', () => {
  it('given an exported bundle, when checked, then it passes and yields every record line', () => {
    const f = buildFixture();
    const d = derive(f.entries);
    const result = checkRecordHash(tools, d.reader);
    expect(result.failures).to.deep.equal([]);
    const lines = new TextDecoder().decode(f.entries.get('records.jsonl')).trimEnd().split('\n');
    expect(result.records.map((r) => r.line)).to.deep.equal(lines.map((_, i) => i + 1));
  });

  it('given a record whose content was changed, when checked, then it fails naming the record', () => {
    const f = buildFixture();
    const target = f.byType('PenaltyDecided');
    editRecords(f.entries, (lines) =>
      lines.map((l) => (l.includes(target.id) && l.includes('PenaltyDecided') ? l.replace('20000000', '2000000') : l)),
    );
    const result = checkRecordHash(tools, derive(f.entries).reader);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]!.recordIds).to.deep.equal([target.id]);
    // The record is still handed on (its hash stated, its content parsed) for the later checks.
    expect(result.records.some((r) => r.id === target.id)).to.equal(true);
  });

  it('given a line that is not JSON and a duplicated line, when checked, then both fail and neither stops the rest', () => {
    const f = buildFixture();
    let count = 0;
    editRecords(f.entries, (lines) => {
      count = lines.length;
      return ['{not json', ...lines, lines[lines.length - 1]!];
    });
    const result = checkRecordHash(tools, derive(f.entries).reader);
    expect(result.records).to.have.length(count + 1);
    // line 1 not JSON; the last line: id twice and not sorted by leaf index.
    expect(result.failures).to.have.length(3);
    expect(result.failures[0]).to.not.have.property('recordIds');
  });

  it('given no records.jsonl, when checked, then it fails with no records', () => {
    const f = buildFixture();
    f.entries.delete('records.jsonl');
    const result = checkRecordHash(tools, derive(f.entries).reader);
    expect(result.records).to.deep.equal([]);
    expect(result.failures).to.have.length(1);
  });
});
