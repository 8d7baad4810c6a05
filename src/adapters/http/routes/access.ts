/**
 * Zero-trust helpers shared by the route factories: who the caller is in records, which cases they may see,
 * and HTTP preconditions. Route-level role checks happen in `mountRoutes`; these are the per-resource checks.
 *
 * Existence never leaks: a case in a province the caller may not see answers exactly like a case that does
 * not exist (404 `not-found`).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { NATIONAL_SCOPE, seesProvince, type Principal, type Role } from '../../auth/roles.ts';
import { NotFoundError, ForbiddenError, type RouteDefinition } from '../route.ts';
import { caseDecider } from '../../../domain/case/decider.ts';
import { parseCaseEvent } from '../../../domain/case/events.ts';
import type { ExistingCase } from '../../../domain/case/state.ts';
import { streams, type Actor } from '../../../domain/record.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { loadStream } from '../../../commands/handler.ts';
import type { Caller } from '../../../commands/outcome.ts';
import type { EventStore } from '../../../ports/eventstore.ts';

/** Roles of authenticated officials who are not enrolled officers: their records carry `<role>:<subject>`. */
const PREFIXED_ROLES: readonly Role[] = ['admin', 'auditor', 'court', 'analyst'];

/**
 * The record actor for a principal. Devices act as `device`; every human official acts as `officer`
 * (integrity.md has no other human kind). Officers and supervisors use their subject, which MUST be their
 * enrolled officer id (their sign-offs are checked against `officer-<subject>`); other roles are prefixed
 * with the role so an auditor's or court's access can never be mistaken for an enrolled officer's.
 */
export function actorFor(principal: Principal): Actor {
  if (principal.role === 'device') return { kind: 'device', id: principal.subject };
  if (PREFIXED_ROLES.includes(principal.role))
    return { kind: 'officer', id: `${principal.role}:${principal.subject}` };
  return { kind: 'officer', id: principal.subject };
}

export function callerFor(principal: Principal, province = principal.province): Caller {
  return { actor: actorFor(principal), province };
}

export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new ForbiddenError('This operation needs an authenticated caller');
  return principal;
}

export const CaseIdParams = z.strictObject({
  caseId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID'),
});

export interface VisibleCase {
  state: ExistingCase;
  /** Revision of the case stream's last record (the ETag). */
  revision: bigint;
}

/** Loads a case the caller may see, or throws the same 404 whether it is absent or out of scope. */
export async function loadVisibleCase(
  store: EventStore,
  principal: Principal,
  caseId: string,
): Promise<VisibleCase> {
  const { state, revision } = await loadStream(store, streams.case(caseId), caseDecider, parseCaseEvent);
  // After a transfer (Circular 73/2024 Art. 24) the receiving province's police handle the case too.
  if (
    state.status === 'none' ||
    !(seesProvince(principal, state.province) || (state.transfer !== undefined && seesProvince(principal, state.transfer.toProvince)))
  )
    throw new NotFoundError('No such case', { caseId });
  return { state, revision };
}

export function isNational(principal: Principal): boolean {
  return principal.province === NATIONAL_SCOPE;
}

/** `If-Match: "<revision>"` → the revision, or undefined when absent. `*` is not accepted for cases. */
export function ifMatchRevision(req: Request): bigint | undefined {
  const header = req.get('if-match');
  if (header === undefined) return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match?.[1])
    throw new ValidationError(
      'If-Match must be a quoted case revision, e.g. "4"',
      undefined,
      'invalid-if-match',
    );
  return BigInt(match[1]);
}

export function etagOf(revision: bigint): string {
  return `"${revision}"`;
}

/** A route of any parameter, query and body types (what `createApp` mounts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;
