/**
 * Legal holds and the retention state of a case (docs/data-protection.md, "Legal hold"). An officer or
 * supervisor places and lifts a hold with a signed `hold/v1` sign-off (Ed25519, like reviews; `authority`
 * `court` when recording a court's order under its reference); a court caller places and lifts one by its
 * request, recorded with the court's reference (`order: court-request`, authority `court`). The record
 * carries the caller as actor. Automatic holds (open case, pending appeal) are never written: they are read
 * from the case whenever retention decides; a court's bundle request places a hold (bundle route).
 */
import { z } from 'zod';
import { liftLegalHold, loadRetentionState, placeLegalHold } from '../../../commands/retention.ts';
import { HOLD_AUTHORITIES } from '../../../domain/signoff/payloads.ts';
import { IdentifierSchema, TextSchema } from '../../../domain/signoff/primitives.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import type { Principal } from '../../auth/roles.ts';
import type { CommandOutcome } from '../../../commands/outcome.ts';
import { route } from '../route.ts';
import { CaseIdParams, callerFor, loadVisibleCase, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './cases.ts';
import type { ApiServices } from './services.ts';

const Result = z.strictObject({ stream: z.string(), revision: z.number().int(), appended: z.number().int() });
const ok = { 200: { description: 'Already applied', schema: Result }, 201: { description: 'Recorded', schema: Result } };

function answer(res: import('express').Response, outcome: CommandOutcome<unknown>): void {
  res.status(outcome.events.length > 0 ? 201 : 200).json({
    stream: outcome.stream,
    revision: Number(outcome.nextExpectedRevision),
    appended: outcome.events.length,
  });
}

const RetentionView = z.strictObject({
  holds: z.array(z.strictObject({ holdId: z.string(), authority: z.string(), reference: z.string(), placedAt: z.string() })),
  destroyed: z.array(z.strictObject({ digest: z.string(), policy: z.string(), at: z.string() })),
});

/** The sign-off an officer's hold order carries (absent for a court caller's request). */
const Signed = {
  authority: z.enum(HOLD_AUTHORITIES).optional(),
  signoff: z.record(z.string(), z.unknown()).optional(),
  signature: z.string().min(1).max(200).optional(),
  keyId: z.string().min(1).max(200).optional(),
};
type SignedBody = { authority?: (typeof HOLD_AUTHORITIES)[number] | undefined; signoff?: Record<string, unknown> | undefined; signature?: string | undefined; keyId?: string | undefined };

/** A court caller's request, or an officer's signed order (signoff, signature and keyId all required). */
function holdOrder(p: Principal, body: SignedBody) {
  if (p.role === 'court') return { authority: 'court' as const, order: { kind: 'court-request' as const } };
  if (body.signoff === undefined || body.signature === undefined || body.keyId === undefined)
    throw new ValidationError('An officer orders a hold with a signed hold/v1 sign-off (signoff, signature, keyId)', { field: 'signoff' }, 'hold-signoff-required');
  return {
    authority: body.authority ?? 'officer',
    order: { kind: 'signed' as const, signoff: body.signoff, signature: body.signature, keyId: body.keyId },
  };
}

export function holdRoutes(services: ApiServices): AnyRoute[] {
  const deps = services.commandDeps;
  const HoldParams = CaseIdParams.extend({ holdId: IdentifierSchema });
  return [
    route({
      method: 'post',
      path: '/v1/cases/:caseId/holds',
      summary: 'Place a legal hold on a case (nothing of it is destroyed while the hold is in force); officers sign it (hold/v1)',
      tags: ['retention'],
      auth: ['officer', 'supervisor', 'court'],
      params: CaseIdParams,
      body: z.strictObject({ holdId: IdentifierSchema, reference: TextSchema, reason: TextSchema, ...Signed }),
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(services.store, p, params.caseId);
        const outcome = await placeLegalHold(
          deps,
          callerFor(p, state.province),
          { caseId: params.caseId, holdId: body.holdId, reference: body.reference, reason: body.reason, ...holdOrder(p, body) },
          correlation(req),
        );
        answer(res, outcome);
      },
    }),
    route({
      method: 'post',
      path: '/v1/cases/:caseId/holds/:holdId/lift',
      summary: "Lift a legal hold (officers sign it, hold/v1; a court's hold only under a court's authority)",
      tags: ['retention'],
      auth: ['officer', 'supervisor', 'court'],
      params: HoldParams,
      body: z.strictObject({ reference: TextSchema, reason: TextSchema, ...Signed }),
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(services.store, p, params.caseId);
        const fields = { caseId: params.caseId, holdId: params.holdId, reference: body.reference, reason: body.reason, ...holdOrder(p, body) };
        answer(res, await liftLegalHold(deps, callerFor(p, state.province), fields, correlation(req)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId/retention',
      summary: 'Legal holds in force and evidence destroyed under a retention policy',
      tags: ['retention'],
      auth: ['officer', 'supervisor', 'court', 'auditor'],
      params: CaseIdParams,
      responses: { 200: { description: 'Retention state', schema: RetentionView } },
      handler: async ({ res, principal, params }) => {
        const p = requirePrincipal(principal);
        await loadVisibleCase(services.store, p, params.caseId);
        const state = await loadRetentionState(services.store, params.caseId);
        res.json({
          holds: Object.values(state.holds).map((h) => ({ holdId: h.holdId, authority: h.authority, reference: h.reference, placedAt: h.placedAt })),
          destroyed: Object.entries(state.destroyed).map(([digest, d]) => ({ digest, policy: d.policy, at: d.at })),
        });
      },
    }),
  ];
}
