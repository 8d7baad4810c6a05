/**
 * The auditor's checks, run by the node over its own storage (auditors only):
 * - `POST /v1/audit/ledger-verify`: `ledger verify` (integrity.md §8) over the node's ledger, feed and evidence,
 *   as `tec ledger verify` does; `GET` answers the newest report.
 * - `POST /v1/audit/replay`: the auditor's replay of every projection into a shadow schema, compared with the live
 *   read models (never swapped); `GET` answers the newest report.
 *
 * Bounded: one check runs at a time on the node (another request answers 409 `audit-busy`), each kind at most
 * once a minute (429 `audit-too-soon`, with Retry-After), and a report lists at most 100 discrepancies or
 * differing tables (with the total count).
 */
import { z } from 'zod';
import { accessHistory, accessHistoryCsv, type AccessHistoryFilter } from '../../../commands/access-history.ts';
import { DigestSchema, IdentifierSchema } from '../../../domain/signoff/primitives.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import type { Role } from '../../auth/roles.ts';
import { NotFoundError, route } from '../route.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

export const AUDITORS: readonly Role[] = ['auditor'];
export const AUDIT_MIN_INTERVAL_MS = 60_000;
export const AUDIT_MAX_ITEMS = 100;

export class AuditBusyError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'audit-busy';
}

export class AuditTooSoonError extends AppError {
  readonly category = 'rate_limited' as const;
  readonly code = 'audit-too-soon';
  constructor(readonly retryAfterSeconds: number) {
    super(
      `The same check ran less than a minute ago; its report is at GET. Try again in ${retryAfterSeconds} s`,
    );
  }
}

/** The node has no audit checks of this kind (not on PostgreSQL, or no projections): a permanent fact of the
 * node, not an outage, so 404 rather than 503. */
export class AuditUnavailableError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'audit-unavailable';
}

/** What `ledger verify` found (VerifyReport, with discrepancies cut to AUDIT_MAX_ITEMS). */
export interface LedgerAuditReport {
  ok: boolean;
  records: number;
  streams: number;
  leaves: number;
  checkpoints: number;
  subtreeHashes: number;
  blobs: number;
  unintegrated: number;
  unsealed: number;
  discrepancyCount: number;
  discrepancies: {
    code: string;
    message: string;
    recordId?: string;
    leafIndex?: number;
    treeSize?: string;
    digest?: string;
  }[];
  /**
   * Findings that are not discrepancies: originals destroyed under a retention policy, as a recorded
   * `EvidenceDestroyed` says ("destroyed under policy X at T"); at most AUDIT_MAX_ITEMS, with the total.
   */
  destroyedCount: number;
  destroyed: { digest: string; policy: string; at: string; recordId: string; destroyedBy: string; message: string }[];
  durationMs: number;
}

export interface ReplayAuditReport {
  projection: string;
  identical: boolean;
  eventsReplayed: string;
  tables: { table: string; liveRows: number; replayRows: number; onlyInLive: number; onlyInReplay: number }[];
}

/** The node's audit runners (built in the composition root over its storage). */
export interface AuditServices {
  verifyLedger(): Promise<LedgerAuditReport>;
  /** Undefined when the node runs no projections. */
  replay?: () => Promise<ReplayAuditReport[]>;
}

const LedgerReportSchema = z.object({
  ranAt: z.string(),
  report: z.object({
    ok: z.boolean(),
    records: z.number(),
    streams: z.number(),
    leaves: z.number(),
    checkpoints: z.number(),
    subtreeHashes: z.number(),
    blobs: z.number(),
    unintegrated: z.number(),
    unsealed: z.number(),
    discrepancyCount: z.number(),
    discrepancies: z.array(
      z.object({
        code: z.string(),
        message: z.string(),
        recordId: z.string().optional(),
        leafIndex: z.number().optional(),
        treeSize: z.string().optional(),
        digest: z.string().optional(),
      }),
    ),
    destroyedCount: z.number(),
    destroyed: z.array(
      z.object({
        digest: z.string(),
        policy: z.string(),
        at: z.string(),
        recordId: z.string(),
        destroyedBy: z.string(),
        message: z.string(),
      }),
    ),
    durationMs: z.number(),
  }),
});

const ReplayReportSchema = z.object({
  ranAt: z.string(),
  identical: z.boolean(),
  projections: z.array(
    z.object({
      projection: z.string(),
      identical: z.boolean(),
      eventsReplayed: z.string(),
      tables: z.array(
        z.object({
          table: z.string(),
          liveRows: z.number(),
          replayRows: z.number(),
          onlyInLive: z.number(),
          onlyInReplay: z.number(),
        }),
      ),
    }),
  ),
});

type Kind = 'ledger' | 'replay';

/** `GET /v1/audit/access-history`: who accessed a case, an evidence item, or what one officer accessed (CSV or PDF). */
function accessHistoryRoute(services: ApiServices): AnyRoute {
  return route({
    method: 'get',
    path: '/v1/audit/access-history',
    summary: 'Access history (custody log) of a case, an evidence item or an officer, as CSV or PDF (auditors)',
    tags: ['audit'],
    auth: AUDITORS,
    query: z.strictObject({
      caseId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/).optional(),
      digest: DigestSchema.optional(),
      officerId: IdentifierSchema.optional(),
      format: z.enum(['csv', 'pdf']).default('csv'),
    }),
    responses: {
      200: { description: 'text/csv (RFC 4180) or application/pdf', contentType: 'text/csv' },
    },
    handler: async ({ res, query }) => {
      const given = (['caseId', 'digest', 'officerId'] as const).filter((k) => query[k] !== undefined);
      if (given.length !== 1) throw new ValidationError('Give exactly one of caseId, digest, officerId', { fields: given }, 'invalid-query');
      const key = given[0]!;
      const filter = { [key]: query[key]! } as AccessHistoryFilter;
      const rows = await accessHistory(services.store, filter);
      const subject = `${key} ${query[key]!}`;
      res.set('Cache-Control', 'no-store');
      if (query.format === 'pdf') {
        if (!services.accessHistoryPdf) throw new AuditUnavailableError('This node renders no PDF; ask for format=csv');
        const pdf = await services.accessHistoryPdf(rows, { subject, generatedAt: services.commandDeps.clock.now() });
        res.status(200).set({ 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="access-history.pdf"' });
        res.send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
        return;
      }
      res.status(200).set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="access-history.csv"' });
      res.send(accessHistoryCsv(rows));
    },
  });
}

export function auditRoutes(services: ApiServices): AnyRoute[] {
  const clock = services.commandDeps.clock;
  let running: Kind | undefined;
  const lastRun = new Map<Kind, number>();
  const last = new Map<Kind, { ranAt: string; body: object }>();

  const run = async <T extends object>(
    kind: Kind,
    work: () => Promise<T>,
  ): Promise<{ ranAt: string; body: T }> => {
    if (running)
      throw new AuditBusyError(
        `A ${running === 'ledger' ? 'ledger verify' : 'replay'} is running on this node; try again when it ends`,
      );
    const now = Date.parse(clock.now());
    const previous = lastRun.get(kind);
    if (previous !== undefined && now - previous < AUDIT_MIN_INTERVAL_MS) {
      throw new AuditTooSoonError(Math.ceil((AUDIT_MIN_INTERVAL_MS - (now - previous)) / 1000));
    }
    running = kind;
    lastRun.set(kind, now);
    try {
      const body = await work();
      const result = { ranAt: new Date(now).toISOString(), body };
      last.set(kind, result);
      return result;
    } finally {
      running = undefined;
    }
  };
  const audit = () => {
    if (!services.audit) throw new AuditUnavailableError('This node does not run audit checks');
    return services.audit;
  };

  const ledgerBody = (ranAt: string, report: LedgerAuditReport) => ({ ranAt, report });
  const replayBody = (ranAt: string, projections: ReplayAuditReport[]) => ({
    ranAt,
    identical: projections.every((p) => p.identical),
    projections,
  });

  return [
    accessHistoryRoute(services),
    route({
      method: 'post',
      path: '/v1/audit/ledger-verify',
      summary: 'Run `ledger verify` over this node’s storage (auditors; one check at a time, once a minute)',
      tags: ['audit', 'ledger'],
      auth: AUDITORS,
      responses: {
        200: { description: 'The report (ok = no discrepancy)', schema: LedgerReportSchema },
        409: { description: 'Another audit check is running' },
        429: { description: 'Ran less than a minute ago (Retry-After)' },
      },
      handler: async ({ res }) => {
        const a = audit();
        const { ranAt, body } = await run('ledger', () => a.verifyLedger());
        res.set('Cache-Control', 'no-store').json(ledgerBody(ranAt, body));
      },
    }),
    route({
      method: 'get',
      path: '/v1/audit/ledger-verify',
      summary: 'The newest `ledger verify` report run through this API (auditors)',
      tags: ['audit', 'ledger'],
      auth: AUDITORS,
      responses: {
        200: { description: 'The newest report', schema: LedgerReportSchema },
        404: { description: 'None yet' },
      },
      handler: async ({ res }) => {
        const found = last.get('ledger');
        if (!found)
          throw new NotFoundError('No ledger verify has run through this API since the node started');
        res.set('Cache-Control', 'no-store').json(ledgerBody(found.ranAt, found.body as LedgerAuditReport));
      },
    }),
    route({
      method: 'post',
      path: '/v1/audit/replay',
      summary:
        'Replay every projection into a shadow schema and compare with the live read models (auditors; never swaps)',
      tags: ['audit', 'read-models'],
      auth: AUDITORS,
      responses: {
        200: { description: 'Per projection: identical or the differing tables', schema: ReplayReportSchema },
        409: { description: 'Another audit check is running' },
        429: { description: 'Ran less than a minute ago (Retry-After)' },
        404: { description: 'This node runs no projections' },
      },
      handler: async ({ res }) => {
        const a = audit();
        if (!a.replay) throw new AuditUnavailableError('This node runs no projections');
        const replay = a.replay;
        const { ranAt, body } = await run('replay', () => replay());
        res.set('Cache-Control', 'no-store').json(replayBody(ranAt, body));
      },
    }),
    route({
      method: 'get',
      path: '/v1/audit/replay',
      summary: 'The newest replay report run through this API (auditors)',
      tags: ['audit', 'read-models'],
      auth: AUDITORS,
      responses: {
        200: { description: 'The newest report', schema: ReplayReportSchema },
        404: { description: 'None yet' },
      },
      handler: async ({ res }) => {
        const found = last.get('replay');
        if (!found) throw new NotFoundError('No replay has run through this API since the node started');
        res.set('Cache-Control', 'no-store').json(replayBody(found.ranAt, found.body as ReplayAuditReport[]));
      },
    }),
  ];
}

/** Cuts a `ledger verify` report to what the route answers (bigints as decimal strings). */
export function ledgerAuditReport(report: {
  ok: boolean;
  records: number;
  streams: number;
  leaves: number;
  checkpoints: number;
  subtreeHashes: number;
  blobs: number;
  unintegrated: number;
  unsealed: number;
  discrepancyCount: number;
  durationMs: number;
  discrepancies: readonly {
    code: string;
    message: string;
    recordId?: string | undefined;
    leafIndex?: number | undefined;
    treeSize?: number | bigint | undefined;
    digest?: string | undefined;
  }[];
  destroyed?: readonly { digest: string; policy: string; at: string; recordId: string; destroyedBy: string; message: string }[];
}): LedgerAuditReport {
  const destroyed = report.destroyed ?? [];
  return {
    ok: report.ok,
    records: report.records,
    streams: report.streams,
    leaves: report.leaves,
    checkpoints: report.checkpoints,
    subtreeHashes: report.subtreeHashes,
    blobs: report.blobs,
    unintegrated: report.unintegrated,
    unsealed: report.unsealed,
    discrepancyCount: report.discrepancyCount,
    durationMs: Math.round(report.durationMs),
    discrepancies: report.discrepancies.slice(0, AUDIT_MAX_ITEMS).map((d) => ({
      code: d.code,
      message: d.message,
      ...(d.recordId !== undefined ? { recordId: d.recordId } : {}),
      ...(d.leafIndex !== undefined ? { leafIndex: d.leafIndex } : {}),
      ...(d.treeSize !== undefined ? { treeSize: String(d.treeSize) } : {}),
      ...(d.digest !== undefined ? { digest: d.digest } : {}),
    })),
    destroyedCount: destroyed.length,
    destroyed: destroyed.slice(0, AUDIT_MAX_ITEMS).map((d) => ({
      digest: d.digest,
      policy: d.policy,
      at: d.at,
      recordId: d.recordId,
      destroyedBy: d.destroyedBy,
      message: d.message,
    })),
  };
}
