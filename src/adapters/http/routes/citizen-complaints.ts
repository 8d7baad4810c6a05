/**
 * Officers' list of the complaints and appeals citizens filed through the portal (docs/citizen-portal.md,
 * "Officers' screens"): `GET /v1/citizen-complaints?province=XX`, newest first, each with its case, the grounds,
 * the attachments and, for a complaint against a decision, the case's appeal that carries it (its id is the
 * complaint's reference) and whether that appeal is resolved.
 *
 * The complaints live on the per-case `citizen-<caseId>` streams. This API process keeps an index of the
 * `ComplaintFiled` records it has seen in the global feed and reads only what is new on each request (from the
 * last checkpoint), so a request costs the records appended since the previous one, not the whole history.
 * Several API processes each keep their own; the event store stays the one source.
 */
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { DigestSchema } from '../../../domain/signoff/primitives.ts';
import { correlation } from './case-common.ts';
import { loadCaseState } from '../../../commands/citizen.ts';
import { handlingProvince } from '../../../domain/case/handlers/procedure.ts';
import { portalRef } from '../../../domain/citizen/index.ts';
import { isProvinceCode } from '../../../domain/provinces/index.ts';
import type { StoredRecord } from '../../../ports/eventstore.ts';
import { seesProvince } from '../../auth/roles.ts';
import { NotFoundError, route } from '../route.ts';
import { CaseIdParams, callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

const ProvinceSchema = z.string().refine(isProvinceCode, 'must be a province code');
const READERS = ['officer', 'supervisor'] as const;
const PAGE_SIZE = 1000;
const MAX_ITEMS = 500;

interface IndexedComplaint {
  caseId: string;
  record: StoredRecord;
}

/** The `ComplaintFiled` records of the feed, read forward from a checkpoint (one instance per API process). */
class ComplaintIndex {
  private after: string | undefined;
  private readonly items: IndexedComplaint[] = [];
  private catchingUp: Promise<void> | undefined;

  constructor(private readonly services: ApiServices) {}

  async all(): Promise<readonly IndexedComplaint[]> {
    // One catch-up at a time; concurrent requests share it.
    this.catchingUp ??= this.catchUp().finally(() => (this.catchingUp = undefined));
    await this.catchingUp;
    return this.items;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.services.store.readAll({ ...(this.after !== undefined ? { after: this.after } : {}), maxCount: PAGE_SIZE });
      for (const s of page) {
        if (s.record.type === 'ComplaintFiled' && s.record.stream.startsWith('citizen-')) {
          this.items.push({ caseId: (s.record.data as { caseId: string }).caseId, record: s });
        }
      }
      if (page.length > 0) this.after = page[page.length - 1]!.checkpoint;
      if (page.length < PAGE_SIZE) return;
    }
  }
}

const ComplaintItemSchema = z.object({
  reference: z.string(),
  kind: z.enum(['complaint', 'appeal']),
  caseId: z.string(),
  caseRef: z.string(),
  province: z.string(),
  grounds: z.string(),
  attachments: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number() })),
  filedAt: z.string(),
  actor: z.string(),
  recordId: z.string(),
  digest: z.string(),
  caseStatus: z.string(),
  /** The case's appeal carrying the complaint (against a decision), with its outcome once resolved. */
  appeal: z.object({ appealId: z.string(), outcome: z.enum(['upheld', 'overturned']).nullable() }).nullable(),
});

export function citizenComplaintRoutes(services: ApiServices): AnyRoute[] {
  const index = new ComplaintIndex(services);
  return [
    route({
      method: 'get',
      path: '/v1/citizen-complaints',
      summary: "The province's complaints and appeals filed through the citizen portal, newest first, with the case's appeal that carries each",
      tags: ['citizen-reports'],
      auth: READERS,
      query: z.strictObject({ province: ProvinceSchema }),
      responses: { 200: { description: 'The complaints', schema: z.object({ items: z.array(ComplaintItemSchema) }) } },
      handler: async ({ res, principal, query }) => {
        const p = requirePrincipal(principal);
        if (!seesProvince(p, query.province)) throw new NotFoundError('No such province', {});
        const items: z.infer<typeof ComplaintItemSchema>[] = [];
        const all = await index.all();
        for (let i = all.length - 1; i >= 0 && items.length < MAX_ITEMS; i--) {
          const c = all[i]!;
          const kase = await loadCaseState(services.store, c.caseId);
          if (kase.status === 'none') continue;
          // The province handling the case now (a transferred case is the receiving province's).
          if (handlingProvince(kase) !== query.province) continue;
          const d = c.record.record.data as { reference: string; kind: 'complaint' | 'appeal'; grounds: string; attachments: { digest: string; mediaType: string; size: number }[]; filedAt: string };
          const appeal = kase.appeals.find((a) => a.appealId === d.reference);
          items.push({
            reference: d.reference,
            kind: d.kind,
            caseId: c.caseId,
            caseRef: portalRef(c.caseId),
            province: handlingProvince(kase),
            grounds: d.grounds,
            attachments: d.attachments.map((a) => ({ digest: a.digest, mediaType: a.mediaType, size: a.size })),
            filedAt: d.filedAt,
            actor: c.record.record.meta.actor.id,
            recordId: c.record.record.id,
            digest: `sha256:${c.record.hash}`,
            caseStatus: kase.status,
            appeal: appeal ? { appealId: appeal.appealId, outcome: appeal.outcome ?? null } : null,
          });
        }
        res.set('Cache-Control', 'no-store').json({ items });
      },
    }),
    route({
      method: 'get',
      path: '/v1/citizen-complaints/:caseId/attachments/:digest',
      summary: "One attachment of a citizen's complaint on the case (officers of the handling province; each view a custody record of the case)",
      tags: ['citizen-reports'],
      auth: READERS,
      params: CaseIdParams.extend({ digest: DigestSchema }),
      requiresPurpose: true,
      responses: { 200: { description: 'The attachment (an image or a PDF, as checked on upload)', contentType: 'application/octet-stream' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const kase = await loadCaseState(services.store, params.caseId);
        // Another province's case reads exactly like no case at all.
        if (kase.status === 'none' || !seesProvince(p, handlingProvince(kase))) throw new NotFoundError('No such complaint attachment', {});
        const citizen = await services.store.readStream(`citizen-${params.caseId}`).catch(() => []);
        const attachment = citizen
          .filter((s) => s.record.type === 'ComplaintFiled')
          .flatMap((s) => (s.record.data as { attachments: { digest: string; mediaType: string; size: number }[] }).attachments)
          .find((a) => a.digest === params.digest);
        if (!attachment) throw new NotFoundError('No such complaint attachment', {});
        // The view is a custody record of the case before the bytes leave, like any evidence of the case.
        await recordEvidenceAccess(
          services.commandDeps,
          callerFor(p, handlingProvince(kase)),
          { caseId: params.caseId, digest: attachment.digest, access: 'view', purpose: purpose! },
          correlation(req),
        );
        const body = await services.evidence.get(attachment.digest, { expectedSize: attachment.size });
        res.status(200).set({
          'Content-Type': attachment.mediaType,
          'Content-Length': String(attachment.size),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
          'Content-Disposition': 'inline',
        });
        await pipeline(body, res);
      },
    }),
  ];
}
