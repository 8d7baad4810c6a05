/**
 * detection/v2 (integrity.md §4): the plate colour the camera signed flows into the case; a v1 detection's
 * colour is unknown; each version is checked under its own purpose.
 */
import { expect } from 'chai';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import { DetectionSignatureInvalidError } from '../../../src/domain/case/errors.ts';
import { parseCaseEvent } from '../../../src/domain/case/events.ts';
import { plateColourOf } from '../../../src/domain/case/plate-colour.ts';
import { PLATE_COLOURS } from '../../../src/domain/plates/index.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { buildDetectionPayload } from '../../../src/domain/signoff/builders.ts';
import { signDetection } from '../../../src/domain/signoff/signing.ts';
import type { Detection } from '../../../src/domain/signoff/payloads.ts';
import { spec } from '../../support/given-when-then.ts';
import { detectionInput, recordDetection } from './case-fixtures.ts';
import { cameraKey } from './fixtures.ts';

const caseSpec = () => spec(caseDecider, { parse: parseCaseEvent });

/** The command with its detection replaced by `detection`, correctly signed by the camera key. */
function signedAs(detection: Record<string, unknown>) {
  const command = recordDetection();
  const signed = signDetection(detection as unknown as Detection, cameraKey.secretKey);
  return { ...command, detection: signed.detection, signature: signed.signature };
}

describe('case decider: plate colour (detection/v2)', () => {
  it('builds detection/v2 when the camera names a plate colour, detection/v1 otherwise', () => {
    expect(buildDetectionPayload(detectionInput({ plateColour: 'yellow' })).purpose).to.equal('detection/v2');
    expect(buildDetectionPayload(detectionInput()).purpose).to.equal('detection/v1');
    expect(buildDetectionPayload(detectionInput({ plateColour: undefined })).purpose).to.equal('detection/v1');
  });

  it('refuses a plate colour the plate rules do not list', () => {
    expect(() => buildDetectionPayload(detectionInput({ plateColour: 'green' as never }))).to.throw(ValidationError);
  });

  for (const colour of PLATE_COLOURS) {
    it(`given no case, when a camera records a detection/v2 with plate colour ${colour}, then the case holds that colour`, () => {
      const command = recordDetection({ plateColour: colour });
      const { events, state } = caseSpec()
        .given([])
        .when(command)
        .thenEvents((e) => expect(e.map((x) => x.type)).to.deep.equal(['ViolationDetected']));
      const detected = events[0]!;
      if (detected.type !== 'ViolationDetected') throw new Error('unreachable');
      expect(detected.data.detection).to.deep.include({ purpose: 'detection/v2', plateColour: colour });
      if (state.status === 'none') throw new Error('unreachable');
      expect(plateColourOf(state.detection)).to.equal(colour);
    });
  }

  it('given no case, when a camera records a detection/v1, then the plate colour is unknown', () => {
    const { state } = caseSpec()
      .given([])
      .when(recordDetection())
      .thenEvents(() => {});
    if (state.status === 'none') throw new Error('unreachable');
    expect(plateColourOf(state.detection)).to.equal(undefined);
  });

  it('given no case, when a v2 payload (plateColour) is signed under the v1 purpose, then it is refused', () => {
    const v1 = buildDetectionPayload(detectionInput());
    caseSpec()
      .given([])
      .when(signedAs({ ...v1, plateColour: 'white' }))
      .thenThrows(ValidationError);
  });

  it('given no case, when a detection/v2 names no plate colour, then it is refused', () => {
    const v1 = buildDetectionPayload(detectionInput());
    caseSpec()
      .given([])
      .when(signedAs({ ...v1, purpose: 'detection/v2' }))
      .thenThrows(ValidationError);
  });

  it('given no case, when a signed detection/v2 is relabelled v1 with its colour removed, then the signature fails', () => {
    const command = recordDetection({ plateColour: 'blue' });
    const { plateColour: _colour, ...rest } = command.detection as Record<string, unknown>;
    caseSpec()
      .given([])
      .when({ ...command, detection: { ...rest, purpose: 'detection/v1' } as typeof command.detection })
      .thenThrows(DetectionSignatureInvalidError);
  });
});
