/**
 * The public citizen lookup in Chromium: plate + registration certificate number finds the vehicle's
 * published violation and says what to do next; the answer and the page hold nothing beyond the published
 * fields (no case id, owner, officer, key or fine details); a wrong certificate finds nothing.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { waitFor } from '../support/env.ts';
import { plateKey } from '../../src/domain/case/plate-key.ts';
import { citizenLookup } from '../../src/projections/queries.ts';

const PUBLISHED_FIELDS = ['plate', 'plateColour', 'vehicleType', 'observedAt', 'place', 'violationCode', 'violation', 'detectingUnit', 'status'];
const CERTIFICATE = 'DK-UI-000123';
const OWNER = { ref: 'own-ui-0001', kind: 'individual' as const, name: 'Nguyễn Văn Thử', address: '12 Kim Mã, Hà Nội', email: 'thu@example.invalid', phone: '+84910000001' };

(chromiumAvailable() ? describe : describe.skip)('web UI: citizen lookup (Chromium)', function () {
  this.timeout(180_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let caseId: string;
  let plate: string;

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    caseId = ui.demo.decidedCaseIds[0]!;
    const [detected] = await ui.node.store.readStream(`case-${caseId}`, { maxCount: 1 });
    const detection = (detected!.record.data as { detection: { plateRead: { text: string }; vehicleClass: string } }).detection;
    plate = detection.plateRead.text;
    ui.registry.add({ plate: plateKey(plate), registrationNumber: CERTIFICATE, vehicleClass: detection.vehicleClass, owner: OWNER });
    // The published view is a read model: wait (on the read model itself, not the rate-limited public
    // route) until the projections have published the confirmed case.
    await waitFor(async () => (await citizenLookup(ui.node.readModels, plate)).length > 0, { what: 'the published violation', timeoutMs: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('finds the violation by plate and certificate and shows only the published fields and the next steps', async () => {
    const page = await browser.context.newPage();
    const answers: unknown[] = [];
    page.on('response', async (r) => {
      if (r.url().includes('/v1/public/violations')) answers.push(await r.json());
    });
    await page.goto(`${ui.url}/#/citizen`);
    await page.getByLabel('Biển số').fill(plate);
    await page.getByLabel('Số chứng nhận đăng ký xe').fill(CERTIFICATE);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    const results = page.getByTestId('citizen-results');
    await results.waitFor();
    const text = await results.innerText();
    expect(text).to.contain(plate);
    expect(text).to.contain('Việc cần làm tiếp theo');
    await page.screenshot({ path: join(ARTIFACTS, 'citizen.png'), fullPage: true });

    // The answer holds the published fields and nothing else…
    await waitFor(() => answers.length > 0, { what: 'the lookup answer' });
    const { violations } = answers[0] as { violations: Record<string, unknown>[] };
    expect(violations.length).to.be.greaterThan(0);
    for (const v of violations) expect(Object.keys(v)).to.satisfy((keys: string[]) => keys.every((k) => PUBLISHED_FIELDS.includes(k)));
    // …and the page shows no case id, owner, officer or key.
    const page_ = await page.locator('main').innerText();
    for (const secret of [caseId, OWNER.name, OWNER.ref, OWNER.phone, 'officer-', ...ui.demo.officers.map((o) => o.keyId)]) {
      expect(page_, secret).to.not.contain(secret);
    }
    await page.close();
  });

  it('a wrong certificate number finds nothing, exactly like a vehicle without violations', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${ui.url}/#/citizen`);
    await page.getByLabel('Biển số').fill(plate);
    await page.getByLabel('Số chứng nhận đăng ký xe').fill('DK-UI-999999');
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await page.getByTestId('citizen-empty').waitFor();
    expect(await page.getByTestId('citizen-results').count()).to.equal(0);
    await page.close();
  });
});
