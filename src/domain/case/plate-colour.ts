/**
 * The plate colour of a case: what the camera signed in a `detection/v2`; undefined for a `detection/v1`
 * detection, which never carried one (shown as "unknown", never guessed).
 */
import type { PlateColour } from '../plates/colours.ts';
import type { Detection } from '../signoff/payloads.ts';

export function plateColourOf(detection: Detection): PlateColour | undefined {
  return detection.purpose === 'detection/v2' ? detection.plateColour : undefined;
}
