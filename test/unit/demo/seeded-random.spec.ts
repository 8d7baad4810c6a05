import { expect } from 'chai';
import { syntheticVehicles } from '../../../src/adapters/registry/stand-in.ts';
import { seededRandom } from '../../../src/demo/seeded-random.ts';

// Seeded populations and plates in other specs depend on these exact draws.
describe('seededRandom (mulberry32)', () => {
  it('draws the reference mulberry32 sequence', () => {
    const draws = (seed: number) => {
      const random = seededRandom(seed);
      return [random(), random(), random()].map((x) => x * 2 ** 32);
    };
    expect(draws(1)).to.deep.equal([2693262067, 11749833, 2265367787]);
    expect(draws(42)).to.deep.equal([2581720956, 1925393290, 3661312704]);
  });

  it('gives the stand-in registry the same population it gave before the PRNG was shared', () => {
    expect(syntheticVehicles(2, 1).map((v) => v.plate)).to.deep.equal(['29M62707', '29C45527']);
  });
});
