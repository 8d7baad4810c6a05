import { expect } from 'chai';
import { checkDeviceSignatures } from '../../../../src/domain/bundle/checks/device-signature.ts';
import { groupByStream } from '../../../../src/domain/bundle/checks/facts.ts';
import { buildFixture } from '../fixture.ts';
import { derive, tools } from './support.ts';

describe('bundle check 7: DEVICE_SIGNATURE', () => {
  it('given an exported bundle, when checked, then the detection verifies under the camera key in force', () => {
    const d = derive(buildFixture().entries);
    expect(checkDeviceSignatures(tools, d.records, d.byStream)).to.deep.equal([]);
  });

  it('given a detection altered after signing, when checked, then it fails naming the record', () => {
    const d = derive(buildFixture().entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    r.data = { ...r.data, detection: { ...(r.data.detection as object), speedKmh: 1 } };
    const failures = checkDeviceSignatures(tools, d.records, d.byStream);
    expect(failures.map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });

  it('given the camera stream left out, when checked, then the key cannot be found', () => {
    const d = derive(buildFixture().entries);
    const byStream = groupByStream(d.records.filter((r) => !r.stream.startsWith('camera-')));
    const failures = checkDeviceSignatures(tools, d.records, byStream);
    expect(failures).to.have.length(1);
  });

  it('given a detection without purpose detection/v1, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    r.data = { ...r.data, detection: { ...(r.data.detection as object), purpose: 'other' } };
    expect(checkDeviceSignatures(tools, d.records, d.byStream).map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });
});
