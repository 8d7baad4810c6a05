/**
 * `GET /v1/me`: who the caller is. Every authenticated role gets its principal (subject, role, province).
 * Officers and supervisors also get their enrolment as the `officer-<subject>` stream records it (title,
 * roles, province, active, the key ids in force now) and the authority limit of their title from the legal
 * catalog, integer VND. The enrolment is folded from the event store, never from the token: it is what the
 * domain will check when they sign, so the UI MUST show this, not a title the user picks.
 */
import { z } from 'zod';
import { ROLES, type Principal } from '../../auth/roles.ts';
import { route } from '../route.ts';
import { loadOfficerView } from '../../../commands/context.ts';
import {
  AUTHORITY_LIMITS_VND,
  authorityLimitFor,
  type OfficerTitle,
} from '../../../domain/catalog/index.ts';
import type { OfficerView } from '../../../domain/officer/view.ts';
import { requirePrincipal, type AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

export interface MeEnrolment {
  officerId: string;
  title: string;
  roles: string[];
  /** Two-digit province code; "00" = national staff. */
  province: string;
  active: boolean;
  /** Key ids registered and neither rotated out nor revoked: the keys a sign-off may use now. */
  keyIdsInForce: string[];
  /** The title's limit under the authority table in force today, integer VND; doubled for organisations. Null if the title is unknown. */
  authorityLimitVnd: { individual: number; organisation: number } | null;
}

export interface MeResponse {
  principal: { subject: string; role: string; province: string };
  /** Officers and supervisors only; null when they are not enrolled (their sign-offs would be refused). */
  enrolment?: MeEnrolment | null;
}

const isTitle = (title: string): title is OfficerTitle => Object.hasOwn(AUTHORITY_LIMITS_VND, title);

/** `now`: the authority table in force on its Viet Nam date applies (Decree 168 Art. 43, then Decree 189/2025). */
export function enrolmentOf(officer: OfficerView, now: string): MeEnrolment {
  return {
    officerId: officer.officerId,
    title: officer.title,
    roles: [...officer.roles],
    province: officer.province,
    active: officer.status === 'active',
    keyIdsInForce: officer.keys
      .filter((k) => k.validUntil === undefined && k.revokedAt === undefined)
      .map((k) => k.keyId),
    authorityLimitVnd: isTitle(officer.title)
      ? {
          individual: authorityLimitFor(officer.title, 'individual', now),
          organisation: authorityLimitFor(officer.title, 'organisation', now),
        }
      : null,
  };
}

const MeSchema = z.object({
  principal: z.object({ subject: z.string(), role: z.string(), province: z.string() }),
  enrolment: z
    .object({
      officerId: z.string(),
      title: z.string(),
      roles: z.array(z.string()),
      province: z.string(),
      active: z.boolean(),
      keyIdsInForce: z.array(z.string()),
      authorityLimitVnd: z.object({ individual: z.number(), organisation: z.number() }).nullable(),
    })
    .nullable()
    .optional(),
});

const ENROLLED_ROLES: readonly Principal['role'][] = ['officer', 'supervisor'];

export function meRoutes(services: ApiServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/me',
      summary: "The caller's principal and, for officers and supervisors, their enrolment and authority limit",
      tags: ['session'],
      auth: ROLES,
      responses: { 200: { description: 'Who the caller is', schema: MeSchema } },
      handler: async ({ res, principal }) => {
        const caller = requirePrincipal(principal);
        const body: MeResponse = {
          principal: { subject: caller.subject, role: caller.role, province: caller.province },
        };
        if (ENROLLED_ROLES.includes(caller.role)) {
          const officer = await loadOfficerView(services.store, caller.subject);
          body.enrolment = officer ? enrolmentOf(officer, services.commandDeps.clock.now()) : null;
        }
        res.set('Cache-Control', 'no-store').json(body);
      },
    }),
  ];
}
