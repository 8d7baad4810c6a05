/**
 * The citizen lookup (public, no token, strongly rate-limited under /v1/public by the app): violations of a
 * vehicle by plate AND its registration certificate number, returning only the published fields.
 *
 * The certificate is checked against the vehicle registry first; a wrong certificate answers exactly like a
 * plate without violations (an empty list), so the endpoint cannot be used to learn anything about a plate one
 * does not hold the papers of. Each case disclosed is recorded in its custody log (access `lookup`).
 *
 * Guessing: every lookup takes one attempt from the plate's failure budget (lookup-budget.ts) before the
 * registry is asked, whether the plate exists or not; once exhausted the plate answers 429 with Retry-After to
 * everyone until the lock ends. An unknown plate and a wrong certificate do the same work and answer the same.
 */
import { z } from 'zod';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { InMemoryLookupBudget, LookupBudgetExhaustedError } from '../lookup-budget.ts';
import { route } from '../route.ts';
import { correlation } from './cases.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

const LookupQuery = z.strictObject({
  plate: z.string().min(4).max(24),
  certificate: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, 'must be a registration certificate number'),
});

/** The published fields of each violation, nothing else (TT 73/2024 Art. 24). */
const LookupResponse = z.object({
  violations: z.array(
    z.object({
      plate: z.string(),
      plateColour: z.string().nullable(),
      vehicleType: z.string(),
      observedAt: z.string(),
      place: z.string(),
      violationCode: z.string(),
      violation: z.string(),
      detectingUnit: z.string(),
      status: z.string(),
      /** The owner did not respond 20 days after the notice (Circular 73/2024 Art. 24): the vehicle is flagged. */
      ownerUnresponsive: z.boolean(),
    }),
  ),
});

export const CITIZEN_LOOKUP_PURPOSE = 'citizen lookup by plate and registration certificate';

export function publicRoutes(services: ApiServices): AnyRoute[] {
  const budget = services.lookupBudget ?? new InMemoryLookupBudget();
  return [
    route({
      method: 'get',
      path: '/v1/public/violations',
      summary:
        'Violations recorded against a vehicle (plate + registration certificate number); published fields only',
      tags: ['public'],
      auth: 'public',
      query: LookupQuery,
      responses: {
        200: {
          description: 'Published violations (empty when none, or when the certificate does not match)',
          schema: LookupResponse,
        },
        429: {
          description:
            "Too many failed lookups for this plate (its failure budget, whatever the caller's address); see Retry-After",
        },
      },
      handler: async ({ req, res, query }) => {
        const compact = plateKey(query.plate);
        res.set('Cache-Control', 'no-store');
        // No letters or digits at all: nothing to look up (a property of the text, not of any vehicle).
        if (!compact) {
          res.json({ violations: [] });
          return;
        }
        // The plate's failure budget is taken before the registry is asked, for known and unknown plates alike.
        const attempt = await budget.attempt(compact, Date.parse(services.commandDeps.clock.now()));
        if (!attempt.ok) throw new LookupBudgetExhaustedError(attempt.retryAfterSeconds);
        if (!(await services.registry.verifyRegistration(compact, query.certificate))) {
          res.json({ violations: [] });
          return;
        }
        await budget.succeeded(compact);
        const found = await services.queries.citizenViolations(compact);
        for (const v of found) {
          await recordEvidenceAccess(
            services.commandDeps,
            { actor: { kind: 'citizen', id: 'public-lookup' }, province: v.province },
            { caseId: v.caseId, access: 'lookup', purpose: CITIZEN_LOOKUP_PURPOSE },
            correlation(req),
          );
        }
        res.json({
          violations: found.map((v) => ({
            plate: v.plate,
            plateColour: v.plateColour,
            vehicleType: v.vehicleType,
            observedAt: v.observedAt,
            place: v.place,
            violationCode: v.violationCode,
            violation: v.violation,
            detectingUnit: v.detectingUnit,
            status: v.status,
            ownerUnresponsive: v.ownerUnresponsive,
          })),
        });
      },
    }),
  ];
}
