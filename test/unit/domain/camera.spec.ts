import { expect } from 'chai';
import { cameraDecider } from '../../../src/domain/camera/decider.ts';
import {
  CalibrationAlreadyCertifiedError,
  CameraAlreadyRegisteredError,
  CameraDecommissionedError,
  CameraNotActiveError,
  CameraNotRegisteredError,
  CameraNotSuspendedError,
  InvalidCalibrationPeriodError,
  CommuneOutsideProvinceError,
  RouteOutsideProvinceError,
  UnknownCommuneError,
  UnknownExpresswayRouteError,
} from '../../../src/domain/camera/errors.ts';
import { parseCameraEvent, type CameraEvent } from '../../../src/domain/camera/events.ts';
import type { CameraCommand } from '../../../src/domain/camera/commands.ts';
import { calibrationValidAt, cameraView } from '../../../src/domain/camera/view.ts';
import {
  ActorNotAllowedError,
  InvalidCommandError,
  InvalidPublicKeyError,
  KeyAlreadyRegisteredError,
  KeyAlreadyRevokedError,
  ProvinceMismatchError,
  UnknownKeyError,
} from '../../../src/domain/signoff/errors.ts';
import { keyInForceAt } from '../../../src/domain/signoff/keys-in-force.ts';
import { spec } from '../../support/given-when-then.ts';
import {
  cameraKey,
  cameraKey2,
  deviceActor,
  HANOI,
  HCMC,
  location,
  officerActor,
  serviceActor,
  systemActor,
} from './fixtures.ts';

const cameraSpec = () => spec(cameraDecider, { parse: parseCameraEvent });
const T0 = '2026-01-10T08:00:00.000Z';
const T1 = '2026-03-01T08:00:00.000Z';
const T2 = '2026-06-01T08:00:00.000Z';
const base = { actor: officerActor('admin-01'), province: HANOI };

const registered: CameraEvent = {
  type: 'CameraRegistered',
  data: {
    cameraId: 'cam-01-0001',
    province: HANOI,
    location,
    publicKey: cameraKey.publicKey,
    keyId: cameraKey.keyId,
    registeredAt: T0,
  },
};
const certified: CameraEvent = {
  type: 'CalibrationCertified',
  data: {
    cameraId: 'cam-01-0001',
    certificateId: 'VMI-2026-0042',
    issuer: 'Vietnam Metrology Institute',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    certifiedAt: T0,
  },
};
const rotated: CameraEvent = {
  type: 'DeviceKeyRotated',
  data: {
    cameraId: 'cam-01-0001',
    publicKey: cameraKey2.publicKey,
    keyId: cameraKey2.keyId,
    previousKeyId: cameraKey.keyId,
    rotatedAt: T1,
  },
};
const suspended: CameraEvent = {
  type: 'CameraSuspended',
  data: { cameraId: 'cam-01-0001', reason: 'lens damaged', suspendedAt: T1 },
};
const decommissioned: CameraEvent = {
  type: 'CameraDecommissioned',
  data: { cameraId: 'cam-01-0001', reason: 'replaced', decommissionedAt: T1 },
};

const register: CameraCommand = {
  ...base,
  now: T0,
  type: 'RegisterCamera',
  cameraId: 'cam-01-0001',
  location,
  publicKey: cameraKey.publicKey,
};

describe('camera decider', () => {
  describe('RegisterCamera', () => {
    it('registers a camera with its first key, computing the key id', () => {
      cameraSpec().given([]).when(register).then([registered]);
    });
    it('refuses a second registration', () => {
      cameraSpec().given([registered]).when(register).thenThrows(CameraAlreadyRegisteredError);
    });
    it('refuses registration by a device or a service', () => {
      cameraSpec()
        .given([])
        .when({ ...register, actor: deviceActor() })
        .thenThrows(ActorNotAllowedError);
      cameraSpec()
        .given([])
        .when({ ...register, actor: serviceActor })
        .thenThrows(ActorNotAllowedError);
    });
    it('accepts the system as registrar', () => {
      cameraSpec()
        .given([])
        .when({ ...register, actor: systemActor })
        .then([registered]);
    });
    it('refuses a public key that is not 32 bytes of base64', () => {
      cameraSpec()
        .given([])
        .when({ ...register, publicKey: 'AAAA' })
        .thenThrows(InvalidPublicKeyError);
    });
    it('refuses an unknown province, the national code and a malformed location', () => {
      cameraSpec()
        .given([])
        .when({ ...register, province: '99' })
        .thenThrows(InvalidCommandError);
      cameraSpec()
        .given([])
        .when({ ...register, province: '00' })
        .thenThrows(InvalidCommandError);
      cameraSpec()
        .given([])
        .when({ ...register, location: { ...location, latMicro: 21.5 } })
        .thenThrows(InvalidCommandError);
    });
    it('refuses a timestamp that is not RFC 3339 UTC', () => {
      cameraSpec()
        .given([])
        .when({ ...register, now: '2026-01-10 08:00' })
        .thenThrows(InvalidCommandError);
      cameraSpec()
        .given([])
        .when({ ...register, now: '2026-02-30T08:00:00Z' })
        .thenThrows(InvalidCommandError);
    });
  });

  describe('RegisterCamera with reference codes (commune, expressway route)', () => {
    const onExpressway = {
      ...location,
      roadType: 'expressway' as const,
      description: 'Cao tốc Pháp Vân – Cầu Giẽ, Km 195',
    };
    const withCodes = { ...register, location: onExpressway, communeCode: '00004', routeCode: 'CT.01' };
    it('records the commune code and route code when both check out against the reference data', () => {
      const state = cameraSpec()
        .given([])
        .when(withCodes)
        .then([
          {
            type: 'CameraRegistered',
            data: { ...registered.data, location: onExpressway, communeCode: '00004', routeCode: 'CT.01' },
          } as CameraEvent,
        ]);
      expect(state).to.deep.include({ communeCode: '00004', routeCode: 'CT.01' });
    });
    it('keeps a registration without codes (and older records without them) valid', () => {
      const state = cameraSpec()
        .given([registered])
        .when({ ...register, type: 'SuspendCamera', reason: 'x' } as CameraCommand)
        .then([{ type: 'CameraSuspended', data: { cameraId: 'cam-01-0001', reason: 'x', suspendedAt: T0 } }]);
      expect(state).not.to.have.property('communeCode');
    });
    it('refuses a commune code that is not in the list, or that lies in another province', () => {
      cameraSpec()
        .given([])
        .when({ ...register, communeCode: '99999' })
        .thenThrows(UnknownCommuneError);
      // 26743 = Phường Bến Thành, TP. Hồ Chí Minh
      cameraSpec()
        .given([])
        .when({ ...register, communeCode: '26743' })
        .thenThrows(CommuneOutsideProvinceError);
      cameraSpec()
        .given([])
        .when({ ...register, communeCode: '4' })
        .thenThrows(InvalidCommandError);
    });
    it('refuses an unknown route, a route not through the province, and a route on a camera off the expressway', () => {
      cameraSpec()
        .given([])
        .when({ ...withCodes, routeCode: 'CT.99' })
        .thenThrows(UnknownExpresswayRouteError);
      // CT.06 Hải Phòng – Hạ Long – Vân Đồn – Móng Cái does not reach Hà Nội
      cameraSpec()
        .given([])
        .when({ ...withCodes, routeCode: 'CT.06' })
        .thenThrows(RouteOutsideProvinceError);
      cameraSpec()
        .given([])
        .when({ ...withCodes, location })
        .thenThrows(RouteOutsideProvinceError);
      cameraSpec()
        .given([])
        .when({ ...withCodes, routeCode: 'ct01' })
        .thenThrows(InvalidCommandError);
    });
    it('accepts a local L.… code for a route the sources give no master-plan code (Đại lộ Thăng Long)', () => {
      cameraSpec()
        .given([])
        .when({ ...withCodes, routeCode: 'L.THANG-LONG' })
        .then([
          {
            type: 'CameraRegistered',
            data: {
              ...registered.data,
              location: onExpressway,
              communeCode: '00004',
              routeCode: 'L.THANG-LONG',
            },
          } as CameraEvent,
        ]);
    });
  });

  describe('CertifyCalibration', () => {
    const certify: CameraCommand = {
      ...base,
      now: T0,
      type: 'CertifyCalibration',
      cameraId: 'cam-01-0001',
      certificateId: 'VMI-2026-0042',
      issuer: 'Vietnam Metrology Institute',
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
    };
    it('records a certificate, which the view reports valid inside its period only', () => {
      const state = cameraSpec().given([registered]).when(certify).then([certified]);
      const view = cameraView(state)!;
      expect(calibrationValidAt(view, '2026-06-01T00:00:00Z')?.certificateId).to.equal('VMI-2026-0042');
      expect(calibrationValidAt(view, '2027-01-01T00:00:00Z')).to.equal(undefined);
      expect(calibrationValidAt(view, '2025-12-31T23:59:59Z')).to.equal(undefined);
    });
    it('refuses a reversed or empty validity period', () => {
      cameraSpec()
        .given([registered])
        .when({ ...certify, validTo: certify.validFrom })
        .thenThrows(InvalidCalibrationPeriodError);
    });
    it('refuses the same certificate twice', () => {
      cameraSpec().given([registered, certified]).when(certify).thenThrows(CalibrationAlreadyCertifiedError);
    });
    it('refuses an unregistered camera', () => {
      cameraSpec().given([]).when(certify).thenThrows(CameraNotRegisteredError);
    });
    it('refuses a command naming another province', () => {
      cameraSpec()
        .given([registered])
        .when({ ...certify, province: HCMC })
        .thenThrows(ProvinceMismatchError);
    });
  });

  describe('keys', () => {
    const rotate: CameraCommand = {
      ...base,
      now: T1,
      type: 'RotateDeviceKey',
      cameraId: 'cam-01-0001',
      publicKey: cameraKey2.publicKey,
    };
    const revoke: CameraCommand = {
      ...base,
      now: T2,
      type: 'RevokeDeviceKey',
      cameraId: 'cam-01-0001',
      keyId: cameraKey.keyId,
      reason: 'leaked',
    };

    it('rotates: the old key stays in force for times before the rotation only', () => {
      const state = cameraSpec().given([registered]).when(rotate).then([rotated]);
      const keys = cameraView(state)!.keys;
      expect(keyInForceAt(keys, cameraKey.keyId, '2026-02-01T00:00:00Z')).to.not.equal(undefined);
      expect(keyInForceAt(keys, cameraKey.keyId, '2026-04-01T00:00:00Z')).to.equal(undefined);
      expect(keyInForceAt(keys, cameraKey2.keyId, '2026-04-01T00:00:00Z')).to.not.equal(undefined);
      expect(keyInForceAt(keys, cameraKey2.keyId, '2026-02-01T00:00:00Z')).to.equal(undefined);
    });
    it('refuses rotating to a key already registered', () => {
      cameraSpec()
        .given([registered])
        .when({ ...rotate, publicKey: cameraKey.publicKey })
        .thenThrows(KeyAlreadyRegisteredError);
    });
    it('revokes a key, which is then in force at no time at all', () => {
      const revokedEvent: CameraEvent = {
        type: 'DeviceKeyRevoked',
        data: { cameraId: 'cam-01-0001', keyId: cameraKey.keyId, reason: 'leaked', revokedAt: T2 },
      };
      const state = cameraSpec().given([registered, rotated]).when(revoke).then([revokedEvent]);
      expect(keyInForceAt(cameraView(state)!.keys, cameraKey.keyId, '2026-02-01T00:00:00Z')).to.equal(
        undefined,
      );
      cameraSpec().given([registered, rotated, revokedEvent]).when(revoke).thenThrows(KeyAlreadyRevokedError);
    });
    it('refuses revoking a key the camera never had', () => {
      cameraSpec()
        .given([registered])
        .when({ ...revoke, keyId: '0123456789abcdef' })
        .thenThrows(UnknownKeyError);
    });
    it('still revokes after decommissioning, but no longer rotates', () => {
      cameraSpec()
        .given([registered, decommissioned])
        .when(revoke)
        .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['DeviceKeyRevoked']));
      cameraSpec().given([registered, decommissioned]).when(rotate).thenThrows(CameraDecommissionedError);
    });
  });

  describe('status', () => {
    const suspend: CameraCommand = {
      ...base,
      now: T1,
      type: 'SuspendCamera',
      cameraId: 'cam-01-0001',
      reason: 'lens damaged',
    };
    const reinstate: CameraCommand = { ...base, now: T2, type: 'ReinstateCamera', cameraId: 'cam-01-0001' };
    const decommission: CameraCommand = {
      ...base,
      now: T1,
      type: 'DecommissionCamera',
      cameraId: 'cam-01-0001',
      reason: 'replaced',
    };

    it('suspends an active camera and reinstates it', () => {
      const s = cameraSpec().given([registered]).when(suspend).then([suspended]);
      expect(s.status).to.equal('suspended');
      const r = cameraSpec()
        .given([registered, suspended])
        .when(reinstate)
        .then([{ type: 'CameraReinstated', data: { cameraId: 'cam-01-0001', reinstatedAt: T2 } }]);
      expect(r.status).to.equal('active');
    });
    it('refuses suspending a suspended camera and reinstating an active one', () => {
      cameraSpec().given([registered, suspended]).when(suspend).thenThrows(CameraNotActiveError);
      cameraSpec().given([registered]).when(reinstate).thenThrows(CameraNotSuspendedError);
    });
    it('decommissions once; nothing but key revocation follows', () => {
      const s = cameraSpec().given([registered]).when(decommission).then([decommissioned]);
      expect(cameraView(s)?.status).to.equal('decommissioned');
      cameraSpec()
        .given([registered, decommissioned])
        .when(decommission)
        .thenThrows(CameraDecommissionedError);
      cameraSpec().given([registered, decommissioned]).when(suspend).thenThrows(CameraDecommissionedError);
    });
    it('has no view before registration', () => {
      expect(cameraView(cameraDecider.initialState())).to.equal(undefined);
    });
  });
});
