import { expect } from 'chai';
import { checkEvidence } from '../../../../src/domain/bundle/checks/evidence.ts';
import { originalDigests } from '../../../../src/domain/bundle/checks/originals.ts';
import { evidenceDigest } from '../../../../src/domain/integrity/index.ts';
import { buildFixture } from '../fixture.ts';
import { derive, tools } from './support.ts';

describe('bundle check 6: EVIDENCE', () => {
  it('given an exported bundle, when checked, then every original is present and passes', () => {
    const f = buildFixture();
    const d = derive(f.entries);
    expect(checkEvidence(tools, d.reader, d.evidence, d.originals)).to.deep.equal([]);
    const detected = d.records.find((r) => r.type === 'ViolationDetected')!;
    expect(originalDigests(d.originals, detected)).to.include(evidenceDigest(f.evidence.overview));
  });

  it('given an evidence file whose bytes changed, when checked, then it fails by digest', () => {
    const f = buildFixture();
    const digest = evidenceDigest(f.evidence.plate);
    const name = `evidence/${digest.slice('sha256:'.length)}`;
    const bytes = new Uint8Array(f.entries.get(name)!);
    bytes[0] = bytes[0]! ^ 1;
    f.entries.set(name, bytes);
    const d = derive(f.entries);
    const failures = checkEvidence(tools, d.reader, d.evidence, d.originals);
    expect(failures).to.have.length(1);
    expect(failures[0]!.digests).to.deep.equal([digest]);
  });

  it('given an original left out of the bundle, when checked, then the record and the manifest both fail', () => {
    const f = buildFixture();
    const digest = evidenceDigest(f.evidence.overview);
    f.entries.delete(`evidence/${digest.slice('sha256:'.length)}`);
    const d = derive(f.entries);
    const failures = checkEvidence(tools, d.reader, d.evidence, d.originals);
    const detected = d.records.find((r) => r.type === 'ViolationDetected')!;
    expect(failures.some((x) => x.recordIds?.[0] === detected.id && x.digests?.[0] === digest)).to.equal(true);
    expect(failures.some((x) => x.recordIds === undefined && x.digests?.[0] === digest)).to.equal(true);
  });

  it('given an original of another size than the record states, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const [record, originals] = [...d.originals][0]!;
    originals.items = originals.items!.map((ref) => (ref ? { ...ref, size: 1 } : ref));
    const failures = checkEvidence(tools, d.reader, d.evidence, d.originals);
    expect(failures.length).to.equal(originals.items.length);
    expect(failures.every((x) => x.recordIds?.[0] === record.id)).to.equal(true);
  });
});
