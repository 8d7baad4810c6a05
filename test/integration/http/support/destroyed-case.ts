/**
 * A case whose originals were destroyed under a retention policy, on a real API node: a detection ingested
 * over HTTP, rejected by the province's officer (signed) and closed, then a retention run with the clock two
 * years on crypto-shreds its blobs. Used by the bundle-after-destruction specs (HTTP and browser).
 */
import { closeCase, rejectReview } from '../../../../src/commands/cases.ts';
import { uuidV7Ids, type CommandDeps } from '../../../../src/commands/deps.ts';
import { runRetention } from '../../../../src/commands/retention.ts';
import { evidenceDigest } from '../../../../src/domain/integrity/hash.ts';
import { streams } from '../../../../src/domain/record.ts';
import type { RetentionPolicy } from '../../../../src/domain/retention/index.ts';
import { buildReviewSignoff, signSignoff } from '../../../../src/domain/signoff/index.ts';
import type { ApiNode } from './api-node.ts';
import { HANOI, buildHttpWorld, carViolation, expectStatus, ingest, signedDetection, type OfficerActor } from './world.ts';

export const TEST_REJECTED_POLICY: RetentionPolicy = {
  id: 'rejected-detection/2026-01-01',
  category: 'rejected-detection',
  effectiveFrom: '2026-01-01',
  retainDays: 365,
  legalBasis: { instrument: 'test policy', verified: false },
};

export interface DestroyedCase {
  caseId: string;
  /** The destroyed originals, sorted. */
  digests: string[];
  /** When the retention run destroyed them. */
  destroyedAt: string;
  officer: OfficerActor;
  /** What the run reported as destroyed, sorted by digest. */
  reported: string[];
}

export async function destroyedCase(node: ApiNode): Promise<DestroyedCase> {
  const world = await buildHttpWorld(node);
  const camera = world.cameras[HANOI]!;
  const officer = world.officers[HANOI]!;
  const signed = await signedDetection(camera);
  const created = await ingest(node, camera, signed);
  expectStatus(created, 201);
  const caseId = created.json.caseId as string;
  const caller = { actor: { kind: 'officer' as const, id: officer.officerId }, province: HANOI };
  const now = new Date().toISOString();
  const deps = (at: string): CommandDeps => ({ store: node.store, clock: { now: () => at }, ids: uuidV7Ids });
  const review = signSignoff(
    buildReviewSignoff({
      caseId,
      caseRevision: (await node.store.readStream(streams.case(caseId))).length - 1,
      decision: 'reject',
      rejectReason: 'plate-unreadable',
      violationCode: carViolation().code,
      plate: '30A-123.45',
      evidence: signed.detection.evidence.map((e) => ({ ...e })),
      signedAt: now,
    }),
    officer.key.secretKey,
  );
  await rejectReview(deps(now), caller, { caseId, ...review });
  await closeCase(deps(now), caller, { caseId });
  const destroyedAt = new Date(Date.parse(now) + 2 * 366 * 86_400_000).toISOString();
  const run = await runRetention({ ...deps(destroyedAt), evidence: node.evidence }, { policies: [TEST_REJECTED_POLICY], caseIds: [caseId] });
  return {
    caseId,
    digests: signed.images.map((bytes) => evidenceDigest(bytes)).sort(),
    destroyedAt,
    officer,
    reported: run.destroyed.map((d) => d.digest).sort(),
  };
}
