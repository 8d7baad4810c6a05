/**
 * The embedded OpenID Connect provider over HTTP, on a real node (api role, scratch PostgreSQL): authorization code
 * + PKCE with a password and a TOTP code, the access token accepted by the API, refresh with rotation (a used
 * refresh token is refused), and the refusals: wrong password, wrong code, a replayed code, a locked account.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { loadConfig } from '../../../src/config.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { totpFor, type Account } from '../../../src/adapters/auth/accounts.ts';
import { ACCESS_TOKEN_TTL_SECONDS, WEB_CLIENT_ID } from '../../../src/adapters/auth/oidc.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';

/** A tiny cookie jar and redirect-by-hand client (the provider's cookies are what bind the steps). */
class Browser {
  private readonly cookies = new Map<string, string>();
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0)
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
  form(url: string, body: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body).toString(),
    });
  }
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function actionOf(html: string): string {
  const m = /<form method="post" action="([^"]+)"/.exec(html);
  if (!m) throw new Error(`no form in ${html.slice(0, 200)}`);
  return m[1]!.replace(/&amp;/g, '&');
}

function codeAt(account: Account, ms: number): string {
  return totpFor(account).generate({ timestamp: ms });
}

describe('embedded OpenID Connect provider (HTTP)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let dataDir: string;
  let node: RunningNode;
  let url: string;
  let officer: { account: Account; password: string };

  before(async () => {
    db = await scratchDatabase('oidc');
    dataDir = await mkdtemp(join(tmpdir(), 'tec-oidc-'));
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    node = await startNode({ config, roles: ['api'], print: () => undefined });
    url = node.url!;
    officer = await node.accounts!.add('officer-01-reviewer', 'officer', '01');
    await node.accounts!.add('officer-79-reviewer', 'officer', '79');
  });

  after(async () => {
    await node?.stop();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts an authorization request; returns the browser on the password page and the PKCE verifier. */
  async function begin(lang?: string) {
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const params = new URLSearchParams({
      client_id: WEB_CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${url}/`,
      scope: 'openid api',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-1',
      prompt: 'login',
      ...(lang ? { ui_locales: lang } : {}),
    });
    const auth = await browser.request(`${url}/oidc/auth?${params}`);
    expect(auth.status).to.equal(303);
    const page = await browser.request(new URL(auth.headers.get('location')!, url).toString());
    expect(page.status).to.equal(200);
    return { browser, verifier, html: await page.text() };
  }

  async function signIn(account: Account, password: string, code: string) {
    const { browser, verifier, html } = await begin();
    const totpPage = await browser.form(`${url}${actionOf(html)}`, { account: account.id, password });
    const totpHtml = await totpPage.text();
    const done = await browser.form(`${url}${actionOf(totpHtml)}`, { totp: code });
    return { browser, verifier, done, totpHtml };
  }

  async function finish(browser: Browser, verifier: string, done: Response) {
    expect(done.status).to.equal(303);
    const back = await browser.request(new URL(done.headers.get('location')!, url).toString());
    expect(back.status).to.equal(303);
    const redirect = new URL(back.headers.get('location')!);
    expect(`${redirect.origin}${redirect.pathname}`).to.equal(`${url}/`);
    expect(redirect.searchParams.get('state')).to.equal('st-1');
    const code = redirect.searchParams.get('code')!;
    const token = await fetch(`${url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: `${url}/`,
        client_id: WEB_CLIENT_ID,
        code_verifier: verifier,
      }).toString(),
    });
    expect(token.status).to.equal(200);
    return (await token.json()) as {
      access_token: string;
      refresh_token: string;
      expires_in: number;
      id_token: string;
    };
  }

  it('publishes its discovery document and keys', async () => {
    const meta = (await (await fetch(`${url}/oidc/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(meta.issuer).to.equal(`${url}/oidc`);
    expect(meta.code_challenge_methods_supported).to.deep.equal(['S256']);
    const jwks = (await (await fetch(`${url}/oidc/jwks`)).json()) as {
      keys: { kty: string; crv: string; d?: string }[];
    };
    expect(jwks.keys).to.have.length(1);
    expect(jwks.keys[0]).to.include({ kty: 'OKP', crv: 'Ed25519' });
    expect(jwks.keys[0]!.d).to.equal(undefined);
    expect((await stat(join(dataDir, 'keys', 'accounts.json'))).mode & 0o777).to.equal(0o600);
  });

  it('signs in with password and TOTP; the API accepts the access token; refresh rotates', async () => {
    const { browser, verifier, done, totpHtml } = await signIn(
      officer.account,
      officer.password,
      codeAt(officer.account, Date.now()),
    );
    expect(totpHtml).to.contain('Mã xác thực hai lớp');
    const tokens = await finish(browser, verifier, done);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).to.include({
      sub: 'officer-01-reviewer',
      role: 'officer',
      province: '01',
      iss: `${url}/oidc`,
      aud: 'tec-api',
    });
    expect(claims.exp! - claims.iat!).to.equal(ACCESS_TOKEN_TTL_SECONDS);
    const me = await fetch(`${url}/v1/review-queue`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).to.equal(200);

    const refresh = (rt: string) =>
      fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: rt,
          client_id: WEB_CLIENT_ID,
        }).toString(),
      });
    const r1 = await refresh(tokens.refresh_token);
    expect(r1.status).to.equal(200);
    const next = (await r1.json()) as { access_token: string; refresh_token: string };
    expect(next.refresh_token).to.not.equal(tokens.refresh_token);
    expect(decodeJwt(next.access_token)).to.include({ sub: 'officer-01-reviewer', role: 'officer' });
    expect(
      (await fetch(`${url}/v1/review-queue`, { headers: { authorization: `Bearer ${next.access_token}` } }))
        .status,
    ).to.equal(200);
    // The used refresh token is spent (rotation); presenting it again is refused.
    expect((await refresh(tokens.refresh_token)).status).to.equal(400);
  });

  it('refuses a wrong password, a wrong code and a replayed code, with clear messages', async () => {
    const other = (await node.accounts!.find('officer-79-reviewer'))!;
    const { browser, html } = await begin('en');
    expect(html).to.contain('Password');
    const wrong = await browser.form(`${url}${actionOf(html)}`, {
      account: other.id,
      password: 'not-the-password',
    });
    expect(wrong.status).to.equal(401);
    expect(await wrong.text()).to.contain('data-code="bad-credentials"');

    const first = await signIn(
      officer.account,
      officer.password,
      '000000' === codeAt(officer.account, Date.now()) ? '111111' : '000000',
    );
    expect(first.done.status).to.equal(401);
    expect(await first.done.text()).to.contain('data-code="bad-totp"');

    // A fresh code signs in once; the same code again is a replay (codes are one time).
    const now = Date.now();
    const code = codeAt(officer.account, now + 30_000);
    const ok = await signIn(officer.account, officer.password, code);
    expect(ok.done.status).to.equal(303);
    const again = await signIn(officer.account, officer.password, code);
    expect(again.done.status).to.equal(401);
    const text = await again.done.text();
    expect(text).to.contain('data-code="totp-replayed"');
    expect(text).to.contain('Mã này đã được dùng');
  });

  it('locks an account after five failures in a row, even for the right password', async () => {
    const locked = await node.accounts!.add('court-01', 'court', '01');
    const { browser, html } = await begin();
    const action = `${url}${actionOf(html)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await browser.form(action, { account: 'court-01', password: `wrong-${i}` })).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 429]);
    const right = await browser.form(action, { account: 'court-01', password: locked.password });
    expect(right.status).to.equal(429);
    expect(await right.text()).to.contain('data-code="account-locked"');
  });

  it('keeps verifying development tokens beside the provider', async () => {
    const token = await node.issuer!.mint({
      subject: 'officer-01-reviewer',
      role: 'officer',
      province: '01',
    });
    expect(
      (await fetch(`${url}/v1/review-queue`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).to.equal(200);
  });
});
