import { expect } from 'chai';
import fc from 'fast-check';
import {
  CATALOG_VERSIONS,
  DECREE_168_VERSION_ID,
  InvalidCatalogDateError,
  UnknownViolationCodeError,
  ViolationNotApplicableError,
  amendCatalogVersion,
  catalogProblems,
  catalogVersionAt,
  listViolations,
  lookupViolation,
  vietnamDateOf,
  violationCodeForOverload,
  violationCodeForSpeed,
  type CatalogEntry,
  type CatalogVersion,
  type VehicleClass,
} from '../../../src/domain/catalog/index.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

const ON = '2025-06-01';

/** The reference table (shared/domain/enforcement-vn.md §1): code → [classes, min, max, points]. */
const REFERENCE: Record<string, [VehicleClass[], number, number, number]> = {
  '168.6.9.b': [['car', 'truck'], 18_000_000, 20_000_000, 4],
  '168.6.3.a': [['car', 'truck'], 800_000, 1_000_000, 0],
  '168.6.5.đ': [['car', 'truck'], 4_000_000, 6_000_000, 2],
  '168.6.6.a': [['car', 'truck'], 6_000_000, 8_000_000, 4],
  '168.6.7.a': [['car', 'truck'], 12_000_000, 14_000_000, 6],
  '168.6.5.b': [['car', 'truck'], 4_000_000, 6_000_000, 2],
  '168.6.9.d': [['car', 'truck'], 18_000_000, 20_000_000, 4],
  '168.6.11.đ': [['car', 'truck'], 30_000_000, 40_000_000, 10],
  '168.6.1.a': [['car', 'truck'], 400_000, 600_000, 0],
  '168.6.2.a': [['car', 'truck'], 600_000, 800_000, 0],
  '168.6.5.g': [['car', 'truck'], 4_000_000, 6_000_000, 2],
  '168.6.7.c': [['car', 'truck'], 12_000_000, 14_000_000, 6],
  '168.6.5.h': [['car', 'truck'], 4_000_000, 6_000_000, 4],
  '168.6.5.d': [['car', 'truck'], 4_000_000, 6_000_000, 2],
  '168.7.7.c': [['motorbike'], 4_000_000, 6_000_000, 4],
  '168.7.2.b': [['motorbike'], 400_000, 600_000, 0],
  '168.7.4.a': [['motorbike'], 800_000, 1_000_000, 0],
  '168.7.8.a': [['motorbike'], 6_000_000, 8_000_000, 4],
  '168.7.3.d': [['motorbike'], 600_000, 800_000, 0],
  '168.7.7.a': [['motorbike'], 4_000_000, 6_000_000, 2],
  '168.7.7.b': [['motorbike'], 4_000_000, 6_000_000, 6],
  '168.7.1.a': [['motorbike'], 200_000, 400_000, 0],
  '168.7.1.e': [['motorbike'], 200_000, 400_000, 0],
  '168.7.2.h': [['motorbike'], 400_000, 600_000, 0],
  '168.7.2.i': [['motorbike'], 400_000, 600_000, 0],
  '168.7.4.đ': [['motorbike'], 800_000, 1_000_000, 4],
  '168.21.2.a': [['truck'], 800_000, 1_000_000, 0],
  '168.21.5.a': [['truck'], 3_000_000, 5_000_000, 2],
  '168.21.6.a': [['truck'], 5_000_000, 7_000_000, 4],
  '168.21.7.a': [['truck'], 7_000_000, 8_000_000, 8],
  '168.21.8.a': [['truck'], 8_000_000, 12_000_000, 10],
  '168.34.2': [['truck'], 4_000_000, 6_000_000, 0],
  '168.34.4.a': [['truck'], 13_000_000, 15_000_000, 2],
  '168.34.5.a': [['truck'], 40_000_000, 50_000_000, 4],
  // Added with issue 13 (Decree 168 as issued; fines from the clause, points from 6.16 and 7.13).
  '168.6.3.k': [['car', 'truck'], 800_000, 1_000_000, 0],
  '168.6.3.l': [['car', 'truck'], 800_000, 1_000_000, 0],
  '168.6.2.đ': [['car', 'truck'], 600_000, 800_000, 0],
  '168.6.3.e': [['car', 'truck'], 800_000, 1_000_000, 0],
  '168.6.4.b': [['car', 'truck'], 2_000_000, 3_000_000, 2],
  '168.6.5.i': [['car', 'truck'], 4_000_000, 6_000_000, 2],
  '168.6.4.a': [['car', 'truck'], 2_000_000, 3_000_000, 2],
  '168.6.5.l': [['car', 'truck'], 4_000_000, 6_000_000, 0],
  '168.6.5.m': [['car', 'truck'], 4_000_000, 6_000_000, 0],
  '168.7.2.e': [['motorbike'], 400_000, 600_000, 0],
  '168.7.2.d': [['motorbike'], 400_000, 600_000, 0],
  '168.7.6.b': [['motorbike'], 2_000_000, 3_000_000, 2],
  '168.7.5.b': [['motorbike'], 1_000_000, 2_000_000, 2],
  '168.7.5.c': [['motorbike'], 1_000_000, 2_000_000, 2],
};

/** The 34 entries the catalog held before issue 13; they stay, unchanged. */
const ORIGINAL_34 = Object.keys(REFERENCE).slice(0, 34);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('legal catalog (Decree 168/2024)', () => {
  describe('data', () => {
    it('is internally consistent (codes match legal basis, sane integer ranges, points 0..12)', () => {
      expect(catalogProblems(CATALOG_VERSIONS)).to.deep.equal([]);
    });

    it('holds exactly the entries of the reference table, with its figures', () => {
      const entries = listViolations(ON);
      expect(entries.map((e) => e.code).sort()).to.deep.equal(Object.keys(REFERENCE).sort());
      for (const entry of entries) {
        const [classes, min, max, points] = REFERENCE[entry.code]!;
        expect(entry.vehicleClasses, entry.code).to.deep.equal(classes);
        expect([entry.fineMinVnd, entry.fineMaxVnd, entry.points], entry.code).to.deep.equal([
          min,
          max,
          points,
        ]);
        expect(entry.catalogVersion).to.equal(DECREE_168_VERSION_ID);
        expect(entry.effectiveFrom).to.equal('2025-01-01');
        expect(entry.legalBasis.decree).to.equal('168/2024/NĐ-CP');
      }
    });

    it('keeps the 34 original entries and adds the camera-detectable ones, car and motorbike separately', () => {
      expect(ORIGINAL_34).to.have.length(34);
      expect(ORIGINAL_34.at(-1)).to.equal('168.34.5.a');
      const codes = new Set(listViolations(ON).map((e) => e.code));
      for (const code of ORIGINAL_34) expect(codes.has(code), code).to.equal(true);
      expect(codes.size).to.equal(48);
      // Each behaviour the issue names, for each vehicle kind that can commit it.
      const car = (code: string) => lookupViolation(code, 'car', ON);
      const bike = (code: string) => lookupViolation(code, 'motorbike', ON);
      expect(car('168.6.3.k').title.en).to.match(/seat belt/);
      expect(car('168.6.3.e').title.en).to.match(/[Pp]arking/);
      expect(bike('168.7.2.e').title.en).to.match(/[Pp]arking/);
      expect(car('168.6.5.i').title.en).to.match(/restricted area/);
      expect(bike('168.7.6.b').title.en).to.match(/restricted area/);
      expect(car('168.6.4.a').title.en).to.match(/ETC/);
      expect(car('168.6.5.l').title.en).to.match(/pedestrians/);
      expect(bike('168.7.5.b').title.en).to.match(/pedestrians/);
      expect(() => lookupViolation('168.6.3.k', 'motorbike', ON)).to.throw(ViolationNotApplicableError);
      expect(() => lookupViolation('168.7.6.b', 'car', ON)).to.throw(ViolationNotApplicableError);
    });

    it('keeps "đ" as a point distinct from "d"', () => {
      const speeding = lookupViolation('168.6.5.đ', 'car', ON);
      const emergencyLane = lookupViolation('168.6.5.d', 'car', ON);
      expect(speeding.legalBasis).to.deep.equal({
        decree: '168/2024/NĐ-CP',
        article: 6,
        clause: 5,
        point: 'đ',
      });
      expect(emergencyLane.legalBasis.point).to.equal('d');
      expect(speeding.title.en).to.not.equal(emergencyLane.title.en);
    });

    it('cites a clause without a point as article.clause', () => {
      expect(lookupViolation('168.34.2', 'truck', ON).legalBasis).to.deep.equal({
        decree: '168/2024/NĐ-CP',
        article: 34,
        clause: 2,
        point: '',
      });
    });

    it('is frozen: history cannot be edited in place', () => {
      const entry = lookupViolation('168.6.9.b', 'car', ON);
      expect(Object.isFrozen(CATALOG_VERSIONS)).to.equal(true);
      expect(Object.isFrozen(entry)).to.equal(true);
      expect(() => {
        (entry as { fineMaxVnd: number }).fineMaxVnd = 1;
      }).to.throw(TypeError);
      expect(lookupViolation('168.6.9.b', 'car', ON).fineMaxVnd).to.equal(20_000_000);
    });
  });

  describe('lookups', () => {
    it('finds an entry by code, vehicle class and date', () => {
      const entry = lookupViolation('168.7.7.c', 'motorbike', '2025-01-01');
      expect(entry.title.en).to.equal('Running a red light');
      expect(entry.fineMaxVnd).to.equal(6_000_000);
    });

    it('treats trucks as cars for Art. 6', () => {
      expect(lookupViolation('168.6.9.b', 'truck', ON).code).to.equal('168.6.9.b');
    });

    it('refuses an unknown code with a validation error', () => {
      for (const code of ['168.6.9.z', '100.6.9.b', '', '168.6.9.B', '168.6.9.b ', 'x'.repeat(1000)]) {
        const error = thrown(() => lookupViolation(code, 'car', ON));
        expect(error, code).to.be.instanceOf(UnknownViolationCodeError);
        expect(error).to.be.instanceOf(ValidationError);
        expect((error as UnknownViolationCodeError).code).to.equal('unknown-violation-code');
        expect(JSON.stringify((error as UnknownViolationCodeError).details).length).to.be.below(100);
      }
    });

    it('refuses a code for the wrong vehicle class', () => {
      for (const [code, cls] of [
        ['168.6.9.b', 'motorbike'],
        ['168.7.7.c', 'car'],
        ['168.7.2.h', 'truck'],
        ['168.21.8.a', 'car'],
      ] as const) {
        const error = thrown(() => lookupViolation(code, cls, ON)) as ViolationNotApplicableError;
        expect(error, `${code} ${cls}`).to.be.instanceOf(ViolationNotApplicableError);
        expect(error.reason).to.equal('vehicle-class');
        expect(error.category).to.equal('unprocessable');
      }
    });

    it('refuses a date before the catalog was in force', () => {
      const error = thrown(() =>
        lookupViolation('168.6.9.b', 'car', '2024-12-31'),
      ) as ViolationNotApplicableError;
      expect(error).to.be.instanceOf(ViolationNotApplicableError);
      expect(error.reason).to.equal('no-catalog-in-force');
    });

    it('judges a timestamp by its Viet Nam calendar date', () => {
      // 17:30 UTC on 31 Dec 2024 is 00:30 on 1 Jan 2025 in Hà Nội: Decree 168 applies.
      expect(lookupViolation('168.6.9.b', 'car', '2024-12-31T17:30:00Z').code).to.equal('168.6.9.b');
      expect(() => lookupViolation('168.6.9.b', 'car', '2024-12-31T16:59:59.999Z')).to.throw(
        ViolationNotApplicableError,
      );
      expect(vietnamDateOf('2025-03-01T23:00:00+07:00')).to.equal('2025-03-01');
      expect(vietnamDateOf('2025-03-01T23:00:00Z')).to.equal('2025-03-02');
    });

    it('refuses malformed dates with a validation error', () => {
      for (const date of [
        '',
        '2025-02-30',
        '2025-13-01',
        '01/06/2025',
        '2025-06-01T10:00:00',
        'yesterday',
        '2025-06-01T25:00:00Z',
      ]) {
        expect(() => lookupViolation('168.6.9.b', 'car', date), date).to.throw(InvalidCatalogDateError);
      }
    });
  });

  describe('versions', () => {
    // A hypothetical amendment, to show that a later version is added as data without editing history.
    const base = CATALOG_VERSIONS[0]!;
    const redLight = base.entries.find((e) => e.code === '168.6.9.b')!;
    const { catalogVersion: _v, effectiveFrom: _f, ...redLightData } = redLight;
    const amended = amendCatalogVersion(base, {
      id: 'test-amendment@2026-08-15',
      source: 'hypothetical amendment for this test',
      effectiveFrom: '2026-08-15',
      replace: [{ ...redLightData, fineMinVnd: 20_000_000, fineMaxVnd: 22_000_000 }],
      add: [
        {
          ...redLightData,
          code: '168.6.9.e',
          legalBasis: { ...redLight.legalBasis, point: 'e' },
          title: { vi: 'Thử', en: 'Test' },
        },
      ],
      remove: ['168.6.1.a'],
    });
    const versions: readonly CatalogVersion[] = [...CATALOG_VERSIONS, amended];

    it('produces a consistent version and leaves the base untouched', () => {
      expect(catalogProblems(versions)).to.deep.equal([]);
      expect(redLight.fineMaxVnd).to.equal(20_000_000);
      expect(base.entries.map((e) => e.code)).to.include('168.6.1.a');
    });

    it('selects the version in force on the violation date', () => {
      expect(catalogVersionAt('2026-08-14', versions).id).to.equal(DECREE_168_VERSION_ID);
      expect(catalogVersionAt('2026-08-15', versions).id).to.equal('test-amendment@2026-08-15');
      expect(lookupViolation('168.6.9.b', 'car', '2026-08-14', versions).fineMaxVnd).to.equal(20_000_000);
      const after = lookupViolation('168.6.9.b', 'car', '2026-08-15', versions);
      expect(after.fineMaxVnd).to.equal(22_000_000);
      expect(after.catalogVersion).to.equal('test-amendment@2026-08-15');
      expect(after.effectiveFrom).to.equal('2026-08-15');
      expect(lookupViolation('168.6.5.h', 'car', '2026-09-01', versions).effectiveFrom).to.equal(
        '2025-01-01',
      );
    });

    it('refuses a repealed code after repeal and a new code before it exists', () => {
      expect(lookupViolation('168.6.1.a', 'car', '2026-08-14', versions).code).to.equal('168.6.1.a');
      const repealed = thrown(() =>
        lookupViolation('168.6.1.a', 'car', '2026-08-15', versions),
      ) as ViolationNotApplicableError;
      expect(repealed.reason).to.equal('not-in-force');
      const early = thrown(() =>
        lookupViolation('168.6.9.e', 'car', '2026-08-14', versions),
      ) as ViolationNotApplicableError;
      expect(early.reason).to.equal('not-in-force');
      expect(lookupViolation('168.6.9.e', 'car', '2026-08-15', versions).title.en).to.equal('Test');
    });

    it('refuses inconsistent amendments', () => {
      expect(() =>
        amendCatalogVersion(base, { id: 'x', source: 'x', effectiveFrom: '2024-01-01' }),
      ).to.throw();
      expect(() =>
        amendCatalogVersion(base, {
          id: 'x',
          source: 'x',
          effectiveFrom: '2027-01-01',
          remove: ['168.99.1.a'],
        }),
      ).to.throw();
      expect(() =>
        amendCatalogVersion(base, { id: 'x', source: 'x', effectiveFrom: '2027-01-01', add: [redLightData] }),
      ).to.throw();
    });

    it('catalogProblems catches bad data', () => {
      const bad: CatalogEntry = { ...redLight, code: '168.6.9.c', fineMinVnd: 30_000_000, points: 13 };
      const problems = catalogProblems([{ ...base, entries: [...base.entries, bad] }]);
      expect(problems.join('\n'))
        .to.match(/does not match legal basis/)
        .and.match(/fine range/)
        .and.match(/points/);
    });
  });

  describe('speed and overload bands', () => {
    const cases: Array<[VehicleClass, number, string | undefined]> = [
      ['car', 0, undefined],
      ['car', 4.9, undefined],
      ['car', 5, '168.6.3.a'],
      ['car', 9.99, '168.6.3.a'],
      ['car', 10, '168.6.5.đ'],
      ['car', 20, '168.6.5.đ'],
      ['car', 20.1, '168.6.6.a'],
      ['car', 35, '168.6.6.a'],
      ['car', 35.5, '168.6.7.a'],
      ['car', 120, '168.6.7.a'],
      ['truck', 12, '168.6.5.đ'],
      ['motorbike', 5, '168.7.2.b'],
      ['motorbike', 10, '168.7.4.a'],
      ['motorbike', 20, '168.7.4.a'],
      ['motorbike', 21, '168.7.8.a'],
      ['motorbike', 80, '168.7.8.a'],
      ['car', Number.NaN, undefined],
      ['car', Number.POSITIVE_INFINITY, undefined],
      ['car', -10, undefined],
    ];
    for (const [cls, over, code] of cases) {
      it(`${cls} ${over} km/h over → ${code ?? 'none'}`, () => {
        expect(violationCodeForSpeed(cls, over, ON)).to.equal(code);
        expect(violationCodeForSpeed(cls, over)).to.equal(code);
      });
    }

    it('bands are contiguous and disjoint: every speed from 5 km/h has exactly one code', () => {
      fc.assert(
        fc.property(
          fc.constantFrom<VehicleClass>('car', 'motorbike'),
          fc.double({ min: 5, max: 300, noNaN: true }),
          (cls, over) => {
            const matching = listViolations(ON).filter(
              (e) =>
                e.measurement?.kind === 'speed-over-limit' &&
                e.vehicleClasses.includes(cls) &&
                violationCodeForSpeed(cls, over, ON) === e.code,
            );
            expect(matching).to.have.length(1);
          },
        ),
      );
    });

    it('maps overload percentages to Art. 21 and Art. 34 bands', () => {
      expect(violationCodeForOverload('inspection-certificate', 10, ON)).to.equal(undefined);
      expect(violationCodeForOverload('inspection-certificate', 10.5, ON)).to.equal('168.21.2.a');
      expect(violationCodeForOverload('inspection-certificate', 30, ON)).to.equal('168.21.2.a');
      expect(violationCodeForOverload('inspection-certificate', 31, ON)).to.equal('168.21.5.a');
      expect(violationCodeForOverload('inspection-certificate', 100, ON)).to.equal('168.21.6.a');
      expect(violationCodeForOverload('inspection-certificate', 150, ON)).to.equal('168.21.7.a');
      expect(violationCodeForOverload('inspection-certificate', 151, ON)).to.equal('168.21.8.a');
      expect(violationCodeForOverload('road-limit', 15, ON)).to.equal('168.34.2');
      expect(violationCodeForOverload('road-limit', 50, ON)).to.equal('168.34.4.a');
      expect(violationCodeForOverload('road-limit', 50.1, ON)).to.equal('168.34.5.a');
    });
  });
});
