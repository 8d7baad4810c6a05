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

  it('given a detection with neither detection purpose, when checked, then it fails', () => {
    const d = derive(buildFixture().entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    r.data = { ...r.data, detection: { ...(r.data.detection as object), purpose: 'other' } };
    expect(checkDeviceSignatures(tools, d.records, d.byStream).map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });

  it('given a detection/v2 with its plate colour, when checked, then it verifies under its own purpose', () => {
    const d = derive(buildFixture({ detection: 'v2' }).entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    expect((r.data.detection as { purpose: string }).purpose).to.equal('detection/v2');
    expect(checkDeviceSignatures(tools, d.records, d.byStream)).to.deep.equal([]);
  });

  it('given a v2 payload (plateColour) signed under the v1 purpose, when checked, then it is refused', () => {
    const d = derive(buildFixture({ detection: 'v2-under-v1' }).entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    const failures = checkDeviceSignatures(tools, d.records, d.byStream);
    expect(failures.map((x) => x.recordIds)).to.deep.equal([[r.id]]);
    expect(failures[0]!.message).to.include('plateColour');
  });

  it('given a detection/v2 without a plate colour, when checked, then it is refused', () => {
    const d = derive(buildFixture({ detection: 'v2-without-colour' }).entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    expect(checkDeviceSignatures(tools, d.records, d.byStream).map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });

  it('given a detection/v2 relabelled v1 after signing (colour removed), when checked, then the signature fails', () => {
    const d = derive(buildFixture({ detection: 'v2' }).entries);
    const r = d.records.find((x) => x.type === 'ViolationDetected')!;
    const { plateColour: _colour, ...rest } = r.data.detection as Record<string, unknown>;
    r.data = { ...r.data, detection: { ...rest, purpose: 'detection/v1' } };
    expect(checkDeviceSignatures(tools, d.records, d.byStream).map((x) => x.recordIds)).to.deep.equal([[r.id]]);
  });
});
