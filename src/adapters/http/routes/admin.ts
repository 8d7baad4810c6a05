/**
 * Administration (role `admin`, approvals by a human `supervisor`): cameras with their keys and calibration
 * certificates, officers with their public keys, AI model versions. Every change is an event on the
 * aggregate's own stream, so keys in force are themselves in the ledger (integrity.md §4).
 *
 * Scope: a provincial admin administers its province only; national admins ("00") any province, naming it in
 * the body when registering. An aggregate outside the caller's scope answers 404. Model versions are
 * national records (province "00"): only national admins register or suspend them, and only a national
 * supervisor (a human officer) approves one — AI may propose, a human decides what AI may propose.
 */
import { z } from 'zod';
import {
  certifyCalibration,
  decommissionCamera,
  registerCamera,
  reinstateCamera,
  revokeDeviceKey,
  rotateDeviceKey,
  suspendCamera,
} from '../../../commands/cameras.ts';
import { loadCameraView, loadModelView, loadOfficerView } from '../../../commands/context.ts';
import { approveModelVersion, registerModelVersion, suspendModelVersion } from '../../../commands/models.ts';
import {
  enrollOfficer,
  reinstateOfficer,
  revokeOfficerKey,
  rotateOfficerKey,
  suspendOfficer,
} from '../../../commands/officers.ts';
import type { CommandOutcome } from '../../../commands/outcome.ts';
import { CommuneCodeSchema, RouteCodeSchema } from '../../../domain/camera/events.ts';
import { ModelFileSchema } from '../../../domain/model/events.ts';
import { OFFICER_ROLES, OfficerTitleSchema } from '../../../domain/officer/events.ts';
import {
  IdentifierSchema,
  KeyIdSchema,
  LocationSchema,
  NATIONAL_PROVINCE,
  ProvinceCodeSchema,
  PublicKeySchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
} from '../../../domain/signoff/primitives.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { seesProvince, type Principal } from '../../auth/roles.ts';
import { ForbiddenError, NotFoundError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './cases.ts';
import type { ApiServices } from './services.ts';

const Result = z.object({ stream: z.string(), revision: z.number(), appended: z.number() });
const ok = {
  200: { description: 'Applied', schema: Result },
  201: { description: 'Created', schema: Result },
};

const CameraParams = z.strictObject({ cameraId: IdentifierSchema });
const OfficerParams = z.strictObject({ officerId: IdentifierSchema });
const ModelParams = z.strictObject({ modelId: IdentifierSchema });
const Reason = z.strictObject({ reason: TextSchema });

function answer(res: import('express').Response, outcome: CommandOutcome<unknown>, created = false): void {
  res.status(created && outcome.events.length > 0 ? 201 : 200).json({
    stream: outcome.stream,
    revision: Number(outcome.nextExpectedRevision),
    appended: outcome.events.length,
  });
}

/** The province a new aggregate is registered in: the caller's, or (national callers) the one named. */
function registrationProvince(
  principal: Principal,
  named: string | undefined,
  allowNational: boolean,
): string {
  if (principal.province !== NATIONAL_PROVINCE) {
    if (named !== undefined && named !== principal.province)
      throw new ForbiddenError('A provincial admin registers in its own province only');
    return principal.province;
  }
  if (named === undefined)
    throw new ValidationError('A national admin must name the province', undefined, 'province-required');
  if (named === NATIONAL_PROVINCE && !allowNational)
    throw new ValidationError('A camera belongs to a province, not "00"', undefined, 'province-required');
  return named;
}

function requireNational(principal: Principal): void {
  if (principal.province !== NATIONAL_PROVINCE)
    throw new ForbiddenError('Model versions are national records: national staff only');
}

export function adminRoutes(services: ApiServices): AnyRoute[] {
  const deps = services.commandDeps;

  /** Province of an existing camera the caller may administer (404 otherwise). */
  const cameraProvince = async (principal: Principal, cameraId: string) => {
    const camera = await loadCameraView(services.store, cameraId);
    if (!camera || !seesProvince(principal, camera.province))
      throw new NotFoundError('No such camera', { cameraId });
    return camera.province;
  };
  const officerProvince = async (principal: Principal, officerId: string) => {
    const officer = await loadOfficerView(services.store, officerId);
    if (!officer || !seesProvince(principal, officer.province))
      throw new NotFoundError('No such officer', { officerId });
    return officer.province;
  };

  /**
   * A POST on one registered camera or officer: resolves its province (404 when the caller may not see it),
   * then runs the command as the caller acting in that province.
   */
  const aggregateAction =
    (
      collection: 'cameras' | 'officers',
      param: 'cameraId' | 'officerId',
      Params: z.ZodObject,
      provinceOf: (principal: Principal, id: string) => Promise<string>,
    ) =>
    <B>(
      path: string,
      summary: string,
      body: z.ZodType<B>,
      run: (
        caller: ReturnType<typeof callerFor>,
        id: string,
        body: B,
        options: object,
        keyId: string,
      ) => Promise<CommandOutcome<unknown>>,
    ) =>
      route({
        method: 'post',
        path: `/v1/admin/${collection}/:${param}${path}`,
        summary,
        tags: ['admin'],
        auth: ['admin'],
        params: path.includes(':keyId') ? Params.extend({ keyId: KeyIdSchema }) : Params,
        body,
        responses: ok,
        handler: async ({ req, res, principal, params, body: b }) => {
          const p = requirePrincipal(principal);
          const { [param]: id, keyId = '' } = params as Record<string, string>;
          const province = await provinceOf(p, id!);
          answer(res, await run(callerFor(p, province), id!, b, correlation(req), keyId));
        },
      });
  const cameraAction = aggregateAction('cameras', 'cameraId', CameraParams, cameraProvince);
  const officerAction = aggregateAction('officers', 'officerId', OfficerParams, officerProvince);

  return [
    route({
      method: 'post',
      path: '/v1/admin/cameras',
      summary: 'Register a camera with its location and device public key',
      tags: ['admin'],
      auth: ['admin'],
      body: z.strictObject({
        cameraId: IdentifierSchema,
        province: ProvinceCodeSchema.optional(),
        location: LocationSchema,
        model: ShortTextSchema.optional(),
        communeCode: CommuneCodeSchema.optional().describe(
          'Official 5-digit code of the commune-level unit (2025 list); must lie in the camera province',
        ),
        routeCode: RouteCodeSchema.optional().describe(
          'Expressway route code (CT.xx, or a local L.… code); camera on an expressway through its province',
        ),
        publicKey: PublicKeySchema,
      }),
      responses: ok,
      handler: async ({ req, res, principal, body }) => {
        const p = requirePrincipal(principal);
        const { province, ...fields } = body;
        const caller = callerFor(p, registrationProvince(p, province, false));
        answer(res, await registerCamera(deps, caller, fields, correlation(req)), true);
      },
    }),
    cameraAction(
      '/keys',
      'Rotate the device key (the new key is in force from now)',
      z.strictObject({ publicKey: PublicKeySchema }),
      (caller, cameraId, b, o) => rotateDeviceKey(deps, caller, { cameraId, ...b }, o),
    ),
    cameraAction('/keys/:keyId/revoke', 'Revoke a device key', Reason, (caller, cameraId, b, o, keyId) =>
      revokeDeviceKey(deps, caller, { cameraId, keyId, ...b }, o),
    ),
    cameraAction(
      '/calibrations',
      'Record a calibration (metrology) certificate',
      z.strictObject({
        certificateId: IdentifierSchema,
        issuer: ShortTextSchema,
        validFrom: UtcTimestampSchema,
        validTo: UtcTimestampSchema,
      }),
      (caller, cameraId, b, o) => certifyCalibration(deps, caller, { cameraId, ...b }, o),
    ),
    cameraAction(
      '/suspend',
      'Suspend the camera (its detections are flagged)',
      Reason,
      (caller, cameraId, b, o) => suspendCamera(deps, caller, { cameraId, ...b }, o),
    ),
    cameraAction(
      '/reinstate',
      'Reinstate a suspended camera',
      z.strictObject({}),
      (caller, cameraId, _b, o) => reinstateCamera(deps, caller, { cameraId }, o),
    ),
    cameraAction('/decommission', 'Decommission the camera for good', Reason, (caller, cameraId, b, o) =>
      decommissionCamera(deps, caller, { cameraId, ...b }, o),
    ),

    route({
      method: 'post',
      path: '/v1/admin/officers',
      summary: 'Enrol an officer with a legal title, roles and an Ed25519 public key',
      tags: ['admin'],
      auth: ['admin'],
      body: z.strictObject({
        officerId: IdentifierSchema,
        province: ProvinceCodeSchema.optional(),
        title: OfficerTitleSchema,
        roles: z.array(z.enum(OFFICER_ROLES)).min(1).max(OFFICER_ROLES.length),
        publicKey: PublicKeySchema,
      }),
      responses: ok,
      handler: async ({ req, res, principal, body }) => {
        const p = requirePrincipal(principal);
        const { province, ...fields } = body;
        const caller = callerFor(p, registrationProvince(p, province, true));
        answer(res, await enrollOfficer(deps, caller, fields, correlation(req)), true);
      },
    }),
    officerAction(
      '/keys',
      "Rotate the officer's signing key",
      z.strictObject({ publicKey: PublicKeySchema }),
      (caller, officerId, b, o) => rotateOfficerKey(deps, caller, { officerId, ...b }, o),
    ),
    officerAction(
      '/keys/:keyId/revoke',
      "Revoke one of the officer's keys (signatures after the revocation are invalid)",
      Reason,
      (caller, officerId, b, o, keyId) => revokeOfficerKey(deps, caller, { officerId, keyId, ...b }, o),
    ),
    officerAction('/suspend', 'Suspend the officer', Reason, (caller, officerId, b, o) =>
      suspendOfficer(deps, caller, { officerId, ...b }, o),
    ),
    officerAction(
      '/reinstate',
      'Reinstate a suspended officer',
      z.strictObject({}),
      (caller, officerId, _b, o) => reinstateOfficer(deps, caller, { officerId }, o),
    ),

    route({
      method: 'post',
      path: '/v1/admin/models',
      summary: 'Register an AI model version (national; unusable as evidence until a human approves it)',
      tags: ['admin'],
      auth: ['admin'],
      body: z.strictObject({
        modelId: IdentifierSchema,
        name: ShortTextSchema,
        version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/),
        files: z.array(ModelFileSchema).min(1).max(32),
      }),
      responses: ok,
      handler: async ({ req, res, principal, body }) => {
        const p = requirePrincipal(principal);
        requireNational(p);
        answer(
          res,
          await registerModelVersion(deps, callerFor(p, NATIONAL_PROVINCE), body, correlation(req)),
          true,
        );
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/models/:modelId/approve',
      summary: 'Approve a model version (a national supervisor, acting as a human officer)',
      tags: ['admin'],
      auth: ['supervisor'],
      params: ModelParams,
      body: z.strictObject({ note: TextSchema.optional() }),
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        requireNational(p);
        if (!(await loadModelView(services.store, params.modelId)))
          throw new NotFoundError('No such model version', { modelId: params.modelId });
        answer(
          res,
          await approveModelVersion(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { modelId: params.modelId, ...body },
            correlation(req),
          ),
        );
      },
    }),
    route({
      method: 'post',
      path: '/v1/admin/models/:modelId/suspend',
      summary: 'Suspend a model version (its readings are no longer accepted)',
      tags: ['admin'],
      auth: ['admin', 'supervisor'],
      params: ModelParams,
      body: Reason,
      responses: ok,
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        requireNational(p);
        if (!(await loadModelView(services.store, params.modelId)))
          throw new NotFoundError('No such model version', { modelId: params.modelId });
        answer(
          res,
          await suspendModelVersion(
            deps,
            callerFor(p, NATIONAL_PROVINCE),
            { modelId: params.modelId, ...body },
            correlation(req),
          ),
        );
      },
    }),
  ];
}
