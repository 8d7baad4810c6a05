import { expect } from 'chai';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

const base = { DATA_DIR: '/tmp/tec-tier-spec' };

describe('config: federation tier (TIER, PROVINCES, WITNESS_URL/WITNESS_KEY)', () => {
  it('defaults to no tier: every province, no witnessing', () => {
    const c = loadConfig(base);
    expect(c.tier).to.equal(undefined);
    expect(c.provinces).to.equal(undefined);
  });

  it('reads a provincial node serving 01 and 79 with its witness', () => {
    const c = loadConfig({
      ...base,
      TIER: 'province',
      PROVINCES: '01,79,01',
      WITNESS_URL: 'https://n.example/witness',
      WITNESS_KEY: 'w+00000000+AA==',
    });
    expect(c.provinces).to.deep.equal(['01', '79']);
    expect(c.witnessUrl).to.equal('https://n.example/witness');
  });

  it('refuses a provincial node without provinces, provinces without the tier, "00", and a half-configured witness', () => {
    for (const env of [
      { TIER: 'province' },
      { PROVINCES: '01' },
      { TIER: 'province', PROVINCES: '00' },
      { TIER: 'province', PROVINCES: '1' },
      { TIER: 'province', PROVINCES: '01', WITNESS_URL: 'https://n.example/witness' },
      { TIER: 'national', WITNESS_URL: 'https://n.example/witness', WITNESS_KEY: 'k' },
      { TIER: 'regional' },
    ]) {
      expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).to.throw(ValidationError);
    }
  });
});
