/**
 * Read-model queries the HTTP API calls. Every function validates its input (hostile input gets an
 * `InvalidQueryError`, never a database error) and returns plain JSON: dates as ISO 8601 UTC strings, bigints
 * as numbers when safe and decimal strings otherwise, money as integer VND.
 *
 * Scope: provincial callers pass their province; national callers omit it. These functions do not
 * authorise: the API MUST pass the caller's province, not one taken from the request, for provincial staff.
 */
import type { EntityManager } from 'typeorm';

/**
 * What the queries read through: the node's DataSource, or a transaction's EntityManager (the national views
 * run these same queries inside a transaction whose `search_path` points at the mirrored read models).
 */
export type ReadModelReader = Pick<EntityManager, 'query' | 'getRepository'>;
import { z } from 'zod';
import { limitationPeriod, periodOfDays } from '../domain/case/periods.ts';
import { CASE_STATUSES } from '../domain/case/state.ts';
import { PROVINCES, provinceByCode } from '../domain/provinces/index.ts';
import { CENTRAL_COMMUNE_READING, TECHNICAL_OPENINGS_READING } from '../domain/reference/index.ts';
import type { RejectReason } from '../domain/signoff/payloads.ts';
import { CalendarDate, Instant } from '../domain/shared/time.ts';
import { plateKey } from './cases/plate.ts';
import { InvalidQueryError } from './errors.ts';
import {
  CaseEntity,
  CaseTimelineEntity,
  CitizenViolationEntity,
  CustodyEntity,
  type CaseRow,
} from './read-models/entities.ts';
import { bigintToJson, isoOrNull } from './read-models/transformers.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ProvinceSchema = z.string().regex(/^\d{2}$/).refine((p) => provinceByCode(p) !== undefined, 'unknown province');
const TokenSchema = z.string().regex(/^[\p{L}\p{N}._:-]{1,64}$/u);

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new InvalidQueryError(`Invalid ${what}`, 'invalid-read-query', { issues });
  }
  return result.data;
}

const num = (v: string | number | null | undefined): number | string | null =>
  v === null || v === undefined ? null : bigintToJson(BigInt(v));

// ---------------------------------------------------------------------------------------------- cases

export const CaseFilterSchema = z.strictObject({
  /**
   * The HANDLING province: the camera's, or the one the case was transferred to (Circular 73/2024 Art. 24). A
   * case transferred away leaves the transferring province's lists and appears in the receiving province's.
   */
  province: ProvinceSchema.optional(),
  status: z.enum(CASE_STATUSES).optional(),
  violationCode: TokenSchema.optional(),
  cameraId: TokenSchema.optional(),
  /** Any of the edge, AI or confirmed readings, in any spelling the plate rules normalise. */
  plate: z.string().min(1).max(24).optional(),
  /** Observation time range, inclusive from, exclusive to. */
  from: Instant.optional(),
  to: Instant.optional(),
});
export type CaseFilter = z.infer<typeof CaseFilterSchema>;

export interface CaseSummary {
  caseId: string;
  province: string;
  cameraId: string;
  observedAt: string;
  location: string;
  roadType: string;
  violationCode: string;
  vehicleClass: string;
  plate: string | null;
  status: string;
  /** `plateDoubt`: the AI reading is in doubt (`plate-doubt`, below PLATE_DOUBT_BP or with alternatives). */
  flags: { calibration: boolean; modelNotApproved: boolean; plateMismatch: boolean; plateDoubt: boolean };
  fineVnd: number | null;
  /** The province the case was transferred to (`CaseTransferred`), or null. */
  transferredTo: string | null;
  /** True once the violation record (biên bản) is drawn: a noticed case can then be decided. */
  recordDrawn: boolean;
  /** Revision of the case stream's last record folded into the row (the detail's ETag once caught up). */
  revision: number | string;
  /** The media worker's thumbnail of the overview (derived evidence), when it made one. */
  thumbnail: { digest: string; mediaType: string; size: number } | null;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const MAX_LIMIT = 200;

function limitOf(limit: number | undefined): number {
  return parse(z.int().min(1).max(MAX_LIMIT), limit ?? 50, 'limit');
}

/** Keyset cursor over (observed_at, case_id): the exact microsecond instant and the id, base64url JSON. */
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}
const CursorContent = z.tuple([Instant, z.string().regex(UUID)]);
function readCursor(cursor: unknown): [string, string] | undefined {
  if (typeof cursor !== 'string' || cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  try {
    const parsed = CursorContent.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
/**
 * A page cursor as this module issues it (a real instant and a case id): the edge validates `after` with it,
 * so a forged cursor is a 400 naming the parameter, never a database error.
 */
export const CursorSchema = z.string().refine((c) => readCursor(c) !== undefined, 'must be a cursor returned by a previous page');
function decodeCursor(cursor: string): [string, string] {
  const value = readCursor(cursor);
  if (!value) throw new InvalidQueryError('Invalid cursor', 'invalid-cursor');
  return value;
}

const CURSOR_AT = `to_char(c.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function summary(c: CaseRow): CaseSummary {
  return {
    caseId: c.caseId,
    province: c.province,
    cameraId: c.cameraId,
    observedAt: isoOrNull(c.observedAt)!,
    location: c.locationDescription,
    roadType: c.roadType,
    violationCode: c.violationCode,
    vehicleClass: c.vehicleClass,
    plate: c.plateConfirmed ?? c.plateAi ?? c.plateEdge,
    status: c.status,
    flags: {
      calibration: c.flagCalibration,
      modelNotApproved: c.flagModelNotApproved,
      plateMismatch: c.flagPlateMismatch,
      // From the row's flag list (no column of its own: the list already holds every flag).
      plateDoubt: Array.isArray(c.flags) && (c.flags as { flag?: unknown }[]).some((f) => f.flag === 'plate-doubt'),
    },
    fineVnd: c.fineVnd,
    transferredTo: c.transferredTo,
    recordDrawn: c.recordId !== null,
    revision: bigintToJson(c.revision)!,
    thumbnail: thumbnailOf(c),
  };
}

/** The latest thumbnail the media worker derived from the case's overview, or null. */
function thumbnailOf(c: CaseRow): CaseSummary['thumbnail'] {
  const derived = (c.evidence as { derived?: { digest: string; mediaType: string; size: number; kind?: string }[] } | null)?.derived ?? [];
  const thumb = derived.filter((d) => d.kind === 'thumbnail').at(-1);
  return thumb ? { digest: thumb.digest, mediaType: thumb.mediaType, size: thumb.size } : null;
}

/** Cases matching `filter`, newest observation first, `limit` per page (1–200). */
export async function listCases(ds: ReadModelReader, filter: CaseFilter = {}, cursor?: string, limit?: number): Promise<Page<CaseSummary>> {
  const f = parse(CaseFilterSchema, filter, 'case filter');
  const n = limitOf(limit);
  const qb = ds.getRepository(CaseEntity).createQueryBuilder('c').addSelect(CURSOR_AT, 'cursor_at');
  if (f.province) qb.andWhere('COALESCE(c.transferred_to, c.province) = :province', { province: f.province });
  if (f.status) qb.andWhere('c.status = :status', { status: f.status });
  if (f.violationCode) qb.andWhere('c.violation_code = :code', { code: f.violationCode });
  if (f.cameraId) qb.andWhere('c.camera_id = :camera', { camera: f.cameraId });
  if (f.plate) {
    qb.andWhere('(c.plate_confirmed_compact = :plate OR c.plate_ai_compact = :plate OR c.plate_edge_compact = :plate)', { plate: plateKey(f.plate) });
  }
  if (f.from) qb.andWhere('c.observed_at >= :from', { from: f.from });
  if (f.to) qb.andWhere('c.observed_at < :to', { to: f.to });
  if (cursor !== undefined) {
    const [at, id] = decodeCursor(cursor);
    qb.andWhere('(c.observed_at, c.case_id) < (:at::timestamptz, :id::uuid)', { at, id });
  }
  qb.orderBy('c.observed_at', 'DESC').addOrderBy('c.case_id', 'DESC').limit(n + 1);
  const { entities, raw } = await qb.getRawAndEntities<{ cursor_at: string }>();
  const items = entities.slice(0, n).map(summary);
  const last = n < entities.length ? entities[n - 1] : undefined;
  const lastRaw = last ? raw.find((r: Record<string, unknown>) => r.c_case_id === last.caseId) : undefined;
  return { items, nextCursor: last && lastRaw ? encodeCursor(lastRaw.cursor_at, last.caseId) : null };
}

export interface CaseDetail extends CaseSummary {
  detectionId: string;
  detectedAt: string;
  commune: string | null;
  coordinates: { latMicro: number; lonMicro: number };
  violationTitle: string | null;
  legalBasis: unknown;
  plates: { edge: string | null; ai: string | null; confirmed: string | null };
  statusBeforeEnd: string | null;
  closeReason: string | null;
  evidence: unknown;
  review: unknown;
  decision: unknown;
  noticeStatus: string | null;
  notices: unknown;
  points: number | null;
  payment: { paidVnd: number; paidAt: string | null } | null;
  appeals: unknown;
  flagList: unknown;
  modelId: string | null;
  ownerKind: string | null;
  revision: number | string;
  timeline: {
    revision: number | string;
    eventId: string;
    type: string;
    actor: { kind: string; id: string };
    recordedAt: string;
    recordHash: string;
    summary: unknown;
  }[];
}

/** One case with its evidence, review, decision, notices, payment, appeals, flags and full timeline. */
export async function getCase(ds: ReadModelReader, caseId: string): Promise<CaseDetail | undefined> {
  const id = parse(z.string().regex(UUID), caseId, 'case id');
  const c = await ds.getRepository(CaseEntity).findOneBy({ caseId: id });
  if (!c) return undefined;
  const timeline = await ds.getRepository(CaseTimelineEntity).find({ where: { caseId: id }, order: { revision: 'ASC' } });
  return {
    ...summary(c),
    detectionId: c.detectionId,
    detectedAt: isoOrNull(c.detectedAt)!,
    commune: c.commune,
    coordinates: { latMicro: c.latMicro, lonMicro: c.lonMicro },
    violationTitle: c.violationTitle,
    legalBasis: c.legalBasis,
    plates: { edge: c.plateEdge, ai: c.plateAi, confirmed: c.plateConfirmed },
    statusBeforeEnd: c.statusBeforeEnd,
    closeReason: c.closeReason,
    evidence: c.evidence,
    review: c.review,
    decision: c.decision,
    noticeStatus: c.noticeStatus,
    notices: c.notices,
    points: c.points,
    payment: c.paidVnd === null ? null : { paidVnd: c.paidVnd, paidAt: isoOrNull(c.paidAt) },
    appeals: c.appeals,
    flagList: c.flags,
    modelId: c.modelId,
    ownerKind: c.ownerKind,
    revision: bigintToJson(c.revision)!,
    timeline: timeline.map((t) => ({
      revision: bigintToJson(t.revision)!,
      eventId: t.eventId,
      type: t.type,
      actor: { kind: t.actorKind, id: t.actorId },
      recordedAt: isoOrNull(t.recordedAt)!,
      recordHash: t.recordHash,
      summary: t.summary,
    })),
  };
}

// ------------------------------------------------------------------------------------- review queue

export const NOTICE_DUE_DAYS = 10;
export const LIMITATION_WARNING_DAYS = 30;

export interface ReviewQueueItem extends CaseSummary {
  noticeDueAt: string;
  limitationEndsAt: string;
  sla: { noticeDueSoon: boolean; noticeOverdue: boolean; limitationApproaching: boolean; limitationPassed: boolean };
}

/**
 * Pending cases (awaiting human review) of one province, oldest observation first, with SLA flags at `now`:
 * the owner notice is due 10 days after detection (flagged from `noticeWarningDays` before), and the
 * one-year limitation (flagged `LIMITATION_WARNING_DAYS` before).
 */
export async function reviewQueue(
  ds: ReadModelReader,
  province: string,
  options: { now: string; cursor?: string; limit?: number; noticeWarningDays?: number },
): Promise<Page<ReviewQueueItem>> {
  const p = parse(ProvinceSchema, province, 'province');
  const now = Date.parse(parse(Instant, options.now, 'now'));
  const warnDays = parse(z.int().min(0).max(10), options.noticeWarningDays ?? 3, 'noticeWarningDays');
  const n = limitOf(options.limit);
  const qb = ds
    .getRepository(CaseEntity)
    .createQueryBuilder('c')
    .addSelect(CURSOR_AT, 'cursor_at')
    .where('c.province = :p', { p })
    .andWhere(`c.status = 'detected'`);
  if (options.cursor !== undefined) {
    const [at, id] = decodeCursor(options.cursor);
    qb.andWhere('(c.observed_at, c.case_id) > (:at::timestamptz, :id::uuid)', { at, id });
  }
  qb.orderBy('c.observed_at', 'ASC').addOrderBy('c.case_id', 'ASC').limit(n + 1);
  const { entities, raw } = await qb.getRawAndEntities<{ cursor_at: string; c_case_id: string }>();
  const day = 86_400_000;
  const items = entities.slice(0, n).map((c) => {
    // Vietnam calendar days to the end of the last day (src/domain/case/periods.ts, docs/legal-procedure.md).
    const observedIso = c.observedAt.toISOString();
    const noticeDue = Date.parse(periodOfDays(observedIso, NOTICE_DUE_DAYS).endsAt);
    const limitationEnds = Date.parse(limitationPeriod(observedIso).endsAt);
    return {
      ...summary(c),
      noticeDueAt: new Date(noticeDue).toISOString(),
      limitationEndsAt: new Date(limitationEnds).toISOString(),
      sla: {
        noticeDueSoon: now >= noticeDue - warnDays * day && now <= noticeDue,
        noticeOverdue: now > noticeDue,
        limitationApproaching: now >= limitationEnds - LIMITATION_WARNING_DAYS * day && now <= limitationEnds,
        limitationPassed: now > limitationEnds,
      },
    };
  });
  const last = n < entities.length ? entities[n - 1] : undefined;
  const lastRaw = last ? raw.find((r) => r.c_case_id === last.caseId) : undefined;
  return { items, nextCursor: last && lastRaw ? encodeCursor(lastRaw.cursor_at, last.caseId) : null };
}

// --------------------------------------------------------------------------------------- statistics

export interface StatisticsRow {
  day: string;
  province: string;
  violationCode: string;
  detections: number | string;
  confirmed: number | string;
  rejected: number | string;
  penalties: number | string;
  finesDecidedVnd: number | string;
  finesPaidVnd: number | string;
  pointsDeducted: number | string;
}

/** Counters per day × province × violation code over `from`–`to` (Viet Nam dates, inclusive); national without `province`. */
export async function statistics(
  ds: ReadModelReader,
  query: { province?: string; from: string; to: string },
): Promise<{ scope: string; from: string; to: string; rows: StatisticsRow[]; totals: Omit<StatisticsRow, 'day' | 'province' | 'violationCode'> }> {
  const q = parse(z.strictObject({ province: ProvinceSchema.optional(), from: CalendarDate, to: CalendarDate }), query, 'statistics query');
  const params: unknown[] = [q.from, q.to];
  const where = q.province ? (params.push(q.province), 'AND province = $3') : '';
  const rows = (await ds.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, province, violation_code, detections::text, confirmed::text, rejected::text,
            penalties::text, fines_decided_vnd::text, fines_paid_vnd::text, points::text
       FROM rm_stats_daily WHERE day BETWEEN $1::date AND $2::date ${where}
      ORDER BY day, province, violation_code`,
    params,
  )) as Record<string, string>[];
  const out = rows.map((r) => ({
    day: r.day!,
    province: r.province!,
    violationCode: r.violation_code!,
    detections: num(r.detections)!,
    confirmed: num(r.confirmed)!,
    rejected: num(r.rejected)!,
    penalties: num(r.penalties)!,
    finesDecidedVnd: num(r.fines_decided_vnd)!,
    finesPaidVnd: num(r.fines_paid_vnd)!,
    pointsDeducted: num(r.points)!,
  }));
  const sum = (k: keyof StatisticsRow) => bigintToJson(out.reduce((a, r) => a + BigInt(r[k]), 0n))!;
  return {
    scope: q.province ?? 'national',
    from: q.from,
    to: q.to,
    rows: out,
    totals: {
      detections: sum('detections'),
      confirmed: sum('confirmed'),
      rejected: sum('rejected'),
      penalties: sum('penalties'),
      finesDecidedVnd: sum('finesDecidedVnd'),
      finesPaidVnd: sum('finesPaidVnd'),
      pointsDeducted: sum('pointsDeducted'),
    },
  };
}

// ---------------------------------------------------------------------------------- camera coverage

export interface RouteCoverage {
  /** Operating routes (a section open to public traffic here) with at least one active camera on them / all of them. */
  routes: number;
  covered: number;
  percent: number | null;
  uncovered: string[];
  meetsTarget: boolean | null;
  /** Routes here that have only technically opened sections: listed, not counted in `routes`. */
  technicalOnly: string[];
}

export interface ProvinceCoverage {
  province: string;
  name: string;
  /** One of the large cities of the reading in force (`reading.largeCities`). */
  largeCity: boolean;
  cameras: {
    total: number;
    byStatus: Record<string, number>;
    byRoadType: Record<string, number>;
    calibrationValid: number;
  };
  communes: { code: string | null; name: string; cameras: number }[];
  expressway: RouteCoverage;
  centralCommunes: {
    total: number;
    covered: number;
    percent: number | null;
    targetPercent: number;
    meetsTarget: boolean | null;
  };
}

export interface CameraPosition {
  cameraId: string;
  province: string;
  status: string;
  roadType: string;
  latMicro: number;
  lonMicro: number;
  communeCode: string | null;
  routeCode: string | null;
}

/** How the report read the Decision's targets: from `CENTRAL_COMMUNE_READING`, stated with every report. */
export interface CoverageReading {
  centralTypes: string[];
  largeCities: string[];
  largeCityTargetPercent: number;
  otherTargetPercent: number;
  statement: string;
  statementEn: string;
  technicalOpenings: string;
  technicalOpeningsEn: string;
}

export interface CameraCoverageReport {
  referenceVersion: string | null;
  illustrative: boolean;
  note: string | null;
  reading: CoverageReading;
  /** Nation-wide figures; null when the report is for one province. */
  national: {
    expressway: {
      routes: number;
      covered: number;
      percent: number | null;
      uncovered: string[];
      technicalOnly: string[];
    };
    centralCommunes: {
      total: number;
      covered: number;
      percent: number | null;
      provincesMeetingTarget: number;
    };
  } | null;
  provinces: ProvinceCoverage[];
  /** Every camera of the scope with its position and status, for the map. */
  positions: CameraPosition[];
}

/**
 * Camera registry and coverage against the targets at instant `at` (calibration validity), from the current
 * reference version (migrations/1795479600000-reference-vn-2025.ts; reference/README.md). Only active
 * cameras count towards coverage.
 *
 * Routes: an expressway route is *operating* in a province when one of its sections there is open to public
 * traffic; sections with only a technical opening are left out of the denominator and listed as
 * `technicalOnly`. A camera covers route R in province P when it is active, stands in P and carries route code
 * R (`routeCode` at registration); a camera registered before cameras carried codes counts when it is on an
 * expressway and its location description names R (e.g. "CT.01 Km 190"). Nationally, a route is covered when
 * some active camera covers it in some province where it operates.
 *
 * Central communes: read by `CENTRAL_COMMUNE_READING` (the one setting; the report states it): the communes of
 * the central types (the wards), target 50% in the large cities and 30% elsewhere. A camera covers its
 * commune by commune code, or, registered without one, by its commune name (with or without the "Phường" prefix).
 */
export async function cameraCoverage(
  ds: ReadModelReader,
  options: { province?: string; at: string },
): Promise<CameraCoverageReport> {
  const province =
    options.province === undefined ? undefined : parse(ProvinceSchema, options.province, 'province');
  const at = parse(Instant, options.at, 'at');
  const R = CENTRAL_COMMUNE_READING;
  const [ref] = (await ds.query(
    `SELECT version, illustrative, note FROM ref_coverage_version WHERE current`,
  )) as {
    version: string;
    illustrative: boolean;
    note: string;
  }[];
  const cams = (await ds.query(
    `SELECT camera_id, province, road_type, commune, commune_code, route_code, description, status, lat_micro, lon_micro,
            (calibration_valid_from <= $1::timestamptz AND $1::timestamptz < calibration_valid_to) AS calibrated
       FROM rm_camera ${province ? 'WHERE province = $2' : ''} ORDER BY camera_id`,
    province ? [at, province] : [at],
  )) as {
    camera_id: string;
    province: string;
    road_type: string;
    commune: string | null;
    commune_code: string | null;
    route_code: string | null;
    description: string;
    status: string;
    lat_micro: number;
    lon_micro: number;
    calibrated: boolean | null;
  }[];
  const sections = ref
    ? ((await ds.query(
        `SELECT route_code, provinces, technical_opening FROM ref_expressway_section WHERE version = $1 ORDER BY seq`,
        [ref.version],
      )) as { route_code: string; provinces: string[]; technical_opening: boolean }[])
    : [];
  const communes = ref
    ? ((await ds.query(
        `SELECT province, commune_code, name FROM ref_commune WHERE version = $1 AND type = ANY($2::text[]) ORDER BY commune_code`,
        [ref.version, [...R.centralTypes]],
      )) as { province: string; commune_code: string; name: string }[])
    : [];
  const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').trim();
  const bare = (name: string) => fold(name).replace(/^(phường|xã|đặc khu)\s+/u, '');
  const pct = (a: number, b: number) => (b === 0 ? null : Math.round((a / b) * 1000) / 10);
  const active = cams.filter((c) => c.status === 'active');
  const routesIn = (p: string, technical: boolean) => [
    ...new Set(
      sections
        .filter((x) => x.technical_opening === technical && x.provinces.includes(p))
        .map((x) => x.route_code),
    ),
  ];
  const onRoute = (c: (typeof cams)[number], route: string) =>
    c.route_code !== null
      ? c.route_code === route
      : c.road_type === 'expressway' && fold(c.description).includes(fold(route));
  const coversRoute = (p: string, route: string) => active.some((c) => c.province === p && onRoute(c, route));
  const coversCommune = (m: { province: string; commune_code: string; name: string }) =>
    active.some(
      (c) =>
        c.province === m.province &&
        (c.commune_code !== null
          ? c.commune_code === m.commune_code
          : c.commune !== null && bare(c.commune) === bare(m.name)),
    );

  const provinces = (province ? PROVINCES.filter((p) => p.code === province) : PROVINCES).map(
    (p): ProvinceCoverage => {
      const mine = cams.filter((c) => c.province === p.code);
      const count = (key: (c: (typeof mine)[number]) => string) =>
        mine.reduce<Record<string, number>>((acc, c) => ((acc[key(c)] = (acc[key(c)] ?? 0) + 1), acc), {});
      const operating = routesIn(p.code, false);
      const technicalOnly = routesIn(p.code, true).filter((r) => !operating.includes(r));
      const covered = operating.filter((r) => coversRoute(p.code, r));
      const central = communes.filter((c) => c.province === p.code);
      const coveredCommunes = central.filter(coversCommune);
      const largeCity = R.largeCities.includes(p.code);
      const target = largeCity ? R.largeCityTargetPercent : R.otherTargetPercent;
      const communePct = pct(coveredCommunes.length, central.length);
      const byCommune = new Map<string, { code: string | null; name: string; cameras: number }>();
      for (const c of mine) {
        if (c.commune === null && c.commune_code === null) continue;
        const key = c.commune_code ?? `name:${c.commune}`;
        const entry = byCommune.get(key) ?? {
          code: c.commune_code,
          name: c.commune ?? c.commune_code!,
          cameras: 0,
        };
        entry.cameras++;
        byCommune.set(key, entry);
      }
      return {
        province: p.code,
        name: p.name,
        largeCity,
        cameras: {
          total: mine.length,
          byStatus: count((c) => c.status),
          byRoadType: count((c) => c.road_type),
          calibrationValid: mine.filter((c) => c.calibrated === true).length,
        },
        communes: [...byCommune.values()].sort((a, b) => a.name.localeCompare(b.name, 'vi')),
        expressway: {
          routes: operating.length,
          covered: covered.length,
          percent: pct(covered.length, operating.length),
          uncovered: operating.filter((r) => !covered.includes(r)),
          meetsTarget: operating.length === 0 ? null : covered.length === operating.length,
          technicalOnly,
        },
        centralCommunes: {
          total: central.length,
          covered: coveredCommunes.length,
          percent: communePct,
          targetPercent: target,
          meetsTarget: communePct === null ? null : communePct >= target,
        },
      };
    },
  );

  let national: CameraCoverageReport['national'] = null;
  if (!province) {
    const operating = [...new Set(sections.filter((x) => !x.technical_opening).map((x) => x.route_code))];
    const technicalOnly = [...new Set(sections.map((x) => x.route_code))].filter(
      (r) => !operating.includes(r),
    );
    const covered = operating.filter((r) =>
      PROVINCES.some((p) => routesIn(p.code, false).includes(r) && coversRoute(p.code, r)),
    );
    const total = provinces.reduce((a, p) => a + p.centralCommunes.total, 0);
    const coveredCommunes = provinces.reduce((a, p) => a + p.centralCommunes.covered, 0);
    national = {
      expressway: {
        routes: operating.length,
        covered: covered.length,
        percent: pct(covered.length, operating.length),
        uncovered: operating.filter((r) => !covered.includes(r)),
        technicalOnly,
      },
      centralCommunes: {
        total,
        covered: coveredCommunes,
        percent: pct(coveredCommunes, total),
        provincesMeetingTarget: provinces.filter((p) => p.centralCommunes.meetsTarget === true).length,
      },
    };
  }

  return {
    referenceVersion: ref?.version ?? null,
    illustrative: ref?.illustrative ?? false,
    note: ref?.note ?? null,
    reading: {
      centralTypes: [...R.centralTypes],
      largeCities: [...R.largeCities],
      largeCityTargetPercent: R.largeCityTargetPercent,
      otherTargetPercent: R.otherTargetPercent,
      statement: R.statement,
      statementEn: R.statementEn,
      technicalOpenings: TECHNICAL_OPENINGS_READING.vi,
      technicalOpeningsEn: TECHNICAL_OPENINGS_READING.en,
    },
    national,
    provinces,
    positions: cams.map((c) => ({
      cameraId: c.camera_id,
      province: c.province,
      status: c.status,
      roadType: c.road_type,
      latMicro: Number(c.lat_micro),
      lonMicro: Number(c.lon_micro),
      communeCode: c.commune_code,
      routeCode: c.route_code,
    })),
  };
}

// -------------------------------------------------------------------------------- model performance

export interface ModelPerformance {
  modelId: string;
  name: string;
  version: string;
  status: string;
  readings: number;
  confirmations: number;
  corrections: number;
  /** Every rejected reading, whatever the reason. */
  rejections: number;
  /**
   * confirmations / (confirmations + corrections + rejections about the plate) over all reviewed readings; null
   * before any. A rejection for a reason that says nothing about the plate (`no-violation`, `duplicate`, …) is
   * neither a right nor a wrong reading and is left out.
   */
  precision: number | null;
  /** The same over the readings of the last N cases whose review judged the plate. */
  recent: { cases: number; precision: number | null };
  /** True when the precision over the last N reviewed cases is below the floor: feeds the suspension rule. */
  belowFloor: boolean;
}

/** Reject reasons that say the plate reading was wrong; any other rejection does not judge the reading. */
export const PLATE_REJECT_REASONS = ['plate-unreadable', 'plate-mismatch'] as const satisfies readonly RejectReason[];

/** Per model version: readings, human outcomes and precision; flags versions under `precisionFloor` over the last `lastN` reviewed cases. */
export async function modelPerformance(
  ds: ReadModelReader,
  options: { lastN?: number; precisionFloor?: number } = {},
): Promise<ModelPerformance[]> {
  const lastN = parse(z.int().min(1).max(100_000), options.lastN ?? 200, 'lastN');
  const floor = parse(z.number().min(0).max(1), options.precisionFloor ?? 0.9, 'precisionFloor');
  const rows = (await ds.query(
    `WITH judged AS (
       SELECT r.* FROM rm_model_reading r
        WHERE outcome IN ('confirmed', 'corrected') OR (outcome = 'rejected' AND reject_reason = ANY($2::text[]))
     ), ranked AS (
       SELECT j.*, dense_rank() OVER (PARTITION BY model_id ORDER BY reviewed_at DESC, case_id DESC) AS rank
         FROM judged j
     )
     SELECT m.model_id, m.name, m.version, m.status,
            (SELECT count(*) FROM rm_model_reading r WHERE r.model_id = m.model_id)::int AS readings,
            (SELECT count(*) FROM ranked r WHERE r.model_id = m.model_id AND outcome = 'confirmed')::int AS confirmations,
            (SELECT count(*) FROM ranked r WHERE r.model_id = m.model_id AND outcome = 'corrected')::int AS corrections,
            (SELECT count(*) FROM rm_model_reading r WHERE r.model_id = m.model_id AND outcome = 'rejected')::int AS rejections,
            (SELECT count(*) FROM ranked r WHERE r.model_id = m.model_id AND outcome = 'rejected')::int AS plate_rejections,
            (SELECT count(DISTINCT case_id) FROM ranked r WHERE r.model_id = m.model_id AND rank <= $1)::int AS recent_cases,
            (SELECT count(*) FROM ranked r WHERE r.model_id = m.model_id AND rank <= $1)::int AS recent_reviewed,
            (SELECT count(*) FROM ranked r WHERE r.model_id = m.model_id AND rank <= $1 AND outcome = 'confirmed')::int AS recent_confirmed
       FROM rm_model_version m ORDER BY m.model_id`,
    [lastN, [...PLATE_REJECT_REASONS]],
  )) as Record<string, string | number>[];
  return rows.map((r) => {
    const judged = Number(r.confirmations) + Number(r.corrections) + Number(r.plate_rejections);
    const recentPrecision = Number(r.recent_reviewed) === 0 ? null : Number(r.recent_confirmed) / Number(r.recent_reviewed);
    return {
      modelId: String(r.model_id),
      name: String(r.name),
      version: String(r.version),
      status: String(r.status),
      readings: Number(r.readings),
      confirmations: Number(r.confirmations),
      corrections: Number(r.corrections),
      rejections: Number(r.rejections),
      precision: judged === 0 ? null : Number(r.confirmations) / judged,
      recent: { cases: Number(r.recent_cases), precision: recentPrecision },
      belowFloor: recentPrecision !== null && recentPrecision < floor,
    };
  });
}

// ---------------------------------------------------------------------------------- officer workload

export interface OfficerWorkload {
  officerId: string;
  days: { day: string; province: string; reviews: number; decisions: number }[];
  reviews: number;
  decisions: number;
  /** Median time from detection (observation) to review, in seconds, over reviews in the range. */
  medianDetectionToReviewSeconds: number | null;
}

/** Reviews and decisions per officer per Viet Nam day in `from`–`to` (inclusive), with the median detection→review time. */
export async function officerWorkload(
  ds: ReadModelReader,
  query: { province?: string; from: string; to: string },
): Promise<OfficerWorkload[]> {
  const q = parse(z.strictObject({ province: ProvinceSchema.optional(), from: CalendarDate, to: CalendarDate }), query, 'workload query');
  const params: unknown[] = [q.from, q.to];
  const where = q.province ? (params.push(q.province), 'AND province = $3') : '';
  const days = (await ds.query(
    `SELECT officer_id, to_char(day, 'YYYY-MM-DD') AS day, province, reviews::text, decisions::text
       FROM rm_officer_daily WHERE day BETWEEN $1::date AND $2::date ${where} ORDER BY officer_id, day, province`,
    params,
  )) as { officer_id: string; day: string; province: string; reviews: string; decisions: string }[];
  const medians = (await ds.query(
    `SELECT officer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS median_ms
       FROM rm_review_latency WHERE officer_id IS NOT NULL AND day BETWEEN $1::date AND $2::date ${where}
      GROUP BY officer_id`,
    params,
  )) as { officer_id: string; median_ms: number | string | null }[];
  const byOfficer = new Map<string, OfficerWorkload>();
  for (const d of days) {
    const w = byOfficer.get(d.officer_id) ?? { officerId: d.officer_id, days: [], reviews: 0, decisions: 0, medianDetectionToReviewSeconds: null };
    w.days.push({ day: d.day, province: d.province, reviews: Number(d.reviews), decisions: Number(d.decisions) });
    w.reviews += Number(d.reviews);
    w.decisions += Number(d.decisions);
    byOfficer.set(d.officer_id, w);
  }
  for (const m of medians) {
    const w = byOfficer.get(m.officer_id);
    if (w && m.median_ms !== null) w.medianDetectionToReviewSeconds = Number(m.median_ms) / 1000;
  }
  return [...byOfficer.values()];
}

// ----------------------------------------------------------------------------------- citizen lookup

export interface CitizenViolation {
  vehicleType: string;
  plate: string;
  plateColour: string | null;
  time: string;
  place: string;
  violation: string;
  violationCode: string;
  detectingUnit: string;
  status: string;
  /** Status `transferred`: the province the case was handed over to, where it goes on. */
  transferredTo: string | null;
}

/** Published violations recorded against a plate (any spelling the plate rules normalise), newest first. Published fields only. */
export async function citizenLookup(ds: ReadModelReader, plate: string): Promise<CitizenViolation[]> {
  const text = parse(z.string().min(4).max(24).regex(/^[\p{L}\p{N} .-]+$/u), plate, 'plate');
  const key = plateKey(text);
  if (key.length < 4) throw new InvalidQueryError('Invalid plate', 'invalid-plate');
  const rows = await ds.getRepository(CitizenViolationEntity).find({
    where: { plateCompact: key, published: true },
    order: { observedAt: 'DESC', caseId: 'DESC' },
    take: 500,
  });
  return rows.map((r) => ({
    vehicleType: r.vehicleType,
    plate: r.plate,
    plateColour: r.plateColour,
    time: isoOrNull(r.observedAt)!,
    place: r.place,
    violation: r.violation,
    violationCode: r.violationCode,
    detectingUnit: r.detectingUnit,
    status: r.status,
    transferredTo: r.transferredTo,
  }));
}

// ------------------------------------------------------------------------------------- custody log

export interface CustodyEntry {
  seq: number | string;
  actor: { kind: string; id: string };
  at: string;
  access: string;
  purpose: string;
  digest: string | null;
  recordHash: string;
}

/** Every evidence access of a case, in the order the custody stream recorded them. */
export async function custodyLog(ds: ReadModelReader, caseId: string): Promise<CustodyEntry[]> {
  const id = parse(z.string().regex(UUID), caseId, 'case id');
  const rows = await ds.getRepository(CustodyEntity).find({ where: { caseId: id }, order: { seq: 'ASC' } });
  return rows.map((r) => ({
    seq: bigintToJson(r.seq)!,
    actor: { kind: r.actorKind, id: r.actorId },
    at: isoOrNull(r.accessedAt)!,
    access: r.access,
    purpose: r.purpose,
    digest: r.digest,
    recordHash: r.recordHash,
  }));
}
