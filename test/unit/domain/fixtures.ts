/**
 * Shared fixtures for the domain specs: fixed times, fixture keys, and command envelopes.
 */
import type { Actor } from '../../../src/domain/record.ts';
import { keyPairFromLabel } from '../../../src/domain/signoff/keys.ts';
import type { Location } from '../../../src/domain/signoff/primitives.ts';

export const HANOI = '01';
export const HCMC = '79';
export const NATIONAL = '00';

export const officerActor = (id = 'off-01-0001'): Actor => ({ kind: 'officer', id });
export const systemActor: Actor = { kind: 'system', id: 'tec' };
export const deviceActor = (id = 'cam-01-0001'): Actor => ({ kind: 'device', id });
export const serviceActor: Actor = { kind: 'service', id: 'anpr-worker' };
export const citizenActor: Actor = { kind: 'citizen', id: 'citizen-1' };

export const cameraKey = keyPairFromLabel('cam-01-0001#1');
export const cameraKey2 = keyPairFromLabel('cam-01-0001#2');
export const officerKey = keyPairFromLabel('off-01-0001#1');
export const officerKey2 = keyPairFromLabel('off-01-0001#2');
export const strangerKey = keyPairFromLabel('stranger');

export const location: Location = {
  latMicro: 21_028_511,
  lonMicro: 105_804_817,
  description: 'Ngã tư Kim Mã – Liễu Giai',
  roadType: 'urban',
  commune: 'Ngọc Hà',
};
