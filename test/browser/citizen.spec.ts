/**
 * The public citizen lookup and portal in Chromium, on a phone-sized viewport (390 × 844):
 * - plate + registration certificate number finds the vehicle's violations; the answer holds the published
 *   fields and the portal's own (no case id, owner, officer or key), the status in words, the decided fine,
 *   the deadlines and the unit's phone; a wrong certificate finds nothing;
 * - the privacy copy of the evidence is shown (its access is a custody record with a citizen actor);
 * - a complaint with an image gets a receipt (reference and digest) and is a `ComplaintFiled` record of a
 *   citizen actor;
 * - paying shows the VietQR code of the amount due; the stand-in bank's signed confirmation arrives and the
 *   page shows the payment, recorded as `PaymentRecorded` by the payment gateway;
 * - a holder of a notice answers it online (an explanation and the driver's ID and licence numbers) and keeps a
 *   receipt; the answer is `ExplanationSubmitted` / `DriverIdentified` on the case with a citizen actor;
 * - a complaint against a decision is also the case's `AppealFiled`;
 * - officers see the province's complaints and the citizen-report queue on their own screen (`#/inbox`), open a
 *   report's photo (a custody record) and accept the report with a reason; a supervisor resolves the complaint's
 *   appeal with a signed appeal/v1;
 * - English is one choice away.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { waitFor } from '../support/env.ts';
import { addPrivacyCopy, detectionOf, registerHolder } from '../support/citizen-portal.ts';
import { openKeys, signInWithToken } from './support/signin.ts';
import { identifyOwner, issueNotice } from '../../src/commands/cases.ts';
import { citizenLookup } from '../../src/projections/queries.ts';
import { portalRef } from '../../src/domain/citizen/index.ts';

const PUBLISHED_FIELDS = ['plate', 'plateColour', 'vehicleType', 'observedAt', 'place', 'violationCode', 'violation', 'detectingUnit', 'status', 'ownerUnresponsive', 'transferredTo'];
const PORTAL_FIELDS = ['ref', 'handlingUnitPhone', 'fineRange', 'decision', 'deadlines', 'amountDue', 'payment', 'paid', 'complaints', 'privacyImage', 'canPay', 'canComplain', 'response', 'followAt'];
const NOTICED_CERTIFICATE = 'DK-UI-000456';
const CERTIFICATE = 'DK-UI-000123';
const OWNER = { name: 'Nguyễn Văn Thử', ref: 'own-ui-0001', phone: '+84910000001' };
const PHONE = { width: 390, height: 844 };

(chromiumAvailable() ? describe : describe.skip)('web UI: citizen lookup and portal (Chromium, phone-sized)', function () {
  this.timeout(180_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let caseId: string;
  let plate: string;
  let ref: string;
  /** A confirmed case of another vehicle, taken to a notice: its holder answers it online. */
  let noticedCaseId: string;
  let noticedPlate: string;

  before(async () => {
    ui = await startUiNode({ cases: 12, publicRateLimitPerMinute: 1000, env: { HANDLING_UNIT_PHONES: '01=024 3942 4300;79=028 3920 0000' } });
    browser = await launch();
    caseId = ui.demo.decidedCaseIds.find((id) => !ui.demo.paidCaseIds.includes(id))!; // the demo pays its first
    ref = portalRef(caseId);
    plate = await registerHolder(ui.node, ui.registry, caseId, CERTIFICATE, OWNER.ref);
    // The published view is a read model: wait (on the read model itself, not the rate-limited public
    // route) until the projections have published the confirmed case.
    await waitFor(async () => (await citizenLookup(ui.node.readModels, plate)).length > 0, { what: 'the published violation', timeoutMs: 30_000 });
    await addPrivacyCopy(ui.node, caseId);
    for (const id of ui.demo.caseIds) {
      const records = await ui.node.store.readStream(`case-${id}`);
      const { detection, province } = await detectionOf(ui.node, id);
      if (records.at(-1)?.record.type !== 'ReviewConfirmed' || detection.plateRead.text === plate) continue;
      const service = (sid: string) => ({ actor: { kind: 'service' as const, id: sid }, province });
      await identifyOwner(ui.node.commandDeps, service('owner-lookup-worker'), { caseId: id, owner: { kind: 'individual', ref: 'own-ui-0002' }, registry: 'stand-in' });
      await issueNotice(ui.node.commandDeps, service('notice-worker'), { caseId: id, noticeId: 'notice-ui-answer', channel: 'vneid' });
      noticedCaseId = id;
      noticedPlate = await registerHolder(ui.node, ui.registry, id, NOTICED_CERTIFICATE, 'own-ui-0002');
      break;
    }
    await waitFor(async () => (await citizenLookup(ui.node.readModels, noticedPlate)).length > 0, { what: 'the noticed violation', timeoutMs: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  async function openPortal(certificate = CERTIFICATE, plateText = plate): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${ui.url}/#/citizen`);
    await page.getByLabel('Biển số').fill(plateText);
    await page.getByLabel('Số chứng nhận đăng ký xe').fill(certificate);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    return page;
  }

  const card = (page: Page) => page.locator(`[data-testid="citizen-violation"][data-ref="${ref}"]`);
  const citizenRecords = async () => (await ui.node.store.readStream(`citizen-${caseId}`)).map((s) => s.record);

  it('finds the violations by plate and certificate: published fields, status in words, decided fine, deadlines, phone', async () => {
    const answers: unknown[] = [];
    const portal = await openPortal();
    portal.on('response', async (r) => {
      if (r.url().includes('/v1/public/violations?')) answers.push(await r.json());
    });
    await portal.getByTestId('citizen-results').waitFor();
    const text = await card(portal).innerText();
    expect(text).to.contain(plate);
    expect(text).to.contain('Số tiền phạt đã quyết định');
    expect(text).to.contain('Hạn nộp phạt');
    expect(text).to.contain('024 3942 4300');
    const status = await card(portal).getByTestId('citizen-status').innerText();
    expect(status).to.not.match(/^[a-z-]+$/, 'the status is words, not a raw key');
    expect(await portal.locator('main').innerText()).to.contain('Việc cần làm tiếp theo');
    await portal.screenshot({ path: join(ARTIFACTS, 'citizen.png'), fullPage: true });

    // The answer holds the published and portal fields only; the page shows no case id, owner, officer or key.
    await portal.reload();
    await portal.getByLabel('Biển số').fill(plate);
    await portal.getByLabel('Số chứng nhận đăng ký xe').fill(CERTIFICATE);
    await portal.getByRole('button', { name: 'Tra cứu' }).click();
    await portal.getByTestId('citizen-results').waitFor();
    await waitFor(() => answers.length > 0, { what: 'the lookup answer' });
    const { violations } = answers[0] as { violations: Record<string, unknown>[] };
    expect(violations.length).to.be.greaterThan(0);
    for (const v of violations) expect(Object.keys(v)).to.satisfy((keys: string[]) => keys.every((k) => [...PUBLISHED_FIELDS, ...PORTAL_FIELDS].includes(k)));
    const main = await portal.locator('main').innerText();
    for (const secret of [caseId, OWNER.name, OWNER.ref, OWNER.phone, 'officer-', ...ui.demo.officers.map((o) => o.keyId)]) {
      expect(main, secret).to.not.contain(secret);
    }
    await portal.close();
  });

  it('a wrong certificate number finds nothing, exactly like a vehicle without violations', async () => {
    const page = await openPortal('DK-UI-999999');
    await page.getByTestId('citizen-empty').waitFor();
    expect(await page.getByTestId('citizen-results').count()).to.equal(0);
    await page.close();
  });

  it('shows the privacy copy of the evidence; the access is a custody record of a citizen', async () => {
    const page = await openPortal();
    await card(page).getByRole('button', { name: 'Xem ảnh vi phạm' }).click();
    const img = card(page).getByTestId('privacy-image');
    await img.waitFor();
    await waitFor(async () => (await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)) > 0, { what: 'the image to load' });
    const custody = (await ui.node.store.readStream(`custody-${caseId}`)).map((s) => s.record);
    expect(custody.some((r) => (r.data as { access?: string }).access === 'view' && r.meta.actor.kind === 'citizen')).to.equal(true);
    await page.close();
  });

  it('files a complaint with an image and shows a receipt with its reference and digest', async () => {
    const page = await openPortal();
    const c = card(page);
    await c.getByRole('button', { name: 'Khiếu nại' }).click();
    await c.getByLabel('Loại đơn').selectOption('appeal');
    await c.getByLabel('Nội dung, lý do').fill('Xe của tôi đang ở bãi gửi lúc đó; xin xem ảnh vé gửi xe đính kèm.');
    const jpeg = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#c0d0e0' } }).jpeg().toBuffer();
    await c.getByLabel('Ảnh đính kèm').setInputFiles({ name: 've-gui-xe.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await c.getByRole('button', { name: 'Gửi' }).click();
    await c.getByTestId('citizen-receipt').waitFor();
    expect(await c.getByTestId('receipt-ref').innerText()).to.equal(`KN-${ref}-01`);
    expect(await c.getByTestId('receipt-digest').innerText()).to.match(/^sha256:[0-9a-f]{64}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-receipt.png'), fullPage: true });
    const filed = (await citizenRecords()).filter((r) => r.type === 'ComplaintFiled');
    expect(filed).to.have.length(1);
    expect(filed[0]!.meta.actor.kind).to.equal('citizen');
    expect((filed[0]!.data as { attachments: unknown[] }).attachments).to.have.length(1);
    // Against a decision it is also the case's appeal, linked by the reference, by the same citizen actor.
    await c.getByTestId('appeal-recorded').waitFor();
    const appeals = (await ui.node.store.readStream(`case-${caseId}`)).map((s) => s.record).filter((r) => r.type === 'AppealFiled');
    expect(appeals.map((r) => [(r.data as { appealId: string }).appealId, r.meta.actor.id])).to.deep.equal([[`KN-${ref}-01`, filed[0]!.meta.actor.id]]);
    await page.close();
  });

  it('pays: the VietQR code of the amount due, then the bank\'s confirmation shows as paid', async () => {
    const page = await openPortal();
    const c = card(page);
    const due = await c.getByTestId('amount-due').innerText();
    await c.getByRole('button', { name: 'Nộp phạt trực tuyến' }).click();
    const qr = c.getByTestId('vietqr');
    await qr.waitFor();
    expect(await qr.getAttribute('data-payload')).to.match(/^000201010212/);
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-pay.png'), fullPage: true });
    // The stand-in bank confirms a few seconds later by its signed callback; the page asks until it sees it.
    await c.getByTestId('citizen-paid').waitFor({ timeout: 30_000 });
    expect(await c.getByTestId('citizen-paid').innerText()).to.contain(due);
    // The lookup's status is the paid word, and the payment is the case's own record (by the payment gateway).
    expect(await c.getByTestId('citizen-status').innerText()).to.equal('Đã nộp phạt');
    const paid = (await ui.node.store.readStream(`case-${caseId}`)).map((s) => s.record).filter((r) => r.type === 'PaymentRecorded');
    expect(paid).to.have.length(1);
    expect(paid[0]!.meta.actor).to.deep.equal({ kind: 'service', id: 'payment-gateway' });
    expect((await citizenRecords()).map((r) => r.type)).to.not.include('PaymentRecorded');
    await page.close();
  });

  it('reports a violation seen on the road with a photo; the reporter gets a number and a link to follow it', async () => {
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await page.goto(`${ui.url}/#/citizen`);
    await page.getByRole('button', { name: 'Báo vi phạm bạn thấy trên đường' }).click();
    const form = page.getByTestId('citizen-report');
    await form.getByLabel('Tỉnh/thành nơi xảy ra').selectOption('01');
    const vn = new Date(Date.now() + 7 * 3600_000 - 3600_000).toISOString().slice(0, 16);
    await form.getByLabel('Thời điểm (giờ Việt Nam)').fill(vn);
    await form.getByLabel('Địa điểm').fill('Cầu vượt Mai Dịch, Cầu Giấy');
    await form.getByLabel('Biển số xe vi phạm (nếu thấy)').fill('29B-555.55');
    await form.getByLabel('Mô tả vi phạm').fill('Xe máy đi ngược chiều lên cầu vượt giờ cao điểm');
    const jpeg = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    await form.getByLabel('Ảnh (1–5 ảnh)').setInputFiles({ name: 'nguoc-chieu.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await form.getByRole('button', { name: 'Gửi' }).click();
    const status = page.getByTestId('report-status');
    await status.waitFor();
    expect(await status.getByTestId('report-ref').innerText()).to.match(/^PA-01-[0-9A-F]{8}$/);
    expect(await status.getByTestId('report-state').innerText()).to.equal('Chờ cán bộ xem xét');
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-report.png'), fullPage: true });
    const records = (await ui.node.store.readStream('report-01')).map((r) => r.record);
    expect(records[0]!.type).to.equal('ViolationReported');
    expect(records[0]!.meta.actor.kind).to.equal('citizen');
    expect((records[0]!.data as { source: string }).source).to.equal('citizen');
    // The follow link opens the report's status.
    const link = await status.locator('a').getAttribute('href');
    const follow = await browser.context.newPage();
    await follow.setViewportSize(PHONE);
    await follow.goto(link!);
    await follow.getByTestId('report-status').waitFor();
    await follow.close();
    await page.close();
  });

  it('answers a notice online: an explanation and the driver, with a receipt; recorded on the case by a citizen', async () => {
    const noticedRef = portalRef(noticedCaseId);
    const page = await openPortal(NOTICED_CERTIFICATE, noticedPlate);
    const c = page.locator(`[data-testid="citizen-violation"][data-ref="${noticedRef}"]`);
    await c.getByRole('button', { name: 'Giải trình / khai báo người điều khiển' }).click();
    const form = c.getByTestId('citizen-response');
    await form.getByLabel('Nội dung giải trình').fill('Hôm đó em trai tôi mượn xe để đi làm.');
    await form.getByLabel('Người khác điều khiển phương tiện').check();
    await form.getByLabel('Số định danh cá nhân của người điều khiển').fill('001099012345');
    await form.getByLabel('Số giấy phép lái xe của người điều khiển').fill('GPLX-790123456');
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-respond.png'), fullPage: true });
    await form.getByRole('button', { name: 'Gửi' }).click();
    const receipt = c.getByTestId('response-receipt');
    await receipt.waitFor();
    expect(await receipt.getByTestId('response-ref').innerText()).to.match(new RegExp(`^PH-${noticedRef}-[0-9A-F]{8}$`));
    expect(await receipt.getByTestId('response-digest').innerText()).to.match(/^sha256:[0-9a-f]{64}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-respond-receipt.png'), fullPage: true });
    const records = (await ui.node.store.readStream(`case-${noticedCaseId}`)).map((s) => s.record);
    const answered = records.filter((r) => r.type === 'ExplanationSubmitted' || r.type === 'DriverIdentified');
    expect(answered.map((r) => [r.type, r.meta.actor.kind])).to.deep.equal([
      ['DriverIdentified', 'citizen'],
      ['ExplanationSubmitted', 'citizen'],
    ]);
    expect(answered[0]!.data).to.deep.include({ driver: { kind: 'individual', ref: '001099012345' }, licenceRef: 'GPLX-790123456' });
    expect(answered[1]!.data).to.include({ channel: 'online' });
    await page.close();
    // Looked up again, the notice shows as answered.
    const again = await openPortal(NOTICED_CERTIFICATE, noticedPlate);
    const answeredText = await again.locator(`[data-testid="citizen-violation"][data-ref="${noticedRef}"]`).getByTestId('responded').innerText();
    expect(answeredText).to.contain('Đã gửi giải trình');
    expect(answeredText).to.contain('Đã khai người điều khiển');
    await again.close();
  });

  it('officers see the province\'s complaints and the report queue on their screen, open a photo (custody) and accept a report', async () => {
    const { province } = await detectionOf(ui.node, caseId);
    const page = await browser.context.newPage();
    await page.setViewportSize(PHONE);
    await signInWithToken(page, ui.url, await ui.token('supervisor', '00', 'officer-00-c08'), 'officer-00-c08');
    // The supervisor's own signing key, kept encrypted in this browser (for the appeal's appeal/v1 sign-off).
    await openKeys(page, ui.url);
    await page.locator('#key-file').setInputFiles(ui.keyFile('officer-00-c08'));
    await page.locator('#import-passphrase').fill('mật khẩu thử nghiệm 2026');
    await page.getByRole('button', { name: 'Nhập khóa' }).click();
    await page.getByTestId('key-badge').waitFor();
    await page.goto(`${ui.url}/#/inbox`);
    // The province picker by its test id: a complaint card's own outcome select may already be on the page.
    await page.getByTestId('inbox-province').selectOption(province);
    const complaint = page.locator(`[data-testid="complaint-item"][data-reference="KN-${ref}-01"]`);
    await complaint.waitFor({ timeout: 30_000 });
    expect(await complaint.getByTestId('complaint-appeal').innerText()).to.equal('Đang giải quyết');
    // The complaint's image opens on request, with a purpose: a custody record of the case.
    await complaint.getByTestId('show-complaint-attachment').first().click();
    const attached = complaint.getByTestId('complaint-attachment');
    await attached.waitFor();
    await waitFor(async () => (await attached.evaluate((el) => (el as HTMLImageElement).naturalWidth)) > 0, { what: 'the complaint attachment to load' });
    const viewed = (await ui.node.store.readStream(`custody-${caseId}`))
      .map((r) => r.record)
      .filter((r) => (r.data as { purpose: string }).purpose === 'Xem ảnh đính kèm khiếu nại để giải quyết');
    expect(viewed.map((r) => [r.meta.actor.id, (r.data as { access: string }).access])).to.deep.equal([['officer-00-c08', 'view']]);
    // The supervisor resolves the appeal the complaint opened: a signed appeal/v1 through the existing route.
    await complaint.getByLabel('Kết quả giải quyết').selectOption('upheld');
    await complaint.getByLabel('Lý do').fill('Ảnh vi phạm rõ, giữ nguyên quyết định');
    await complaint.getByRole('button', { name: 'Ký và giải quyết khiếu nại' }).click();
    await complaint.getByTestId('complaint-appeal').filter({ hasText: 'Giữ nguyên quyết định' }).waitFor({ timeout: 30_000 });
    const resolved = (await ui.node.store.readStream(`case-${caseId}`)).map((r) => r.record).filter((r) => r.type === 'AppealResolved');
    expect(resolved.map((r) => [r.meta.actor.id, (r.data as { appealId: string; outcome: string }).appealId, (r.data as { outcome: string }).outcome])).to.deep.equal([
      ['officer-00-c08', `KN-${ref}-01`, 'upheld'],
    ]);
    expect((resolved[0]!.data as { signoff?: { purpose: string } }).signoff?.purpose).to.equal('appeal/v1');
    await page.getByTestId('inbox-province').selectOption('01');
    const report = page.getByTestId('report-item').first();
    await report.waitFor({ timeout: 30_000 });
    const reference = (await report.getAttribute('data-reference'))!;
    const reportId = (await ui.node.store.readStream('report-01')).map((r) => r.record).find((r) => (r.data as { reference?: string }).reference === reference)!.data as { reportId: string };
    await report.getByTestId('show-report-photo').first().click();
    const photo = report.getByTestId('report-photo');
    await photo.waitFor();
    await waitFor(async () => (await photo.evaluate((el) => (el as HTMLImageElement).naturalWidth)) > 0, { what: 'the report photo to load' });
    const custody = (await ui.node.store.readStream(`custody-${reportId.reportId}`)).map((s) => s.record);
    expect(custody.map((r) => [r.meta.actor.id, (r.data as { access: string }).access])).to.deep.equal([['officer-00-c08', 'view']]);
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-inbox.png'), fullPage: true });
    await report.getByLabel('Lý do').fill('Ảnh rõ biển số, chuyển tổ xác minh');
    await report.getByTestId('accept-report').click();
    await page.locator(`[data-testid="report-item"][data-reference="${reference}"] [data-testid="report-status"]`).filter({ hasText: 'Đã tiếp nhận để xác minh' }).waitFor({ timeout: 30_000 });
    const reviewed = (await ui.node.store.readStream('report-01')).map((r) => r.record).filter((r) => r.type === 'ReportReviewed');
    expect(reviewed.map((r) => [r.meta.actor.id, (r.data as { outcome: string }).outcome])).to.deep.equal([['officer-00-c08', 'accepted']]);
    await page.close();
  });

  it('is in English when chosen', async () => {
    const page = await openPortal();
    await card(page).waitFor();
    await page.locator('#lang').selectOption('en');
    await page.getByText('Fine decided').first().waitFor();
    expect(await card(page).innerText()).to.contain('Paid');
    await page.screenshot({ path: join(ARTIFACTS, 'citizen-en.png'), fullPage: true });
    await page.locator('#lang').selectOption('vi');
    await page.close();
  });
});
