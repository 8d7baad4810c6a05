/**
 * What a case decision may know about an officer: built by the command handler from the folded officer
 * stream and passed into case commands as `context.officer`.
 */
import { checkKeyAt, type KeyCheck, type KeyView } from '../signoff/keys-in-force.ts';
import { NATIONAL_PROVINCE } from '../signoff/primitives.ts';
import type { OfficerRole } from './events.ts';
import type { OfficerState } from './state.ts';

export interface OfficerView {
  officerId: string;
  /** Province code, or "00" for national staff. */
  province: string;
  title: string;
  roles: OfficerRole[];
  status: 'active' | 'suspended';
  keys: KeyView[];
}

/** The view of an enrolled officer, or undefined when never enrolled. */
export function officerView(state: OfficerState): OfficerView | undefined {
  if (state.status === 'unenrolled') return undefined;
  return {
    officerId: state.officerId,
    province: state.province,
    title: state.title,
    roles: state.roles,
    status: state.status,
    keys: state.keys,
  };
}

/** National staff act anywhere; provincial staff only in their own province. */
export function officerActsIn(officer: Pick<OfficerView, 'province'>, province: string): boolean {
  return officer.province === NATIONAL_PROVINCE || officer.province === province;
}

export function officerKeyAt(officer: Pick<OfficerView, 'keys'>, keyId: string, at: string): KeyCheck {
  return checkKeyAt(officer.keys, keyId, at);
}
