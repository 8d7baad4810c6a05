/**
 * A small world for the command-path specs, built only through the application services: a registered,
 * calibrated camera in Hà Nội, an enrolled reviewer/decider, an approved plate model. Keys are deterministic
 * (derived from labels), so signatures are real Ed25519.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';
import type { EventStore } from '../../../../src/ports/eventstore.ts';
import type { EvidenceStore } from '../../../../src/ports/evidence.ts';
import { certifyCalibration, registerCamera } from '../../../../src/commands/cameras.ts';
import type { Clock, CommandDeps } from '../../../../src/commands/deps.ts';
import { approveModelVersion, registerModelVersion } from '../../../../src/commands/models.ts';
import { enrollOfficer } from '../../../../src/commands/officers.ts';
import type { Caller } from '../../../../src/commands/outcome.ts';
import { listViolations, type CatalogEntry } from '../../../../src/domain/catalog/index.ts';
import { buildDetectionPayload, signDetection } from '../../../../src/domain/signoff/index.ts';
import { keyPairFromLabel } from '../../../../src/domain/signoff/keys.ts';
import type { Detection } from '../../../../src/domain/signoff/payloads.ts';
import type { EvidenceRef } from '../../../../src/domain/signoff/primitives.ts';

export const HANOI = '01';
export const OBSERVED_AT = '2026-03-10T01:00:00.000Z';

/** A clock the spec moves by hand. */
export class ManualClock implements Clock {
  constructor(public at: string) {}
  now(): string {
    return this.at;
  }
}

export const admin: Caller = { actor: { kind: 'system', id: 'tec' }, province: HANOI };
export const device = (cameraId: string): Caller => ({ actor: { kind: 'device', id: cameraId }, province: HANOI });
export const anprWorker: Caller = { actor: { kind: 'service', id: 'anpr-worker' }, province: HANOI };

export function carViolation(onDate = '2026-03-10'): CatalogEntry {
  const entry = listViolations(onDate).find((e) => e.vehicleClasses.includes('car') && e.fineMaxVnd <= 37_500_000);
  if (!entry) throw new Error('the catalog has no car violation a provincial director may decide');
  return entry;
}

export interface World {
  deps: CommandDeps;
  clock: ManualClock;
  cameraId: string;
  cameraKey: ReturnType<typeof keyPairFromLabel>;
  officerId: string;
  officer: Caller;
  officerKey: ReturnType<typeof keyPairFromLabel>;
  modelId: string;
}

const location = {
  latMicro: 21_028_511,
  lonMicro: 105_804_817,
  description: 'Ngã tư Kim Mã – Liễu Giai',
  roadType: 'urban' as const,
  commune: 'Ngọc Hà',
};

/** Registers a fresh camera, officer and model (unique ids, so specs sharing a database do not collide). */
export async function buildWorld(store: EventStore): Promise<World> {
  const clock = new ManualClock('2026-01-10T08:00:00.000Z');
  const deps: CommandDeps = { store, clock, ids: () => uuidV7() };
  const suffix = randomBytes(4).toString('hex');
  const cameraId = `cam-01-${suffix}`;
  const officerId = `off-01-${suffix}`;
  const modelId = `ppocr-v4-${suffix}`;
  const cameraKey = keyPairFromLabel(`${cameraId}#1`);
  const officerKey = keyPairFromLabel(`${officerId}#1`);
  await registerCamera(deps, admin, { cameraId, location, publicKey: cameraKey.publicKey });
  await certifyCalibration(deps, admin, {
    cameraId,
    certificateId: `VMI-2026-${suffix}`,
    issuer: 'VMI',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
  });
  await enrollOfficer(deps, admin, {
    officerId,
    title: 'provincial-police-director',
    roles: ['reviewer', 'decider', 'supervisor'],
    publicKey: officerKey.publicKey,
  });
  const officer: Caller = { actor: { kind: 'officer', id: officerId }, province: HANOI };
  const national: Caller = { actor: { kind: 'system', id: 'tec' }, province: '00' };
  await registerModelVersion(deps, national, {
    modelId,
    name: 'PP-OCRv4',
    version: '4.0.0',
    files: [{ name: 'rec.onnx', sha256: 'c'.repeat(64) }],
  });
  await approveModelVersion(deps, { actor: officer.actor, province: '00' }, { modelId });
  return { deps, clock, cameraId, cameraKey, officerId, officer, officerKey, modelId };
}

/** Stores two evidence blobs and returns a signed detection naming them. */
export async function signedDetection(
  world: World,
  evidence: EvidenceStore,
  detectionId = `det-${uuidV7()}`,
): Promise<{ detection: Detection; signature: string; keyId: string; refs: EvidenceRef[] }> {
  const overview = await evidence.put(randomBytes(4096), { mediaType: 'image/jpeg' });
  const crop = await evidence.put(randomBytes(1024), { mediaType: 'image/jpeg' });
  const refs: EvidenceRef[] = [
    { digest: overview.digest, mediaType: 'image/jpeg', size: overview.size, role: 'overview' },
    { digest: crop.digest, mediaType: 'image/jpeg', size: crop.size, role: 'plate' },
  ];
  const detection = buildDetectionPayload({
    detectionId,
    cameraId: world.cameraId,
    observedAt: OBSERVED_AT,
    location,
    violationCode: carViolation().code,
    vehicleClass: 'car',
    plateRead: { text: '30A-123.45', confidenceBp: 9712 },
    evidence: refs,
  });
  return { ...signDetection(detection, world.cameraKey.secretKey), refs };
}
