/**
 * Accessibility of every page (issue 16): signed out and signed in as each working role, every route the UI
 * has — queue, case, decisions, decision, dashboard, audit, inbox, keys, verifier with a bundle, citizen lookup
 * with results — checked in Chromium by axe-core (WCAG 2.0/2.1 A and AA rules). No serious or critical
 * violation is allowed; the report names the page, the rule and the element.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { signInWithToken } from './support/signin.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const WHO: ({ role: Role; province: string; subject: string } | undefined)[] = [
  undefined,
  { role: 'officer', province: '01', subject: 'officer-01-reviewer' },
  { role: 'supervisor', province: '01', subject: 'officer-01-director' },
  { role: 'supervisor', province: '00', subject: 'officer-00-c08' },
  { role: 'auditor', province: '00', subject: 'auditor-00-1' },
  { role: 'court', province: '00', subject: 'court-clerk-1' },
];

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
  passes: { id: string }[];
}

(chromiumAvailable() ? describe : describe.skip)('web UI: accessibility of every page (axe-core, Chromium)', function () {
  this.timeout(600_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let bundle: Uint8Array;

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    const court = await ui.token('court', '00', 'court-clerk-1');
    const reply = await fetch(`${ui.url}/v1/cases/${ui.demo.decidedCaseIds[0]}/bundle`, { headers: { authorization: `Bearer ${court}`, 'x-purpose': 'accessibility test' } });
    expect(reply.status).to.equal(200);
    bundle = new Uint8Array(await reply.arrayBuffer());
  });
  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  async function audit(page: Page, label: string, found: string[]): Promise<void> {
    await page.waitForFunction(() => !/Đang tải|Loading/.test(document.querySelector('main')?.textContent ?? ''), undefined, { timeout: 30_000 });
    // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') rightly refuses an injected tag.
    await page.evaluate(AXE_SOURCE);
    const result = (await page.evaluate(() =>
      (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<unknown> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }),
    )) as AxeResult;
    // The checker itself ran (a page where no rule applied would prove nothing).
    expect(result.passes.length, `${label}: axe rules that passed`).to.be.greaterThan(5);
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      found.push(`${label}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }
  }

  it('no page has a serious or critical WCAG 2.1 A/AA violation, for any role', async () => {
    const found: string[] = [];
    const sample = ui.demo.citizenSamples[0]!;
    let pages = 0;
    for (const who of WHO) {
      const page = await browser.context.newPage();
      if (who) await signInWithToken(page, ui.url, await ui.token(who.role, who.province, who.subject), who.subject);
      const routes = ['signin', 'queue', `case/${ui.demo.decidedCaseIds[0]}`, 'decisions', `decision/${ui.demo.decidedCaseIds[0]}`, 'dashboard', 'audit', 'inbox', 'verify', 'citizen'];
      for (const route of routes) {
        await page.goto('about:blank');
        await page.goto(`${ui.url}/#/${route}`);
        await page.locator('main h1, main [role=alert], main p').first().waitFor();
        if (route === 'verify') {
          await page.locator('#bundle-file').setInputFiles({ name: 'case.zip', mimeType: 'application/zip', buffer: Buffer.from(bundle) });
          await page.locator('[data-testid=verdict]').first().waitFor({ timeout: 30_000 });
        }
        if (route === 'citizen') {
          await page.locator('main input').nth(0).fill(sample.plate);
          await page.locator('main input').nth(1).fill(sample.registrationNumber);
          await page.locator('main form button[type=submit], main form button').first().click();
          await page.locator('[data-testid=citizen-results], [data-testid=citizen-empty]').first().waitFor({ timeout: 30_000 });
        }
        await audit(page, `${who ? `${who.role}/${who.province}` : 'signed out'} #/${route.split('/')[0]}`, found);
        pages += 1;
      }
      await page.close();
    }
    expect(pages).to.equal(WHO.length * 10);
    expect(found.length, `violations:\n${[...new Set(found)].join('\n')}`).to.equal(0);
  });
});
