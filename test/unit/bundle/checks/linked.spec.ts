/**
 * Linked parts (addition to v1, docs/federation.md "Bundle addition: linked parts"): entries under
 * `linked/<province>/` listed in manifest.files are covered by digest, so the v1 checks pass whatever they
 * hold; the shipped verifier verifies each part as a whole bundle and refuses a part no `CaseReceived` of the
 * case names. The received case with its proper part is covered end to end in
 * test/integration/witness/handover.spec.ts (with a forged part).
 */
import { expect } from 'chai';
import { verifyBundle } from '../../../../src/domain/bundle/index.ts';
import { buildFixture, LOG_KEY } from '../fixture.ts';
import { reseal } from './support.ts';

/** The fixture bundle with a copy of a bundle under linked/01/, listed in manifest.files and resealed. */
function withLinkedPart(edit: (part: Map<string, Uint8Array>) => void = () => {}): Map<string, Uint8Array> {
  const outer = buildFixture().entries;
  const part = new Map(buildFixture().entries);
  edit(part);
  const entries = new Map(outer);
  for (const [name, bytes] of part) entries.set(`linked/01/${name}`, bytes);
  reseal(entries, (manifest) => {
    const files = manifest.files as Record<string, string>;
    for (const name of part.keys()) files[`linked/01/${name}`] = 'sha256:' + '0'.repeat(64);
  });
  reseal(entries); // now that they are listed, their real digests
  return entries;
}

describe('bundle check: linked parts (addition)', () => {
  it('covers linked entries by digest: every v1 check passes and nothing is unverified', () => {
    const report = verifyBundle(withLinkedPart(), { trustedKey: LOG_KEY });
    expect(report.checks.every((c) => c.status === 'pass')).to.equal(true);
    expect(report.unverifiedEntries).to.deep.equal([]);
  });
  it('verifies the part as a whole bundle, but refuses a part no CaseReceived of this case names', () => {
    const report = verifyBundle(withLinkedPart(), { trustedKey: LOG_KEY });
    expect(report.linked).to.have.length(1);
    expect(report.linked![0]!.checks.every((c) => c.status === 'pass')).to.equal(true);
    expect(report.linked![0]!.link.status).to.equal('fail');
    expect(report.valid).to.equal(false);
  });
  it('reports a tampered part with its own failing checks, even when the outer manifest was resealed over it', () => {
    const report = verifyBundle(
      withLinkedPart((part) => part.set('records.jsonl', new TextEncoder().encode('{}\n'))),
      { trustedKey: LOG_KEY },
    );
    expect(report.checks.every((c) => c.status === 'pass')).to.equal(true);
    const failed = report.linked![0]!.checks.filter((c) => c.status === 'fail').map((c) => c.code);
    expect(failed).to.include('FILES');
    expect(report.linked![0]!.valid).to.equal(false);
    expect(report.valid).to.equal(false);
  });
  it('fails FILES when a listed linked entry is changed without resealing', () => {
    const entries = withLinkedPart();
    entries.set('linked/01/checkpoint.txt', new TextEncoder().encode('forged\n'));
    const files = verifyBundle(entries, { trustedKey: LOG_KEY }).checks.find((c) => c.code === 'FILES')!;
    expect(files.status).to.equal('fail');
  });
});
