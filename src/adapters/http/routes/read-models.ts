/**
 * Adapters from the node's parts to what the routes need: `readModelQueries` answers `ApiQueries` from the
 * read models (src/projections/queries.ts), and `registryVerifier` answers `verifyRegistration` from the
 * vehicle registry port (src/adapters/registry/).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../ports/clock.ts';
import { vietnamDate } from '../../../domain/signoff/primitives.ts';
import {
  cameraCoverage,
  listCases,
  modelPerformance,
  officerWorkload,
  reviewQueue,
  statistics,
  type ReadModelReader,
} from '../../../projections/queries.ts';
import type { VehicleRegistry as RegistryPort } from '../../../ports/registry.ts';
import { NATIONAL_SCOPE } from '../../auth/roles.ts';
import type {
  ApiQueries,
  PublishedViolation,
  ReviewQueueEntry,
  ListedPersonal,
  StatisticsScope,
  VehicleRegistry,
} from './services.ts';
import { missingStepOf } from './services.ts';

const DAY_MS = 86_400_000;

/**
 * Default statistics window: the last 30 days, inclusive, in Viet Nam calendar dates (UTC+7), the dates the
 * statistics are filed under (a UTC date would leave out today's facts from 17:00 UTC on).
 */
export function statisticsWindow(scope: Pick<StatisticsScope, 'from' | 'to'>, clock: Clock): { from: string; to: string } {
  const to = scope.to ?? vietnamDate(clock.now());
  const from = scope.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 30 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

function provinceOf(scope: StatisticsScope): { province?: string } {
  return scope.province === 'national' ? {} : { province: scope.province };
}

export function readModelQueries(ds: ReadModelReader, clock: Clock): ApiQueries {
  return {
    async listCases(filter) {
      const provinces = filter.provinces;
      if (provinces !== 'all' && provinces.length !== 1)
        throw new RangeError('listCases: one province or all');
      const page = await listCases(
        ds,
        {
          ...(provinces !== 'all' ? { province: provinces[0]! } : {}),
          ...(filter.status !== undefined ? { status: filter.status as never } : {}),
        },
        filter.after,
        filter.limit,
      );
      return {
        // The plate and thumbnail reference are the personal part: the route strips them unless the caller
        // asked for them with a purpose and every listed case got its custody record (routes/listed-plates.ts).
        items: page.items.map((c) => ({
          caseId: c.caseId,
          province: c.province,
          status: c.status,
          violationCode: c.violationCode,
          vehicleClass: c.vehicleClass,
          observedAt: c.observedAt,
          cameraId: c.cameraId,
          location: c.location,
          revision: Number(c.revision),
          handlingProvince: c.transferredTo ?? c.province,
          missingStep: missingStepOf(c.status, c.recordDrawn),
          plate: c.plate,
          thumbnail: c.thumbnail,
        })),
        ...(page.nextCursor ? { next: page.nextCursor } : {}),
      };
    },
    async casesOfPlate(plateCompact) {
      const rows = (await ds.query(
        `SELECT case_id, province FROM rm_case
          WHERE plate_confirmed_compact = $1 OR plate_ai_compact = $1 OR plate_edge_compact = $1
          ORDER BY observed_at, case_id`,
        [plateCompact],
      )) as { case_id: string; province: string }[];
      return rows.map((r) => ({ caseId: r.case_id, province: r.province }));
    },
    async citizenViolations(plateCompact) {
      const rows = (await ds.query(
        `SELECT v.case_id, c.province, v.plate, v.plate_colour, v.vehicle_type,
                to_char(v.observed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS observed_at,
                v.place, v.violation_code, v.violation, v.detecting_unit, v.status, v.owner_unresponsive, v.transferred_to
           FROM rm_citizen_violation v JOIN rm_case c ON c.case_id = v.case_id
          WHERE v.plate_compact = $1 AND v.published
          ORDER BY v.observed_at DESC, v.case_id DESC LIMIT 500`,
        [plateCompact],
      )) as Record<string, string | boolean | null>[];
      const str = (v: string | boolean | null | undefined): string | null => (typeof v === 'string' ? v : null);
      return rows.map((r): PublishedViolation => ({
        caseId: str(r.case_id)!,
        province: str(r.province) ?? NATIONAL_SCOPE,
        plate: str(r.plate)!,
        plateColour: str(r.plate_colour),
        vehicleType: str(r.vehicle_type)!,
        observedAt: str(r.observed_at)!,
        place: str(r.place)!,
        violationCode: str(r.violation_code)!,
        violation: str(r.violation)!,
        detectingUnit: str(r.detecting_unit)!,
        status: str(r.status)!,
        ownerUnresponsive: r.owner_unresponsive === true,
        transferredTo: str(r.transferred_to),
      }));
    },
    async reviewQueue(province, page) {
      const result = await reviewQueue(ds, province, {
        now: clock.now(),
        limit: page.limit,
        ...(page.after !== undefined ? { cursor: page.after } : {}),
      });
      return {
        // The plate and thumbnail reference are the personal part: the route strips them unless the caller
        // asked for them with a purpose and every listed case got its custody record (routes/review-queue.ts).
        items: result.items.map((c): ReviewQueueEntry & ListedPersonal => ({
          caseId: c.caseId,
          province: c.province,
          status: c.status,
          cameraId: c.cameraId,
          observedAt: c.observedAt,
          location: c.location,
          roadType: c.roadType,
          violationCode: c.violationCode,
          vehicleClass: c.vehicleClass,
          flags: { ...c.flags },
          noticeDueAt: c.noticeDueAt,
          limitationEndsAt: c.limitationEndsAt,
          sla: { ...c.sla },
          plate: c.plate,
          thumbnail: c.thumbnail,
        })),
        ...(result.nextCursor ? { next: result.nextCursor } : {}),
      };
    },
    violationStatistics: (scope) => statistics(ds, { ...provinceOf(scope), ...statisticsWindow(scope, clock) }),
    cameraCoverage: (scope) => cameraCoverage(ds, { ...provinceOf(scope), at: clock.now() }),
    modelPerformance: () => modelPerformance(ds),
    officerWorkload: (scope) => officerWorkload(ds, { ...provinceOf(scope), ...statisticsWindow(scope, clock) }),
  };
}

/** Compared against when the plate is unknown, so both answers do the same work. */
const ABSENT_CERTIFICATE = 'no-vehicle-registered';

const certificateDigest = (certificate: string) =>
  createHash('sha256').update(certificate.toUpperCase(), 'utf8').digest();

/**
 * `verifyRegistration` over the registry port. An unknown plate and a wrong certificate take the same path:
 * SHA-256 of both sides (a fixed length, so the comparison reveals no length either) compared in constant time,
 * against a dummy certificate when the registry has no such vehicle.
 */
export function registryVerifier(registry: Pick<RegistryPort, 'lookupPlate'>): VehicleRegistry {
  return {
    async verifyRegistration(plateCompact, certificateNumber) {
      const vehicle = await registry.lookupPlate(plateCompact);
      const expected = certificateDigest(vehicle?.registrationNumber ?? ABSENT_CERTIFICATE);
      const same = timingSafeEqual(expected, certificateDigest(certificateNumber));
      return vehicle !== undefined && same;
    },
  };
}
