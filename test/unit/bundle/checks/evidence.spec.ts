import { expect } from 'chai';
import { checkEvidence } from '../../../../src/domain/bundle/checks/evidence.ts';
import { originalDigests } from '../../../../src/domain/bundle/checks/originals.ts';
import { evidenceDigest } from '../../../../src/domain/integrity/index.ts';
import { createBundleVerifier } from '../../../../src/domain/bundle/verify.ts';
import { nodePrimitives } from '../../../../src/domain/integrity/ed25519.ts';
import { buildFixture } from '../fixture.ts';

const verifyBundle = createBundleVerifier(nodePrimitives);
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

  describe('retention: an original destroyed under a policy (clock moved ten years on)', () => {
    it('given the case records its EvidenceDestroyed, then the bundle is valid and reports it as destroyed, not missing', () => {
      const f = buildFixture({ destroyedPlate: 'recorded' });
      const report = verifyBundle(f.entries);
      expect(report.checks.filter((c) => c.status === 'fail')).to.deep.equal([]);
      expect(report.valid).to.equal(true);
      expect(report.destroyed).to.have.length(1);
      expect(report.destroyed[0]).to.include({ digest: evidenceDigest(f.evidence.plate), policy: 'closed-case/2026-01-01', at: '2036-11-27T00:00:00.000Z' });
      expect(report.destroyed[0]!.message).to.equal('destroyed under policy closed-case/2026-01-01 at 2036-11-27T00:00:00.000Z');
    });
    it('given an EvidenceDestroyed on another stream than retention-<caseId>, then the original is missing', () => {
      const f = buildFixture({ destroyedPlate: 'elsewhere' });
      const report = verifyBundle(f.entries);
      expect(report.valid).to.equal(false);
      expect(report.destroyed).to.deep.equal([]);
      const evidence = report.checks.find((c) => c.code === 'EVIDENCE')!;
      expect(evidence.failures.map((x) => x.message)).to.include('original evidence is missing from the bundle');
    });
  });
});
