/**
 * The citizen lookup (public, no token, strongly rate-limited under /v1/public by the app): violations of a
 * vehicle by plate AND its registration certificate number, returning only the published fields.
 *
 * The certificate is checked against the vehicle registry first; a wrong certificate answers exactly like a
 * plate without violations (an empty list), so the endpoint cannot be used to learn anything about a plate one
 * does not hold the papers of. Each case disclosed is recorded in its custody log (access `lookup`).
 */
import { z } from 'zod';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { route } from '../route.ts';
import { correlation } from './cases.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

const LookupQuery = z.strictObject({
  plate: z.string().min(4).max(24),
  certificate: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, 'must be a registration certificate number'),
});

export const CITIZEN_LOOKUP_PURPOSE = 'citizen lookup by plate and registration certificate';

export function publicRoutes(services: ApiServices): AnyRoute[] {
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
        },
      },
      handler: async ({ req, res, query }) => {
        const compact = plateKey(query.plate);
        res.set('Cache-Control', 'no-store');
        if (!compact || !(await services.registry.verifyRegistration(compact, query.certificate))) {
          res.json({ violations: [] });
          return;
        }
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
          })),
        });
      },
    }),
  ];
}
