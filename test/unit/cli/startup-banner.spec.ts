import { expect } from 'chai';
import { startupBanner } from '../../../src/cli/startup-banner.ts';

describe('cli: the start-up block of `tec serve`', () => {
  const facts = {
    url: 'http://127.0.0.1:8080',
    dataDir: '/srv/tec data',
    embedded: true,
    issuer: { keyFile: '/srv/tec data/keys/issuer.key', kid: '0123456789abcdef' },
    verifierKey: 'vn-traffic-evidence/dev-node+1a2b3c4d+AAAA',
    demo: true,
  };

  it('given an embedded demo node, then it names the URL, a token command for this data directory, the issuer key id and the verifier key, as plain lines', () => {
    const lines = startupBanner(facts);
    const text = lines.join('\n');
    expect(text).to.include('http://127.0.0.1:8080/');
    expect(text).to.include("token --sub officer-01-reviewer --role officer --province 01 --data-dir '/srv/tec data'");
    expect(text).to.include('0123456789abcdef');
    expect(text).to.include(facts.verifierKey);
    expect(text).to.include('/srv/tec data/demo-keys/');
    for (const line of lines) expect(line.trimStart().startsWith('{'), line).to.equal(false);
  });

  it('given an external issuer, then it offers no development token command', () => {
    const text = startupBanner({ ...facts, embedded: false, issuer: undefined, demo: false }).join('\n');
    expect(text).not.to.include('tec -- token');
    expect(text).to.include('JWKS_URL');
  });

  it('given a demo node with the embedded sign-in, then it names the demo officer, the password and TOTP secret, and still the script token command', () => {
    const text = startupBanner({
      ...facts,
      oidcIssuer: 'http://127.0.0.1:8080/oidc',
      demoSignIn: { id: 'officer-01-reviewer', password: 'pw-123', totpSecret: 'JBSWY3DPEHPK3PXP', file: '/srv/tec data/demo-keys/sign-in.json' },
    }).join('\n');
    expect(text).to.include('sign in as officer-01-reviewer');
    expect(text).to.include('password pw-123, TOTP secret JBSWY3DPEHPK3PXP');
    expect(text).to.include('/srv/tec data/demo-keys/sign-in.json');
    expect(text).to.include('Script token:  npm run tec -- token');
    expect(text).not.to.include('paste a token');
  });
});
