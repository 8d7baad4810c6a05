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
import type { ForkAlarmKind, Witness } from '../../witness/witness.ts';
import type { NationalViews } from '../../witness/national-views.ts';
import type { NationalProjector } from '../../witness/national-projections.ts';
import { cameraCoverage, modelPerformance, officerWorkload } from '../../../projections/queries.ts';
import { CalendarDate } from '../../../domain/shared/time.ts';
import { STALE_REASONS } from '../../../domain/federation/staleness.ts';
import { CameraCoverage, ModelPerformance, OfficerWorkload } from './statistics.ts';
import { statisticsWindow } from './read-models.ts';
import { bigintToJson } from '../../../projections/read-models/transformers.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { isLowercaseUuid } from '../../../domain/ids.ts';
import { PROBLEM_BASE, sendProblem } from '../problem.ts';
import { ForbiddenError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import type { Principal } from '../../auth/roles.ts';
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

const ok = z.object({
  stream: z.string().describe('The stream written (`provincial-logs`)'),
  revision: z.number().int().describe('The stream’s next expected revision after the command'),
  appended: z.number().int().min(0).describe('Events appended (0 when the command changed nothing)'),
});

// ------------------------------------------------------------------------------------ response bodies
// What the handlers below answer, for the OpenAPI document (outside parties implement against it) and the
// generated web types. Not validated at runtime (no route is); test/support/declared-response.ts checks
// real answers against them in the federation specs, unknown keys included. Fields a handler leaves
// undefined are absent from the JSON, hence `.optional()`.

const Utc = (what: string) => z.iso.datetime().describe(`${what}: UTC, ISO 8601 (\`…Z\`)`);
const OriginField = z.string().describe('The provincial log’s origin (first line of its checkpoints)');
const ProvinceField = z.string().describe('Two-digit province code');
const LeafCount = (what: string) => z.number().int().min(0).describe(`${what}: a number of leaves (records) of the log`);
const LeafIndex = z.number().int().min(0).describe('Zero-based leaf index of the record in the provincial log');
const CheckpointText = (what: string) =>
  z.string().describe(`${what}: the signed checkpoint note (C2SP tlog-checkpoint) followed by the witness cosignature line`);

/** One mirrored log (`MirrorLogStatus`): the mirror’s freshness. */
const MirrorLogBody = z.object({
  origin: OriginField,
  province: ProvinceField,
  size: LeafCount('Leaves mirrored and verified'),
  checkpoint: CheckpointText('The cosigned checkpoint the mirrored leaves were verified against').optional(),
  checkpointSize: LeafCount('Size of that checkpoint').optional(),
  provinceSize: LeafCount('The province’s newest checkpoint size, as last read from it').optional(),
  provinceSeenAt: Utc('When the mirror last read the province’s checkpoint').optional(),
  secondsBehind: z.number().min(0).describe('0 when the mirror holds the province’s newest checkpoint; otherwise seconds since it last did'),
  stoppedAt: Utc('When the mirror stopped following this log (it failed verification)').optional(),
  stopReason: z.string().optional(),
});

/** Every fork alarm kind, with what it means (exhaustive over `ForkAlarmKind`). */
const FORK_ALARM_KINDS: Record<ForkAlarmKind, string> = {
  'same-size-different-root': 'two checkpoints of the same size with different roots',
  'unproven-consistency': 'a checkpoint whose consistency with the cosigned one could not be proven',
  'mirror-mismatch': 'the province served the mirror a tree other than the one the witness cosigned',
};
const ForkAlarmBody = z.object({
  alarmId: z.string(),
  origin: OriginField,
  kind: z.enum(Object.keys(FORK_ALARM_KINDS) as [ForkAlarmKind, ...ForkAlarmKind[]]).describe(
    Object.entries(FORK_ALARM_KINDS).map(([k, v]) => `\`${k}\`: ${v}`).join('; '),
  ),
  cosignedSize: LeafCount('Size of the checkpoint the witness had cosigned'),
  cosignedNote: z.string().describe('The cosigned checkpoint note (one half of the proof)'),
  submittedSize: LeafCount('Size of the conflicting checkpoint'),
  submittedNote: z.string().describe('The conflicting checkpoint note (the other half)'),
  raisedAt: Utc('When the alarm was raised'),
});

const FederationStatusBody = z.object({
  witness: z.string().describe('The witness’s verifier key (C2SP signed-note vkey)'),
  logs: z.array(
    z.object({
      origin: OriginField,
      province: ProvinceField.optional().describe('Absent for a log no longer in the registry'),
      baseUrl: z.string().optional().describe('Where the province publishes its log; absent for a log no longer in the registry'),
      retired: z.boolean(),
      registeredAt: Utc('When the log was registered').optional(),
      size: LeafCount('Newest cosigned size').optional().describe('Newest cosigned size (leaves); absent before the first cosignature'),
      cosignedAt: Utc('When the witness last cosigned a checkpoint of this log').optional(),
      forkAlarms: z.number().int().min(0).describe('Fork alarms raised for this log'),
    }),
  ),
  mirror: z.array(MirrorLogBody).describe('Empty on a node that runs no mirror'),
  staleness: z
    .object({
      thresholdSeconds: z.number(),
      logs: z.array(
        z.object({
          origin: OriginField,
          province: ProvinceField.optional(),
          stale: z.boolean(),
          reasons: z.array(z.enum(STALE_REASONS)).describe('docs/federation.md “Staleness alarms”'),
          checkpointAgeSeconds: z
            .number()
            .optional()
            .describe('Seconds since the newest cosignature (since registration when never cosigned); absent if unknown'),
          mirrorSecondsBehind: z.number().optional().describe('Absent when the log is not mirrored yet'),
        }),
      ),
    })
    .optional()
    .describe('Absent on a node that judges no staleness'),
  credentials: z
    .array(
      z.object({
        credential: z.enum(['mirror', 'handover']),
        source: z.enum(['file', 'environment', 'minted']),
        path: z.string().optional().describe('The token file (source `file`); to administrators and auditors only'),
        state: z.enum(['valid', 'expiring', 'expired', 'unknown-expiry', 'unreadable']),
        expiresAt: Utc('The earliest `exp` of the tokens in use').optional(),
        secondsLeft: z.number().optional(),
        rotatedAt: Utc('When the token file was last read with a change').optional(),
        readError: z.string().optional().describe('Why the token file cannot be read (never the token)'),
        refusedBy: z
          .array(z.object({ baseUrl: z.string(), since: Utc('Since when the node answers 401') }))
          .describe('Nodes whose last answer to this token was 401'),
      }),
    )
    .optional()
    .describe('The tokens this node presents to the others: their state, never the tokens; absent when none'),
});

/** `ProvinceStatistics.cases`: records of each type in the province’s case streams. */
const CaseCounts = z.object({
  detected: z.number().int().describe('`ViolationDetected` records'),
  received: z.number().int().describe('`CaseReceived` records (cases handed over from another node)'),
  confirmed: z.number().int().describe('`ReviewConfirmed` records'),
  rejected: z.number().int().describe('`ReviewRejected` records'),
  transferredOut: z.number().int().describe('`CaseTransferred` records with handover `federation`'),
  noticesIssued: z.number().int().describe('`NoticeIssued` records'),
  penaltiesDecided: z.number().int().describe('`PenaltyDecided` records'),
  paid: z.number().int().describe('`PenaltyPaid` records'),
  appeals: z.number().int().describe('`AppealFiled` records'),
  closed: z.number().int().describe('`CaseClosed` records, except closings by transfer'),
});

const NationalStatisticsBody = z.object({
  provinces: z.array(
    z.object({
      province: ProvinceField,
      records: LeafCount('Records mirrored from the province’s log, every stream'),
      cases: CaseCounts,
    }),
  ),
  mirror: z.array(MirrorLogBody).describe('Empty on a node that runs no mirror'),
});

const PlateCasesBody = z.object({
  plate: z.string().describe('The plate’s comparison key (upper case, no separators)'),
  cases: z
    .array(
      z.object({
        province: ProvinceField.describe('Where the case is handled now (its last part)'),
        origin: OriginField,
        caseId: z.string(),
        violationCode: z.string().optional().describe('From the detection; absent when its record is not mirrored'),
        observedAt: z.string().optional().describe('When the camera observed it (UTC ISO 8601, as the detection states)'),
        cameraId: z.string().optional(),
        lastEvent: z.string().describe('The newest record type of the case where it is handled now'),
        parts: z
          .array(z.object({ province: ProvinceField, origin: OriginField, lastEvent: z.string() }))
          .describe('One per provincial log the case went through, the detecting one first'),
        records: z
          .array(
            z.object({
              origin: OriginField,
              province: ProvinceField,
              leafIndex: LeafIndex,
              type: z.string(),
              recordedAt: Utc('When the province recorded it'),
            }),
          )
          .describe('Every record of the case in every log, part by part, each in stream order'),
      }),
    )
    .describe('Newest observation first'),
});

const HandoversBody = z.object({
  handovers: z.array(
    z.object({
      origin: OriginField.describe('The sending log'),
      fromProvince: ProvinceField,
      toProvince: ProvinceField,
      caseId: z.string(),
      leafIndex: LeafIndex.describe('Leaf index of the `CaseTransferred` record in the sending log'),
      recordHash: z.string().regex(/^[0-9a-f]{64}$/).describe('The transfer record’s leaf hash, lowercase hex'),
      transferredAt: Utc('When the sending province recorded the transfer'),
      checkpoint: CheckpointText('The newest checkpoint the witness cosigned for the sending log (covers the record)'),
      logKey: z.string().describe('The sending log’s verifier key, from the registry'),
      baseUrl: z.string().describe('Where the sending province publishes its log (proofs are fetched there)'),
    }),
  ),
});

/** A 64-bit counter: a JSON number, or a decimal string beyond 2^53 (`bigintToJson`). */
const Counter = z.union([z.number().int(), z.string().regex(/^\d+$/)]);

const ReadModelsBody = z.object({
  logs: z.array(
    z.object({
      origin: OriginField,
      province: ProvinceField,
      schema: z.string().describe('The PostgreSQL schema holding this log’s read models'),
      projections: z.array(
        z.object({
          name: z.string(),
          state: z.enum(['running', 'failed']),
          checkpoint: z
            .string()
            .nullable()
            .describe('Leaf index (decimal string) in the provincial log of the last record applied; null before any'),
          eventsSeen: Counter.describe('Records of the mirrored feed this projection has passed'),
          lagEvents: z.number().int().min(0),
          lagEventsCapped: z.boolean().describe('True when `lagEvents` is a lower bound (too many to count)'),
          lagSeconds: z.number().min(0).describe('Age in seconds of the oldest record not applied yet (0 when caught up)'),
          error: z.string().nullable(),
          failingEventId: z.string().nullable(),
          failingCheckpoint: z.string().nullable(),
        }),
      ),
    }),
  ),
});

const ReadModelCheckBody = z.object({
  origin: OriginField,
  identical: z.boolean().describe('True when every projection is identical'),
  projections: z.array(
    z.object({
      projection: z.string(),
      checkpoint: z.string().nullable().describe('Leaf index (decimal string) up to which it was rebuilt and compared'),
      identical: z.boolean(),
      tables: z.array(
        z.object({
          table: z.string(),
          liveRows: z.number().int(),
          replayRows: z.number().int(),
          onlyInLive: z.number().int().describe('Rows of the live table the rebuild does not have'),
          onlyInReplay: z.number().int().describe('Rows of the rebuild the live table does not have'),
        }),
      ),
    }),
  ),
});

const PerLog = <T extends z.ZodType>(key: string, of: T) =>
  z.object({ origin: OriginField, province: ProvinceField, [key]: of });

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
      responses: { 200: { description: 'The coverage report (the same shape as /v1/statistics/cameras data)', schema: CameraCoverage } },
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
      responses: {
        200: {
          description: '`national`: every province’s readings together; `provinces`: each log’s own',
          schema: z.object({ national: ModelPerformance, provinces: z.array(PerLog('models', ModelPerformance)) }),
        },
      },
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
      responses: {
        200: {
          description: 'Per province (mirrored log), per officer; default window the last 30 days (Viet Nam dates)',
          schema: z.object({
            from: z.string().describe('First day of the window (YYYY-MM-DD, Viet Nam date)'),
            to: z.string().describe('Last day of the window, inclusive'),
            provinces: z.array(PerLog('officers', OfficerWorkload)),
          }),
        },
      },
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
      responses: { 200: { description: 'Per mirrored log, its projections', schema: ReadModelsBody } },
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
      responses: { 200: { description: 'Per projection: identical or not, with differing rows counted', schema: ReadModelCheckBody } },
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
      responses: { 200: { description: 'Per-province case counts and mirror freshness', schema: NationalStatisticsBody } },
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
      responses: { 200: { description: 'The cases, newest first, with their provincial leaf indexes', schema: PlateCasesBody } },
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
      responses: {
        200: { description: 'Handovers in (origin, leaf) order (at most 100), each with the sending log’s key and base URL', schema: HandoversBody },
      },
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
      responses: { 200: { description: 'Witness status', schema: FederationStatusBody } },
      handler: async ({ res, principal }) => {
        national(principal);
        const w = witness();
        res.json({
          witness: w.verifierKey(),
          logs: await w.status(),
          mirror: (await services.mirror?.status()) ?? [],
          ...(services.staleness ? { staleness: await services.staleness.evaluate() } : {}),
          ...(services.federationCredentials ? { credentials: credentialsFor(principal, await services.federationCredentials()) } : {}),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/federation/fork-alarms',
      summary: 'Fork alarms, each with both signed checkpoints (the proof) (national staff)',
      tags: ['federation'],
      auth: ['admin', 'auditor', 'supervisor', 'officer', 'analyst'],
      responses: { 200: { description: 'Fork alarms', schema: z.object({ alarms: z.array(ForkAlarmBody) }) } },
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

/** Where the node keeps its token files is for those who run or audit it, not for every national staff role. */
function credentialsFor(principal: Principal | undefined, credentials: readonly object[]): object[] {
  const operator = principal?.role === 'admin' || principal?.role === 'auditor';
  return credentials.map((c) => {
    if (operator || !('path' in c)) return c;
    const { path: _path, ...rest } = c as { path?: unknown };
    return rest;
  });
}
