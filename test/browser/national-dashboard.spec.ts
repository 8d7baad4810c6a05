/**
 * The national views on the national node's dashboard in Chromium (docs/federation.md "National views",
 * docs/web-ui.md "Dashboards"). Three real nodes: provincial nodes 01 and 79, each seeded by the demo with its
 * own cameras, officers, signed detections, reviews and decisions; and the national node (`TIER=national`, the
 * UI node) whose witness cosigns both logs and whose mirror follows them; the national read models are projected
 * over the mirrored feeds. Checked against what the API answers the same session:
 * - national staff see the camera coverage of the mirrored logs in the coverage section (its table and the
 *   choropleth's cameras), AI model performance per model version nationally and per province, and (supervisors,
 *   auditors) officer workload per province, each with each log's records mirrored and seconds behind;
 * - a national auditor runs the read-model check per log and sees the verdict, identical, then a tampered row
 *   of 79's national read models reported as one row only in the live tables and one only in the rebuild;
 * - a national officer looks a plate up across the provinces, with a purpose;
 * - the labels in Vietnamese (no English word, no raw key) and in English; no serious axe violation;
 * - on a provincial node none of it shows, and the coverage section is the node's own.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CheckpointSubmitter } from '../../src/adapters/witness/submitter.ts';
import { NationalProjector, schemaOfOrigin } from '../../src/adapters/witness/national-projections.ts';
import { systemClock } from '../../src/commands/deps.ts';
import { buildReviewSignoff, signSignoff } from '../../src/domain/signoff/index.ts';
import { call, expectStatus, multipartBody, signedDetection, type CameraActor } from '../integration/http/support/world.ts';
import { MESSAGES } from '../../web/src/lib/i18n.ts';
import type { NationalCoverage, NationalModels, NationalPlateCases, NationalWorkload, FederationStatus, ModelRow } from '../../web/src/lib/federation.ts';
import { waitFor } from '../support/env.ts';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { englishIn, englishWords, rawKeysIn } from './support/language.ts';
import { signInWithToken } from './support/signin.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';

const ORIGIN = { '01': 'vn-traffic/province-01', '79': 'vn-traffic/province-79' } as const;
type Province = keyof typeof ORIGIN;
const PROVINCES: Province[] = ['01', '79'];
/** A vehicle seen by a camera of each province, read by the province's approved plate model. */
const PLATE = '30A-987.65';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The same figure the page shows for a precision (../../web/src/components/national-views.ts `formatPercent`). */
const percent = (ratio: number | null, lang: 'vi' | 'en') =>
  ratio === null ? '—' : new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);

/** Text a person reads in an element, without `<code>` (identifiers), as the language check reads a page. */
const readableText = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('code, kbd').forEach((c) => c.remove());
    return copy.innerText;
  });

(chromiumAvailable() ? describe : describe.skip)('web UI: the national views on the national node’s dashboard (Chromium)', function () {
  this.timeout(600_000);
  const provinces = new Map<Province, UiNode>();
  let national: UiNode;
  let projector: NationalProjector;
  let browser: LaunchedBrowser;
  let keysDir: string;

  /** `GET path` on the national node with `token`, as JSON. */
  const get = async <T>(path: string, token: string, purpose?: string): Promise<T> => {
    const res = await fetch(`${national.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...(purpose ? { 'x-purpose': purpose } : {}) } });
    expect(res.status, `${path}: ${res.status}`).to.equal(200);
    return (await res.json()) as T;
  };

  before(async () => {
    // One token issuer for the three nodes, as one national identity provider: the national mirror's own token
    // (national auditor, subject national-mirror) is then accepted by both provinces.
    keysDir = await mkdtemp(join(tmpdir(), 'tec-natdash-keys-'));
    const issuer = { ISSUER_KEY_FILE: join(keysDir, 'issuer.key') };
    for (const p of PROVINCES) {
      // Each province's node publishes its log under its origin; the demo seeds its own cameras and officers only.
      provinces.set(p, await startUiNode({ cases: 4, provinces: [p], env: { ...issuer, LEDGER_ORIGIN: ORIGIN[p] } }));
    }
    // The demo's detections name no plate model (readings arrive from the worker, which the UI node does not run):
    // in each province a camera sends two signed detections of one vehicle read by the approved model, over
    // HTTP, and the province's officer confirms the first with a signed review.
    for (const [p, ui] of provinces) {
      const cam = ui.demo.cameras.find((c) => c.province === p)!;
      const camera: CameraActor = { cameraId: cam.subject, province: p, key: cam.pair, token: await ui.token('device', p, cam.subject) };
      const reviewer = ui.demo.officers.find((o) => o.province === p && o.roles.includes('reviewer'))!;
      const officerToken = await ui.token('officer', p, reviewer.subject);
      const caseIds: string[] = [];
      for (let i = 0; i < 2; i++) {
        const signed = await signedDetection(camera, { plate: PLATE });
        const form = multipartBody(signed, signed.images);
        form.set('detection', JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId, modelId: ui.demo.modelId }));
        const created = await call(ui, 'POST', '/v1/detections/upload', { token: camera.token, raw: form });
        expectStatus(created, 201, `${p} ingest`);
        caseIds.push(created.json.caseId as string);
      }
      const doc = await call(ui, 'GET', `/v1/cases/${caseIds[0]}`, { token: officerToken, purpose: 'national dashboard spec' });
      expectStatus(doc, 200, `${p} case`);
      const basis = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string; violationCode: string };
      const signoff = signSignoff(
        buildReviewSignoff({ caseId: caseIds[0]!, caseRevision: basis.caseRevision, evidence: basis.evidence, plate: basis.plate, violationCode: basis.violationCode, decision: 'confirm', signedAt: new Date().toISOString() }),
        reviewer.pair.secretKey,
      );
      expectStatus(await call(ui, 'POST', `/v1/cases/${caseIds[0]}/review`, { token: officerToken, body: signoff }), 200, `${p} review`);
    }
    // The national node's own demo data has 01's cameras only, so its own coverage and the mirrored one differ.
    national = await startUiNode({ cases: 1, provinces: ['01'], env: { ...issuer, TIER: 'national' } });
    browser = await launch();
    const admin = await national.token('admin', '00', 'admin-00-natdash');
    for (const [p, ui] of provinces) {
      const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ province: p, origin: ORIGIN[p], verifierKey: ui.node.ledger.verifierKey(), baseUrl: ui.url }),
      });
      expect(res.status, await res.text()).to.equal(201);
    }
    // Each province: everything sealed, the checkpoint cosigned by the national witness.
    for (const [p, ui] of provinces) {
      const { rows } = await ui.node.pool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
      await waitFor(async () => ((await ui.node.ledger.latestCheckpoint())?.treeSize ?? 0) >= Number(rows[0]!.n), { what: `${p} sealed`, timeoutMs: 60_000 });
      const submitter = new CheckpointSubmitter({ db: ui.node.pool, ledger: ui.node.ledger, witnessUrl: `${national.url}/witness`, witnessKey: national.node.witness!.verifierKey(), clock: systemClock });
      expect((await submitter.submitOnce()).outcome, `${p} cosigned`).to.equal('cosigned');
    }
    // The mirror follows both up to the cosigned checkpoints; the national read models are projected over them
    // (the UI node runs no worker role, so the spec drives the mirror and a projector over the node's database).
    await waitFor(
      async () => {
        await national.node.mirror!.syncOnce();
        const status = await national.node.mirror!.status();
        return status.length === 2 && status.every((s) => s.size > 0 && s.size === s.checkpointSize);
      },
      { what: 'both provinces mirrored', timeoutMs: 60_000 },
    );
    projector = new NationalProjector({ dataSource: national.node.readModels, db: national.node.pool });
    await waitFor(
      async () => {
        await projector.runOnce();
        const status = await projector.status();
        return status.length === 2 && status.every((l) => l.projections.every((x) => x.state === 'running' && x.lagEvents === 0));
      },
      { what: 'national read models projected', timeoutMs: 60_000 },
    );
  });

  after(async () => {
    await projector?.stop();
    await browser?.close();
    await national?.close();
    for (const ui of provinces.values()) await ui.close();
    if (keysDir) await rm(keysDir, { recursive: true, force: true });
  });

  async function axe(page: Page): Promise<string[]> {
    await page.evaluate(AXE_SOURCE);
    const result = (await page.evaluate(() =>
      (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<unknown> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      }),
    )) as { violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[]; passes: unknown[] };
    expect(result.passes.length, 'axe rules that passed').to.be.greaterThan(5);
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  }

  /** The page fits its width: nothing the panels add pushes it sideways. */
  const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  const modelRowMatches = async (row: ReturnType<Page['locator']>, m: ModelRow, lang: 'vi' | 'en') => {
    expect(await row.locator('[data-col=readings]').innerText(), `${m.modelId} readings`).to.equal(String(m.readings));
    expect(await row.locator('[data-col=confirmations]').innerText()).to.equal(String(m.confirmations));
    expect(await row.locator('[data-col=corrections]').innerText()).to.equal(String(m.corrections));
    expect(await row.locator('[data-col=rejections]').innerText()).to.equal(String(m.rejections));
    expect(await row.locator('[data-col=precision]').innerText()).to.equal(percent(m.precision, lang));
    expect(await row.locator('[data-col=floor] .badge').getAttribute('data-below-floor')).to.equal(String(m.belowFloor));
  };

  it('national staff see coverage, model performance and officer workload as the API answers, each with its freshness', async () => {
    const token = await national.token('supervisor', '00', 'officer-00-c08');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithToken(page, national.url, token, 'officer-00-c08');
    await page.goto(`${national.url}/#/dashboard`);
    await page.getByTestId('national-models').locator('[data-testid=national-models-table]').waitFor();
    await page.getByTestId('national-workload').locator('[data-testid=national-workload-table]').waitFor();
    const from = await page.locator('#from').inputValue();
    const to = await page.locator('#to').inputValue();
    const [status, coverage, models, workload] = await Promise.all([
      get<FederationStatus>('/v1/federation/status', token),
      get<NationalCoverage>('/v1/national/camera-coverage', token),
      get<NationalModels>('/v1/national/model-performance', token),
      get<NationalWorkload>(`/v1/national/officer-workload?from=${from}&to=${to}`, token),
    ]);

    // Freshness: each view lists every mirrored log with the records the mirror holds and seconds behind.
    expect(status.mirror.map((m) => m.province).sort()).to.deep.equal(PROVINCES);
    for (const view of ['national-models', 'national-workload']) {
      for (const m of status.mirror) {
        const cell = page.getByTestId(view).locator(`[data-testid=freshness-log][data-province="${m.province}"]`).first();
        expect(await cell.getAttribute('data-size'), `${view} ${m.province} size`).to.equal(String(m.size));
        expect(await cell.innerText()).to.contain(`${m.size} bản ghi đã sao`);
        expect(Number(await cell.getAttribute('data-behind')), `${view} ${m.province} behind`).to.equal(Math.round(m.secondsBehind));
      }
    }

    // Coverage: the section reads the mirrored logs; its table and the choropleth's cameras are the API's.
    const section = page.getByTestId('coverage-section');
    expect(await section.getAttribute('data-source')).to.equal('mirror');
    const withCameras = coverage.provinces.filter((p) => p.cameras.total > 0);
    expect(withCameras.map((p) => p.province).sort()).to.deep.equal(PROVINCES);
    for (const p of withCameras) {
      const row = section.locator(`[data-testid=coverage] tr[data-province="${p.province}"]`);
      expect((await row.locator('[data-col=cameras]').innerText()).split(' ')[0], `${p.province} cameras`).to.equal(String(p.cameras.total));
      expect(await row.innerText()).to.contain(`${p.expressway.covered}/${p.expressway.routes}`);
      expect(await row.innerText()).to.contain(`${p.centralCommunes.covered}/${p.centralCommunes.total}`);
      const mirror = status.mirror.find((m) => m.province === p.province)!;
      expect(await row.locator('[data-col=freshness] [data-testid=freshness-log]').getAttribute('data-size')).to.equal(String(mirror.size));
    }
    await page.locator('[data-testid=coverage-map][data-outline=loaded]').waitFor({ timeout: 60_000 });
    const mapCameras = await section.locator('[data-testid=map-camera]').evaluateAll((els) => els.map((e) => e.getAttribute('data-camera')).sort());
    expect(mapCameras).to.deep.equal(coverage.positions.map((c) => c.cameraId).sort());
    for (const p of PROVINCES) expect(await section.locator(`[data-testid=map-province][data-province="${p}"]`).count(), `${p} filled on the map`).to.equal(1);
    // This node's own coverage on request: its demo registered 01's cameras only.
    await page.locator('#coverage-source').selectOption('node');
    await page.locator('[data-testid=coverage-section][data-source=node]').waitFor();
    expect(await section.locator('[data-col=freshness]').count()).to.equal(0);
    const cameras79 = () => section.locator('[data-testid=coverage] tr[data-province="79"] [data-col=cameras]');
    expect((await cameras79().count()) === 0 || (await cameras79().innerText()).split(' ')[0] === '0', 'no camera of 79 in the node’s own coverage').to.equal(true);
    expect(await section.locator('[data-testid=map-camera]').count()).to.equal(coverage.positions.filter((c) => c.province === '01').length);
    await page.locator('#coverage-source').selectOption('mirror');
    await page.locator('[data-testid=coverage-section][data-source=mirror]').waitFor();
    expect((await cameras79().innerText()).split(' ')[0]).to.equal(String(coverage.provinces.find((p) => p.province === '79')!.cameras.total));

    // Model performance: nationally per model version, and per province (each log's own figures).
    expect(models.national.length).to.be.greaterThan(0);
    expect(models.national.reduce((n, m) => n + m.readings, 0), 'readings in the mirrored logs').to.be.greaterThan(0);
    for (const m of models.national) await modelRowMatches(page.locator(`[data-testid=national-models-table] tr[data-model="${m.modelId}"]`), m, 'vi');
    expect(models.provinces.map((p) => p.province)).to.deep.equal(PROVINCES);
    for (const p of models.provinces) {
      const group = page.locator(`[data-testid=national-models-provinces] tbody[data-province="${p.province}"]`);
      for (const m of p.models) await modelRowMatches(group.locator(`tr[data-model="${m.modelId}"]`), m, 'vi');
    }

    // Officer workload per province (officer ids only, as the route answers).
    expect(workload.provinces.map((p) => p.province)).to.deep.equal(PROVINCES);
    expect(workload.provinces.flatMap((p) => p.officers).length, 'officers with work in the mirrored logs').to.be.greaterThan(0);
    expect(await page.getByTestId('national-workload-window').innerText()).to.contain(`${workload.from} – ${workload.to}`);
    for (const p of workload.provinces) {
      const group = page.locator(`[data-testid=national-workload-table] tbody[data-province="${p.province}"]`);
      expect(await group.locator('tr[data-officer]').count(), `${p.province} officers`).to.equal(p.officers.length);
      for (const o of p.officers) {
        const row = group.locator(`tr[data-officer="${o.officerId}"]`);
        expect(await row.locator('[data-col=reviews]').innerText()).to.equal(String(o.reviews));
        expect(await row.locator('[data-col=decisions]').innerText()).to.equal(String(o.decisions));
      }
    }

    // Vietnamese: no English word and no raw key in the national views (identifiers in <code> aside).
    const english = englishWords();
    const data = [...models.national.map((m) => m.name), 'Camera'];
    for (const selector of ['[data-testid=national-models]', '[data-testid=national-workload]', '[data-testid=coverage-section] table', '[data-testid=national-plate]']) {
      const text = await readableText(page, selector);
      expect(rawKeysIn(text), `${selector}: raw keys`).to.deep.equal([]);
      expect(englishIn(text, english, data), `${selector}: English words`).to.deep.equal([]);
    }
    expect(await page.locator('#national-models-title').innerText()).to.equal(MESSAGES.vi.natModelsTitle);
    expect(await axe(page), 'axe: serious or critical violations').to.deep.equal([]);
    expect(await overflow(page), 'horizontal overflow (px)').to.be.at.most(0);
    await page.screenshot({ path: join(ARTIFACTS, 'national-dashboard.png'), fullPage: true });
    await page.getByTestId('national-models').screenshot({ path: join(ARTIFACTS, 'national-models.png') });

    // English.
    await page.locator('#lang').selectOption('en');
    await page.getByText(MESSAGES.en.natModelsTitle!).waitFor();
    expect(await page.locator('#national-workload-title').innerText()).to.equal(MESSAGES.en.natWorkloadTitle);
    const log01 = status.mirror.find((m) => m.province === '01')!;
    expect(await page.getByTestId('national-models').locator('[data-testid=freshness-log][data-province="01"]').first().innerText()).to.contain(`${log01.size} records mirrored, behind by`);
    for (const m of models.national) await modelRowMatches(page.locator(`[data-testid=national-models-table] tr[data-model="${m.modelId}"]`), m, 'en');
    for (const selector of ['[data-testid=national-models]', '[data-testid=national-workload]']) {
      expect(rawKeysIn(await readableText(page, selector)), `${selector}: raw keys in English`).to.deep.equal([]);
    }
    await page.locator('#lang').selectOption('vi');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('a national auditor runs the read-model check per log and sees its verdict, a tampered row included', async () => {
    const token = await national.token('auditor', '00', 'auditor-00-natdash');
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithToken(page, national.url, token, 'auditor-00-natdash');
    await page.goto(`${national.url}/#/dashboard`);
    const table = page.getByTestId('national-read-models-table');
    await table.waitFor();
    const row = (p: Province) => table.locator(`tr[data-origin="${ORIGIN[p]}"]`);
    for (const p of PROVINCES) expect(await row(p).locator('[data-col=lag]').innerText()).to.equal('0');

    await row('01').getByTestId('check-read-models').click();
    const verdict01 = row('01').getByTestId('read-model-verdict');
    await verdict01.waitFor({ timeout: 120_000 });
    expect(await verdict01.getAttribute('data-identical')).to.equal('true');
    expect(await verdict01.innerText()).to.contain(MESSAGES.vi.natIdentical);
    const projections01 = await verdict01.locator('li[data-projection]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-projection'), e.getAttribute('data-identical')]));
    expect(projections01.length).to.be.greaterThan(0);
    expect(projections01.every(([, identical]) => identical === 'true')).to.equal(true);

    // A row of 79's national read models changed behind the projector's back: the check names it.
    const schema = schemaOfOrigin(ORIGIN['79']);
    await national.node.pool.query(`UPDATE ${schema}.rm_camera SET status = 'suspended' WHERE camera_id = (SELECT min(camera_id) FROM ${schema}.rm_camera)`);
    try {
      await row('79').getByTestId('check-read-models').click();
      const verdict79 = row('79').getByTestId('read-model-verdict');
      await verdict79.waitFor({ timeout: 120_000 });
      expect(await verdict79.getAttribute('data-identical')).to.equal('false');
      expect(await verdict79.innerText()).to.contain(MESSAGES.vi.natDiffers);
      const camera = verdict79.locator('li[data-projection=cameras]');
      expect(await camera.getAttribute('data-identical')).to.equal('false');
      const differing = camera.locator('[data-table=rm_camera]');
      expect(await differing.getAttribute('data-only-live')).to.equal('1');
      expect(await differing.getAttribute('data-only-replay')).to.equal('1');
      expect(await differing.innerText()).to.contain(`1 ${MESSAGES.vi.natOnlyInLive}, 1 ${MESSAGES.vi.natOnlyInReplay}`);
      // 01's verdict stays as it was: one verdict per log.
      expect(await verdict01.getAttribute('data-identical')).to.equal('true');
      await page.getByTestId('national-read-models').screenshot({ path: join(ARTIFACTS, 'national-read-models.png') });
      expect(await axe(page), 'axe: serious or critical violations').to.deep.equal([]);
    } finally {
      await national.node.pool.query(`UPDATE ${schema}.rm_camera SET status = 'active' WHERE status = 'suspended'`);
    }
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('an administrator sees the read models without the check; an analyst sees no workload (it names officers)', async () => {
    const admin = await browser.context.newPage();
    await signInWithToken(admin, national.url, await national.token('admin', '00', 'admin-00-natdash'), 'admin-00-natdash');
    await admin.goto(`${national.url}/#/dashboard`);
    await admin.getByTestId('national-read-models-table').waitFor();
    expect(await admin.getByTestId('check-read-models').count()).to.equal(0);
    expect(await admin.getByTestId('national-read-models').innerText()).to.contain(MESSAGES.vi.natReadModelsAuditorOnly);
    await admin.close();

    const analyst = await browser.context.newPage();
    await signInWithToken(analyst, national.url, await national.token('analyst', '00', 'analyst-00-natdash'), 'analyst-00-natdash');
    await analyst.goto(`${national.url}/#/dashboard`);
    await analyst.getByTestId('national-models-table').waitFor();
    expect(await analyst.getByTestId('national-workload').count()).to.equal(0);
    expect(await analyst.getByTestId('national-read-models').count()).to.equal(0);
    expect(await analyst.getByTestId('national-plate').count()).to.equal(0);
    await analyst.close();
  });

  it('a national officer looks a plate up across the provinces, stating the purpose', async () => {
    const token = await national.token('officer', '00', 'officer-00-natdash');
    const plate = PLATE;
    const expected = await get<NationalPlateCases>(`/v1/national/plates/${encodeURIComponent(plate)}/cases`, token, 'national dashboard spec');
    expect(expected.cases.map((c) => c.province).sort(), `cases of ${plate}`).to.deep.equal(['01', '01', '79', '79']);
    const page = await browser.context.newPage();
    await signInWithToken(page, national.url, token, 'officer-00-natdash');
    await page.goto(`${national.url}/#/dashboard`);
    await page.getByTestId('national-plate').waitFor();
    await page.locator('#national-plate-input').fill(plate);
    await page.getByTestId('national-plate-submit').click();
    expect(await page.getByTestId('national-plate-error').innerText()).to.equal(MESSAGES.vi.natPlatePurposeRequired);
    await page.locator('#national-plate-purpose').fill('Xác minh phương tiện (kiểm thử)');
    await page.getByTestId('national-plate-submit').click();
    const results = page.getByTestId('national-plate-results');
    await results.waitFor();
    const rows = await results.locator('tbody tr').evaluateAll((els) =>
      els.map((e) => ({ caseId: e.getAttribute('data-case'), province: e.getAttribute('data-province'), leaves: (e.querySelector('[data-col=leaves]') as HTMLElement).innerText })),
    );
    expect(rows).to.deep.equal(expected.cases.map((c) => ({ caseId: c.caseId, province: c.province, leaves: c.records.map((r) => r.leafIndex).join(', ') })));
    await page.close();
  });

  it('a provincial node shows none of the national views, and its coverage is its own', async () => {
    const ui = provinces.get('01')!;
    for (const [role, province, subject] of [['supervisor', '01', 'officer-01-director'], ['auditor', '00', 'auditor-00-natdash']] as const) {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signInWithToken(page, ui.url, await ui.token(role, province, subject), subject);
      await page.goto(`${ui.url}/#/dashboard`);
      await page.getByTestId('kpis').waitFor();
      await page.locator('[data-testid=coverage] tbody tr').first().waitFor();
      for (const id of ['federation', 'national-models', 'national-workload', 'national-read-models', 'national-plate']) {
        expect(await page.getByTestId(id).count(), `${role}/${province}: ${id}`).to.equal(0);
      }
      expect(await page.getByTestId('coverage-section').getAttribute('data-source')).to.equal('node');
      expect(await page.locator('#coverage-source').count()).to.equal(0);
      expect(await page.locator('[data-testid=coverage] [data-col=freshness]').count()).to.equal(0);
      expect(await overflow(page), 'horizontal overflow (px)').to.be.at.most(0);
      expect(errors).to.deep.equal([]);
      await page.close();
    }
  });
});
