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
import { caseDocumentRoutes } from './case-documents.ts';
import { caseEvidenceRoutes } from './case-evidence.ts';
import { caseReadRoutes } from './case-reads.ts';
import { caseWriteRoutes } from './case-writes.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

// The groups share the roles and the correlation id (case-common.ts); re-exported for existing importers.
export { BUNDLE_READERS, CASE_READERS, CASE_WRITERS, correlation } from './case-common.ts';

/** Every case route, in the order the API lists them: reads, disclosures (evidence, bundle), writes. */
export function casesRoutes(services: ApiServices): AnyRoute[] {
  return [...caseReadRoutes(services), ...caseEvidenceRoutes(services), ...caseDocumentRoutes(services), ...caseWriteRoutes(services)];
}
