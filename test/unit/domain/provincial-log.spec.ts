import { expect } from 'chai';
import { provincialLogDecider } from '../../../src/domain/federation/decider.ts';
import {
  InvalidLogVerifierKeyError,
  ProvinceHasActiveLogError,
  ProvincialLogAlreadyRegisteredError,
  ProvincialLogNotRegisteredError,
  ProvincialLogRetiredError,
} from '../../../src/domain/federation/errors.ts';
import { parseProvincialLogEvent, type ProvincialLogEvent } from '../../../src/domain/federation/events.ts';
import type { ProvincialLogCommand } from '../../../src/domain/federation/commands.ts';
import { activeLogOf } from '../../../src/domain/federation/state.ts';
import {
  publicKeyFromSeed,
  sha256,
  verifierKey,
  witnessVerifierKey,
} from '../../../src/domain/integrity/index.ts';
import { ActorNotAllowedError, InvalidCommandError, ProvinceMismatchError } from '../../../src/domain/signoff/errors.ts';
import { spec } from '../../support/given-when-then.ts';
import { HANOI, NATIONAL, deviceActor, officerActor } from './fixtures.ts';

const registrySpec = () => spec(provincialLogDecider, { parse: parseProvincialLogEvent });
const T0 = '2026-12-01T08:00:00.000Z';
const T1 = '2026-12-02T08:00:00.000Z';
const ORIGIN = 'vn-traffic/province-01';
const key1 = verifierKey(ORIGIN, publicKeyFromSeed(sha256('p01 key 1')));
const key2 = verifierKey(ORIGIN, publicKeyFromSeed(sha256('p01 key 2')));
const admin = officerActor('off-00-admin');
const base = { province: NATIONAL, actor: admin };
const register: ProvincialLogCommand = {
  ...base,
  now: T0,
  type: 'RegisterProvincialLog',
  logProvince: HANOI,
  origin: ORIGIN,
  verifierKey: key1,
  baseUrl: 'https://p01.tec.example.vn',
};
const registered: ProvincialLogEvent = {
  type: 'ProvincialLogRegistered',
  data: {
    province: HANOI,
    origin: ORIGIN,
    verifierKey: key1,
    baseUrl: 'https://p01.tec.example.vn',
    registeredAt: T0,
  },
};
const rotate: ProvincialLogCommand = {
  ...base,
  now: T1,
  type: 'RotateProvincialLogKey',
  origin: ORIGIN,
  verifierKey: key2,
};
const rotated: ProvincialLogEvent = {
  type: 'ProvincialLogKeyRotated',
  data: { province: HANOI, origin: ORIGIN, verifierKey: key2, rotatedAt: T1 },
};
const retire: ProvincialLogCommand = {
  ...base,
  now: T1,
  type: 'RetireProvincialLog',
  origin: ORIGIN,
  reason: 'key compromised',
};
const retired: ProvincialLogEvent = {
  type: 'ProvincialLogRetired',
  data: { province: HANOI, origin: ORIGIN, reason: 'key compromised', retiredAt: T1 },
};

const MOVED_URL = 'https://p01-new.tec.example.vn';
const move: ProvincialLogCommand = { ...base, now: T1, type: 'MoveProvincialLog', origin: ORIGIN, baseUrl: MOVED_URL };
const moved: ProvincialLogEvent = {
  type: 'ProvincialLogMoved',
  data: { province: HANOI, origin: ORIGIN, baseUrl: MOVED_URL, previousBaseUrl: 'https://p01.tec.example.vn', movedAt: T1 },
};

describe('domain: provincial log registry (national)', () => {
  it('given nothing, when a national admin registers a log, then ProvincialLogRegistered', () => {
    const state = registrySpec().given([]).when(register).then([registered]);
    expect(activeLogOf(state, HANOI)?.verifierKey).to.equal(key1);
  });

  it('given a registered log, when the same registration is repeated, then nothing', () => {
    registrySpec().given([registered]).when(register).thenNothing();
  });

  it('given a registered origin, when it is registered with another key, then already registered', () => {
    registrySpec()
      .given([registered])
      .when({ ...register, verifierKey: key2 })
      .thenThrows(ProvincialLogAlreadyRegisteredError);
  });

  it('given an active log, when the province gets a second origin, then refused', () => {
    const other = 'vn-traffic/province-01-b';
    registrySpec()
      .given([registered])
      .when({ ...register, origin: other, verifierKey: verifierKey(other, publicKeyFromSeed(sha256('b'))) })
      .thenThrows(ProvinceHasActiveLogError);
  });

  it('refuses a witness (0x04) key, a key named otherwise, and a key whose id does not match', () => {
    const witnessKey = witnessVerifierKey(ORIGIN, publicKeyFromSeed(sha256('w')));
    const foreign = verifierKey('vn-traffic/province-79', publicKeyFromSeed(sha256('w')));
    const badId = key1.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    for (const k of [witnessKey, foreign, badId])
      registrySpec()
        .given([])
        .when({ ...register, verifierKey: k })
        .thenThrows(InvalidLogVerifierKeyError);
  });

  it('only national staff change the registry (province "00", officer or system actor)', () => {
    registrySpec()
      .given([])
      .when({ ...register, province: HANOI })
      .thenThrows(ProvinceMismatchError);
    registrySpec()
      .given([])
      .when({ ...register, actor: deviceActor() })
      .thenThrows(ActorNotAllowedError);
  });

  it('given a registered log, when its key is rotated, then ProvincialLogKeyRotated and the history keeps both', () => {
    const state = registrySpec().given([registered]).when(rotate).then([rotated]);
    expect(state.logs[ORIGIN]?.keyHistory).to.deep.equal([key1, key2]);
    registrySpec().given([registered, rotated]).when(rotate).thenNothing();
  });

  it('given a retired log, when its key is rotated or it is retired again, then refused; the origin is never reused', () => {
    const state = registrySpec().given([registered]).when(retire).then([retired]);
    expect(activeLogOf(state, HANOI)).to.equal(undefined);
    registrySpec().given([registered, retired]).when(rotate).thenThrows(ProvincialLogRetiredError);
    registrySpec().given([registered, retired]).when(retire).thenThrows(ProvincialLogRetiredError);
    registrySpec()
      .given([registered, retired])
      .when(register)
      .thenThrows(ProvincialLogAlreadyRegisteredError);
  });

  it('given nothing, when an unknown origin is rotated, then not registered', () => {
    registrySpec().given([]).when(rotate).thenThrows(ProvincialLogNotRegisteredError);
  });

  it('given a registered log, when it is moved, then ProvincialLogMoved names both URLs and the log is read at the new one', () => {
    const state = registrySpec().given([registered]).when(move).then([moved]);
    expect(state.logs[ORIGIN]?.baseUrl).to.equal(MOVED_URL);
    expect(state.logs[ORIGIN]?.verifierKey).to.equal(key1);
  });

  it('given a moved log, when the same move is repeated, then nothing; when moved back, then moved again', () => {
    registrySpec().given([registered, moved]).when(move).thenNothing();
    registrySpec()
      .given([registered, moved])
      .when({ ...move, baseUrl: 'https://p01.tec.example.vn' })
      .then([
        {
          type: 'ProvincialLogMoved',
          data: { province: HANOI, origin: ORIGIN, baseUrl: 'https://p01.tec.example.vn', previousBaseUrl: MOVED_URL, movedAt: T1 },
        },
      ]);
  });

  it('refuses a move to a URL with credentials, another scheme or no host, an unknown origin, a retired log, and provincial staff', () => {
    for (const baseUrl of ['https://user:pw@p01.example.vn', 'ftp://p01.example.vn', 'not a url', 'http://'])
      registrySpec()
        .given([registered])
        .when({ ...move, baseUrl })
        .thenThrows(InvalidCommandError);
    registrySpec().given([]).when(move).thenThrows(ProvincialLogNotRegisteredError);
    registrySpec().given([registered, retired]).when(move).thenThrows(ProvincialLogRetiredError);
    registrySpec()
      .given([registered])
      .when({ ...move, province: HANOI })
      .thenThrows(ProvinceMismatchError);
  });
});
