/**
 * `?include=plates` on a case list (the review queue, the supervisor's decision list): each listed case's plate
 * as read and the reference of its overview's thumbnail. That is personal data, so the caller states a purpose
 * (`X-Purpose`, read before the list is queried) and every case of the page gets an `EvidenceAccessed` record
 * (`view`, that purpose), filed under the case's own province, before the page is sent. The thumbnail's bytes
 * are fetched through the evidence route, which records its own entry per fetch. Without `include` the page
 * carries neither and records nothing.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { recordEvidenceAccesses } from '../../../commands/custody.ts';
import type { Principal } from '../../auth/roles.ts';
import { statedPurpose } from '../route.ts';
import { callerFor } from './access.ts';
import { correlation } from './case-common.ts';
import type { ApiServices, ListedPersonal } from './services.ts';

/** The query parameter: `plates` adds plate and thumbnail reference (needs X-Purpose; a custody record per listed case). */
export const IncludePlatesQuery = z.literal('plates').optional();

/** The personal fields of a listed case as the response schemas declare them (present with `include=plates` only). */
export const ListedPersonalSchema = {
  /** With `include=plates` only: the plate as read (confirmed, else AI reading, else the camera's), null when none. */
  plate: z.string().nullable().optional(),
  /** With `include=plates` only: the overview's thumbnail (fetch it from the evidence route with a purpose). */
  thumbnail: z.object({ digest: z.string(), mediaType: z.string(), size: z.number() }).nullable().optional(),
};

/** The stated purpose when the request asks for plates (throws `PurposeRequiredError` without a valid one). */
export function listedPlatesPurpose(req: Request, include: 'plates' | undefined): string | undefined {
  return include === 'plates' ? statedPurpose(req) : undefined;
}

/**
 * The page's items as they may be sent: with a purpose, after one custody record per listed case (under the
 * case's province, also when national staff look); without one, stripped of plate and thumbnail.
 */
export async function disclosedItems<T extends { caseId: string; province: string } & ListedPersonal>(
  services: ApiServices,
  req: Request,
  principal: Principal,
  items: readonly T[],
  purpose: string | undefined,
): Promise<(Omit<T, keyof ListedPersonal> | T)[]> {
  if (purpose === undefined) return items.map(({ plate: _plate, thumbnail: _thumbnail, ...listed }) => listed);
  const byProvince = new Map<string, string[]>();
  for (const item of items) byProvince.set(item.province, [...(byProvince.get(item.province) ?? []), item.caseId]);
  // Custody first: nothing personal leaves before every listed case has its record.
  for (const [province, caseIds] of byProvince)
    await recordEvidenceAccesses(
      services.commandDeps,
      callerFor(principal, province),
      caseIds.map((caseId) => ({ caseId, access: 'view' as const, purpose })),
      { ...correlation(req), caseProvince: province },
    );
  return [...items];
}
