import { expect } from 'chai';
import { officerDecider } from '../../../src/domain/officer/decider.ts';
import {
  InvalidOfficerTitleError,
  OfficerAlreadyEnrolledError,
  OfficerAlreadySuspendedError,
  OfficerNotEnrolledError,
  OfficerNotSuspendedError,
} from '../../../src/domain/officer/errors.ts';
import { parseOfficerEvent, type OfficerEvent } from '../../../src/domain/officer/events.ts';
import type { OfficerCommand } from '../../../src/domain/officer/commands.ts';
import { officerActsIn, officerView } from '../../../src/domain/officer/view.ts';
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
  deviceActor,
  HANOI,
  HCMC,
  NATIONAL,
  officerActor,
  officerKey,
  officerKey2,
  serviceActor,
  systemActor,
} from './fixtures.ts';

const officerSpec = () => spec(officerDecider, { parse: parseOfficerEvent });
const T0 = '2026-01-10T08:00:00.000Z';
const T1 = '2026-03-01T08:00:00.000Z';
const admin = officerActor('admin-01');
const base = { actor: admin, province: HANOI, officerId: 'off-01-0001' };

const enrolled: OfficerEvent = {
  type: 'OfficerEnrolled',
  data: {
    officerId: 'off-01-0001',
    province: HANOI,
    title: 'provincial-police-director',
    roles: ['reviewer', 'decider'],
    publicKey: officerKey.publicKey,
    keyId: officerKey.keyId,
    enrolledAt: T0,
  },
};
const suspended: OfficerEvent = {
  type: 'OfficerSuspended',
  data: { officerId: 'off-01-0001', reason: 'under investigation', suspendedAt: T1 },
};
const enrol: OfficerCommand = {
  ...base,
  now: T0,
  type: 'EnrollOfficer',
  title: 'provincial-police-director',
  roles: ['decider', 'reviewer', 'decider'],
  publicKey: officerKey.publicKey,
};

describe('officer decider', () => {
  describe('EnrollOfficer', () => {
    it('enrols with title, roles (canonical order, no duplicates) and a first key', () => {
      const state = officerSpec().given([]).when(enrol).then([enrolled]);
      const view = officerView(state)!;
      expect(view.status).to.equal('active');
      expect(keyInForceAt(view.keys, officerKey.keyId, T1)?.publicKey).to.equal(officerKey.publicKey);
    });
    it('enrols national staff under "00", who act in every province', () => {
      const state = officerSpec()
        .given([])
        .when({ ...enrol, province: NATIONAL, title: 'c08-director' })
        .thenEvents((events) => expect(events[0]?.type).to.equal('OfficerEnrolled'));
      const view = officerView(state.state)!;
      expect(officerActsIn(view, HANOI)).to.equal(true);
      expect(officerActsIn(view, HCMC)).to.equal(true);
      expect(officerActsIn(officerView(officerSpec().given([enrolled]).state)!, HCMC)).to.equal(false);
    });
    it('refuses a second enrolment', () => {
      officerSpec().given([enrolled]).when(enrol).thenThrows(OfficerAlreadyEnrolledError);
    });
    it('refuses self-enrolment and enrolment by a device or service', () => {
      officerSpec()
        .given([])
        .when({ ...enrol, actor: officerActor('off-01-0001') })
        .thenThrows(ActorNotAllowedError);
      officerSpec()
        .given([])
        .when({ ...enrol, actor: deviceActor() })
        .thenThrows(ActorNotAllowedError);
      officerSpec()
        .given([])
        .when({ ...enrol, actor: serviceActor })
        .thenThrows(ActorNotAllowedError);
    });
    it('refuses a title outside the authority table, empty or unknown roles, a bad key, a bad province', () => {
      officerSpec()
        .given([])
        .when({ ...enrol, title: 'general' })
        .thenThrows(InvalidOfficerTitleError);
      officerSpec()
        .given([])
        .when({ ...enrol, title: 'toString' })
        .thenThrows(InvalidOfficerTitleError);
      officerSpec()
        .given([])
        .when({ ...enrol, roles: [] })
        .thenThrows(InvalidCommandError);
      officerSpec()
        .given([])
        .when({ ...enrol, roles: ['god' as never] })
        .thenThrows(InvalidCommandError);
      officerSpec()
        .given([])
        .when({ ...enrol, publicKey: officerKey.publicKey.slice(1) })
        .thenThrows(InvalidPublicKeyError);
      officerSpec()
        .given([])
        .when({ ...enrol, province: '1' })
        .thenThrows(InvalidCommandError);
    });
  });

  describe('keys', () => {
    const rotate: OfficerCommand = {
      ...base,
      actor: officerActor('off-01-0001'),
      now: T1,
      type: 'RotateOfficerKey',
      publicKey: officerKey2.publicKey,
    };
    const rotated: OfficerEvent = {
      type: 'OfficerKeyRotated',
      data: {
        officerId: 'off-01-0001',
        publicKey: officerKey2.publicKey,
        keyId: officerKey2.keyId,
        previousKeyId: officerKey.keyId,
        rotatedAt: T1,
      },
    };
    const revoke: OfficerCommand = {
      ...base,
      now: T1,
      type: 'RevokeOfficerKey',
      keyId: officerKey.keyId,
      reason: 'phone lost',
    };
    const revoked: OfficerEvent = {
      type: 'OfficerKeyRevoked',
      data: { officerId: 'off-01-0001', keyId: officerKey.keyId, reason: 'phone lost', revokedAt: T1 },
    };
    it('lets an officer rotate their own key', () => {
      const state = officerSpec().given([enrolled]).when(rotate).then([rotated]);
      const keys = officerView(state)!.keys;
      expect(keyInForceAt(keys, officerKey.keyId, '2026-02-01T00:00:00Z')).to.not.equal(undefined);
      expect(keyInForceAt(keys, officerKey.keyId, '2026-04-01T00:00:00Z')).to.equal(undefined);
    });
    it('refuses a key already registered', () => {
      officerSpec()
        .given([enrolled, rotated])
        .when({ ...rotate, publicKey: officerKey.publicKey })
        .thenThrows(KeyAlreadyRegisteredError);
    });
    it('revokes a key for good', () => {
      const state = officerSpec().given([enrolled]).when(revoke).then([revoked]);
      expect(keyInForceAt(officerView(state)!.keys, officerKey.keyId, '2026-02-01T00:00:00Z')).to.equal(
        undefined,
      );
      officerSpec().given([enrolled, revoked]).when(revoke).thenThrows(KeyAlreadyRevokedError);
      officerSpec()
        .given([enrolled])
        .when({ ...revoke, keyId: 'ffffffffffffffff' })
        .thenThrows(UnknownKeyError);
    });
    it('refuses key commands for an officer never enrolled, or in another province', () => {
      officerSpec().given([]).when(rotate).thenThrows(OfficerNotEnrolledError);
      officerSpec()
        .given([enrolled])
        .when({ ...rotate, province: HCMC })
        .thenThrows(ProvinceMismatchError);
    });
  });

  describe('status', () => {
    const suspend: OfficerCommand = {
      ...base,
      now: T1,
      type: 'SuspendOfficer',
      reason: 'under investigation',
    };
    const reinstate: OfficerCommand = { ...base, actor: systemActor, now: T1, type: 'ReinstateOfficer' };
    it('suspends and reinstates', () => {
      expect(officerSpec().given([enrolled]).when(suspend).then([suspended]).status).to.equal('suspended');
      expect(
        officerSpec()
          .given([enrolled, suspended])
          .when(reinstate)
          .then([{ type: 'OfficerReinstated', data: { officerId: 'off-01-0001', reinstatedAt: T1 } }]).status,
      ).to.equal('active');
    });
    it('refuses suspending twice and reinstating an active officer', () => {
      officerSpec().given([enrolled, suspended]).when(suspend).thenThrows(OfficerAlreadySuspendedError);
      officerSpec().given([enrolled]).when(reinstate).thenThrows(OfficerNotSuspendedError);
    });
    it('refuses an officer reinstating themself', () => {
      officerSpec()
        .given([enrolled, suspended])
        .when({ ...reinstate, actor: officerActor('off-01-0001') })
        .thenThrows(ActorNotAllowedError);
    });
  });
});
