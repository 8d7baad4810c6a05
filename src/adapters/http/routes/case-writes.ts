/**
 * Case writes: officer sign-offs (review, decision, void, appeal resolution), owner, notices, payments,
 * appeals and closing. Each checks scope (404), honours If-Match and answers with the new ETag and status.
 */
import { z } from 'zod';
import {
  closeCase,
  confirmReview,
  decidePenalty,
  drawViolationRecord,
  fileAppeal,
  identifyDriver,
  identifyOwner,
  issueNotice,
  recordNoticeDelivered,
  recordNoticeDeliveryFailed,
  recordOwnerNotFound,
  recordOwnerUnresponsive,
  recordPayment,
  rejectReview,
  resolveAppeal,
  submitExplanation,
  transferCase,
  voidCase,
  type CaseOutcome,
} from '../../../commands/cases.ts';
import type { Caller, CommandOptions } from '../../../commands/outcome.ts';
import { EXPLANATION_CHANNELS, NOTICE_CHANNELS, PAYMENT_CHANNELS } from '../../../domain/case/events.ts';
import {
  AppealSignoffSchema,
  DecisionSignoffSchema,
  OffenderSchema,
  RecordSignoffSchema,
  ReviewSignoffSchema,
  TransferSignoffSchema,
  VoidSignoffSchema,
} from '../../../domain/signoff/payloads.ts';
import {
  IdentifierSchema,
  KeyIdSchema,
  ShortTextSchema,
  SignatureSchema,
  TextSchema,
} from '../../../domain/signoff/primitives.ts';
import type { Role } from '../../auth/roles.ts';
import { route, type HandlerContext } from '../route.ts';
import {
  CaseIdParams,
  callerFor,
  etagOf,
  ifMatchRevision,
  loadVisibleCase,
  requirePrincipal,
  type AnyRoute,
} from './access.ts';
import { CASE_WRITERS, correlation } from './case-common.ts';
import type { ApiServices } from './services.ts';

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

type CaseCtx<B> = HandlerContext<z.infer<typeof CaseIdParams>, unknown, B>;

export function caseWriteRoutes(services: ApiServices): AnyRoute[] {
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
      'Penalty decision after the violation record, signed by a competent officer (authority checked against the fine range; licence points only from an individual driver)',
      signed(DecisionSignoffSchema),
      (caller, body, options, ctx) =>
        decidePenalty(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/transfer',
      "Transfer the case to the police of the province where the owner resides, instead of a notice, within 10 days of the violation (signed transfer/v1; Circular 73/2024 Art. 24)",
      signed(TransferSignoffSchema),
      (caller, body, options, ctx) => {
        // Another node serves the receiving province: the federation carries the case there (docs/federation.md).
        const served = services.servedProvinces;
        const handover = served && !served.includes(body.signoff.toProvince) ? 'federation' : 'in-node';
        return transferCase(deps, caller, { caseId: ctx.params.caseId, ...body, handover }, options);
      },
    ),
    caseWrite(
      '/explanations',
      "Record the owner's explanation in answer to the notice, made in person or online",
      z.strictObject({
        explanationId: IdentifierSchema,
        channel: z.enum(EXPLANATION_CHANNELS),
        statement: TextSchema,
      }),
      (caller, body, options, ctx) =>
        submitExplanation(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/driver',
      'Record the driver the owner names (an individual: opaque registry reference and licence reference); licence points come only from them',
      z.strictObject({ driver: OffenderSchema, licenceRef: IdentifierSchema }),
      (caller, body, options, ctx) => identifyDriver(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
    ),
    caseWrite(
      '/notices/:noticeId/unresponsive',
      'Record that the owner did not respond 20 days after the notice; the registration and inspection agencies (and commune police for motorbikes) are warned and the vehicle is flagged',
      z.strictObject({}),
      (caller, _body, options, ctx) =>
        recordOwnerUnresponsive(
          deps,
          caller,
          { caseId: ctx.params.caseId, noticeId: (ctx.params as unknown as { noticeId: string }).noticeId },
          options,
        ),
      CASE_WRITERS,
      CaseIdParams.extend({ noticeId: IdentifierSchema }),
    ),
    caseWrite(
      '/record',
      "The violation record (biên bản), signed record/v1 by the officer who draws it up, with the owner's explanation verbatim if any; the decision comes after it",
      signed(RecordSignoffSchema),
      (caller, body, options, ctx) =>
        drawViolationRecord(deps, caller, { caseId: ctx.params.caseId, ...body }, options),
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
      'Record a payment of the fine (integer VND: the fine plus the late-payment surcharge due, 0.05% of the fine per day after the 10-day payment period, rounded down) and its channel',
      z.strictObject({
        paymentRef: IdentifierSchema,
        amountVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
        channel: z.enum(PAYMENT_CHANNELS),
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
      "Resolve an appeal (upheld or overturned): a signed appeal/v1 sign-off of a competent officer whose authority covers the fine; the signed appealId is the path's",
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
