import { expect } from 'chai';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

const base = { DATA_DIR: '/tmp/tec-agency-spec' };
const urls = {
  AGENCY_WARNING_URL_REGISTRATION: 'https://dk.example/v1/warnings',
  AGENCY_WARNING_URL_INSPECTION: 'https://kd.example/v1/warnings',
  AGENCY_WARNING_URL_COMMUNE_POLICE: 'http://127.0.0.1:9000/commune-police/warnings',
};

describe('config: agency warning endpoints (AGENCY_WARNING_URL_*)', () => {
  it('defaults to none: the in-process stand-in', () => {
    expect(loadConfig(base).agencyWarnings).to.equal(undefined);
  });

  it('reads the three endpoints, the credential files and the timeout', () => {
    const c = loadConfig({ ...base, ...urls, AGENCY_WARNING_TOKEN_FILE: '/run/secrets/agency-token', AGENCY_WARNING_TIMEOUT_MS: '3000' });
    expect(c.agencyWarnings).to.deep.equal({
      endpoints: {
        registration: 'https://dk.example/v1/warnings',
        inspection: 'https://kd.example/v1/warnings',
        'commune-police': 'http://127.0.0.1:9000/commune-police/warnings',
      },
      tokenFile: '/run/secrets/agency-token',
      secretFile: undefined,
      timeoutMs: 3000,
    });
  });

  it('refuses a partial set, endpoints without a credential, credentials without endpoints, plain http off the loopback and credentials in the URL', () => {
    const cases: Record<string, string>[] = [
      { AGENCY_WARNING_URL_REGISTRATION: urls.AGENCY_WARNING_URL_REGISTRATION, AGENCY_WARNING_TOKEN_FILE: '/t' },
      { ...urls },
      { AGENCY_WARNING_SECRET_FILE: '/s' },
      { ...urls, AGENCY_WARNING_URL_INSPECTION: 'http://kd.example/v1/warnings', AGENCY_WARNING_TOKEN_FILE: '/t' },
      { ...urls, AGENCY_WARNING_URL_INSPECTION: 'https://u:p@kd.example/v1/warnings', AGENCY_WARNING_TOKEN_FILE: '/t' },
      { ...urls, AGENCY_WARNING_URL_INSPECTION: 'not a url', AGENCY_WARNING_TOKEN_FILE: '/t' },
      { ...urls, AGENCY_WARNING_TOKEN_FILE: '/t', AGENCY_WARNING_TIMEOUT_MS: '5' },
    ];
    for (const env of cases) expect(() => loadConfig({ ...base, ...env }), JSON.stringify(env)).to.throw(ValidationError);
  });
});
