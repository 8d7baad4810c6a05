/**
 * A synthetic ledger for bundle tests: camera, officer, case and custody streams with real hash chains,
 * real Ed25519 signatures by generated keys, a real RFC 6962 tree with unrelated records around the case,
 * and a checkpoint signed by a log key (cosigned by a witness). Scenario switches produce the insider
 * attacks a court must be able to detect: every record in them is correctly hashed, chained and sealed.
 */
import { createHash } from 'node:crypto';
import { buildBundleEntries } from '../../../src/domain/bundle/index.ts';
import {
  canonicalBytes,
  cosignCheckpoint,
  addSignatureLines,
  evidenceDigest,
  fromHex,
  inclusionProof,
  keyId,
  leafHash,
  merkleRoot,
  publicKeyFromSeed,
  recordHash,
  sign,
  signCheckpoint,
  toBase64,
  verifierKey,
  witnessVerifierKey,
} from '../../../src/domain/integrity/index.ts';
import type { ActorKind, EventRecord, JsonObject } from '../../../src/domain/record.ts';

export interface Scenario {
  /** Who signs the officer's review: the enrolled key, a stranger's key, or a key revoked before the review. */
  reviewSigner?: 'enrolled' | 'stranger' | 'revoked';
  /** Leave out the review entirely: a penalty without a human review. */
  omitReview?: boolean;
  /** The actor kind recorded on the ReviewConfirmed (an AI service confirming). */
  reviewActorKind?: ActorKind;
  /**
   * Add an appeal filed and resolved (overturned) after the decision: resolved with the decider's appeal/v1
   * sign-off, with the sign-off stripped (an unsigned alteration of the penalty), or signed by a stranger.
   */
  appeal?: 'signed' | 'stripped' | 'forged';
  /**
   * The plate original was destroyed under a retention policy and is not in the bundle: `recorded` carries
   * the case's `retention-<caseId>` EvidenceDestroyed; `elsewhere` carries it on another stream (proves nothing).
   */
  destroyedPlate?: 'recorded' | 'elsewhere';
  /**
   * The decision recorded as issued (`DocumentIssued`) and included as `documents/decision-1.pdf`: its bytes
   * (`included`), other bytes under a manifest that lists them (`swapped`), or named as a second decision the
   * case never issued (`unrecorded`).
   */
  document?: 'included' | 'swapped' | 'unrecorded';
  /**
   * The detection the camera signs: `v1` (default), `v2` (with plateColour), `v2-under-v1` (a v2 member under
   * the v1 purpose, correctly signed) or `v2-without-colour` (the v2 purpose, no colour, correctly signed).
   */
  detection?: 'v1' | 'v2' | 'v2-under-v1' | 'v2-without-colour';
  /** Sign the checkpoint and manifest with this log seed instead of the real one (a forged node). */
  logSeedOverride?: Uint8Array;
}

export const seedOf = (label: string): Uint8Array =>
  new Uint8Array(createHash('sha256').update(`bundle-fixture:${label}`).digest());
export const ORIGIN = 'tec.example.vn/ledger/01';
export const WITNESS = 'tec.example.vn/witness/national';
export const LOG_SEED = seedOf('log');
export const LOG_KEY = verifierKey(ORIGIN, publicKeyFromSeed(LOG_SEED));
export const WITNESS_SEED = seedOf('witness');
export const WITNESS_KEY = witnessVerifierKey(WITNESS, publicKeyFromSeed(WITNESS_SEED));

const uuid = (n: number): string => `0191f2b4-7c1e-7a52-9a0b-${n.toString(16).padStart(12, '0')}`;
const b64 = (bytes: Uint8Array): string => toBase64(bytes);

export interface Fixture {
  entries: Map<string, Uint8Array>;
  caseId: string;
  ledger: { record: EventRecord; hash: string }[];
  byType: (type: string) => EventRecord;
  evidence: { overview: Uint8Array; plate: Uint8Array; thumbnail: Uint8Array };
}

export function buildFixture(scenario: Scenario = {}): Fixture {
  const caseId = uuid(0xcafe);
  const ledger: { record: EventRecord; hash: string }[] = [];
  const heads = new Map<string, { revision: number; hash: string }>();
  let nextId = 1;
  let clock = Date.UTC(2026, 10, 24, 9, 0, 0);
  const append = (
    stream: string,
    type: string,
    data: JsonObject,
    actor: { kind: ActorKind; id: string },
  ): EventRecord => {
    const head = heads.get(stream);
    const record: EventRecord = {
      v: 1,
      id: uuid(nextId++),
      stream,
      revision: head ? head.revision + 1 : 0,
      type,
      data,
      meta: { actor, province: '01', recordedAt: new Date((clock += 1000)).toISOString() },
      prev: head ? head.hash : '0'.repeat(64),
    };
    const hash = recordHash(record);
    heads.set(stream, { revision: record.revision, hash });
    ledger.push({ record, hash });
    return record;
  };
  const noise = (n: number) => {
    for (let i = 0; i < n; i++)
      append(
        `case-${uuid(0xdead00 + (nextId % 3))}`,
        'NoteAdded',
        { n: nextId },
        { kind: 'system', id: 'seed' },
      );
  };

  const cameraSeed = seedOf('camera');
  const officerSeed = seedOf('officer-1');
  const officerNewSeed = seedOf('officer-1-new');
  const deciderSeed = seedOf('officer-2');
  const cameraId = 'cam-29-0001';
  const officer = { kind: 'officer' as const, id: 'off-01-0001' };
  const decider = { kind: 'officer' as const, id: 'off-01-0002' };

  noise(5);
  append(
    `camera-${cameraId}`,
    'CameraRegistered',
    { cameraId, publicKey: b64(publicKeyFromSeed(cameraSeed)) },
    { kind: 'system', id: 'admin' },
  );
  append(
    `officer-${officer.id}`,
    'OfficerEnrolled',
    { officerId: officer.id, publicKey: b64(publicKeyFromSeed(officerSeed)) },
    { kind: 'system', id: 'admin' },
  );
  append(
    `officer-${decider.id}`,
    'OfficerEnrolled',
    { officerId: decider.id, publicKey: b64(publicKeyFromSeed(deciderSeed)) },
    { kind: 'system', id: 'admin' },
  );
  noise(3);

  const overview = new Uint8Array(5000).map((_, i) => (i * 7) & 255);
  const plate = new Uint8Array(1200).map((_, i) => (i * 13 + 1) & 255);
  const thumbnail = new Uint8Array(300).map((_, i) => (i * 3 + 2) & 255);
  const evidenceRefs = [
    { digest: evidenceDigest(overview), mediaType: 'image/jpeg', size: overview.length, role: 'overview' },
    { digest: evidenceDigest(plate), mediaType: 'image/jpeg', size: plate.length, role: 'plate' },
  ];
  const version = scenario.detection ?? 'v1';
  const detection = {
    purpose: version === 'v1' || version === 'v2-under-v1' ? 'detection/v1' : 'detection/v2',
    ...(version === 'v2' || version === 'v2-under-v1' ? { plateColour: 'yellow' } : {}),
    detectionId: 'det-0001',
    cameraId,
    observedAt: '2026-11-24T08:59:58.000Z',
    location: { latMicro: 21028511, lonMicro: 105804817, description: 'Nga Tu So', roadType: 'urban' },
    violationCode: '16824.6.9.b',
    vehicleClass: 'car',
    plateRead: { text: '30A-123.45', confidenceBp: 9700 },
    evidence: evidenceRefs,
  };
  const cameraPub = publicKeyFromSeed(cameraSeed);
  append(
    `case-${caseId}`,
    'ViolationDetected',
    { detection, signature: b64(sign(canonicalBytes(detection), cameraSeed)), keyId: keyId(cameraPub) },
    { kind: 'device', id: cameraId },
  );
  append(
    `case-${caseId}`,
    'EvidenceDerived',
    {
      source: evidenceRefs[0]!.digest,
      derived: { digest: evidenceDigest(thumbnail), mediaType: 'image/jpeg', size: thumbnail.length },
      operation: 'thumbnail',
    },
    { kind: 'service', id: 'media-worker' },
  );
  append(
    `custody-${caseId}`,
    'EvidenceAccessed',
    { digest: evidenceRefs[0]!.digest, reason: 'review' },
    officer,
  );
  noise(2);

  if (scenario.reviewSigner === 'revoked') {
    append(
      `officer-${officer.id}`,
      'OfficerKeyRotated',
      { publicKey: b64(publicKeyFromSeed(officerNewSeed)) },
      { kind: 'system', id: 'admin' },
    );
    append(
      `officer-${officer.id}`,
      'OfficerKeyRevoked',
      { keyId: keyId(publicKeyFromSeed(officerSeed)), reason: 'lost' },
      { kind: 'system', id: 'admin' },
    );
  }
  const sortedDigests = evidenceRefs.map((e) => e.digest).sort();
  if (!scenario.omitReview) {
    const caseHead = heads.get(`case-${caseId}`)!;
    const signoff = {
      purpose: 'review/v1',
      caseId,
      caseRevision: caseHead.revision,
      decision: 'confirm',
      violationCode: '16824.6.9.b',
      plate: '30A-123.45',
      evidence: sortedDigests,
      signedAt: new Date(clock + 500).toISOString(),
    };
    const signerSeed = scenario.reviewSigner === 'stranger' ? seedOf('stranger') : officerSeed;
    append(
      `case-${caseId}`,
      'ReviewConfirmed',
      {
        signoff,
        signature: b64(sign(canonicalBytes(signoff), signerSeed)),
        keyId: keyId(publicKeyFromSeed(officerSeed)),
      },
      scenario.reviewActorKind ? { kind: scenario.reviewActorKind, id: officer.id } : officer,
    );
  }
  noise(1);
  const decisionSignoff = {
    purpose: 'decision/v1',
    caseId,
    caseRevision: heads.get(`case-${caseId}`)!.revision,
    decision: 'penalty',
    violationCode: '16824.6.9.b',
    plate: '30A-123.45',
    evidence: sortedDigests,
    signedAt: new Date(clock + 500).toISOString(),
    fineVnd: 20_000_000,
    points: 4,
    legalBasis: 'Decree 168/2024 Art. 6.9.b',
    offender: { kind: 'individual', ref: 'reg-0001' },
  };
  append(
    `case-${caseId}`,
    'PenaltyDecided',
    {
      signoff: decisionSignoff,
      signature: b64(sign(canonicalBytes(decisionSignoff), deciderSeed)),
      keyId: keyId(publicKeyFromSeed(deciderSeed)),
    },
    decider,
  );
  if (scenario.appeal) {
    append(`case-${caseId}`, 'AppealFiled', { appealId: 'apl-1', grounds: 'not my car' }, officer);
    const appealSignoff = {
      purpose: 'appeal/v1',
      caseId,
      caseRevision: heads.get(`case-${caseId}`)!.revision,
      decision: 'appeal',
      violationCode: '16824.6.9.b',
      plate: '30A-123.45',
      evidence: sortedDigests,
      signedAt: new Date(clock + 500).toISOString(),
      appealId: 'apl-1',
      outcome: 'overturned',
      reason: 'clone plate',
      fineVnd: 0,
    };
    const signerSeed = scenario.appeal === 'forged' ? seedOf('stranger') : deciderSeed;
    const signed: JsonObject =
      scenario.appeal === 'stripped'
        ? {}
        : {
            signoff: appealSignoff,
            signature: b64(sign(canonicalBytes(appealSignoff), signerSeed)),
            keyId: keyId(publicKeyFromSeed(deciderSeed)),
          };
    append(
      `case-${caseId}`,
      'AppealResolved',
      { appealId: 'apl-1', outcome: 'overturned', reason: 'clone plate', resolvedBy: decider.id, ...signed },
      decider,
    );
  }
  const documentBytes = new TextEncoder().encode('%PDF-1.7 the decision as issued\n');
  if (scenario.document) {
    append(
      `case-${caseId}`,
      'DocumentIssued',
      {
        kind: 'decision',
        digest: `sha256:${createHash('sha256').update(documentBytes).digest('hex')}`,
        templateVersion: 'penalty-decision/v1',
        issuedAt: decisionSignoff.signedAt,
      },
      decider,
    );
  }
  if (scenario.destroyedPlate) {
    append(
      scenario.destroyedPlate === 'recorded' ? `retention-${caseId}` : `custody-${caseId}`,
      'EvidenceDestroyed',
      {
        caseId,
        digest: evidenceRefs[1]!.digest,
        role: 'original',
        category: 'closed-case',
        policy: 'closed-case/2026-01-01',
        legalBasis: { instrument: 'test policy', verified: false },
        destroyedAt: '2036-11-27T00:00:00.000Z',
      },
      { kind: 'system', id: 'retention' },
    );
  }
  noise(4);

  // Seal: the tree over the whole ledger, a checkpoint, a witness cosignature.
  const leaves = ledger.map((l) => leafHash(fromHex(l.hash, 32)!));
  const logSeed = scenario.logSeedOverride ?? LOG_SEED;
  const logKey = verifierKey(ORIGIN, publicKeyFromSeed(logSeed));
  const signed = signCheckpoint(
    {
      origin: ORIGIN,
      size: leaves.length,
      root: merkleRoot(leaves),
      time: new Date(clock + 1000).toISOString(),
    },
    logSeed,
  );
  const checkpointText = addSignatureLines(signed, [
    cosignCheckpoint(signed, WITNESS, WITNESS_SEED, Math.floor(clock / 1000) + 2),
  ]);

  const included = new Set([
    `case-${caseId}`,
    `custody-${caseId}`,
    `retention-${caseId}`,
    `camera-${cameraId}`,
    `officer-${officer.id}`,
    `officer-${decider.id}`,
  ]);
  const records = ledger
    .map((l, leafIndex) => ({ leafIndex, hash: l.hash, record: l.record }))
    .filter((r) => included.has(r.record.stream));
  const proofs = new Map(
    records.map((r) => [r.leafIndex, inclusionProof(leaves, r.leafIndex, leaves.length)]),
  );
  const entries = buildBundleEntries({
    caseId,
    exportedAt: new Date(clock + 5000).toISOString(),
    exportedBy: { kind: 'officer', id: decider.id },
    origin: ORIGIN,
    treeSize: leaves.length,
    records,
    inclusionProofs: proofs,
    checkpointText,
    logVerifierKey: logKey,
    witnessVerifierKeys: [WITNESS_KEY],
    evidence: [
      { bytes: overview, mediaType: 'image/jpeg' },
      ...(scenario.destroyedPlate ? [] : [{ bytes: plate, mediaType: 'image/jpeg' }]),
      { bytes: thumbnail, mediaType: 'image/jpeg' },
    ],
    ...(scenario.document
      ? {
          documents: [
            {
              name: scenario.document === 'unrecorded' ? 'documents/decision-2.pdf' : 'documents/decision-1.pdf',
              bytes: scenario.document === 'swapped' ? new TextEncoder().encode('%PDF-1.7 another decision\n') : documentBytes,
            },
          ],
        }
      : {}),
    manifestSignerSeed: logSeed,
  });
  return {
    entries,
    caseId,
    ledger,
    byType: (type) =>
      ledger.find((l) => l.record.type === type && l.record.stream === `case-${caseId}`)!.record,
    evidence: { overview, plate, thumbnail },
  };
}
