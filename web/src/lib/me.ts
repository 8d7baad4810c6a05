/**
 * The signed-in caller as the server knows them (`GET /v1/me`): the token's principal and, for officers and
 * supervisors, their enrolment folded from the `officer-<id>` stream with the authority limit of the enrolled
 * title. The decision screen shows this, never a title the user picks: it is what the domain checks.
 */
import { api, type GetResponse } from './api.ts';

/** `GET /v1/me` (generated from the OpenAPI document). `enrolment`: officers and supervisors only, null when not enrolled. */
export type Me = GetResponse<'/v1/me'>;

/** The enrolment; `authorityLimitVnd` is integer VND, null when the title is not in the catalog. */
export type Enrolment = NonNullable<Me['enrolment']>;

export function loadMe(): Promise<Me> {
  return api<Me>('/v1/me');
}

/** The enrolled limit for this offender kind, or undefined when there is none. */
export function enrolledLimit(me: Me | undefined, offender: 'individual' | 'organisation'): number | undefined {
  return me?.enrolment?.authorityLimitVnd?.[offender];
}
