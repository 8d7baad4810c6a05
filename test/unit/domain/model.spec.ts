import { expect } from 'chai';
import { modelDecider } from '../../../src/domain/model/decider.ts';
import {
  ModelAlreadyApprovedError,
  ModelAlreadyRegisteredError,
  ModelAlreadySuspendedError,
  ModelNotRegisteredError,
} from '../../../src/domain/model/errors.ts';
import { parseModelEvent, type ModelEvent } from '../../../src/domain/model/events.ts';
import type { ModelCommand } from '../../../src/domain/model/commands.ts';
import { isModelApproved, modelView } from '../../../src/domain/model/view.ts';
import {
  ActorNotAllowedError,
  InvalidCommandError,
  ProvinceMismatchError,
} from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';
import { HANOI, NATIONAL, officerActor, serviceActor, systemActor } from './fixtures.ts';

const modelSpec = () => spec(modelDecider, { parse: parseModelEvent });
const T0 = '2026-01-10T08:00:00.000Z';
const T1 = '2026-02-10T08:00:00.000Z';
const files = [
  { name: 'det.onnx', sha256: 'a'.repeat(64) },
  { name: 'rec.onnx', sha256: 'b'.repeat(64) },
];
const base = { province: NATIONAL, modelId: 'ppocr-v4-1' };
const register: ModelCommand = {
  ...base,
  actor: systemActor,
  now: T0,
  type: 'RegisterModelVersion',
  name: 'PP-OCRv4',
  version: '4.0.0',
  files,
};
const registered: ModelEvent = {
  type: 'ModelVersionRegistered',
  data: { modelId: 'ppocr-v4-1', name: 'PP-OCRv4', version: '4.0.0', files, registeredAt: T0 },
};
const approve: ModelCommand = {
  ...base,
  actor: officerActor('off-00-0001'),
  now: T1,
  type: 'ApproveModelVersion',
  note: 'bench 98.1%',
};
const approved: ModelEvent = {
  type: 'ModelVersionApproved',
  data: { modelId: 'ppocr-v4-1', approvedBy: 'off-00-0001', note: 'bench 98.1%', approvedAt: T1 },
};
const suspend: ModelCommand = {
  ...base,
  actor: systemActor,
  now: T1,
  type: 'SuspendModelVersion',
  reason: 'drift',
};
const suspended: ModelEvent = {
  type: 'ModelVersionSuspended',
  data: { modelId: 'ppocr-v4-1', reason: 'drift', suspendedAt: T1 },
};

describe('model decider', () => {
  it('registers a version with its file digests; it is not approved yet', () => {
    const state = modelSpec().given([]).when(register).then([registered]);
    expect(isModelApproved(modelView(state))).to.equal(false);
  });
  it('refuses a second registration, duplicate file names and malformed digests', () => {
    modelSpec().given([registered]).when(register).thenThrows(ModelAlreadyRegisteredError);
    modelSpec()
      .given([])
      .when({ ...register, files: [files[0]!, files[0]!] })
      .thenThrows(InvalidCommandError);
    modelSpec()
      .given([])
      .when({ ...register, files: [{ name: 'x.onnx', sha256: 'XYZ' }] })
      .thenThrows(InvalidCommandError);
  });
  it('is a national record', () => {
    modelSpec()
      .given([])
      .when({ ...register, province: HANOI })
      .thenThrows(ProvinceMismatchError);
  });
  it('is approved by a human officer only', () => {
    const state = modelSpec().given([registered]).when(approve).then([approved]);
    expect(isModelApproved(modelView(state))).to.equal(true);
    modelSpec()
      .given([registered])
      .when({ ...approve, actor: serviceActor })
      .thenThrows(ActorNotAllowedError);
    modelSpec()
      .given([registered])
      .when({ ...approve, actor: systemActor })
      .thenThrows(ActorNotAllowedError);
  });
  it('refuses approving twice or approving an unregistered version', () => {
    modelSpec().given([registered, approved]).when(approve).thenThrows(ModelAlreadyApprovedError);
    modelSpec().given([]).when(approve).thenThrows(ModelNotRegisteredError);
  });
  it('suspends (no longer approved) and can be approved again', () => {
    const state = modelSpec().given([registered, approved]).when(suspend).then([suspended]);
    expect(isModelApproved(modelView(state))).to.equal(false);
    modelSpec().given([registered, approved, suspended]).when(suspend).thenThrows(ModelAlreadySuspendedError);
    const again = modelSpec().given([registered, approved, suspended]).when(approve).then([approved]);
    expect(modelView(again)?.status).to.equal('approved');
  });
});
