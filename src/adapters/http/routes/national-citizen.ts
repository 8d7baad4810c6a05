/**
 * The citizen portal and data-subject requests on the national node (`--tier national`; docs/federation.md,
 * "The citizen on the national node"). The national node holds a verified copy of every provincial log, not the
 * cases' procedure: it answers what can be read from the mirror (the lookup, one violation per case across the
 * provinces; a data-subject access request), and refuses what would change a case (answering the notice,
 * paying, complaining, correction or erasure) with a problem naming the province node that holds the case (its
 * base URL from the provincial log registry), so nothing is accepted here that no province would act on.
 */
import { loadProvincialLogRegistry } from '../../../commands/federation.ts';
import { activeLogOf } from '../../../domain/federation/state.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import { oneViolationPerCase } from '../../witness/national-views.ts';
import type { NationalProjector } from '../../witness/national-projections.ts';
import { readModelQueries } from './read-models.ts';
import type { ApiServices, PublishedViolation } from './services.ts';

/** Where a province's cases are acted on: its node's base URL and citizen portal, when its log is registered. */
export interface ProvinceNode {
  province: string;
  /** The province node's base URL (the registered log's), or null when no active log is registered for it. */
  node: string | null;
  /** The citizen portal on that node, or null. */
  portal: string | null;
}

/** A portal action on a case is made on the province node that holds it, never on the national node. */
export class CaseHeldByProvinceNodeError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'case-held-by-province-node';
}

/** A correction or erasure is asked of the province nodes holding the vehicle's cases, never the national node. */
export class SubjectRequestAtProvinceNodeError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'subject-request-at-province-node';
}

/**
 * A citizen's report of a violation seen on the road (and its photo uploads) is made on the node of the
 * province where it was seen, whose officers review it; the national node has no report queue.
 */
export class ReportAtProvinceNodeError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'report-at-province-node';
}

/** The problem for a citizen report (or its session or photo upload) at the national node, naming where to report. */
export async function reportAtProvinceNodeError(services: ApiServices, province?: string): Promise<ReportAtProvinceNodeError> {
  if (province !== undefined) {
    const [where] = await provinceNodes(services, [province]);
    return new ReportAtProvinceNodeError(
      `Reports of violations seen in province ${province} are made on its node${where!.node ? ` (${where!.node})` : ''}`,
      { ...where! },
    );
  }
  const registry = await loadProvincialLogRegistry(services.commandDeps.store);
  const provinces = [...new Set(Object.values(registry.logs).filter((l) => l.retiredAt === undefined).map((l) => l.province))].sort();
  return new ReportAtProvinceNodeError("Reports of violations are made on the node of the province where the violation was seen", {
    nodes: await provinceNodes(services, provinces),
  });
}

/** The province nodes of `provinces` (each once, in the order given), from the provincial log registry. */
export async function provinceNodes(services: ApiServices, provinces: readonly string[]): Promise<ProvinceNode[]> {
  const registry = await loadProvincialLogRegistry(services.commandDeps.store);
  return [...new Set(provinces)].map((province) => {
    const log = activeLogOf(registry, province);
    const node = log ? log.baseUrl.replace(/\/+$/, '') : null;
    return { province, node, portal: node === null ? null : `${node}/#/citizen` };
  });
}

/**
 * The published violations of a vehicle over every mirrored log, one per case (a case handed over across nodes
 * is shown where it goes on: `oneViolationPerCase`), newest first. Each log's rows are read in that log's own
 * schema, so a case in two logs is never joined with itself.
 */
export async function nationalPublishedViolations(national: NationalProjector, services: ApiServices, compact: string): Promise<PublishedViolation[]> {
  const perLog = await national.perLog((m) => readModelQueries(m, services.commandDeps.clock).citizenViolations(compact));
  return oneViolationPerCase(perLog.flatMap((l) => l.result)).sort(
    (a, b) => b.observedAt.localeCompare(a.observedAt) || b.caseId.localeCompare(a.caseId),
  );
}

/** The problem for a portal action on `v` at the national node: names the province that handles it and its node. */
export async function caseHeldError(services: ApiServices, v: PublishedViolation): Promise<CaseHeldByProvinceNodeError> {
  const province = v.transferredTo ?? v.province;
  const [where] = await provinceNodes(services, [province]);
  return new CaseHeldByProvinceNodeError(
    `This case is handled by province ${province}'s node${where!.node ? ` (${where!.node})` : ''}: answer, pay or complain there`,
    { ...where! },
  );
}
