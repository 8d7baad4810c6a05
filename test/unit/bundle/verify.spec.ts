import { expect } from 'chai';
import {
  BUNDLE_FORMAT,
  CHECK_CODES,
  readBundleZip,
  verifyBundle,
  writeBundleZip,
  type BundleReport,
  type CheckCode,
  TrustedKeyError,
} from '../../../src/domain/bundle/index.ts';
import {
  publicKeyFromSeed,
  recordHash,
  sha256Hex,
  sign,
  toBase64,
  utf8,
  verifierKey,
} from '../../../src/domain/integrity/index.ts';
import { buildFixture, LOG_KEY, LOG_SEED, ORIGIN, seedOf } from './fixture.ts';

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

function failing(report: BundleReport): CheckCode[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.code);
}
function failuresOf(report: BundleReport, code: CheckCode) {
  return report.checks.find((c) => c.code === code)!.failures;
}

/** What an insider holding the log key could do after editing entries: recompute digests, re-sign the manifest. */
function reseal(
  entries: Map<string, Uint8Array>,
  seed = LOG_SEED,
  edit: (m: Record<string, unknown>) => void = () => {},
): void {
  const manifest = JSON.parse(text(entries.get('manifest.json'))) as Record<string, unknown> & {
    files: Record<string, string>;
  };
  for (const name of Object.keys(manifest.files)) {
    const bytes = entries.get(name);
    if (bytes) manifest.files[name] = `sha256:${sha256Hex(bytes)}`;
  }
  edit(manifest);
  const bytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  entries.set('manifest.json', bytes);
  entries.set('manifest.sig', utf8(toBase64(sign(bytes, seed))));
}

function editRecords(entries: Map<string, Uint8Array>, edit: (lines: string[]) => string[]): void {
  const lines = text(entries.get('records.jsonl')).trimEnd().split('\n');
  entries.set('records.jsonl', utf8(`${edit(lines).join('\n')}\n`));
}

describe('bundle: verifier (bundle.md)', () => {
  it('accepts a bundle whose detection is detection/v2 and refuses a v2 payload under the v1 purpose', () => {
    expect(failing(verifyBundle(buildFixture({ detection: 'v2' }).entries))).to.deep.equal([]);
    expect(failing(verifyBundle(buildFixture({ detection: 'v2-under-v1' }).entries))).to.deep.equal(['DEVICE_SIGNATURE']);
    expect(failing(verifyBundle(buildFixture({ detection: 'v2-without-colour' }).entries))).to.deep.equal(['DEVICE_SIGNATURE']);
  });

  it('accepts a valid bundle and reports every check as passed', () => {
    const f = buildFixture();
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal([]);
    expect(report.valid).to.equal(true);
    expect(report.format).to.equal(BUNDLE_FORMAT);
    expect(report.caseId).to.equal(f.caseId);
    expect(report.origin).to.equal(ORIGIN);
    expect(report.logKey).to.equal(LOG_KEY);
    expect(report.logKeyFingerprint).to.equal(`sha256:${sha256Hex(publicKeyFromSeed(LOG_SEED))}`);
    expect(report.witnesses).to.have.length(1);
    expect(report.checks.map((c) => c.code)).to.deep.equal([
      'FILES',
      'RECORD_HASH',
      'CHAIN',
      'INCLUSION',
      'CHECKPOINT',
      'EVIDENCE',
      'DEVICE_SIGNATURE',
      'SIGNOFF_SIGNATURE',
      'RULES',
      'DOCUMENTS',
    ]);
    expect(report.timeline!.map((t) => t.type)).to.deep.equal([
      'ViolationDetected',
      'EvidenceDerived',
      'ReviewConfirmed',
      'PenaltyDecided',
    ]);
    expect(report.counts).to.deep.include({ streams: 5, evidence: 3 });
    expect(report.unverifiedEntries).to.deep.equal([]);
  });

  describe('documents (addition: documents/<kind>-<n>.pdf against DocumentIssued)', () => {
    it('a bundle with the issued decision verifies, and the report names it with its record', () => {
      const f = buildFixture({ document: 'included' });
      const report = verifyBundle(f.entries);
      expect(failing(report)).to.deep.equal([]);
      const manifest = JSON.parse(text(f.entries.get('manifest.json'))) as { files: Record<string, string> };
      expect(manifest.files).to.have.property('documents/decision-1.pdf');
      expect(report.documents).to.deep.equal([
        {
          entry: 'documents/decision-1.pdf',
          kind: 'decision',
          digest: (f.byType('DocumentIssued').data as { digest: string }).digest,
          recordId: f.byType('DocumentIssued').id,
        },
      ]);
    });

    it('other bytes under a re-signed manifest pass FILES but fail DOCUMENTS, naming the record', () => {
      const f = buildFixture({ document: 'swapped' });
      const report = verifyBundle(f.entries);
      expect(failing(report)).to.deep.equal(['DOCUMENTS']);
      expect(failuresOf(report, 'DOCUMENTS')[0]!.recordIds).to.deep.equal([f.byType('DocumentIssued').id]);
    });

    it('a document the case never recorded as issued fails DOCUMENTS', () => {
      const report = verifyBundle(buildFixture({ document: 'unrecorded' }).entries);
      expect(failing(report)).to.deep.equal(['DOCUMENTS']);
    });

    it('a document entry under another name fails, and one the manifest does not list fails FILES too', () => {
      const f = buildFixture({ document: 'included' });
      f.entries.set('documents/../decision-1.pdf', f.entries.get('documents/decision-1.pdf')!);
      const report = verifyBundle(f.entries);
      expect(failing(report)).to.deep.equal(['FILES', 'DOCUMENTS']);
    });

    it('a v1 verifier that knows no DOCUMENTS check still covers the document by FILES', () => {
      const f = buildFixture({ document: 'included' });
      f.entries.set('documents/decision-1.pdf', utf8('%PDF-1.7 tampered\n'));
      expect(failing(verifyBundle(f.entries))).to.include('FILES');
    });
  });

  it('covers README.txt by the manifest: a README rewritten to say the bundle is valid fails FILES (issue 10, item 7)', () => {
    const f = buildFixture();
    const manifest = JSON.parse(text(f.entries.get('manifest.json'))) as { files: Record<string, string> };
    expect(manifest.files['README.txt']).to.equal(`sha256:${sha256Hex(f.entries.get('README.txt')!)}`);
    f.entries.set('README.txt', utf8('This bundle has been verified by the court registry and is valid.\n'));
    const report = verifyBundle(f.entries);
    expect(report.valid).to.equal(false);
    expect(failing(report)).to.deep.equal(['FILES']);
    expect(failuresOf(report, 'FILES')[0]!.digests).to.deep.equal([manifest.files['README.txt']]);
  });

  it('states which entries no digest covers: a README of an older bundle is reported, not verified; any other is a FILES failure', () => {
    const f = buildFixture();
    reseal(f.entries, LOG_SEED, (m) => {
      delete (m.files as Record<string, string>)['README.txt'];
    });
    f.entries.set('README.txt', utf8('This bundle is valid.\n'));
    const old = verifyBundle(f.entries);
    expect(old.valid).to.equal(true);
    expect(old.unverifiedEntries).to.deep.equal(['README.txt']);

    f.entries.set('notes.txt', utf8('the officer was right\n'));
    const extra = verifyBundle(f.entries);
    expect(extra.unverifiedEntries).to.deep.equal(['README.txt', 'notes.txt']);
    expect(failing(extra)).to.deep.equal(['FILES']);
  });

  it('survives a ZIP round-trip and verifies with the trusted key or its fingerprint', async () => {
    const f = buildFixture();
    const entries = await readBundleZip(await writeBundleZip(f.entries));
    expect([...entries.keys()].sort()).to.deep.equal([...f.entries.keys()].sort());
    expect(verifyBundle(entries, { trustedKey: LOG_KEY }).valid).to.equal(true);
    expect(
      verifyBundle(entries, { trustedKey: verifyBundle(entries).logKeyFingerprint! }).trustedKeyMatched,
    ).to.equal(true);
    expect(() => verifyBundle(entries, { trustedKey: 'nonsense' })).to.throw(TrustedKeyError);
  });

  it('finds one byte changed in a record (RECORD_HASH), also when the manifest is re-signed', () => {
    const f = buildFixture();
    const penalty = f.byType('PenaltyDecided');
    editRecords(f.entries, (lines) =>
      lines.map((l) => (l.includes(penalty.id) ? l.replace('"fineVnd":20000000', '"fineVnd":10000000') : l)),
    );
    const naive = verifyBundle(f.entries);
    expect(naive.valid).to.equal(false);
    expect(failing(naive)).to.include.members(['FILES', 'RECORD_HASH']);
    reseal(f.entries);
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.include('RECORD_HASH');
    expect(failing(report)).to.not.include('FILES');
    expect(failuresOf(report, 'RECORD_HASH')[0]!.recordIds).to.deep.equal([penalty.id]);
    // The decision signature covers the fine too.
    expect(failuresOf(report, 'SIGNOFF_SIGNATURE').flatMap((x) => x.recordIds)).to.include(penalty.id);
  });

  it('finds a changed record whose stated hash was recomputed (INCLUSION)', () => {
    const f = buildFixture();
    const custody = f.ledger.find((l) => l.record.type === 'EvidenceAccessed')!.record;
    editRecords(f.entries, (lines) =>
      lines.map((l) => {
        if (!l.includes(custody.id)) return l;
        const line = JSON.parse(l) as {
          leafIndex: number;
          hash: string;
          record: { data: { reason: string } };
        };
        line.record.data.reason = 'curiosity';
        return JSON.stringify({ ...line, hash: recordHash(line.record) });
      }),
    );
    reseal(f.entries);
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['INCLUSION']);
    expect(failuresOf(report, 'INCLUSION')[0]!.recordIds).to.deep.equal([custody.id]);
  });

  it('finds a record removed from the middle of a stream (CHAIN)', () => {
    const f = buildFixture();
    const derived = f.byType('EvidenceDerived');
    editRecords(f.entries, (lines) => lines.filter((l) => !l.includes(derived.id)));
    reseal(f.entries);
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.include('CHAIN');
    const ids = failuresOf(report, 'CHAIN').flatMap((x) => x.recordIds ?? []);
    expect(ids).to.include(f.byType('ReviewConfirmed').id);
    expect(
      failuresOf(report, 'CHAIN')
        .map((x) => x.message)
        .join('\n'),
    ).to.match(/declares 4 records, the bundle holds 3/);
  });

  it('finds an evidence file changed, and one missing (EVIDENCE)', () => {
    const changed = buildFixture();
    const name = `evidence/${sha256Hex(changed.evidence.overview)}`;
    const bytes = new Uint8Array(changed.entries.get(name)!);
    bytes[100]! ^= 0xff;
    changed.entries.set(name, bytes);
    const r1 = verifyBundle(changed.entries);
    expect(failing(r1)).to.deep.equal(['EVIDENCE']);
    expect(failuresOf(r1, 'EVIDENCE')[0]!.digests).to.deep.equal([
      `sha256:${sha256Hex(changed.evidence.overview)}`,
    ]);

    const missing = buildFixture();
    missing.entries.delete(`evidence/${sha256Hex(missing.evidence.plate)}`);
    const r2 = verifyBundle(missing.entries);
    expect(failing(r2)).to.deep.equal(['EVIDENCE']);
    const failures = failuresOf(r2, 'EVIDENCE');
    expect(failures.flatMap((x) => x.digests)).to.include(`sha256:${sha256Hex(missing.evidence.plate)}`);
    expect(failures.flatMap((x) => x.recordIds ?? [])).to.include(missing.byType('ViolationDetected').id);
  });

  it('finds a forged officer signature (SIGNOFF_SIGNATURE) in an otherwise sealed ledger', () => {
    const f = buildFixture({ reviewSigner: 'stranger' });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['SIGNOFF_SIGNATURE']);
    expect(failuresOf(report, 'SIGNOFF_SIGNATURE')[0]!.recordIds).to.deep.equal([
      f.byType('ReviewConfirmed').id,
    ]);
  });

  it('accepts an appeal resolution signed appeal/v1 by an officer with a key in force', () => {
    const report = verifyBundle(buildFixture({ appeal: 'signed' }).entries);
    expect(failing(report)).to.deep.equal([]);
  });

  it('finds an appeal resolution without its appeal/v1 sign-off (SIGNOFF_SIGNATURE, RULES)', () => {
    const f = buildFixture({ appeal: 'stripped' });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['SIGNOFF_SIGNATURE', 'RULES']);
    expect(failuresOf(report, 'RULES')[0]!.recordIds).to.deep.equal([f.byType('AppealResolved').id]);
  });

  it('finds a forged appeal/v1 signature (SIGNOFF_SIGNATURE, RULES)', () => {
    const f = buildFixture({ appeal: 'forged' });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['SIGNOFF_SIGNATURE', 'RULES']);
    expect(failuresOf(report, 'SIGNOFF_SIGNATURE')[0]!.recordIds).to.deep.equal([f.byType('AppealResolved').id]);
    expect(failuresOf(report, 'RULES')[0]!.recordIds).to.deep.equal([f.byType('AppealResolved').id]);
  });

  it('finds a signature by a key revoked before the sign-off (SIGNOFF_SIGNATURE)', () => {
    const f = buildFixture({ reviewSigner: 'revoked' });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['SIGNOFF_SIGNATURE']);
    expect(failuresOf(report, 'SIGNOFF_SIGNATURE')[0]!.message).to.match(/revoked/);
  });

  it('finds a tampered detection (DEVICE_SIGNATURE)', () => {
    // An insider rewrites the camera's detection and re-seals the manifest: the camera signature tells.
    const g = buildFixture();
    const detected = g.byType('ViolationDetected');
    editRecords(g.entries, (lines) =>
      lines.map((l) =>
        l.includes(detected.id)
          ? l.replace('"plateRead":{"confidenceBp":9700', '"plateRead":{"confidenceBp":9900')
          : l,
      ),
    );
    reseal(g.entries);
    const report = verifyBundle(g.entries);
    expect(failing(report)).to.include.members(['RECORD_HASH', 'DEVICE_SIGNATURE']);
    expect(failuresOf(report, 'DEVICE_SIGNATURE')[0]!.recordIds).to.deep.equal([detected.id]);
  });

  it('finds a checkpoint signed by another key, and a trusted-key mismatch (CHECKPOINT)', () => {
    const f = buildFixture();
    const other = buildFixture({ logSeedOverride: seedOf('rogue log') });
    f.entries.set('checkpoint.txt', other.entries.get('checkpoint.txt')!);
    reseal(f.entries);
    const r1 = verifyBundle(f.entries);
    expect(failing(r1)).to.include('CHECKPOINT');
    expect(failuresOf(r1, 'CHECKPOINT')[0]!.message).to.match(/signature/);

    // A self-consistent bundle from a rogue node: valid on its own terms, refused against the trusted key.
    expect(verifyBundle(other.entries).valid).to.equal(true);
    const r2 = verifyBundle(other.entries, { trustedKey: LOG_KEY });
    expect(failing(r2)).to.deep.equal(['CHECKPOINT']);
    expect(r2.trustedKeyMatched).to.equal(false);
    const rogueKey = verifierKey(ORIGIN, publicKeyFromSeed(seedOf('rogue log')));
    expect(verifyBundle(other.entries, { trustedKey: rogueKey }).valid).to.equal(true);
  });

  it('finds a wrong inclusion proof (INCLUSION)', () => {
    const f = buildFixture();
    const proofs = JSON.parse(text(f.entries.get('proofs.json'))) as {
      treeSize: number;
      inclusion: Record<string, string[]>;
    };
    const review = f.ledger.findIndex((l) => l.record.type === 'ReviewConfirmed');
    const path = proofs.inclusion[String(review)]!;
    path[1] = `${path[1]!.slice(0, 63)}${path[1]!.endsWith('0') ? '1' : '0'}`;
    f.entries.set('proofs.json', utf8(JSON.stringify(proofs)));
    reseal(f.entries);
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['INCLUSION']);
    expect(failuresOf(report, 'INCLUSION')[0]!.recordIds).to.deep.equal([f.byType('ReviewConfirmed').id]);
  });

  it('finds a penalty without a human review (RULES)', () => {
    const f = buildFixture({ omitReview: true });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['RULES']);
    expect(failuresOf(report, 'RULES')[0]!.recordIds).to.deep.equal([f.byType('PenaltyDecided').id]);
  });

  it('finds a service actor confirming (RULES)', () => {
    const f = buildFixture({ reviewActorKind: 'service' });
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.deep.equal(['RULES']);
    const ids = failuresOf(report, 'RULES').flatMap((x) => x.recordIds ?? []);
    expect(ids).to.include.members([f.byType('ReviewConfirmed').id, f.byType('PenaltyDecided').id]);
  });

  it('reports every failure at once rather than stopping at the first', () => {
    const f = buildFixture({ reviewSigner: 'stranger' });
    f.entries.delete(`evidence/${sha256Hex(f.evidence.plate)}`);
    editRecords(f.entries, (lines) => lines.filter((l) => !l.includes(f.byType('EvidenceDerived').id)));
    const report = verifyBundle(f.entries);
    expect(failing(report)).to.include.members(['FILES', 'CHAIN', 'EVIDENCE', 'SIGNOFF_SIGNATURE']);
  });

  it('never throws on hostile or empty input', () => {
    const cases: Map<string, Uint8Array>[] = [
      new Map(),
      new Map([['manifest.json', utf8('{')]]),
      new Map([['manifest.json', new Uint8Array([0xff, 0xfe])]]),
      new Map([
        [
          'manifest.json',
          utf8(
            JSON.stringify({
              format: BUNDLE_FORMAT,
              files: { 'records.jsonl': 'sha256:00' },
              streams: [],
              treeSize: -1,
            }),
          ),
        ],
        ['records.jsonl', utf8('{"leafIndex":0,"hash":"x","record":null}\n[]\n{"leafIndex":1e400}\n')],
        ['keys.json', utf8('{"log":"a+b+c","witnesses":"no"}')],
        ['checkpoint.txt', utf8('\u2014 \n\n')],
        ['proofs.json', utf8('{"treeSize":1,"inclusion":{"0":[1,2]}}')],
        ['evidence/zz', utf8('x')],
      ]),
    ];
    for (const entries of cases) {
      const report = verifyBundle(entries);
      expect(report.valid).to.equal(false);
      expect(report.checks).to.have.length(CHECK_CODES.length);
    }
  });
});
