/**
 * Stream names are built by `streams` and taken apart by `parseStream` / `streamIdOf` / `caseIdOf`, all in
 * src/domain/record.ts: a name built for a kind parses back to that kind and id, and nothing else parses.
 */
import { expect } from 'chai';
import { caseIdOf, parseStream, streamIdOf, streams, STREAM_KINDS } from '../../../src/domain/record.ts';

describe('stream names (src/domain/record.ts)', () => {
  const ids = ['5b0e3c52-8d0e-4f5a-9a52-1c9f6f0b7d21', 'cam-01-north', 'a'];

  it('given a name built by streams, when parsed, then it gives back the kind and the id', () => {
    for (const kind of STREAM_KINDS)
      for (const id of ids) expect(parseStream(streams[kind](id)), `${kind} ${id}`).to.deep.equal({ kind, id });
  });

  it('given an id with dashes, when parsed, then the id is everything after the kind', () => {
    expect(caseIdOf(streams.case('5b0e3c52-8d0e-4f5a-9a52-1c9f6f0b7d21'))).to.equal('5b0e3c52-8d0e-4f5a-9a52-1c9f6f0b7d21');
    expect(streamIdOf('officer', streams.officer('officer-01-reviewer'))).to.equal('officer-01-reviewer');
  });

  it('given a stream of another kind, when asked for a case id, then there is none', () => {
    expect(caseIdOf(streams.custody('x'))).to.equal(undefined);
    expect(caseIdOf(streams.camera('case-x'))).to.equal(undefined);
    expect(streamIdOf('model', streams.case('x'))).to.equal(undefined);
    expect(streamIdOf('custody', streams.custody('x'))).to.equal('x');
  });

  it('given a name no builder makes, when parsed, then it is not a stream of any kind', () => {
    for (const name of ['', 'case', 'case-', '-x', 'cases-x', 'Case-x', 'ledger-x', 'casex'])
      expect(parseStream(name), name).to.equal(undefined);
  });
});
