/**
 * The originals rule (src/domain/case/originals.ts), used by the bundle export, the ledger verifier and the
 * bundle verifier: detection evidence and attached evidence are originals, derived media are not.
 */
import { expect } from 'chai';
import { carriesOriginals, originalEvidenceOf, originalsListOf } from '../../../src/domain/case/originals.ts';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const ref = (c: string, size = 10) => ({ digest: digest(c), mediaType: 'image/jpeg', size });

describe('original evidence (src/domain/case/originals.ts)', () => {
  it('given a case history, when its originals are taken, then they are detection and attached items, first of each digest, in record order', () => {
    const records = [
      { type: 'ViolationDetected', data: { detection: { evidence: [ref('a'), ref('b')] } } },
      { type: 'EvidenceDerived', data: { derived: ref('c') } },
      { type: 'EvidenceAttached', data: { evidence: [ref('d'), ref('a', 99)] } },
    ];
    const originals = originalEvidenceOf(records);
    expect(originals.map((o) => [o.digest, o.size])).to.deep.equal([
      [digest('a'), 10],
      [digest('b'), 10],
      [digest('d'), 10],
    ]);
    expect(originals[2]!.record).to.equal(records[2]);
  });

  it('given malformed records, when their originals are taken, then nothing malformed is an original and nothing throws', () => {
    const records = [
      { type: 'ViolationDetected', data: { detection: [] } },
      { type: 'ViolationDetected', data: null },
      { type: 'EvidenceAttached', data: { evidence: 'x' } },
      { type: 'EvidenceAttached', data: { evidence: [null, 'x', { digest: 'sha256:short' }, { digest: 7 }] } },
      { type: 'EvidenceAttached' },
    ];
    expect(originalEvidenceOf(records)).to.deep.equal([]);
    expect(originalsListOf(records[2]!)).to.equal('x');
    expect(originalsListOf({ type: 'EvidenceDerived', data: { evidence: [ref('a')] } })).to.equal(undefined);
  });

  it('given record types, when asked which carry originals, then only detection and attachment do', () => {
    expect(['ViolationDetected', 'EvidenceAttached', 'EvidenceDerived', 'PlateRecognized', undefined].map(carriesOriginals)).to.deep.equal([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
