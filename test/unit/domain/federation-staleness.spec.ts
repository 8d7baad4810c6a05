import { expect } from 'chai';
import { judgeStaleness, type LogFreshness } from '../../../src/domain/federation/staleness.ts';
import { federationExitCode, formatFederationStatus, type FederationStatus } from '../../../src/cli/commands/federation.ts';

const T0 = '2026-12-01T08:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
const log: LogFreshness = {
  origin: 'vn-traffic/province-79',
  province: '79',
  retired: false,
  registeredAt: '2026-11-30T08:00:00.000Z',
  cosignedAt: T0,
  mirrorSecondsBehind: 0,
  witnessedSize: 40,
  // The province has published a newer checkpoint than the one cosigned (and was read just now).
  provinceSize: 42,
  provinceSeenAt: T0,
};
/** Read by the mirror at `seconds` after T0. */
const seenAt = (seconds: number) => ({ provinceSeenAt: at(seconds) });

describe('domain: staleness of a provincial log (national)', () => {
  it('is fresh up to the threshold and stale past it, by the newest cosignature', () => {
    expect(judgeStaleness({ ...log, ...seenAt(300) }, at(300), 300)).to.include({ stale: false, checkpointAgeSeconds: 300 });
    const late = judgeStaleness({ ...log, ...seenAt(301) }, at(301), 300);
    expect(late).to.include({ stale: true, checkpointAgeSeconds: 301 });
    expect(late.reasons).to.deep.equal(['checkpoint-old']);
  });

  it('is stale when the mirror is behind by more than the threshold, whatever the cosignature', () => {
    const behind = judgeStaleness({ ...log, mirrorSecondsBehind: 301 }, at(10), 300);
    expect(behind.reasons).to.deep.equal(['mirror-behind']);
    expect(judgeStaleness({ ...log, ...seenAt(400), mirrorSecondsBehind: 301 }, at(400), 300).reasons).to.deep.equal(['checkpoint-old', 'mirror-behind']);
  });

  it('a quiet province (its newest checkpoint is the cosigned one) is not stale however old the cosignature, while the mirror reads it', () => {
    const quiet = { ...log, provinceSize: 40, ...seenAt(10_000) };
    expect(judgeStaleness(quiet, at(10_000), 300)).to.include({ stale: false });
    // Not read for longer than the threshold: unreachable.
    expect(judgeStaleness({ ...quiet, ...seenAt(9_000) }, at(10_000), 300).reasons).to.deep.equal(['province-unreachable']);
  });

  it('a log never cosigned is judged from its registration; a retired log is never stale', () => {
    const never = { ...log, cosignedAt: undefined, registeredAt: T0, mirrorSecondsBehind: undefined, witnessedSize: undefined, provinceSize: undefined, provinceSeenAt: undefined };
    expect(judgeStaleness(never, at(60), 300).stale).to.equal(false);
    expect(judgeStaleness(never, at(301), 300).reasons).to.deep.equal(['checkpoint-old']);
    expect(judgeStaleness({ ...log, retired: true, mirrorSecondsBehind: 10_000 }, at(10_000), 300)).to.include({ stale: false });
  });

  it('tec federation status exits 1 on a stale province and names it; 0 once it caught up', () => {
    const status: FederationStatus = {
      witness: 'w',
      logs: [],
      alarms: [],
      staleness: { thresholdSeconds: 300, logs: [{ ...judgeStaleness({ ...log, ...seenAt(301) }, at(301), 300), province: '79' }] },
    };
    expect(federationExitCode(status)).to.equal(1);
    expect(formatFederationStatus(status).join('\n')).to.match(/^STALE 79 vn-traffic\/province-79 \(checkpoint-old\): newest cosigned checkpoint 301 s old/m);
    const fresh = { ...status, staleness: { thresholdSeconds: 300, logs: [{ ...judgeStaleness(log, at(1), 300), province: '79' }] } };
    expect(federationExitCode(fresh)).to.equal(0);
    expect(formatFederationStatus(fresh).join('\n')).to.not.include('STALE');
  });
});

describe('domain: staleness reason credentials-refused (the province answers the mirror token with 401)', () => {
  it('given a refusal, is stale at once with the precise reason, whatever the threshold; fresh once the token is accepted', () => {
    const refused = judgeStaleness({ ...log, provinceSize: 40, ...seenAt(1), credentialsRefusedSince: at(0) }, at(1), 300);
    expect(refused).to.include({ stale: true });
    expect(refused.reasons).to.deep.equal(['credentials-refused']);
    expect(judgeStaleness({ ...log, provinceSize: 40, ...seenAt(1), credentialsRefusedSince: undefined }, at(1), 300)).to.include({ stale: false });
  });

  it('a retired log is never stale, refused or not', () => {
    expect(judgeStaleness({ ...log, retired: true, credentialsRefusedSince: at(0) }, at(1), 300)).to.include({ stale: false });
  });

  it('tec federation status prints an expired, expiring or refused mirror token; exits 1 when expired or unreadable, 0 when only expiring', () => {
    const base: FederationStatus = { witness: 'w', logs: [], alarms: [] };
    const credential = { credential: 'mirror', source: 'file', expiresAt: at(600), refusedBy: [] };
    const expiring: FederationStatus = { ...base, credentials: [{ ...credential, state: 'expiring', secondsLeft: 120 }] };
    expect(formatFederationStatus(expiring)).to.include(`CREDENTIALS mirror token (file): expiring at ${at(600)}`);
    expect(federationExitCode(expiring)).to.equal(0);
    const expired: FederationStatus = {
      ...base,
      credentials: [{ ...credential, state: 'expired', refusedBy: [{ baseUrl: 'https://p01.example', since: at(601) }] }],
    };
    expect(formatFederationStatus(expired)).to.include.members([
      `CREDENTIALS mirror token (file): expired at ${at(600)}`,
      `CREDENTIALS mirror token refused (401) by https://p01.example since ${at(601)}`,
    ]);
    expect(federationExitCode(expired)).to.equal(1);
    expect(federationExitCode({ ...base, credentials: [{ ...credential, state: 'unreadable', readError: 'no such file' }] })).to.equal(1);
    expect(federationExitCode({ ...base, credentials: [{ ...credential, state: 'valid' }] })).to.equal(0);
  });
});
