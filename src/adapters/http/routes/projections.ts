/**
 * `GET /v1/projections` (auditors, admins): each read model's projection status and lag, as the node's
 * projection runner reports it: name, state (`running` | `failed`), checkpoint (global position, decimal
 * string), lagEvents, lagSeconds and error. Auditors use it to know how far behind the event store the views
 * they read are. A node that runs no projections answers 503 `projections-not-running`.
 */
import { z } from 'zod';
import type { Role } from '../../auth/roles.ts';
import { route } from '../route.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

export const PROJECTION_READERS: readonly Role[] = ['auditor', 'admin'];

export class ProjectionsNotRunningError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'projections-not-running';
}

/** Plain JSON: bigints become decimal strings (positions may exceed 2^53). */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

const StatusSchema = z.object({
  projections: z.array(
    z.looseObject({
      name: z.string(),
      state: z.string(),
      checkpoint: z.string().nullable(),
      lagEvents: z.number(),
      lagSeconds: z.number(),
      error: z.string().nullable(),
    }),
  ),
});

export function projectionRoutes(services: ApiServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/projections',
      summary: 'Projection status and lag of every read model (auditors, admins)',
      tags: ['read-models'],
      auth: PROJECTION_READERS,
      responses: {
        200: { description: 'One entry per projection', schema: StatusSchema },
        503: { description: 'This node runs no projections' },
      },
      handler: async ({ res }) => {
        if (!services.projections) throw new ProjectionsNotRunningError('This node runs no projections');
        const status = await services.projections.status();
        res.set('Cache-Control', 'no-store').json({ projections: jsonSafe(status) });
      },
    }),
  ];
}
