/**
 * The reference data shipped in reference/ (reference/README.md) and what is generated from it: the domain
 * module camera registration validates against, and the frozen migration that loads the reference tables.
 * Both must be what generating from the CSVs gives now, and the counts must be the README's.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { DOMAIN_FILE, MIGRATION_FILE, generated, readSections } from '../../../scripts/gen-reference.ts';
import {
  CENTRAL_COMMUNE_READING,
  EXPRESSWAY_SECTIONS,
  communeByCode,
  communeCount,
  expresswayRoute,
  expresswayRoutes,
} from '../../../src/domain/reference/index.ts';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { COMMUNE_ROWS } from '../../../src/domain/reference/vn-2025.gen.ts';

describe('reference data: communes and expressways after the 2025 reorganisation', () => {
  it('the generated domain module and migration are up to date with reference/*.csv', () => {
    const now = generated();
    expect(
      readFileSync(DOMAIN_FILE, 'utf8') === now.domain,
      'run node --import tsx scripts/gen-reference.ts',
    ).to.equal(true);
    expect(
      readFileSync(MIGRATION_FILE, 'utf8') === now.migration,
      'run node --import tsx scripts/gen-reference.ts',
    ).to.equal(true);
  });

  it('holds the README counts: 3,321 units (2,621 xã, 687 phường, 13 đặc khu) in 34 provinces', () => {
    expect(communeCount()).to.equal(3321);
    const byType = (t: string) => COMMUNE_ROWS.filter((c) => c[3] === t).length;
    expect([byType('xã'), byType('phường'), byType('đặc khu')]).to.deep.equal([2621, 687, 13]);
    expect(new Set(COMMUNE_ROWS.map((c) => c[0]))).to.have.property('size', 34);
    for (const p of PROVINCES)
      expect(
        COMMUNE_ROWS.some((c) => c[0] === p.code),
        p.name,
      ).to.equal(true);
  });

  it('looks communes up by official code, with their province', () => {
    expect(communeByCode('00004')).to.deep.equal({
      code: '00004',
      province: '01',
      name: 'Phường Ba Đình',
      type: 'phường',
    });
    expect(communeByCode('99999')).to.equal(undefined);
  });

  it('holds the README expressway figures: 52 sections, 46 open to public traffic (2,471.59 km), 6 technical openings', () => {
    expect(EXPRESSWAY_SECTIONS).to.have.length(52);
    const open = EXPRESSWAY_SECTIONS.filter((s) => !s.technicalOpening);
    expect(open).to.have.length(46);
    const km = (rows: typeof EXPRESSWAY_SECTIONS) =>
      Math.round(rows.reduce((a, s) => a + (s.lengthKm ?? 0), 0) * 100) / 100;
    expect(km(open)).to.equal(2471.59);
    expect(km(EXPRESSWAY_SECTIONS)).to.equal(2669.19);
    expect(readSections().filter((s) => s.lengthKm === null)).to.have.length(2);
  });

  it('gives uncoded routes a local L.… code, never a CT code, and knows which provinces each passes through', () => {
    for (const r of expresswayRoutes())
      expect(r.officialCode ? /^CT\.\d{2}$/.test(r.code) : r.code.startsWith('L.'), r.code).to.equal(true);
    expect(expresswayRoute('CT.01')!.publicProvinces).to.include('01');
    expect(expresswayRoute('CT.04')!.provinces).to.deep.equal(['01', '33', '31']);
    // Gia Lai has CT.01 only on technically opened sections
    expect(expresswayRoute('CT.01')!.provinces).to.include('52');
    expect(expresswayRoute('CT.01')!.publicProvinces).not.to.include('52');
    expect(expresswayRoute('CT.99')).to.equal(undefined);
  });

  it('reads "central communes" from one setting: wards; the six centrally-run cities at 50%, others at 30%', () => {
    expect(CENTRAL_COMMUNE_READING.centralTypes).to.deep.equal(['phường']);
    expect([...CENTRAL_COMMUNE_READING.largeCities].sort()).to.deep.equal(
      PROVINCES.filter((p) => p.largeCity)
        .map((p) => p.code)
        .sort(),
    );
  });
});
