/**
 * The real sign-in in Chromium: the node's embedded OpenID Connect provider (authorization code + PKCE from the
 * web app), the password page, then the TOTP page with a code computed here from the account's secret (RFC 6238),
 * back to the app, which exchanges the code and opens the role's own page (officer → queue, supervisor →
 * decisions, auditor → audit, court → verifier, analyst → dashboard). A lost access token is renewed with the
 * refresh token; sign-out revokes it. The auditor runs `ledger verify` and the replay from the audit page.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { waitFor } from '../support/env.ts';
import { readFile } from 'node:fs/promises';
import { readBundleZip, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { totpFor, type Account } from '../../src/adapters/auth/accounts.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';

interface Login {
  account: Account;
  password: string;
}

/** The last code each account used: the provider accepts a time step once, so a second sign-in waits for the next. */
const usedCodes = new Map<string, string>();

async function freshCode(account: Account): Promise<string> {
  await waitFor(() => totpFor(account).generate() !== usedCodes.get(account.id), { what: `the next TOTP step of ${account.id}`, timeoutMs: 35_000 });
  const code = totpFor(account).generate();
  usedCodes.set(account.id, code);
  return code;
}

/** Signs in through the provider's pages; the TOTP code is computed from the account's secret, as an app would. */
export async function signInWithAccount(page: Page, url: string, login: Login): Promise<void> {
  await page.goto(`${url}/#/signin`);
  await page.getByTestId('account-signin').click();
  await page.locator('#account').fill(login.account.id);
  await page.locator('#password').fill(login.password);
  await page.locator('#password').press('Enter');
  await page.locator('#totp').waitFor();
  await page.locator('#totp').fill(await freshCode(login.account));
  await page.locator('#totp').press('Enter');
  await page.getByTestId('identity').filter({ hasText: login.account.id }).waitFor();
}

(chromiumAvailable() ? describe : describe.skip)('web UI: sign-in with password and TOTP, each role on its own page (Chromium)', function () {
  this.timeout(180_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  const logins = new Map<string, Login>();
  const SUBJECTS: [string, Role, string][] = [
    ['officer-01-reviewer', 'officer', '01'],
    ['officer-01-director', 'supervisor', '01'],
    ['auditor-00', 'auditor', '00'],
    ['court-01', 'court', '01'],
    ['analyst-00', 'analyst', '00'],
  ];

  before(async () => {
    ui = await startUiNode({ cases: 6 });
    browser = await launch();
    for (const [id, role, province] of SUBJECTS) logins.set(id, await ui.node.accounts!.add(id, role, province));
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('an officer signs in with password and TOTP, lands on the queue, and the session renews with the refresh token', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
    // Failed requests by URL (the browser's own favicon request aside).
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${ui.url}/#/signin`);
    await page.screenshot({ path: join(ARTIFACTS, 'signin.png') });
    await page.getByTestId('account-signin').click();
    // The provider's own pages (no script), in Vietnamese.
    await page.locator('#account').waitFor();
    expect(await page.locator('html').getAttribute('lang')).to.equal('vi');
    const login = logins.get('officer-01-reviewer')!;
    await page.locator('#account').fill(login.account.id);
    await page.locator('#password').fill(login.password);
    await page.screenshot({ path: join(ARTIFACTS, 'signin-password.png') });
    await page.locator('#password').press('Enter');
    await page.locator('#totp').waitFor();
    await page.locator('#totp').fill(await freshCode(login.account));
    await page.screenshot({ path: join(ARTIFACTS, 'signin-totp.png') });
    await page.locator('#totp').press('Enter');

    await page.getByTestId('identity').filter({ hasText: 'officer-01-reviewer' }).waitFor();
    await page.waitForFunction(() => location.hash === '#/queue');
    expect(await page.evaluate('location.search')).to.equal('');
    await page.locator('main h1').filter({ hasText: 'Hàng chờ xem xét' }).waitFor();
    expect(await page.getByTestId('role').innerText()).to.contain('Cán bộ');
    const first = String(await page.evaluate("sessionStorage.getItem('tec.token')"));
    expect(await page.evaluate("sessionStorage.getItem('tec.oidc.refresh') !== null")).to.equal(true);
    // The access token is the provider's (issuer `<node>/oidc`), and the API accepts it.
    const claims = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.iss).to.equal(`${ui.url}/oidc`);
    expect(claims).to.include({ sub: 'officer-01-reviewer', role: 'officer', province: '01' });
    const me = await fetch(`${ui.url}/v1/me`, { headers: { authorization: `Bearer ${first}` } });
    expect(me.status).to.equal(200);

    // The access token is lost (as when it expires): the refresh token renews it without a new sign-in.
    await page.evaluate("sessionStorage.removeItem('tec.token')");
    await page.reload();
    await page.getByTestId('identity').filter({ hasText: 'officer-01-reviewer' }).waitFor();
    const renewed = String(await page.evaluate("sessionStorage.getItem('tec.token')"));
    expect(renewed).to.not.equal(first);
    const rotated = String(await page.evaluate("sessionStorage.getItem('tec.oidc.refresh')"));

    // Sign-out forgets the session here and revokes the refresh token at the provider.
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByTestId('account-signin').waitFor();
    expect(await page.evaluate("sessionStorage.getItem('tec.oidc.refresh')")).to.equal(null);
    const reuse = await fetch(`${ui.url}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rotated, client_id: 'tec-web' }).toString(),
    });
    expect(reuse.status, 'a revoked refresh token is refused').to.equal(400);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('each role lands on its own page after sign-in', async () => {
    const landing: Record<string, { hash: string; ready: string }> = {
      'officer-01-director': { hash: '#/decisions', ready: '[data-testid=decisions]' },
      'auditor-00': { hash: '#/audit', ready: '[data-testid=ledger-state]' },
      'court-01': { hash: '#/verify', ready: '#bundle-file' },
      'analyst-00': { hash: '#/dashboard', ready: 'main h1' },
    };
    for (const [id, expected] of Object.entries(landing)) {
      const page = await browser.context.newPage();
      await signInWithAccount(page, ui.url, logins.get(id)!);
      await page.waitForFunction((hash) => location.hash === hash, expected.hash);
      await page.locator(expected.ready).first().waitFor();
      if (id === 'analyst-00') {
        await page.waitForFunction(() => !/Đang tải/.test(document.querySelector('main')?.textContent ?? ''));
        await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      }
      await page.close();
    }
  });

  it('the auditor sees the ledger state and runs ledger verify and the replay from the audit page', async () => {
    const page = await browser.context.newPage();
    await signInWithAccount(page, ui.url, logins.get('auditor-00')!);
    await page.waitForFunction(() => location.hash === '#/audit');
    const size = page.getByTestId('ledger-size');
    await size.waitFor();
    expect(Number((await size.innerText()).replace(/\D/g, ''))).to.be.greaterThan(0);
    expect(await page.getByTestId('checkpoint-signed').innerText()).to.contain('Hợp lệ');
    // Not the national witness: said plainly.
    await page.getByTestId('witness').filter({ hasText: 'không phải nhân chứng quốc gia' }).waitFor();

    await page.getByTestId('run-ledger-verify').click();
    const verified = page.getByTestId('ledger-verify-result');
    await verified.waitFor({ timeout: 60_000 });
    expect(await verified.getAttribute('data-ok')).to.equal('true');
    expect(await verified.innerText()).to.contain('Không có sai lệch');

    await page.getByTestId('run-replay').click();
    const replayed = page.getByTestId('replay-result');
    await replayed.waitFor({ timeout: 90_000 });
    expect(await replayed.getAttribute('data-identical')).to.equal('true');
    expect(await replayed.locator('tbody tr').count()).to.be.greaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'audit.png'), fullPage: true });

    // A second run within the minute is refused by the server; the page says so in Vietnamese.
    await page.getByTestId('run-ledger-verify').click();
    await page.getByTestId('error').filter({ hasText: 'HTTP 429' }).waitFor();
    await page.close();
  });

  it('court staff download a decided case\'s bundle with a purpose (in the custody log); the page verifies it and says in amber that no trusted key was given', async () => {
    const caseId = ui.demo.decidedCaseIds[0]!;
    const page = await browser.context.newPage();
    await signInWithAccount(page, ui.url, logins.get('court-01')!);
    await page.waitForFunction(() => location.hash === '#/verify');
    const form = page.getByTestId('bundle-download');
    await form.waitFor();
    await page.locator('#bundle-case-id').fill(caseId);
    const purpose = 'Hồ sơ xét xử vụ án số 12/2026';
    await page.locator('#bundle-purpose').fill(purpose);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bundle-download-button').click()]);
    expect(download.suggestedFilename()).to.equal(`case-${caseId}.zip`);
    const verdict = page.locator(`[data-testid=verdict][data-file="case-${caseId}.zip"]`);
    await verdict.waitFor({ timeout: 60_000 });
    expect(await verdict.getAttribute('data-verdict')).to.equal('valid');
    expect(await verdict.getAttribute('data-trusted')).to.equal('false');
    expect(await verdict.getAttribute('class')).to.contain('warn');
    expect(await page.getByTestId('no-trusted-key').innerText()).to.contain('Chưa nhập khóa nhật ký tin cậy');
    // Amber, not green: the verdict box is drawn in the warning colour.
    expect(await verdict.evaluate((el) => getComputedStyle(el).borderTopColor)).to.equal('rgb(133, 77, 14)');
    await page.screenshot({ path: join(ARTIFACTS, 'court.png'), fullPage: true });
    // The custody log records the export with the purpose as typed (Vietnamese, percent-encoded on the wire).
    const custody = await ui.node.store.readStream(`custody-${caseId}`);
    const exported = custody.map((r) => r.record).find((r) => (r.data as { access?: string }).access === 'export');
    expect(exported, 'an export access in the custody log').to.not.equal(undefined);
    expect(exported!.data).to.include({ purpose, caseId });
    expect(exported!.meta.actor.id).to.equal('court:court-01');
    // With the node's verifier key pasted, the verdict is plainly valid (green).
    await page.locator('#trusted-key').fill(ui.node.ledger.verifierKey());
    await page.getByRole('button', { name: 'Kiểm tra', exact: true }).click();
    await page.locator('[data-testid=verdict][data-trusted=true]').waitFor();
    expect(await page.getByTestId('verdict').getAttribute('class')).to.contain('good');
    expect(await page.locator('figure[data-tampered=true]').count()).to.equal(0);

    // One evidence image altered after export: invalid, and the image itself is marked.
    const entries = await readBundleZip(new Uint8Array(await readFile((await download.path())!)));
    const evidence = [...entries.keys()].find((n) => n.startsWith('evidence/'))!;
    const altered = Uint8Array.from(entries.get(evidence)!);
    altered[altered.length - 3] = (altered[altered.length - 3] ?? 0) ^ 0xff;
    entries.set(evidence, altered);
    await page.locator('#bundle-file').setInputFiles({ name: 'tampered.zip', mimeType: 'application/zip', buffer: Buffer.from(await writeBundleZip(entries)) });
    await page.locator('[data-testid=verdict][data-file="tampered.zip"][data-verdict=invalid]').waitFor();
    const marked = page.locator(`figure[data-tampered=true][data-digest="sha256:${evidence.slice('evidence/'.length)}"]`);
    await marked.waitFor();
    expect(await marked.getByTestId('tamper-mark').innerText()).to.contain('Ảnh đã bị thay đổi');
    expect(await page.locator('figure[data-tampered=true]').count()).to.equal(1);
    await page.screenshot({ path: join(ARTIFACTS, 'verifier-tampered.png'), fullPage: true });
    await page.close();
  });
});
