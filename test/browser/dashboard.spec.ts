/**
 * Dashboards and accessibility basics in Chromium: national staff see the nation's charts (per day, by
 * province, by type, throughput, model precision against the alert floor) and coverage; provincial staff see
 * only their province; the language switch turns the UI to English. Every form control on the main screens
 * has an accessible name, the navigation is reachable with the keyboard, and text meets WCAG AA contrast.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { signInWithToken } from './support/signin.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { waitFor } from '../support/env.ts';

async function signIn(page: Page, ui: UiNode, role: 'officer' | 'supervisor' | 'analyst', province: string, subject: string): Promise<void> {
  await signInWithToken(page, ui.url, await ui.token(role, province, subject), subject);
}

/** Controls without an accessible name (label, aria-label or aria-labelledby). */
const UNLABELLED = `[...document.querySelectorAll('main input, main select, main textarea, header select')]
  .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.id || el.outerHTML.slice(0, 60))`;

/** WCAG contrast ratio of an element's text against its nearest opaque background. */
const CONTRAST = `(selector) => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  return [...document.querySelectorAll(selector)].slice(0, 30).map((el) => {
    let bg = el; let bgc = [255, 255, 255, 0];
    while (bg) { const c = parse(getComputedStyle(bg).backgroundColor); if (c.length === 3 || (c[3] ?? 1) > 0.9) { bgc = c; break; } bg = bg.parentElement; }
    if (!bg) bgc = [255, 255, 255];
    const a = lum(parse(getComputedStyle(el).color)); const b = lum(bgc);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}`;

(chromiumAvailable() ? describe : describe.skip)('web UI: dashboards and accessibility (Chromium)', function () {
  this.timeout(180_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    const token = await ui.token('supervisor', '00', 'officer-00-c08');
    await waitFor(
      async () => {
        const r = await fetch(`${ui.url}/v1/statistics/violations?province=national`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await r.json()) as { data?: { rows?: unknown[] } };
        return r.ok && (body.data?.rows?.length ?? 0) > 0;
      },
      { what: 'statistics in the read model', timeoutMs: 30_000 },
    );
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('national staff see national charts, coverage and model precision with the alert floor', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, ui, 'supervisor', '00', 'officer-00-c08');
    await page.goto(`${ui.url}/#/dashboard`);
    for (const id of ['chart-per-day', 'chart-throughput', 'chart-by-province', 'chart-by-type', 'chart-models', 'coverage']) await page.getByTestId(id).waitFor();
    await page.locator('[data-testid=chart-per-day] rect').first().waitFor();
    // Both demo provinces appear in the by-province chart.
    const provinces = await page.locator('[data-testid=chart-by-province] text').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    expect(provinces).to.include.members(['01', '79']);
    expect(await page.getByTestId('chart-models').innerText()).to.contain('90%');
    expect(Number(await page.getByTestId('backlog').innerText())).to.be.greaterThan(0);
    // Supervisors see per-officer workload (the demo's reviewers reviewed cases).
    expect(await page.getByTestId('workload').innerText()).to.contain('officer-01-reviewer');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-national.png'), fullPage: true });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('draws the offline map of Viet Nam: the outline from world-atlas, every camera by status, coverage by province, the reading stated', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(ui.url)) outside.push(r.url());
    });
    await signIn(page, ui, 'supervisor', '00', 'officer-00-c08');
    await page.goto(`${ui.url}/#/dashboard`);
    await page.locator('[data-testid=coverage-map][data-outline=loaded]').waitFor();
    // The country outline is a real path (thousands of coordinates), not an empty shape.
    expect((await page.getByTestId('map-vietnam').getAttribute('d'))?.length ?? 0).to.be.greaterThan(1000);
    // Every demo camera is a mark, coloured by its status; the demo's six are active.
    await page.locator('[data-testid=map-camera]').nth(5).waitFor();
    const cameras = await page.locator('[data-testid=map-camera]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(cameras.length).to.be.at.least(6);
    expect(cameras.every((s) => s === 'active')).to.equal(true);
    // Each camera mark lies inside the drawn frame.
    const inside = await page.locator('[data-testid=map-camera]').evaluateAll((els) =>
      els.every((e) => {
        const r = e.getBoundingClientRect();
        const svg = e.closest('svg')!.getBoundingClientRect();
        return r.left >= svg.left && r.right <= svg.right && r.top >= svg.top && r.bottom <= svg.bottom;
      }),
    );
    expect(inside).to.equal(true);
    // A choropleth: one filled shape per province (Natural Earth's 63 merged into the 34); Hà Nội is partly
    // covered (cameras in a ward and on CT.01). Each shape is where its province is: it holds the province's
    // seat, where the violation-density circle stands (Hạ Long's seat lies on the generalised coastline).
    expect(await page.locator('[data-testid=map-province]').count()).to.equal(34);
    expect(await page.locator('[data-testid=map-province-outside]').count()).to.equal(0);
    expect(await page.locator('[data-testid=map-province][data-province="01"]').getAttribute('data-coverage')).to.equal('partial');
    const placed = (await page.locator('[data-testid=map-province]').evaluateAll((paths) =>
      paths.map((p) => {
        const code = p.getAttribute('data-province');
        const circle = document.querySelector(`[data-testid=map-density][data-province="${code}"]`);
        const at = new DOMPoint(Number(circle?.getAttribute('cx')), Number(circle?.getAttribute('cy')));
        return { code, long: (p.getAttribute('d') ?? '').length > 100, holdsSeat: (p as SVGPathElement).isPointInFill(at), fill: p.getAttribute('fill') };
      }),
    )) as { code: string; long: boolean; holdsSeat: boolean; fill: string }[];
    expect(placed.filter((p) => !p.long).map((p) => p.code), 'empty shapes').to.deep.equal([]);
    expect(placed.filter((p) => !p.holdsSeat).map((p) => p.code), 'shapes without their seat').to.deep.equal(['22']);
    expect(new Set(placed.map((p) => p.fill)).size, 'filled by coverage status').to.be.at.least(2);
    // Violation density stays visible: a circle per province, the largest where most violations were detected.
    const density = (await page.locator('[data-testid=map-density]').evaluateAll((cs) => cs.map((c) => [Number(c.getAttribute('data-violations')), Number(c.getAttribute('r'))]))) as [number, number][];
    expect(density).to.have.length(34);
    const most = Math.max(...density.map(([v]) => v));
    expect(most).to.be.greaterThan(0);
    expect(density.filter(([v]) => v === most).every(([, r]) => r === Math.max(...density.map(([, rr]) => rr)))).to.equal(true);
    expect(density.filter(([v]) => v === 0).every(([, r]) => r < Math.max(...density.map(([, rr]) => rr)))).to.equal(true);
    expect(await page.getByTestId('map-archipelago').count()).to.equal(2);
    // The report states the reading of "central communes" it uses, and the national route figures.
    expect(await page.getByTestId('coverage-reading').innerText()).to.contain('phường');
    expect(await page.getByTestId('coverage-national').innerText()).to.match(/\d+\/9 /);
    await page.getByTestId('coverage-map').screenshot({ path: join(ARTIFACTS, 'coverage-map.png') });
    expect(outside, 'nothing is fetched from outside the node').to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('provincial staff see their own province only', async () => {
    const page = await browser.context.newPage();
    await signIn(page, ui, 'officer', '79', 'officer-79-reviewer');
    await page.goto(`${ui.url}/#/dashboard`);
    await page.locator('[data-testid=chart-per-day] rect').first().waitFor();
    expect(await page.locator('#scope option').evaluateAll((os) => os.map((o) => o.getAttribute('value')))).to.deep.equal(['79']);
    expect(await page.getByTestId('chart-by-province').count()).to.equal(0);
    expect(await page.getByTestId('workload').count(), 'officers see no per-officer figures').to.equal(0);
    // On the map only their province is filled; the other 33 are drawn blank, as outside their scope.
    await page.locator('[data-testid=coverage-map][data-outline=loaded]').waitFor();
    expect(await page.locator('[data-testid=map-province]').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-province')))).to.deep.equal(['79']);
    expect(await page.locator('[data-testid=map-province-outside]').count()).to.equal(33);
    await page.close();
  });

  it('switches to English; controls are labelled, the navigation is keyboard reachable, text contrast is at least 4.5:1', async () => {
    const page = await browser.context.newPage();
    await signIn(page, ui, 'officer', '01', 'officer-01-reviewer');
    for (const route of ['signin', 'queue', 'dashboard', 'verify', 'citizen']) {
      await page.goto(`${ui.url}/#/${route}`);
      await page.locator('main h1').waitFor();
      expect(await page.evaluate(UNLABELLED), route).to.deep.equal([]);
      const ratios = (await page.evaluate(`(${CONTRAST})('main p, main label, main td, main h1, nav a, button')`)) as number[];
      expect(Math.min(...ratios), `${route} contrast`).to.be.at.least(4.5);
    }
    // Keyboard: from the top of the page, Tab reaches the review queue link and Enter follows it.
    await page.goto(`${ui.url}/#/citizen`);
    await page.locator('main h1').waitFor();
    let reached = false;
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement && document.activeElement.getAttribute("href")')) === '#/queue';
    }
    expect(reached, 'the queue link is reachable by Tab').to.equal(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/queue$/);
    // Language: English on request, remembered.
    await page.locator('#lang').selectOption('en');
    expect(await page.locator('main h1').innerText()).to.contain('Review queue');
    await page.reload();
    expect(await page.locator('main h1').innerText()).to.contain('Review queue');
    expect(await page.evaluate('document.documentElement.lang')).to.equal('en');
    await page.close();
  });
});
