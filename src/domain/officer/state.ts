import type { KeyView } from '../signoff/keys-in-force.ts';
import type { OfficerRole } from './events.ts';

export interface OfficerFacts {
  officerId: string;
  province: string;
  title: string;
  roles: OfficerRole[];
  keys: KeyView[];
}

export type OfficerState =
  | { status: 'unenrolled' }
  | ({ status: 'active' } & OfficerFacts)
  | ({ status: 'suspended'; suspendedReason: string } & OfficerFacts);

export type OfficerStatus = OfficerState['status'];
