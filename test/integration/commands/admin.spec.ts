import { expect } from 'chai';
import { v7 as uuidV7 } from 'uuid';
import type { EventStore } from '../../../src/ports/eventstore.ts';
import {
  registerCamera,
  revokeDeviceKey,
  rotateDeviceKey,
  suspendCamera,
} from '../../../src/commands/cameras.ts';
import { loadCameraView, loadModelView, loadOfficerView } from '../../../src/commands/context.ts';
import { fixedClock, type CommandDeps } from '../../../src/commands/deps.ts';
import { RevisionMismatchError } from '../../../src/commands/errors.ts';
import { approveModelVersion, registerModelVersion } from '../../../src/commands/models.ts';
import { enrollOfficer, revokeOfficerKey, suspendOfficer } from '../../../src/commands/officers.ts';
import { CameraAlreadyRegisteredError } from '../../../src/domain/camera/errors.ts';
import { streams } from '../../../src/domain/record.ts';
import { AppError } from '../../../src/domain/shared/errors.ts';
import { keyPairFromLabel } from '../../../src/domain/signoff/keys.ts';
import { openTestEventStore, type TestEventStore } from './support/store.ts';

const AT = '2026-02-01T08:00:00.000Z';
const system = { actor: { kind: 'system' as const, id: 'tec' }, province: '01' };
const nationalAdmin = { actor: { kind: 'system' as const, id: 'tec' }, province: '00' };
const location = { latMicro: 10_776_889, lonMicro: 106_700_806, description: 'Nguyễn Huệ', roadType: 'urban' as const };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('camera, officer and model services; context loaders (PostgreSQL event store)', () => {
  let env: TestEventStore;
  let store: EventStore;
  let deps: CommandDeps;

  before(async () => {
    env = await openTestEventStore('cmdadm');
    store = env.store;
    deps = { store, clock: fixedClock(AT), ids: () => uuidV7() };
  });
  after(async () => {
    await env?.close();
  });

  it('loads undefined views for streams that do not exist', async () => {
    expect(await loadCameraView(store, 'cam-none')).to.equal(undefined);
    expect(await loadOfficerView(store, 'off-none')).to.equal(undefined);
    expect(await loadModelView(store, 'model-none')).to.equal(undefined);
  });

  it('registers a camera, rotates and revokes keys, and the view reflects the folded stream', async () => {
    const cameraId = `cam-79-${uuidV7().slice(-8)}`;
    const k1 = keyPairFromLabel(`${cameraId}#1`);
    const k2 = keyPairFromLabel(`${cameraId}#2`);
    const hcmc = { ...system, province: '79' };
    const registered = await registerCamera(deps, hcmc, { cameraId, location, publicKey: k1.publicKey });
    expect(registered.stream).to.equal(streams.camera(cameraId));
    expect(registered.nextExpectedRevision).to.equal(0n);
    await rotateDeviceKey(deps, hcmc, { cameraId, publicKey: k2.publicKey });
    await revokeDeviceKey(deps, hcmc, { cameraId, keyId: k1.keyId, reason: 'Key leaked' }, { expectedRevision: 1n });
    const view = await loadCameraView(store, cameraId);
    expect(view).to.deep.include({ cameraId, province: '79', status: 'active' });
    expect(view!.keys.map((k) => k.keyId)).to.have.members([k1.keyId, k2.keyId]);

    // A stale If-Match is refused before deciding; a second registration is refused by the decider.
    expect(await rejection(suspendCamera(deps, hcmc, { cameraId, reason: 'x' }, { expectedRevision: 1n }))).to.be.instanceOf(
      RevisionMismatchError,
    );
    expect(await rejection(registerCamera(deps, hcmc, { cameraId, location, publicKey: k1.publicKey }))).to.be.instanceOf(
      CameraAlreadyRegisteredError,
    );
    expect(await store.readStream(streams.camera(cameraId))).to.have.length(3);
  });

  it('enrols, revokes and suspends an officer; the view follows', async () => {
    const officerId = `off-01-${uuidV7().slice(-8)}`;
    const key = keyPairFromLabel(`${officerId}#1`);
    await enrollOfficer(deps, system, { officerId, title: 'team-leader', roles: ['reviewer'], publicKey: key.publicKey });
    await revokeOfficerKey(deps, system, { officerId, keyId: key.keyId, reason: 'Device lost' });
    await suspendOfficer(deps, system, { officerId, reason: 'Under investigation' });
    const view = await loadOfficerView(store, officerId);
    expect(view).to.deep.include({ officerId, province: '01', title: 'team-leader', status: 'suspended' });
    expect(view!.keys).to.have.length(1);
  });

  it('registers and approves a model version; a service may not approve', async () => {
    const modelId = `yolo-${uuidV7().slice(-8)}`;
    await registerModelVersion(deps, nationalAdmin, {
      modelId,
      name: 'Red-light detector',
      version: '2.1.0',
      files: [{ name: 'det.onnx', sha256: 'd'.repeat(64) }],
    });
    const byService = await rejection(
      approveModelVersion(deps, { actor: { kind: 'service', id: 'anpr' }, province: '00' }, { modelId }),
    );
    expect(byService).to.be.instanceOf(AppError);
    expect((byService as AppError).category).to.not.equal('internal');
    expect((await loadModelView(store, modelId))?.status).to.equal('registered');
    await approveModelVersion(deps, { actor: { kind: 'officer', id: 'off-00-0001' }, province: '00' }, { modelId });
    expect((await loadModelView(store, modelId))?.status).to.equal('approved');
  });
});
