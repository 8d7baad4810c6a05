/**
 * The national witness (integrity.md §7, §10; C2SP tlog-witness; docs/federation.md):
 * - `POST /witness/add-checkpoint` (public: the only authentication is the log's signature on the checkpoint;
 *   the body is capped at `MAX_ADD_CHECKPOINT_BYTES`). Answers exactly as tlog-witness defines: 200 with the
 *   cosignature line(s), 409 `text/x.tlog.size` with the size the witness knows, 404 unknown origin, 403 no
 *   trusted signature or a retired log, 422 bad proof, 400 malformed. Refusals other than 409 are problem
 *   documents (`witness-*` types) so clients and operators see why.
 * - `GET /v1/federation/status` (national admin or auditor): each registered log, its witnessed size, last
 *   cosignature time and fork alarms; `GET /v1/federation/fork-alarms` lists the alarms with both notes.
 *   The status also carries the mirror's freshness per log (mirrored size, the province's newest checkpoint,
 *   seconds behind) and the mirror token's expiry state (`credentials`, never the token).
 * - `GET /v1/national/statistics` and `GET /v1/national/plates/{plate}/cases`: national views over the
 *   mirrored feeds (national staff; the plate lookup needs `X-Purpose` and records a custody `lookup` per case
 *   on this node, filed under the case's province).
 * - `POST /v1/admin/provincial-logs…`: the registry commands (register, rotate-key, move, retire; national
 *   admin only).
 */
import type { Request } from 'express';
import { z } from 'zod';
import {
  loadProvincialLogRegistry,
  moveProvincialLog,
  registerProvincialLog,
  retireProvincialLog,
  rotateProvincialLogKey,
} from '../../../commands/federation.ts';
import {
  LogBaseUrlSchema,
  LogOriginSchema,
  LogVerifierKeySchema,
} from '../../../domain/federation/events.ts';
import { MAX_ADD_CHECKPOINT_BYTES } from '../../../domain/integrity/index.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import { NATIONAL_PROVINCE, ProvinceCodeSchema, TextSchema } from '../../../domain/signoff/primitives.ts';
import type { Witness } from '../../witness/witness.ts';
import type { NationalViews } from '../../witness/national-views.ts';
import type { NationalProjector } from '../../witness/national-projections.ts';
import { cameraCoverage, modelPerformance, officerWorkload } from '../../../projections/queries.ts';
import { CalendarDate } from '../../../domain/shared/time.ts';
import { statisticsWindow } from './read-models.ts';
import { bigintToJson } from '../../../projections/read-models/transformers.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { isLowercaseUuid } from '../../../domain/ids.ts';
import { PROBLEM_BASE, sendProblem } from '../problem.ts';
import { ForbiddenError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './cases.ts';
import type { ApiServices } from './services.ts';

/** This node does not hold the national mirror (it is not `--tier national`). */
export class NationalViewsNotServedError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'national-views-not-served';
}

/** This node does not run the witness (it is not `--tier national`). */
export class WitnessNotServedError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'witness-not-served';
}

export class WitnessBodyTooLargeError extends AppError {
  readonly category = 'too_large' as const;
  readonly code = 'witness-body-too-large';
}

const PROBLEM_OF = {
  'bad-request': { type: 'witness-malformed-request', title: 'Malformed add-checkpoint request' },
  forbidden: { type: 'witness-untrusted-checkpoint', title: 'No trusted signature on the checkpoint' },
  'unknown-log': { type: 'witness-unknown-log', title: 'Unknown log origin' },
  'bad-proof': { type: 'witness-bad-proof', title: 'The consistency proof does not verify' },
} as const;

/** Reads at most `max` bytes of the body; throws `WitnessBodyTooLargeError` past it (before reading it all). */
async function readCapped(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new WitnessBodyTooLargeError('Body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new WitnessBodyTooLargeError('Body too large');
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

const ok = z.object({ stream: z.string(), revision: z.number(), appended: z.number() });

export function witnessRoutes(services: ApiServices): AnyRoute[] {
  const witness = (): Witness => {
    if (!services.witness) throw new WitnessNotServedError('This node is not the national witness');
    return services.witness;
  };
  const deps = services.commandDeps;
  const national = (principal: Parameters<typeof requirePrincipal>[0]) => {
    const p = requirePrincipal(principal);
    if (p.province !== NATIONAL_PROVINCE)
      throw new ForbiddenError('The provincial log registry is national: national staff only');
    return p;
  };
  const answer = (
    res: import('express').Response,
    o: { stream: string; nextExpectedRevision: bigint | number; events: unknown[] },
    created = false,
  ) =>
    res.status(created && o.events.length > 0 ? 201 : 200).json({
      stream: o.stream,
      revision: Number(o.nextExpectedRevision),
      appended: o.events.length,
    });
  const OriginParams = z.strictObject({ origin: LogOriginSchema });
  const views = (): NationalViews => {
    if (!services.nationalViews) throw new NationalViewsNotServedError('This node does not hold the national mirror');
    return services.nationalViews;
  };
  const readModels = (): NationalProjector => {
    if (!services.nationalReadModels) throw new NationalViewsNotServedError('This node does not hold the national mirror');
    return services.nationalReadModels;
  };
  const clock = deps.clock;
  return [
    route({
      method: 'get',
      path: '/v1/national/camera-coverage',
      summary:
        'Camera coverage per province and nationally, from the cameras in the mirrored provincial feeds, by the provincial coverage rules and reference data (national staff)',
      tags: ['federation'],
      auth: ['officer', 'supervisor', 'analyst', 'auditor', 'admin'],
      responses: { 200: { description: 'The coverage report (the same shape as /v1/statistics/cameras data)' } },
      handler: async ({ res, principal }) => {
        national(principal);
        res.json(await readModels().read((m) => cameraCoverage(m, { at: clock.now() })));
      },
    }),
    route({
      method: 'get',
      path: '/v1/national/model-performance',
      summary:
        'AI model performance per model version, nationally and per province, from the readings and reviews in the mirrored feeds (national staff)',
      tags: ['federation'],
      auth: ['officer', 'supervisor', 'analyst', 'auditor', 'admin'],
      responses: { 200: { description: '`national`: every province’s readings together; `provinces`: each log’s own' } },
      handler: async ({ res, principal }) => {
        national(principal);
        const p = readModels();
        res.json({
          national: await p.read((m) => modelPerformance(m)),
          provinces: (await p.perLog((m) => modelPerformance(m))).map(({ result, ...log }) => ({ ...log, models: result })),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/national/officer-workload',
      summary:
        'Reviews and decisions per officer in each province, from the mirrored feeds (names officers: national supervisors and auditors only)',
      tags: ['federation'],
      auth: ['supervisor', 'auditor'],
      query: z.strictObject({ from: CalendarDate.optional(), to: CalendarDate.optional() }),
      responses: { 200: { description: 'Per province (mirrored log), per officer; default window the last 30 days (Viet Nam dates)' } },
      handler: async ({ res, principal, query }) => {
        national(principal);
        const window = statisticsWindow(query, clock);
        const provinces = await readModels().perLog((m) => officerWorkload(m, window));
        res.json({ ...window, provinces: provinces.map(({ result, ...log }) => ({ ...log, officers: result })) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/national/read-models',
      summary: 'The national read models of each mirrored log: projection checkpoints (leaf indexes), state and lag (national staff)',
      tags: ['federation'],
      auth: ['auditor', 'admin'],
      responses: { 200: { description: 'Per mirrored log, its projections' } },
      handler: async ({ res, principal }) => {
        national(principal);
        const logs = await readModels().status();
        // 64-bit counters as JSON numbers, or decimal strings beyond 2^53.
        res.json({ logs: logs.map((l) => ({ ...l, projections: l.projections.map((x) => ({ ...x, eventsSeen: bigintToJson(x.eventsSeen) })) })) });
      },
    }),
    route({
      method: 'post',
      path: '/v1/national/read-models/check',
      summary:
        'The auditor’s check of one mirrored log’s national read models: rebuilt from its mirrored feed and compared row by row with the live ones',
      tags: ['federation'],
      auth: ['auditor'],
      body: z.strictObject({ origin: LogOriginSchema }),
      responses: { 200: { description: 'Per projection: identical or not, with differing rows counted' } },
      handler: async ({ res, principal, body }) => {
        national(principal);
        const p = readModels();
        if (!(await p.logs()).some((l) => l.origin === body.origin))
          throw new NationalViewsNotServedError('No mirrored log with this origin');
        const reports = await p.rebuildCheck(body.origin);
        res.json({
          origin: body.origin,
          identical: reports.every((r) => r.identical),
          projections: reports.map((r) => ({
            projection: r.projection,
            checkpoint: r.checkpoint,
            identical: r.identical,
            tables: r.tables.map(({ samples: _samples, ...t }) => t),
          })),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/national/statistics',
      summary: 'National statistics per province, counted from the mirrored provincial feeds (national staff)',
      tags: ['federation'],
      auth: ['officer', 'supervisor', 'analyst', 'auditor', 'admin'],
      responses: { 200: { description: 'Per-province case counts and mirror freshness' } },
      handler: async ({ res, principal }) => {
        national(principal);
        res.json({ provinces: await views().statistics(), mirror: (await services.mirror?.status()) ?? [] });
      },
    }),
    route({
      method: 'get',
      path: '/v1/national/plates/:plate/cases',
      summary: 'A vehicle’s cases in every province, from the mirrored feeds (national officers; custody recorded)',
      tags: ['federation'],
      auth: ['officer', 'supervisor', 'auditor'],
      params: z.strictObject({ plate: z.string().min(2).max(32) }),
      requiresPurpose: true,
      responses: { 200: { description: 'The cases, newest first, with their provincial leaf indexes' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = national(principal);
        const cases = await views().plateLookup(plateKey(params.plate));
        for (const c of cases) {
          if (!isLowercaseUuid(c.caseId)) continue;
          await recordEvidenceAccess(deps, callerFor(p), { caseId: c.caseId, access: 'lookup', purpose: purpose! }, { ...correlation(req), caseProvince: c.province });
        }
        res.set('Cache-Control', 'no-store').json({ plate: plateKey(params.plate), cases });
      },
    }),
    route({
      method: 'get',
      path: '/v1/federation/handovers',
      summary:
        'The relay queue of cases handed over to a province across nodes: mirrored CaseTransferred records with the cosigned checkpoint covering them (national staff or that province’s auditors)',
      tags: ['federation'],
      auth: ['auditor', 'admin'],
      query: z.strictObject({
        toProvince: ProvinceCodeSchema,
        afterOrigin: LogOriginSchema.optional(),
        afterLeaf: z.coerce.number().int().min(0).optional(),
      }),
      responses: { 200: { description: 'Handovers in (origin, leaf) order, each with the sending log’s key and base URL' } },
      handler: async ({ res, principal, query }) => {
        const p = requirePrincipal(principal);
        if (p.province !== NATIONAL_PROVINCE && p.province !== query.toProvince)
          throw new ForbiddenError('Only the receiving province or national staff read its handovers');
        const after =
          query.afterOrigin !== undefined && query.afterLeaf !== undefined
            ? { origin: query.afterOrigin, leafIndex: query.afterLeaf }
            : undefined;
        const items = await views().handovers(query.toProvince, after);
        const registry = await loadProvincialLogRegistry(deps.store);
        const handovers = items.flatMap((h) => {
          const log = registry.logs[h.origin];
          // A log no longer registered cannot be checked by the receiver: it is not offered.
          return log ? [{ ...h, logKey: log.verifierKey, baseUrl: log.baseUrl }] : [];
        });
        res.set('Cache-Control', 'no-store').json({ handovers });
      },
    }),
    route({
      method: 'post',
      path: '/witness/add-checkpoint',
      summary:
        'C2SP tlog-witness add-checkpoint: cosign a provincial checkpoint consistent with the last one cosigned',
      tags: ['witness'],
      auth: 'public',
      rawBody: {
        contentTypes: ['text/plain'],
        description: '`old <size>`, proof lines, a blank line, the signed checkpoint',
      },
      responses: {
        200: { description: 'The cosignature line(s)', contentType: 'text/plain' },
        409: { description: 'The size the witness knows', contentType: 'text/x.tlog.size' },
      },
      handler: async ({ req, res }) => {
        const w = witness();
        const body = await readCapped(req, MAX_ADD_CHECKPOINT_BYTES);
        const r = await w.addCheckpoint(body);
        if (r.answer === 'cosign' || r.answer === 'conflict') {
          res.status(r.status).type(r.contentType!).set('Cache-Control', 'no-store').send(r.body);
          return;
        }
        const p = PROBLEM_OF[r.answer];
        sendProblem(res, {
          type: `${PROBLEM_BASE}${p.type}`,
          title: p.title,
          status: r.status,
          detail: r.reason,
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/federation/status',
      summary:
        'Registered provincial logs: witnessed size, last cosignature time, fork alarms, mirror freshness, staleness alarms (national staff)',
      tags: ['federation'],
      // National staff watch it on the dashboard; it names logs and checkpoints, never a person.
      auth: ['admin', 'auditor', 'supervisor', 'officer', 'analyst'],
      responses: { 200: { description: 'Witness status' } },
      handler: async ({ res, principal }) => {
        national(principal);
        const w = witness();
        res.json({
          witness: w.verifierKey(),
          logs: await w.status(),
          mirror: (await services.mirror?.status()) ?? [],
          ...(services.staleness ? { staleness: await services.staleness.evaluate() } : {}),
          ...(services.federationCredentials ? { credentials: await services.federationCredentials() } : {}),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/federation/fork-alarms',
      summary: 'Fork alarms, each with both signed checkpoints (the proof) (national staff)',
      tags: ['federation'],
      auth: ['admin', 'auditor', 'supervisor', 'officer', 'analyst'],
      responses: { 200: { description: 'Fork alarms' } },
      handler: async ({ res, principal }) => {
        national(principal);
        res.json({ alarms: await witness().forkAlarms() });
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/provincial-logs',
      summary: 'Register a provincial log with the national witness (national admin)',
      tags: ['admin', 'federation'],
      auth: ['admin'],
      body: z.strictObject({
        province: ProvinceCodeSchema,
        origin: LogOriginSchema,
        verifierKey: LogVerifierKeySchema,
        baseUrl: LogBaseUrlSchema,
      }),
      responses: { 200: { description: 'Applied', schema: ok }, 201: { description: 'Created', schema: ok } },
      handler: async ({ req, res, principal, body }) => {
        const p = national(principal);
        const { province, ...rest } = body;
        answer(
          res,
          await registerProvincialLog(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { logProvince: province, ...rest },
            correlation(req),
          ),
          true,
        );
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/provincial-logs/:origin/rotate-key',
      summary: 'Rotate a provincial log key (the witness trusts only the new key from now on)',
      tags: ['admin', 'federation'],
      auth: ['admin'],
      params: OriginParams,
      body: z.strictObject({ verifierKey: LogVerifierKeySchema }),
      responses: { 200: { description: 'Applied', schema: ok } },
      handler: async ({ req, res, principal, params, body }) => {
        const p = national(principal);
        answer(
          res,
          await rotateProvincialLogKey(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { origin: params.origin, ...body },
            correlation(req),
          ),
        );
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/provincial-logs/:origin/move',
      summary: 'Move a provincial log to another base URL (the mirror reads it there from its next round)',
      tags: ['admin', 'federation'],
      auth: ['admin'],
      params: OriginParams,
      body: z.strictObject({ baseUrl: LogBaseUrlSchema }),
      responses: { 200: { description: 'Applied (appended 0 when the log is already at that URL)', schema: ok } },
      handler: async ({ req, res, principal, params, body }) => {
        const p = national(principal);
        answer(
          res,
          await moveProvincialLog(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { origin: params.origin, ...body },
            correlation(req),
          ),
        );
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/provincial-logs/:origin/retire',
      summary: 'Retire a provincial log (never cosigned again; its origin is never reused)',
      tags: ['admin', 'federation'],
      auth: ['admin'],
      params: OriginParams,
      body: z.strictObject({ reason: TextSchema }),
      responses: { 200: { description: 'Applied', schema: ok } },
      handler: async ({ req, res, principal, params, body }) => {
        const p = national(principal);
        answer(
          res,
          await retireProvincialLog(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { origin: params.origin, ...body },
            correlation(req),
          ),
        );
      },
    }),
  ];
}
