/**
 * The citizen portal's routes (public, no token; rate-limited under /v1/public by the app; docs/citizen-portal.md).
 * Each one carries the grant a matching lookup handed back (`X-Citizen-Grant`, citizen-grant.ts) and names a case
 * by its reference (the short id printed on the notice). The case is looked up among the published violations of
 * the plate the grant names: a reference of another vehicle's case is not found (404), whatever is sent.
 *
 * - `GET  /v1/public/violations/:ref`                 one violation, with the portal's fields (payment status)
 * - `GET  /v1/public/violations/:ref/privacy-image`   the privacy copy of the evidence (never an original); custody recorded
 * - `POST /v1/public/report-sessions`                 a report session for a report's photo uploads
 * - `PUT  /v1/public/attachments`                     one attachment (raw image bytes), checked like evidence; needs
 *                                                     the grant or a report session
 * - `POST /v1/public/violations/:ref/responses`       answer the notice: explanation and/or driver → receipt
 * - `POST /v1/public/violations/:ref/complaints`      a complaint or appeal with attachments → receipt (against a
 *                                                     decision also the case's `AppealFiled`)
 * - `POST /v1/public/violations/:ref/payments`        ask to pay: the amount due today and its VietQR
 * - `POST /v1/public/payments/callback`               the bank's signed confirmation → the case's `PaymentRecorded`
 *
 * Every write is idempotent on the client's `Idempotency-Key` (required): the same key and request answer
 * what the first produced; the same key with another request is 409. Records carry the `citizen` actor
 * `holder-<16 hex of SHA-256 of the plate>` (a pseudonym, never a name).
 */
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  answerNotice,
  earlierAnswer,
  appealFromComplaint,
  caseFactsForCitizen,
  fileComplaint,
  loadCaseState,
  loadCitizenState,
  recordGatewayPayment,
  requestPayment,
} from '../../../commands/citizen.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { citizenResponsePeriod, holderId } from '../../../domain/case/citizen-rules.ts';
import { hasElapsed } from '../../../domain/case/periods.ts';
import type { ExistingCase } from '../../../domain/case/state.ts';
import {
  COMPLAINT_KINDS,
  IdempotencyKeyReusedError,
  IdempotencyKeySchema,
  MAX_ATTACHMENTS,
  paymentReferenceOf,
  portalCaseView,
  portalRef,
  privacyCopyOf,
  type CaseFactsForCitizen,
  type CitizenState,
  type PortalCaseView,
} from '../../../domain/citizen/index.ts';
import type { TreasuryAccount } from '../../../domain/documents/types.ts';
import { canonicalize } from '../../../domain/integrity/canonical.ts';
import { AppError, ValidationError } from '../../../domain/shared/errors.ts';
import { DigestSchema, IdentifierSchema } from '../../../domain/signoff/primitives.ts';
import { EvidenceTooLargeError } from '../../../ports/evidence-errors.ts';
import { checkEvidenceMedia } from '../../evidence/media-check.ts';
import { detectingUnitOf } from '../../../projections/cases/citizen-view.ts';
import { CitizenGrants, GRANT_HEADER, REPORT_SESSION_HEADER, UploadCredentialRequiredError } from '../citizen-grant.ts';
import { NotFoundError, route } from '../route.ts';
import type { AnyRoute } from './access.ts';
import { correlation } from './case-common.ts';
import type { ApiServices, CitizenPortalServices, PublishedViolation } from './services.ts';
import type { NationalProjector } from '../../witness/national-projections.ts';
import { caseHeldError, nationalPublishedViolations, provinceNodes, reportAtProvinceNodeError } from './national-citizen.ts';

/** An illustrative treasury account (the demo's; a deployment configures its own). */
export const DEMO_TREASURY: TreasuryAccount = {
  accountName: 'KHO BAC NHA NUOC (MINH HOA)',
  accountNumber: '0000000000',
  bankName: 'Ngân hàng minh họa (dữ liệu demo)',
  bankBin: '970400',
};

export const PRIVACY_COPY_PURPOSE = 'citizen views the privacy copy of the evidence';
export const ATTACHMENT_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
const DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export class IdempotencyKeyRequiredError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'idempotency-key-required';
}

/** This node has no payment gateway: a fact of the node (404), not an outage. */
export class PaymentGatewayNotConfiguredError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'payment-gateway-not-configured';
}

export class AttachmentNotStoredError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'attachment-not-stored';
}

export interface Portal {
  grants: CitizenGrants;
  treasury: TreasuryAccount;
  settings: CitizenPortalServices;
}

export function portalOf(services: ApiServices): Portal {
  const settings = services.citizen ?? { treasury: DEMO_TREASURY };
  return { grants: settings.grants ?? new CitizenGrants(), treasury: settings.treasury, settings };
}

/** The citizen actor for a plate: a pseudonym, never a name. */
export function holderActor(plateCompact: string): { kind: 'citizen'; id: string } {
  return { kind: 'citizen', id: holderId(plateCompact) };
}

function requestDigest(operation: string, ref: string, body: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalize({ operation, ref, body })).digest('hex')}`;
}

/** Namespace of the record ids an answer's Idempotency-Key derives (UUID v5), fixed forever. */
const ANSWER_EVENT_NAMESPACE = '6f7d3c1e-2b8a-5d4e-9c0f-1a2b3c4d5e6f';

function idempotencyKey(req: Request): string {
  const key = req.get('idempotency-key');
  if (key === undefined) throw new IdempotencyKeyRequiredError('Every portal write needs an Idempotency-Key header');
  const parsed = IdempotencyKeySchema.safeParse(key);
  if (!parsed.success) throw new ValidationError('Idempotency-Key must be 8-64 letters, digits, - or _', undefined, 'invalid-idempotency-key');
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------- responses

const AmountSchema = z.number().int();
export const PortalFieldsSchema = {
  ref: z.string(),
  handlingUnitPhone: z.string().nullable(),
  fineRange: z.object({ minVnd: AmountSchema, maxVnd: AmountSchema }).nullable(),
  decision: z.object({ number: z.string(), fineVnd: AmountSchema, points: AmountSchema, decidedAt: z.string() }).nullable(),
  deadlines: z.object({ respondBy: z.string().nullable(), payBy: z.string().nullable(), complainBy: z.string().nullable() }),
  amountDue: z.object({ fineVnd: AmountSchema, surchargeVnd: AmountSchema, totalVnd: AmountSchema, daysLate: AmountSchema }).nullable(),
  payment: z
    .object({
      paymentId: z.string(),
      totalVnd: AmountSchema,
      reference: z.string(),
      qrPayload: z.string(),
      account: z.object({ accountName: z.string(), accountNumber: z.string(), bankName: z.string(), bankBin: z.string() }),
    })
    .nullable(),
  paid: z.object({ amountVnd: AmountSchema, paidAt: z.string() }).nullable(),
  complaints: z.array(z.object({ reference: z.string(), kind: z.enum(COMPLAINT_KINDS), filedAt: z.string() })),
  privacyImage: z.boolean(),
  canPay: z.boolean(),
  canComplain: z.boolean(),
  /** Answering the notice online: whether it is open now, what was answered, and whether a driver must be named. */
  response: z.object({
    canRespond: z.boolean(),
    /** The owner is an organisation: it names its driver (before or with an explanation). */
    driverRequired: z.boolean(),
    explained: z.boolean(),
    driverNamed: z.boolean(),
    /** The instant the period ends (24:00 Viet Nam time of its last day), once a notice was issued. */
    endsAt: z.string().nullable(),
  }),
  /**
   * The citizen portal of the node that handles the case, where it is answered, paid or complained about: set on
   * the national node (from the provincial log registry), null on a province node (the case is acted on here).
   */
  followAt: z.string().nullable(),
};

export const PublishedFieldsSchema = {
  plate: z.string(),
  plateColour: z.string().nullable(),
  vehicleType: z.string(),
  observedAt: z.string(),
  place: z.string(),
  violationCode: z.string(),
  violation: z.string(),
  detectingUnit: z.string(),
  status: z.string(),
  /** The owner did not respond 20 days after the notice (Circular 73/2024 Art. 24): the vehicle is flagged. */
  ownerUnresponsive: z.boolean(),
  /**
   * Status `transferred`: the case was handed over to the police of another province (served by another node),
   * where it goes on: the province and its traffic police unit. Null otherwise.
   */
  transferredTo: z.object({ province: z.string(), unit: z.string() }).nullable(),
};

export const PortalViolationSchema = z.object({ ...PublishedFieldsSchema, ...PortalFieldsSchema });
export type PortalViolation = z.infer<typeof PortalViolationSchema>;

/** The published fields of a violation (TT 73/2024 Art. 24), nothing else: the lookup's and the subject export's item. */
export function publishedFields(v: PublishedViolation): z.infer<z.ZodObject<typeof PublishedFieldsSchema>> {
  return {
    plate: v.plate,
    plateColour: v.plateColour,
    vehicleType: v.vehicleType,
    observedAt: v.observedAt,
    place: v.place,
    violationCode: v.violationCode,
    violation: v.violation,
    detectingUnit: v.detectingUnit,
    status: v.status,
    ownerUnresponsive: v.ownerUnresponsive,
    transferredTo: v.transferredTo === null ? null : { province: v.transferredTo, unit: detectingUnitOf(v.transferredTo) },
  };
}

/** The province whose police handle the case now: the receiving one for a case handed over, else the case's. */
export function handlingProvinceOf(v: Pick<PublishedViolation, 'province' | 'transferredTo'>): string {
  return v.transferredTo ?? v.province;
}

/** The answer-to-the-notice state of a case as the holder sees it (the case decider's citizen rules, read). */
export function responseOf(kase: ExistingCase, now: string): z.infer<typeof PortalFieldsSchema.response> {
  const period = citizenResponsePeriod(kase);
  return {
    canRespond: kase.status === 'noticed' && !kase.record && period !== undefined && !hasElapsed(period, now),
    driverRequired: kase.owner?.kind === 'organisation' && !kase.driver,
    explained: (kase.explanations?.length ?? 0) > 0,
    driverNamed: kase.driver !== undefined,
    endsAt: period?.endsAt ?? null,
  };
}

export function portalViolation(
  v: PublishedViolation,
  view: PortalCaseView,
  phone: string | undefined,
  response: z.infer<typeof PortalFieldsSchema.response>,
): PortalViolation {
  return { ...publishedFields(v), ...view, handlingUnitPhone: phone ?? null, response, followAt: null };
}

/**
 * A violation as the national node shows it: the published fields and the notice reference only; the case's
 * procedure (fines, deadlines, payment, answering, complaints) lives on the handling province's node, whose
 * portal `followAt` names, so every action is off here.
 */
export function nationalPortalViolation(v: PublishedViolation, phone: string | undefined, followAt: string | null): PortalViolation {
  return {
    ...publishedFields(v),
    ref: portalRef(v.caseId),
    handlingUnitPhone: phone ?? null,
    fineRange: null,
    decision: null,
    deadlines: { respondBy: null, payBy: null, complainBy: null },
    amountDue: null,
    payment: null,
    paid: null,
    complaints: [],
    privacyImage: false,
    canPay: false,
    canComplain: false,
    response: { canRespond: false, driverRequired: false, explained: false, driverNamed: false, endsAt: null },
    followAt,
  };
}

/** The case behind a published violation, folded, with the citizen stream beside it. */
export async function loadPortalCase(services: ApiServices, caseId: string): Promise<{ kase: ExistingCase; citizen: CitizenState }> {
  const kase = await loadCaseState(services.store, caseId);
  if (kase.status === 'none') throw new NotFoundError('No such violation', {});
  return { kase, citizen: await loadCitizenState(services.store, caseId) };
}

interface Resolved {
  plateCompact: string;
  published: PublishedViolation;
  kase: ExistingCase;
  citizen: CitizenState;
  facts: CaseFactsForCitizen;
}

const RefParams = z.strictObject({ ref: z.string().regex(/^[0-9A-F]{8}$/, 'must be the 8-character reference on the notice') });

export function citizenPortalRoutes(services: ApiServices, portal: Portal): AnyRoute[] {
  const deps = services.commandDeps;
  const nowMs = () => Date.parse(deps.clock.now());
  const maxAttachmentBytes = portal.settings.maxAttachmentBytes ?? DEFAULT_MAX_ATTACHMENT_BYTES;

  // Read per request: the national read models are wired in after the routes (and so in the specs).
  const nationalOf = () => services.nationalReadModels;

  /** On the national node: the grant's plate and the violation with reference `ref` over the mirror; 404 otherwise. */
  async function resolveNational(req: Request, ref: string, mirror: NationalProjector): Promise<PublishedViolation> {
    const plateCompact = portal.grants.fromRequest(req, nowMs());
    const published = (await nationalPublishedViolations(mirror, services, plateCompact)).find((v) => portalRef(v.caseId) === ref);
    if (!published) throw new NotFoundError('No such violation for this vehicle', {});
    return published;
  }

  /**
   * The grant's plate, and the case with reference `ref` among ITS published violations; 404 otherwise. On the
   * national node no case is acted on: the case found is refused with the province node that holds it.
   */
  async function resolve(req: Request, ref: string): Promise<Resolved> {
    const national = nationalOf();
    if (national) throw await caseHeldError(services, await resolveNational(req, ref, national));
    const plateCompact = portal.grants.fromRequest(req, nowMs());
    const published = (await services.queries.citizenViolations(plateCompact)).find((v) => portalRef(v.caseId) === ref);
    if (!published) throw new NotFoundError('No such violation for this vehicle', {});
    const { kase, citizen } = await loadPortalCase(services, published.caseId);
    const facts = caseFactsForCitizen(kase);
    if (!facts) throw new NotFoundError('No such violation for this vehicle', {});
    return { plateCompact, published, kase, citizen, facts };
  }

  const view = (r: Pick<Resolved, 'published' | 'kase' | 'citizen'>) =>
    portalViolation(
      r.published,
      portalCaseView(r.kase, r.citizen, deps.clock.now(), portal.treasury),
      portal.settings.handlingUnitPhone?.(r.published.transferredTo ?? r.kase.province),
      responseOf(r.kase, deps.clock.now()),
    );

  const ReceiptSchema = z.object({
    reference: z.string(),
    caseRef: z.string(),
    kind: z.enum(COMPLAINT_KINDS),
    filedAt: z.string(),
    attachments: z.number().int(),
    recordId: z.string(),
    /** The record hash of the `ComplaintFiled` record (integrity.md §2): what the ledger seals. */
    digest: z.string(),
    /** Against a decision: the case's `AppealFiled` carries the complaint (this id = the reference); else null. */
    appealId: z.string().nullable(),
  });

  const ResponseReceiptSchema = z.object({
    /** `PH-<case ref>-<8 hex>`: the same for every retry under the same Idempotency-Key. */
    reference: z.string(),
    caseRef: z.string(),
    submittedAt: z.string(),
    /** The case records that carry the answer, each with its record hash (integrity.md §2). */
    records: z.array(z.object({ type: z.enum(['ExplanationSubmitted', 'DriverIdentified']), recordId: z.string(), digest: z.string() })),
    /** SHA-256 over the records' hashes in order (`sha256:` + hex of SHA-256 of their hex joined by newlines). */
    digest: z.string(),
  });

  return [
    route({
      method: 'get',
      path: '/v1/public/violations/:ref',
      summary: 'One violation of the vehicle the grant names, with the portal fields (amount due, payment, complaints)',
      tags: ['public'],
      auth: 'public',
      params: RefParams,
      responses: { 200: { description: 'The violation', schema: PortalViolationSchema }, 401: { description: 'No valid grant: look the vehicle up again' } },
      handler: async ({ req, res, params }) => {
        res.set('Cache-Control', 'no-store');
        const national = nationalOf();
        if (national) {
          const v = await resolveNational(req, params.ref, national);
          const province = v.transferredTo ?? v.province;
          const [where] = await provinceNodes(services, [province]);
          res.json(nationalPortalViolation(v, portal.settings.handlingUnitPhone?.(province), where!.portal));
          return;
        }
        res.json(view(await resolve(req, params.ref)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/public/violations/:ref/privacy-image',
      summary: 'The privacy copy of the evidence (other vehicles and people pixelated; never the original); custody recorded',
      tags: ['public'],
      auth: 'public',
      params: RefParams,
      responses: { 200: { description: 'The image', contentType: 'image/jpeg' }, 404: { description: 'No privacy copy yet' } },
      handler: async ({ req, res, params }) => {
        const r = await resolve(req, params.ref);
        const copy = privacyCopyOf(r.kase);
        if (!copy) throw new NotFoundError('No privacy copy of the evidence yet', {});
        const body = await services.evidence.get(copy.digest, { expectedSize: copy.size });
        try {
          await recordEvidenceAccess(
            deps,
            { actor: holderActor(r.plateCompact), province: r.kase.province },
            { caseId: r.kase.caseId, digest: copy.digest, access: 'view', purpose: PRIVACY_COPY_PURPOSE },
            correlation(req),
          );
        } catch (error) {
          body.destroy();
          throw error;
        }
        res.status(200).set({
          'Content-Type': copy.mediaType,
          'Content-Length': String(copy.size),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        await pipeline(body, res);
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/report-sessions',
      summary: "Start reporting a violation seen on the road: a session (30 minutes) that the report's photo uploads carry (X-Report-Session)",
      tags: ['public'],
      auth: 'public',
      body: z.strictObject({}),
      responses: {
        201: { description: 'The session', schema: z.object({ session: z.string(), expiresAt: z.string() }) },
        409: { description: 'On the national node: reports are made on the province nodes (named)' },
      },
      handler: async ({ res }) => {
        res.set('Cache-Control', 'no-store');
        // The national node keeps no reports (national-citizen.ts): a session there could only lead to a refusal.
        if (services.nationalReadModels) throw await reportAtProvinceNodeError(services);
        res.status(201).json(portal.grants.issueReportSession(nowMs()));
      },
    }),
    route({
      method: 'put',
      path: '/v1/public/attachments',
      summary:
        'Upload one image for a complaint (X-Citizen-Grant) or a report (X-Report-Session) (JPEG, PNG or WebP, at most 5 MiB; checked like evidence)',
      tags: ['public'],
      auth: 'public',
      rawBody: { contentTypes: [...ATTACHMENT_MEDIA_TYPES], description: 'The image bytes' },
      responses: {
        201: { description: 'Stored', schema: z.object({ digest: z.string(), size: z.number(), mediaType: z.string() }) },
        200: { description: 'Already stored (uploads are content-addressed, so a repeat is a no-op)' },
        401: { description: 'Neither a valid grant nor a valid report session' },
        409: { description: 'On the national node: complaints and reports are made on the province nodes (named)' },
      },
      handler: async ({ req, res }) => {
        try {
          // Complaints and reports are made on the province node: nothing uploaded to the national node is ever used.
          if (services.nationalReadModels) throw await reportAtProvinceNodeError(services);
          // A papers holder's grant, or a report session (a report of a violation seen on the road): never neither,
          // so nothing is stored for a client that did not first go through a rate-limited step.
          if (req.get(GRANT_HEADER) !== undefined) portal.grants.fromRequest(req, nowMs());
          else if (req.get(REPORT_SESSION_HEADER) !== undefined) portal.grants.verifyReportSession(req.get(REPORT_SESSION_HEADER), nowMs());
          else throw new UploadCredentialRequiredError('An upload needs the lookup\'s grant or a report session');
          const mediaType = req.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
          if (!(ATTACHMENT_MEDIA_TYPES as readonly string[]).includes(mediaType))
            throw new ValidationError('An attachment must be a JPEG, PNG or WebP image', { mediaType: mediaType.slice(0, 64) }, 'attachment-type-unsupported');
          const length = Number(req.get('content-length') ?? 'NaN');
          if (Number.isFinite(length) && length > maxAttachmentBytes) throw new EvidenceTooLargeError(maxAttachmentBytes);
          const result = await services.evidence.put(req, {
            maxBytes: maxAttachmentBytes,
            check: async (staged) => checkEvidenceMedia(mediaType, await staged.bytes(), { digest: staged.digest }),
          });
          res.status(result.created ? 201 : 200).json({ digest: result.digest, size: result.size, mediaType });
        } catch (error) {
          if (!req.complete) {
            res.set('Connection', 'close');
            req.resume();
          }
          throw error;
        }
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/violations/:ref/complaints',
      summary: 'File a complaint or appeal about a violation of the vehicle (within the legal period), with attachments; answers a receipt',
      tags: ['public'],
      auth: 'public',
      params: RefParams,
      body: z.strictObject({
        kind: z.enum(COMPLAINT_KINDS),
        grounds: z.string().trim().min(10).max(2000),
        attachments: z
          .array(z.strictObject({ digest: DigestSchema, mediaType: z.enum(ATTACHMENT_MEDIA_TYPES), size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }))
          .max(MAX_ATTACHMENTS),
      }),
      responses: {
        201: { description: 'Filed: the receipt', schema: ReceiptSchema },
        200: { description: 'A repeat of the same request under the same Idempotency-Key: the same receipt', schema: ReceiptSchema },
        409: { description: 'The Idempotency-Key was used for another request' },
        422: { description: 'The legal period has ended, or the case is not open' },
      },
      handler: async ({ req, res, params, body }) => {
        const key = idempotencyKey(req);
        const r = await resolve(req, params.ref);
        // Each attachment is a stored blob of the stated size and a sound image of its type (as evidence is).
        for (const a of body.attachments) {
          const info = await services.evidence.stat(a.digest);
          if (!info || info.size !== a.size) throw new AttachmentNotStoredError('An attachment was not uploaded (or has another size)', { digest: a.digest });
          await checkEvidenceMedia(a.mediaType, await services.evidence.getBytes(a.digest), { digest: a.digest });
        }
        const outcome = await fileComplaint(
          deps,
          { actor: holderActor(r.plateCompact), province: r.kase.province },
          {
            caseId: r.kase.caseId,
            context: { case: r.facts },
            complaintId: deps.ids(),
            kind: body.kind,
            grounds: body.grounds,
            attachments: body.attachments.map((a) => ({ ...a, role: 'citizen-attachment' })),
            idempotencyKey: key,
            requestDigest: requestDigest('complaint', params.ref, body),
          },
          correlation(req),
        );
        // The record this key produced (now or by the first request).
        const stored =
          outcome.events[0] ??
          (await services.store.readStream(outcome.stream)).find((s) => s.record.type === 'ComplaintFiled' && (s.record.data as { idempotencyKey?: string }).idempotencyKey === key);
        if (!stored) throw new NotFoundError('No complaint under this key', {});
        const data = stored.record.data as { reference: string; kind: (typeof COMPLAINT_KINDS)[number]; grounds: string; filedAt: string; attachments: unknown[] };
        // Against a decision, the case records the appeal too (a retry of the same key finds it recorded).
        const appealId = await appealFromComplaint(
          deps,
          { actor: holderActor(r.plateCompact), province: r.kase.province },
          { caseId: r.kase.caseId, reference: data.reference, grounds: data.grounds },
          correlation(req),
        );
        res.status(outcome.events.length > 0 ? 201 : 200).json({
          reference: data.reference,
          caseRef: params.ref,
          kind: data.kind,
          filedAt: data.filedAt,
          attachments: data.attachments.length,
          recordId: stored.record.id,
          digest: `sha256:${stored.hash}`,
          appealId: appealId ?? null,
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/violations/:ref/responses',
      summary:
        "Answer the notice online: an explanation, or the driver's registry and licence references when someone else drove (an organisation names its driver); answers a receipt",
      tags: ['public'],
      auth: 'public',
      params: RefParams,
      body: z
        .strictObject({
          statement: z.string().trim().min(10).max(2000).optional(),
          /** Names stay in the registries: the driver's population-registry reference and licence reference only. */
          driver: z.strictObject({ registryRef: IdentifierSchema, licenceRef: IdentifierSchema }).optional(),
        })
        .refine((b) => b.statement !== undefined || b.driver !== undefined, { message: 'an explanation, a driver, or both' }),
      responses: {
        201: { description: 'Recorded on the case: the receipt', schema: ResponseReceiptSchema },
        200: { description: 'A repeat under the same Idempotency-Key: the same receipt', schema: ResponseReceiptSchema },
        403: { description: 'Not the holder of the case\'s vehicle' },
        409: { description: 'The Idempotency-Key was used for another answer, or another driver is already named' },
        422: { description: 'The period to answer has ended, the case is not awaiting an answer, or an organisation did not name its driver' },
      },
      handler: async ({ req, res, params, body }) => {
        const key = idempotencyKey(req);
        const r = await resolve(req, params.ref);
        // One answer per key: the explanation's id comes from the case and the key, so a retry is the same command.
        const answerId = createHash('sha256').update(`answer\0${r.kase.caseId}\0${key}`).digest('hex').slice(0, 24);
        const explanationId = `ph-${answerId}`;
        // The records' ids come from the key too: a repeat appends nothing, and what the key recorded can be read back.
        const ids = { explanation: uuidV5(`${answerId}/explanation`, ANSWER_EVENT_NAMESPACE), driver: uuidV5(`${answerId}/driver`, ANSWER_EVENT_NAMESPACE) };
        const earlier = await earlierAnswer(services.store, r.kase.caseId, ids);
        const sameDriver = (a?: { registryRef: string; licenceRef: string }, b?: { registryRef: string; licenceRef: string }) =>
          a?.registryRef === b?.registryRef && a?.licenceRef === b?.licenceRef;
        if (earlier && (earlier.statement !== body.statement || !sameDriver(earlier.driver, body.driver)))
          throw new IdempotencyKeyReusedError('This Idempotency-Key was used for another answer', {});
        const { records, appended } = earlier
          ? { records: earlier.records, appended: 0 }
          : await answerNotice(
              deps,
              { actor: holderActor(r.plateCompact), province: r.kase.province },
              {
                caseId: r.kase.caseId,
                ...(body.statement !== undefined ? { explanation: { explanationId, statement: body.statement, eventId: ids.explanation } } : {}),
                ...(body.driver
                  ? { driver: { driver: { kind: 'individual', ref: body.driver.registryRef }, licenceRef: body.driver.licenceRef, eventId: ids.driver } }
                  : {}),
              },
              correlation(req),
            );
        const hashes = records.map((s) => s.hash);
        const times = records.map((s) => (s.record.data as { submittedAt?: string; identifiedAt?: string }).submittedAt ?? (s.record.data as { identifiedAt?: string }).identifiedAt ?? '');
        res.status(appended > 0 ? 201 : 200).json({
          reference: `PH-${params.ref}-${answerId.slice(0, 8).toUpperCase()}`,
          caseRef: params.ref,
          submittedAt: times.sort().at(-1) ?? deps.clock.now(),
          records: records.map((s) => ({ type: s.record.type as 'ExplanationSubmitted' | 'DriverIdentified', recordId: s.record.id, digest: `sha256:${s.hash}` })),
          digest: `sha256:${createHash('sha256').update(hashes.join('\n')).digest('hex')}`,
        });
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/violations/:ref/payments',
      summary: 'Ask to pay a decided fine: the amount due today (with any late surcharge) and its VietQR code',
      tags: ['public'],
      auth: 'public',
      params: RefParams,
      body: z.strictObject({}),
      responses: {
        201: { description: 'The payment requested', schema: PortalViolationSchema },
        200: { description: 'A repeat under the same Idempotency-Key', schema: PortalViolationSchema },
        422: { description: 'Nothing to pay yet, or the case is not open' },
        409: { description: 'Already paid, or the Idempotency-Key was used for another request' },
      },
      handler: async ({ req, res, params, body }) => {
        // On the national node the case is refused first, with the node where it is paid (whatever gateway is here).
        if (nationalOf()) await resolve(req, params.ref);
        const gateway = portal.settings.gateway;
        if (!gateway) throw new PaymentGatewayNotConfiguredError('No payment gateway is configured on this node');
        const key = idempotencyKey(req);
        const r = await resolve(req, params.ref);
        const outcome = await requestPayment(
          deps,
          { actor: holderActor(r.plateCompact), province: r.kase.province },
          {
            caseId: r.kase.caseId,
            context: { case: r.facts },
            paymentId: deps.ids(),
            reference: paymentReferenceOf(r.kase.caseId),
            idempotencyKey: key,
            requestDigest: requestDigest('payment', params.ref, body),
          },
          correlation(req),
        );
        const state = outcome.state;
        const used = state.status === 'active' ? state.keys[key] : undefined;
        const payment = state.status === 'active' ? state.payments.find((p) => p.paymentId === used?.id) : undefined;
        if (payment && !r.facts.paid) {
          await gateway.startPayment({ caseId: r.kase.caseId, paymentId: payment.paymentId, amountVnd: payment.totalVnd, reference: payment.reference });
        }
        res.status(outcome.events.length > 0 ? 201 : 200).json(view({ ...r, citizen: state }));
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/payments/callback',
      summary: "The payment gateway's signed confirmation (X-Gateway-Signature); records PaymentRecorded on the case",
      tags: ['public'],
      auth: 'public',
      body: z.unknown(),
      responses: {
        200: { description: 'Recorded (or recorded before)', schema: z.object({ recorded: z.boolean() }) },
        401: { description: 'The signature does not verify' },
      },
      handler: async ({ req, res, body }) => {
        const gateway = portal.settings.gateway;
        if (!gateway) throw new PaymentGatewayNotConfiguredError('No payment gateway is configured on this node');
        const confirmation = gateway.verifyCallback(body, req.get('x-gateway-signature'), nowMs());
        const kase = await loadCaseState(services.store, confirmation.caseId);
        const facts = caseFactsForCitizen(kase);
        if (!facts) throw new NotFoundError('No such case', {});
        const outcome = await recordGatewayPayment(
          deps,
          facts.province,
          { caseId: facts.caseId, paymentId: confirmation.paymentId, gatewayRef: confirmation.gatewayRef, amountVnd: confirmation.amountVnd },
          correlation(req),
        );
        res.json({ recorded: outcome.events.length > 0 });
      },
    }),
  ];
}
