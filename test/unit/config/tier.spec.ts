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

describe('config: HANDOVER_TOKEN (the handover receiver with an external issuer)', () => {
  const province = { TIER: 'province', PROVINCES: '01,79', WITNESS_URL: 'https://n.example/witness', WITNESS_KEY: 'w+00000000+AA==' };
  const external = { JWKS_URL: 'https://idp.example/jwks' };

  it('refuses a provincial node with a witness and an external issuer but no HANDOVER_TOKEN (its receiver could never read)', () => {
    expect(() => loadConfig({ ...base, ...province, ...external })).to.throw(ValidationError);
  });

  it('accepts one token for every province served, or one per province', () => {
    const one = loadConfig({ ...base, ...province, ...external, HANDOVER_TOKEN: 'eyJ.one.sig' });
    expect(one.handoverTokens).to.deep.equal({ '01': 'eyJ.one.sig', '79': 'eyJ.one.sig' });
    const each = loadConfig({ ...base, ...province, ...external, HANDOVER_TOKEN: '01=eyJ.a.sig;79=eyJ.b.sig' });
    expect(each.handoverTokens).to.deep.equal({ '01': 'eyJ.a.sig', '79': 'eyJ.b.sig' });
  });

  it('needs no HANDOVER_TOKEN with the development issuer (it mints the receiver its token)', () => {
    expect(loadConfig({ ...base, ...province }).handoverTokens).to.equal(undefined);
  });

  it('refuses a token for a province not served, a served province without one, a repeated province, and the wrong node', () => {
    for (const env of [
      { ...province, HANDOVER_TOKEN: '01=a;79=b;80=c' },
      { ...province, HANDOVER_TOKEN: '01=a' },
      { ...province, HANDOVER_TOKEN: '01=a;01=b;79=c' },
      { ...province, HANDOVER_TOKEN: '01=a;79' },
      { ...province, HANDOVER_TOKEN: 'two words' },
      { TIER: 'province', PROVINCES: '01', HANDOVER_TOKEN: 'a' },
      { TIER: 'national', HANDOVER_TOKEN: 'a' },
      { HANDOVER_TOKEN: 'a' },
    ]) {
      expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).to.throw(ValidationError);
    }
  });
});

describe('config: MIRROR_TOKEN_FILE and HANDOVER_TOKEN_FILE (tokens rotated through files)', () => {
  const province = { TIER: 'province', PROVINCES: '01,79', WITNESS_URL: 'https://n.example/witness', WITNESS_KEY: 'w+00000000+AA==' };
  const external = { JWKS_URL: 'https://idp.example/jwks' };

  it('takes HANDOVER_TOKEN_FILE in place of HANDOVER_TOKEN with an external issuer, and MIRROR_TOKEN_FILE on the national node', () => {
    const p = loadConfig({ ...base, ...province, ...external, HANDOVER_TOKEN_FILE: '/run/secrets/handover.token' });
    expect(p.handoverTokenFile).to.equal('/run/secrets/handover.token');
    expect(p.handoverTokens).to.equal(undefined);
    const n = loadConfig({ ...base, TIER: 'national', MIRROR_TOKEN_FILE: '/run/secrets/mirror.token', FEDERATION_TOKEN_WARN_SECONDS: '900' });
    expect(n.mirrorTokenFile).to.equal('/run/secrets/mirror.token');
    expect(n.federationTokenWarnSeconds).to.equal(900);
    expect(loadConfig({ ...base, TIER: 'national' }).federationTokenWarnSeconds).to.equal(300);
  });

  it('refuses a variable and its file together, and either on the wrong node', () => {
    for (const env of [
      { ...province, HANDOVER_TOKEN: 'a', HANDOVER_TOKEN_FILE: '/f' },
      { TIER: 'national', MIRROR_TOKEN: 'a', MIRROR_TOKEN_FILE: '/f' },
      { TIER: 'national', HANDOVER_TOKEN_FILE: '/f' },
      { ...province, MIRROR_TOKEN_FILE: '/f' },
      { MIRROR_TOKEN: 'a' },
    ]) {
      expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).to.throw(ValidationError);
    }
  });
});
