/**
 * Case routes: list and detail, evidence download, officer sign-offs (review, decision, void, appeal
 * resolution), owner, notices, payments, appeals, closing, and the court bundle.
 *
 * Every write is authorised twice: here by token role and case scope, then by the case decider against the
 * caller's enrolment (`officer-<subject>`: enrolled, active, role for the command, province; key in force for
 * signed commands). A token is never a `service` actor.
 *
 * Access, per route AND per case: officers and supervisors of the case's province (national staff, province
 * "00", anywhere); auditors and courts read but never write; devices and analysts see no case. A case outside
 * the caller's scope is 404, exactly like a missing one.
 *
 * Custody: the detail, each evidence download and each bundle disclose evidence or personal data, so they
 * require `X-Purpose` and append an `EvidenceAccessed` record to `custody-<caseId>` (filed under the case's
 * province, whoever reads) BEFORE the response body is sent. If that append fails, nothing is disclosed. Lists carry no personal data and need no purpose.
 *
 * Optimistic concurrency: every case write accepts `If-Match: "<revision>"` (the detail's ETag); a stale one
 * is 412. Signed sign-offs are never retried on a conflict: the signature covers what the officer saw.
 */
import type { Request } from 'express';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { CursorSchema } from '../../../projections/queries.ts';
import {
  closeCase,
  confirmReview,
  decidePenalty,
  fileAppeal,
  identifyOwner,
  issueNotice,
  recordNoticeDelivered,
  recordNoticeDeliveryFailed,
  recordOwnerNotFound,
  recordPayment,
  rejectReview,
  resolveAppeal,
  voidCase,
  type CaseOutcome,
} from '../../../commands/cases.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import type { Caller, CommandOptions } from '../../../commands/outcome.ts';
import { NOTICE_CHANNELS } from '../../../domain/case/events.ts';
import {
  AppealSignoffSchema,
  DecisionSignoffSchema,
  OffenderSchema,
  ReviewSignoffSchema,
  VoidSignoffSchema,
} from '../../../domain/signoff/payloads.ts';
import {
  DigestSchema,
  IdentifierSchema,
  KeyIdSchema,
  ShortTextSchema,
  SignatureSchema,
  TextSchema,
} from '../../../domain/signoff/primitives.ts';
import { NATIONAL_SCOPE, type Role } from '../../auth/roles.ts';
import { NotFoundError, route, type HandlerContext } from '../route.ts';
import {
  CaseIdParams,
  callerFor,
  etagOf,
  ifMatchRevision,
  loadVisibleCase,
  requirePrincipal,
  type AnyRoute,
} from './access.ts';
import { caseDocument } from './case-view.ts';
import type { ApiServices } from './services.ts';

/** Who may read cases (and download evidence): never devices, analysts or admins. */
export const CASE_READERS: readonly Role[] = ['officer', 'supervisor', 'auditor', 'court'];
/** Who may write to cases: officers and supervisors (the domain checks each officer's roles and authority). */
export const CASE_WRITERS: readonly Role[] = ['officer', 'supervisor'];
/** Who may export a court bundle. */
export const BUNDLE_READERS: readonly Role[] = ['court', 'auditor', 'officer', 'supervisor'];

const signed = <S extends z.ZodType>(signoff: S) =>
  z.strictObject({ signoff, signature: SignatureSchema, keyId: KeyIdSchema });

const WriteResponse = z.object({
  caseId: z.string(),
  status: z.string(),
  revision: z.number(),
  appended: z.number(),
});
const writeResponses = {
  200: { description: 'Applied (appended 0 when already satisfied)', schema: WriteResponse },
};

const ListQuery = z.strictObject({
  status: z
    .string()
    .regex(/^[a-z-]{1,32}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: CursorSchema.optional(),
});

/**
 * Passes a stream through one chunk behind, releasing the last chunk only once the source ended cleanly. The
 * evidence store verifies a blob's digest at the end of its stream; holding the last chunk back means a
 * corrupted blob never reaches the client complete (it gets fewer bytes than Content-Length, a failed download).
 */
class HoldLastChunk extends Transform {
  private held: Buffer | undefined;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }
  override _flush(callback: TransformCallback): void {
    callback(null, this.held);
  }
}

/** The request id as the records' correlation id, when there is one. */
export function correlation(req: Request): { correlationId?: string } {
  const id = (req as { id?: string }).id;
  return id !== undefined ? { correlationId: id } : {};
}

type CaseCtx<B> = HandlerContext<z.infer<typeof CaseIdParams>, unknown, B>;

export function casesRoutes(services: ApiServices): AnyRoute[] {
  const { store, commandDeps: deps } = services;

  /** A case write: scope check (404), If-Match, the service call, then ETag and a small status document. */
  const write =
    <B>(run: (caller: Caller, body: B, options: CommandOptions, ctx: CaseCtx<B>) => Promise<CaseOutcome>) =>
    async (ctx: CaseCtx<B>) => {
      const principal = requirePrincipal(ctx.principal);
      await loadVisibleCase(store, principal, ctx.params.caseId);
      const expectedRevision = ifMatchRevision(ctx.req);
      const options: CommandOptions = {
        ...correlation(ctx.req),
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      };
      const outcome = await run(callerFor(principal), ctx.body, options, ctx);
      ctx.res.set('ETag', etagOf(outcome.nextExpectedRevision)).json({
        caseId: outcome.caseId,
        status: outcome.state.status,
        revision: Number(outcome.nextExpectedRevision),
        appended: outcome.events.length,
      });
    };

  const caseWrite = <B>(
    path: string,
    summary: string,
    body: z.ZodType<B>,
    run: Parameters<typeof write<B>>[0],
    auth: readonly Role[] = CASE_WRITERS,
    extraParams?: z.ZodType,
  ) =>
    route({
      method: 'post',
      path: `/v1/cases/:caseId${path}`,
      summary,
      tags: ['cases'],
      auth,
      params: (extraParams ?? CaseIdParams) as typeof CaseIdParams,
      body,
      responses: writeResponses,
      handler: write(run),
    });

  return [
    route({
      method: 'get',
      path: '/v1/cases',
      summary: 'List cases in scope (no plates or owners: a list needs no custody record)',
      tags: ['cases'],
      auth: CASE_READERS,
      query: ListQuery,
      responses: { 200: { description: 'A page of case summaries' } },
      handler: async ({ res, principal, query }) => {
        const p = requirePrincipal(principal);
        const page = await services.queries.listCases({
          provinces: p.province === NATIONAL_SCOPE ? 'all' : [p.province],
          limit: query.limit,
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.after !== undefined ? { after: query.after } : {}),
        });
        res.json(page);
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId',
      summary: 'Case detail, folded from the case stream; ETag is the case revision',
      tags: ['cases'],
      auth: CASE_READERS,
      params: CaseIdParams,
      requiresPurpose: true,
      responses: { 200: { description: 'The case' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state, revision } = await loadVisibleCase(store, p, params.caseId);
        await recordEvidenceAccess(
          deps,
          callerFor(p, state.province),
          { caseId: params.caseId, access: 'view', purpose: purpose! },
          correlation(req),
        );
        res
          .set('ETag', etagOf(revision))
          .set('Cache-Control', 'no-store')
          .json(caseDocument(state, revision));
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId/evidence/:digest',
      summary: 'Download one evidence blob of the case (original or derived); custody is recorded first',
      tags: ['cases'],
      auth: CASE_READERS,
      params: CaseIdParams.extend({ digest: DigestSchema }),
      requiresPurpose: true,
      responses: { 200: { description: 'The blob bytes', contentType: 'application/octet-stream' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(store, p, params.caseId);
        const item =
          state.originals.find((e) => e.digest === params.digest) ??
          state.derivations.map((d) => d.derived).find((e) => e.digest === params.digest);
        if (!item) throw new NotFoundError('The case holds no such evidence', { digest: params.digest });
        const body = await services.evidence.get(item.digest, { expectedSize: item.size });
        try {
          await recordEvidenceAccess(
            deps,
            callerFor(p, state.province),
            { caseId: params.caseId, digest: item.digest, access: 'download', purpose: purpose! },
            correlation(req),
          );
        } catch (error) {
          body.destroy();
          throw error;
        }
        res.status(200).set({
          'Content-Type': item.mediaType,
          'Content-Length': String(item.size),
          'Cache-Control': 'no-store',
          Digest: `sha-256=${Buffer.from(item.digest.slice(7), 'hex').toString('base64')}`,
          'X-Content-Type-Options': 'nosniff',
          'Content-Disposition': `attachment; filename="${item.digest.slice(7)}"`,
        });
        try {
          await pipeline(body, new HoldLastChunk(), res);
        } catch (error) {
          // Once bytes went out, a problem document cannot follow: the connection is cut instead (a client
          // MUST treat a truncated download as failed; the Digest header lets it check).
          if (res.headersSent) {
            res.destroy();
            return;
          }
          throw error;
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId/bundle',
      summary:
        'Court bundle (bundle.md v1) of the case; 409 with Retry-After while its records are not yet sealed',
      tags: ['cases', 'bundle'],
      auth: BUNDLE_READERS,
      params: CaseIdParams,
      requiresPurpose: true,
      responses: { 200: { description: 'case-<caseId>.zip', contentType: 'application/zip' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(store, p, params.caseId);
        const bundle = await services.bundles.exportCase({
          caseId: params.caseId,
          // Custody records file under the case's province, also when national staff act.
          caller: callerFor(p, state.province),
          purpose: purpose!,
          ...(services.limits?.sealWaitMs !== undefined ? { sealWaitMs: services.limits.sealWaitMs } : {}),
          ...correlation(req),
        });
        res
          .status(200)
          .set({
            'Content-Type': 'application/zip',
            'Content-Disposition': `attachment; filename="${bundle.fileName}"`,
            'Cache-Control': 'no-store',
            'X-Bundle-Tree-Size': String(bundle.treeSize),
          })
          .send(Buffer.from(bundle.bytes.buffer, bundle.bytes.byteOffset, bundle.bytes.byteLength));
      },
    }),

    caseWrite(
      '/review',
      'Review sign-off: confirm (optionally correcting plate or violation) or reject with a reason code, signed by the officer',
      signed(ReviewSignoffSchema),
      (caller, body, options, ctx) =>
        body.signoff.decision === 'confirm'
          ? confirmReview(deps, caller, { caseId: ctx.params.caseId, ...body }, options)
          : rejectReview(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/decision',
      'Penalty decision, signed by a competent officer (authority checked against the fine range)',
      signed(DecisionSignoffSchema),
      (caller, body, options, ctx) =>
        decidePenalty(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/void',
      'Void the case with a reason (signed void/v1 sign-off of a supervisor)',
      signed(VoidSignoffSchema),
      (caller, body, options, ctx) => voidCase(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
      ['supervisor'],
    ),
    caseWrite(
      '/owner',
      'Record the owner found in the vehicle registry (opaque registry reference only)',
      z.strictObject({
        owner: OffenderSchema,
        registry: ShortTextSchema,
        registrationRef: IdentifierSchema.optional(),
      }),
      (caller, body, options, ctx) =>
        identifyOwner(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/owner-not-found',
      'Record that the registry has no owner for the plate',
      z.strictObject({ registry: ShortTextSchema, reason: TextSchema }),
      (caller, body, options, ctx) =>
        recordOwnerNotFound(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/notices',
      'Issue a notice to the owner',
      z.strictObject({ noticeId: IdentifierSchema, channel: z.enum(NOTICE_CHANNELS) }),
      (caller, body, options, ctx) =>
        issueNotice(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/notices/:noticeId/delivery',
      'Record the delivery status of a notice',
      z.strictObject({ outcome: z.enum(['delivered', 'failed']), reason: TextSchema.optional() }),
      (caller, body, options, ctx) => {
        const noticeId = (ctx.params as unknown as { noticeId: string }).noticeId;
        return body.outcome === 'delivered'
          ? recordNoticeDelivered(deps, caller, { caseId: ctx.params.caseId, noticeId }, options)
          : recordNoticeDeliveryFailed(
              deps,
              caller,
              { caseId: ctx.params.caseId, noticeId, reason: body.reason ?? '' },
              options,
            );
      },
      CASE_WRITERS,
      CaseIdParams.extend({ noticeId: IdentifierSchema }),
    ),
    caseWrite(
      '/payments',
      'Record a payment of the fine (integer VND, must equal the fine)',
      z.strictObject({
        paymentRef: IdentifierSchema,
        amountVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
      }),
      (caller, body, options, ctx) =>
        recordPayment(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/appeals',
      'File an appeal on behalf of the offender',
      z.strictObject({ appealId: IdentifierSchema, grounds: TextSchema }),
      (caller, body, options, ctx) =>
        fileAppeal(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/appeals/:appealId/resolution',
      'Resolve an appeal (upheld or overturned): a signed appeal/v1 sign-off of a competent officer whose authority covers the fine; the signed appealId is the path\'s',
      signed(AppealSignoffSchema),
      (caller, body, options, ctx) =>
        resolveAppeal(
          deps,
          caller,
          {
            caseId: ctx.params.caseId,
            appealId: (ctx.params as unknown as { appealId: string }).appealId,
            ...body,
          },
          options,
        ),
      CASE_WRITERS,
      CaseIdParams.extend({ appealId: IdentifierSchema }),
    ),
    caseWrite(
      '/close',
      'Close the case when the law allows (paid, rejected, overturned, owner not found)',
      z.strictObject({}),
      (caller, _body, options, ctx) => closeCase(deps, caller, { caseId: ctx.params.caseId }, options),
    ),
  ];
}
