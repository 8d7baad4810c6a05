/** Every /v1 route of the API and the published log under /log (docs/api.md), built from the node's services. */
import { adminRoutes } from './admin.ts';
import { auditRoutes } from './audit.ts';
import { casesRoutes } from './cases.ts';
import { edgeRelayRoutes } from './edge-relay.ts';
import { EdgeOriginalRequests } from './edge-originals.ts';
import { holdRoutes } from './holds.ts';
import { subjectRoutes } from './subject.ts';
import { ingestRoutes } from './ingest.ts';
import { ledgerRoutes } from './ledger.ts';
import { logRoutes } from './log.ts';
import { meRoutes } from './me.ts';
import { projectionRoutes } from './projections.ts';
import { publicRoutes } from './public.ts';
import { reviewQueueRoutes } from './review-queue.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';
import { statisticsRoutes } from './statistics.ts';
import { witnessRoutes } from './witness.ts';

export function apiRoutes(services: ApiServices): AnyRoute[] {
  // The caller's object itself, not a copy: services attached after the routes are built (the national
  // witness and views in the tests and benches) must be seen by them.
  services.edgeOriginals ??= new EdgeOriginalRequests();
  return [
    ...ingestRoutes(services),
    ...edgeRelayRoutes(services, services.edgeOriginals),
    ...casesRoutes(services),
    ...holdRoutes(services),
    ...subjectRoutes(services),
    ...reviewQueueRoutes(services),
    ...meRoutes(services),
    ...projectionRoutes(services),
    ...auditRoutes(services),
    ...adminRoutes(services),
    ...ledgerRoutes(services),
    ...logRoutes(services),
    ...statisticsRoutes(services),
    ...publicRoutes(services),
    ...witnessRoutes(services),
  ];
}

export type {
  ApiServices,
  ApiQueries,
  VehicleRegistry,
  LedgerReadApi,
  ReviewQueueEntry,
  ReviewSla,
} from './services.ts';
export type { MeResponse, MeEnrolment } from './me.ts';
export { actorFor, callerFor } from './access.ts';
