import { expect } from 'chai';
import {
  AUTHORITY_LIMITS_VND,
  AUTHORITY_VERSIONS,
  DECREE_168_AUTHORITY,
  DECREE_189_AUTHORITY,
  InvalidCatalogDateError,
  NoAuthorityInForceError,
  OFFICER_TITLES,
  ORGANISATION_MULTIPLIER,
  authorityCovers,
  authorityInForce,
  authorityLimitFor,
  fineRangeFor,
  isFineWithinRange,
  listViolations,
  lookupViolation,
  minimumAuthorityFor,
} from '../../../src/domain/catalog/index.ts';

const ON = '2025-06-01';

describe('sanctioning authority (Decree 168 Art. 43, 45.2)', () => {
  it('has the limits of the reference table, increasing with rank', () => {
    expect(AUTHORITY_LIMITS_VND).to.deep.equal({
      'officer-on-duty': 500_000,
      'team-leader': 1_500_000,
      'commune-police-chief': 2_500_000,
      'provincial-division-head': 15_000_000,
      'provincial-police-director': 37_500_000,
      'c08-director': 75_000_000,
    });
    const limits = OFFICER_TITLES.map((t) => AUTHORITY_LIMITS_VND[t]);
    expect([...limits].sort((a, b) => a - b)).to.deep.equal(limits);
  });

  it('a car red light (max 20M) needs at least the provincial police director', () => {
    const redLight = lookupViolation('168.6.9.b', 'car', ON);
    expect(authorityCovers('provincial-division-head', redLight, 'individual')).to.equal(false);
    expect(authorityCovers('provincial-police-director', redLight, 'individual')).to.equal(true);
    expect(authorityCovers('c08-director', redLight, 'individual')).to.equal(true);
    expect(minimumAuthorityFor(redLight, 'individual')).to.equal('provincial-police-director');
  });

  it('a motorbike red light (max 6M) needs at least the provincial division head', () => {
    const redLight = lookupViolation('168.7.7.c', 'motorbike', ON);
    expect(authorityCovers('commune-police-chief', redLight, 'individual')).to.equal(false);
    expect(authorityCovers('provincial-division-head', redLight, 'individual')).to.equal(true);
    expect(minimumAuthorityFor(redLight, 'individual')).to.equal('provincial-division-head');
  });

  it('judges the top of the range, not the amount imposed', () => {
    // 168.6.3.a is 0.8–1M: a team leader (1.5M) may decide it, an officer on duty (0.5M) may not, even for 0.8M.
    const speeding = lookupViolation('168.6.3.a', 'car', ON);
    expect(authorityCovers('officer-on-duty', speeding, 'individual')).to.equal(false);
    expect(authorityCovers('team-leader', speeding, 'individual')).to.equal(true);
    // The motorbike solid-line offence (max 0.4M) is within an officer on duty's limit.
    expect(
      authorityCovers('officer-on-duty', lookupViolation('168.7.1.a', 'motorbike', ON), 'individual'),
    ).to.equal(true);
  });

  it('doubles both the fine and the authority for organisations', () => {
    expect(ORGANISATION_MULTIPLIER).to.equal(2);
    const redLight = lookupViolation('168.6.9.b', 'car', ON);
    expect(fineRangeFor(redLight, 'individual')).to.deep.equal({ minVnd: 18_000_000, maxVnd: 20_000_000 });
    expect(fineRangeFor(redLight, 'organisation')).to.deep.equal({ minVnd: 36_000_000, maxVnd: 40_000_000 });
    // 40M organisation fine vs. the director's doubled 75M limit: covered; the division head's 30M: not.
    expect(authorityCovers('provincial-police-director', redLight, 'organisation')).to.equal(true);
    expect(authorityCovers('provincial-division-head', redLight, 'organisation')).to.equal(false);
    // Art. 34.5.a is 40–50M: 100M for an organisation needs the C08 director (doubled to 150M).
    const axle = lookupViolation('168.34.5.a', 'truck', ON);
    expect(authorityCovers('provincial-police-director', axle, 'organisation')).to.equal(false);
    expect(minimumAuthorityFor(axle, 'organisation')).to.equal('c08-director');
    expect(minimumAuthorityFor(axle, 'individual')).to.equal('c08-director');
  });

  it('someone can decide every entry in the catalog', () => {
    for (const entry of listViolations(ON)) {
      expect(minimumAuthorityFor(entry, 'individual'), entry.code).to.not.equal(undefined);
      expect(minimumAuthorityFor(entry, 'organisation'), entry.code).to.not.equal(undefined);
    }
  });

  it('checks an imposed amount against the range', () => {
    const redLight = lookupViolation('168.6.9.b', 'car', ON);
    expect(isFineWithinRange(redLight, 'individual', 18_000_000)).to.equal(true);
    expect(isFineWithinRange(redLight, 'individual', 20_000_000)).to.equal(true);
    expect(isFineWithinRange(redLight, 'individual', 17_999_999)).to.equal(false);
    expect(isFineWithinRange(redLight, 'individual', 20_000_001)).to.equal(false);
    expect(isFineWithinRange(redLight, 'individual', 36_000_000)).to.equal(false);
    expect(isFineWithinRange(redLight, 'organisation', 36_000_000)).to.equal(true);
    expect(isFineWithinRange(redLight, 'individual', 19_000_000.5)).to.equal(false);
    expect(isFineWithinRange(redLight, 'individual', Number.NaN)).to.equal(false);
    expect(isFineWithinRange(redLight, 'individual', Number.MAX_SAFE_INTEGER + 2)).to.equal(false);
  });
});

describe('the authority table by effective date (authorityInForce)', () => {
  it('has two versions, oldest first: Decree 168 Art. 43 from 2025-01-01, Decree 189/2025 from 2025-07-01', () => {
    expect(AUTHORITY_VERSIONS.map((v) => v.effectiveFrom)).to.deep.equal(['2025-01-01', '2025-07-01']);
    expect(Object.isFrozen(AUTHORITY_VERSIONS[1]!.rows)).to.equal(true);
  });

  it('switches on the Viet Nam calendar day, at the day before and the day of 2025-07-01', () => {
    expect(authorityInForce('2025-06-30').id).to.equal(DECREE_168_AUTHORITY.id);
    expect(authorityInForce('2025-07-01').id).to.equal(DECREE_189_AUTHORITY.id);
    expect(authorityInForce('2025-06-30T16:59:59.999Z').id).to.equal(DECREE_168_AUTHORITY.id);
    expect(authorityInForce('2025-06-30T17:00:00Z').id).to.equal(DECREE_189_AUTHORITY.id);
    expect(authorityInForce('2026-12-06').id).to.equal(DECREE_189_AUTHORITY.id);
  });

  it('refuses a date before any table, and a malformed date', () => {
    expect(() => authorityInForce('2024-12-31')).to.throw(NoAuthorityInForceError);
    expect(() => authorityInForce('30/06/2025')).to.throw(InvalidCatalogDateError);
  });

  it('Decree 189/2025 Art. 8: officer on duty 10% and commune police chief 50% of 75M', () => {
    expect(authorityLimitFor('officer-on-duty', 'individual', '2025-07-01')).to.equal(7_500_000);
    expect(authorityLimitFor('commune-police-chief', 'individual', '2025-07-01')).to.equal(37_500_000);
    expect(authorityLimitFor('officer-on-duty', 'individual', '2025-06-30')).to.equal(500_000);
    expect(authorityLimitFor('commune-police-chief', 'individual', '2025-06-30')).to.equal(2_500_000);
  });

  it('doubles every limit for an organisation in both versions (Decree 168 Art. 45.2)', () => {
    for (const on of ['2025-06-30', '2025-07-01'])
      for (const t of OFFICER_TITLES)
        expect(authorityLimitFor(t, 'organisation', on)).to.equal(2 * authorityLimitFor(t, 'individual', on));
  });

  it('never lowers a limit from one version to the next (unverified rows keep their earlier figure)', () => {
    for (const t of OFFICER_TITLES) {
      expect(DECREE_189_AUTHORITY.rows[t].limitVnd).to.be.at.least(DECREE_168_AUTHORITY.rows[t].limitVnd);
      const row = DECREE_189_AUTHORITY.rows[t];
      if (!row.verified) expect(row.limitVnd).to.equal(DECREE_168_AUTHORITY.rows[t].limitVnd);
      expect(row.basis).to.match(/Decree (168|189)/);
    }
  });

  it('a car red light: the commune police chief may decide from 2025-07-01, not before', () => {
    const redLight = lookupViolation('168.6.9.b', 'car', '2025-07-01');
    expect(authorityCovers('commune-police-chief', redLight, 'individual', '2025-06-30')).to.equal(false);
    expect(authorityCovers('commune-police-chief', redLight, 'individual', '2025-07-01')).to.equal(true);
    expect(minimumAuthorityFor(redLight, 'individual', '2025-06-30')).to.equal('provincial-police-director');
    expect(minimumAuthorityFor(redLight, 'individual', '2025-07-01')).to.equal('commune-police-chief');
  });

  it('a motorbike red light (max 6M): an officer on duty from 2025-07-01 (7.5M)', () => {
    const redLight = lookupViolation('168.7.7.c', 'motorbike', '2025-07-01');
    expect(minimumAuthorityFor(redLight, 'individual', '2025-07-01')).to.equal('officer-on-duty');
    expect(minimumAuthorityFor(redLight, 'organisation', '2025-07-01')).to.equal('officer-on-duty');
  });
});
