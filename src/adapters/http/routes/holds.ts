/**
 * Legal holds and the retention state of a case (docs/data-protection.md, "Retention"). An officer,
 * supervisor or court places and lifts a hold on a case it may see; the hold's authority is the caller's
 * role (`court` for a court, else `officer`) and the record carries the caller as actor. Automatic holds (open
 * case, pending appeal) are never written: they are read from the case whenever retention decides.
 */
import { z } from 'zod';
import { liftLegalHold, loadRetentionState, placeLegalHold } from '../../../commands/retention.ts';
import { IdentifierSchema, TextSchema } from '../../../domain/signoff/primitives.ts';
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

export function holdRoutes(services: ApiServices): AnyRoute[] {
  const deps = services.commandDeps;
  const HoldParams = CaseIdParams.extend({ holdId: IdentifierSchema });
  return [
    route({
      method: 'post',
      path: '/v1/cases/:caseId/holds',
      summary: 'Place a legal hold on a case (nothing of it is destroyed while the hold is in force)',
      tags: ['retention'],
      auth: ['officer', 'supervisor', 'court'],
      params: CaseIdParams,
      body: z.strictObject({ holdId: IdentifierSchema, reference: TextSchema, reason: TextSchema }),
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(services.store, p, params.caseId);
        const outcome = await placeLegalHold(
          deps,
          callerFor(p, state.province),
          { caseId: params.caseId, authority: p.role === 'court' ? 'court' : 'officer', ...body },
          correlation(req),
        );
        answer(res, outcome);
      },
    }),
    route({
      method: 'post',
      path: '/v1/cases/:caseId/holds/:holdId/lift',
      summary: 'Lift a legal hold',
      tags: ['retention'],
      auth: ['officer', 'supervisor', 'court'],
      params: HoldParams,
      body: z.strictObject({ reason: TextSchema }),
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(services.store, p, params.caseId);
        answer(res, await liftLegalHold(deps, callerFor(p, state.province), { caseId: params.caseId, holdId: params.holdId, ...body }, correlation(req)));
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
