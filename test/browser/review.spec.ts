/**
 * The officer and supervisor surfaces in a real Chromium against a node with demo data: sign in with a
 * token, import the officer's own key file (kept encrypted in the browser), open the oldest case of the
 * province's queue, correct the plate, confirm with the keyboard; the server then holds a ReviewConfirmed
 * whose signature verifies under that officer's enrolled key. A supervisor decides a penalty the same way.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { openKeys, signInWithToken } from './support/signin.ts';
import { waitFor } from '../support/env.ts';
import { verifySignoff } from '../../src/domain/signoff/signing.ts';
import { keyIdOf } from '../../src/domain/signoff/keys.ts';
import type { StoredRecord } from '../../src/ports/eventstore.ts';
import { AUTHORITY_LIMITS_VND } from '../../src/domain/catalog/index.ts';
import { identifyOwner, issueNotice } from '../../src/commands/cases.ts';
import type { Caller } from '../../src/commands/outcome.ts';
import { badgesFromSla, type ServerSla } from '../../web/src/lib/queue.ts';
import { createPlateReader } from '../../src/workers/inference/index.ts';
import { deriveForCase } from '../support/media-derivation.ts';

interface QueueEntry {
  caseId: string;
  province: string;
  observedAt: string;
  flags: Record<string, boolean>;
  sla: ServerSla;
}

/** The province's review queue as the server gives it (first page, oldest first). */
async function reviewQueue(ui: UiNode, token: string, province?: string): Promise<QueueEntry[]> {
  const query = province ? `?province=${province}` : '';
  const r = await fetch(`${ui.url}/v1/review-queue${query}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status, 'GET /v1/review-queue').to.equal(200);
  return ((await r.json()) as { items: QueueEntry[] }).items;
}

/**
 * Brings a confirmed case to `noticed` through the API, as the owner-lookup and notice workers would (the UI
 * node runs without the worker role): the violation record, and so the decision, need a notified owner.
 */
async function notifyOwner(ui: UiNode, token: string, caseId: string, owner: { kind: 'individual' | 'organisation'; ref: string }): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${ui.url}/v1/cases/${caseId}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status, `POST ${path}: ${await r.clone().text()}`).to.equal(200);
  };
  await post('/owner', { owner, registry: 'ui-test-registry' });
  await post('/notices', { noticeId: `ntc-ui-${caseId.slice(0, 8)}`, channel: 'vnetraffic' });
}

const PASSPHRASE = 'mật khẩu thử nghiệm 2026';

async function caseRecords(ui: UiNode, caseId: string): Promise<StoredRecord[]> {
  return ui.node.store.readStream(`case-${caseId}`);
}

async function signInWithKey(page: Page, ui: UiNode, role: 'officer' | 'supervisor', province: string, subject: string): Promise<string> {
  const token = await ui.token(role, province, subject);
  await signInWithToken(page, ui.url, token, subject);
  await openKeys(page, ui.url);
  expect(await page.getByTestId('province').textContent()).to.contain(province);
  return importKey(page, ui, subject);
}

/** Waits for the sign-off result; fails with the page's error message when the server refused it. */
async function signedOrError(page: Page): Promise<void> {
  await page.locator('[data-testid=signed], [data-testid=error]').first().waitFor();
  const error = page.getByTestId('error');
  if ((await error.count()) > 0) expect.fail(`the page reports: ${await error.innerText()}`);
}

async function importKey(page: Page, ui: UiNode, subject: string): Promise<string> {
  await page.locator('#key-file').setInputFiles(ui.keyFile(subject));
  await page.locator('#import-passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Nhập khóa' }).click();
  const keyId = JSON.parse(readFileSync(ui.keyFile(subject), 'utf8')).keyId as string;
  await page.getByTestId('key-status').filter({ hasText: keyId }).waitFor();
  return keyId;
}

/** Every key officer-<id> registered (enrolment and rotations), base64. */
async function officerKeys(ui: UiNode, officerId: string): Promise<string[]> {
  const records = await ui.node.store.readStream(`officer-${officerId}`);
  return records.map((r) => (r.record.data as { publicKey?: string }).publicKey).filter((k): k is string => typeof k === 'string');
}

/** The thumbnail and plate crop of the queue's oldest case, and where the plate is on its overview. */
interface OldestMedia {
  caseId: string;
  thumbnail: string;
  plateBox: { x: number; y: number; width: number; height: number };
}

/**
 * The UI node runs no workers, so the oldest case gets its media the way the workers make it: the real plate
 * reader finds the plate on the overview, sharp derives the thumbnail and the plate crop, each recorded as
 * derived evidence; then the review-queue read model is waited on until it lists the thumbnail.
 */
async function deriveOldestMedia(ui: UiNode, caseId: string): Promise<OldestMedia> {
  const [first] = await ui.node.store.readStream(`case-${caseId}`, { maxCount: 1 });
  const overview = (first!.record.data as { detection: { evidence: { digest: string; size: number; role?: string }[] } }).detection.evidence.find((e) => e.role === 'overview')!;
  const reader = await createPlateReader();
  let plateBox: OldestMedia['plateBox'];
  try {
    const reading = await reader.readScene(await ui.node.evidence.getBytes(overview.digest, { expectedSize: overview.size }));
    if (!reading) throw new Error('the plate reader found no plate on the demo overview');
    plateBox = reading.box;
  } finally {
    await reader.close();
  }
  const items = await deriveForCase({ commands: ui.node.commandDeps, evidence: ui.node.evidence }, caseId, { thumbnail: {}, plate: { box: plateBox } });
  const thumbnail = items.find((i) => i.role === 'thumbnail')!.digest;
  await waitFor(
    async () => {
      const rows = (await ui.node.readModels.query(`SELECT evidence FROM rm_case WHERE case_id = $1`, [caseId])) as { evidence: { derived?: { digest: string }[] } }[];
      return (rows[0]?.evidence.derived ?? []).some((d) => d.digest === thumbnail);
    },
    { what: 'the thumbnail in the case read model', timeoutMs: 30_000 },
  );
  return { caseId, thumbnail, plateBox };
}

(chromiumAvailable() ? describe : describe.skip)('web UI: officer review and supervisor decision (Chromium)', function () {
  this.timeout(180_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let oldestMedia: OldestMedia;

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    // The queue is a read model: wait until the projections have caught up with the demo's detections.
    const officerToken = await ui.token('officer', '01', 'officer-01-reviewer');
    await waitFor(async () => (await reviewQueue(ui, officerToken)).length > 0, {
      what: 'detected cases in the review queue read model',
      timeoutMs: 30_000,
    });
    oldestMedia = await deriveOldestMedia(ui, (await reviewQueue(ui, officerToken))[0]!.caseId);
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('an officer corrects the plate of the oldest case and confirms with the keyboard; the signature verifies under their key', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Console errors include Content-Security-Policy violations of the served app.
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const keyId = await signInWithKey(page, ui, 'officer', '01', 'officer-01-reviewer');

    await page.goto(`${ui.url}/#/queue`);
    const rows = page.locator('[data-testid=queue] tbody tr');
    await rows.first().waitFor();
    // Oldest first, in the server's order: the first row is the province's oldest case awaiting review.
    const officerToken = await ui.token('officer', '01', 'officer-01-reviewer');
    const listed = await reviewQueue(ui, officerToken);
    const oldest = listed[0]!;
    expect(await rows.first().getAttribute('data-case-id')).to.equal(oldest.caseId);
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case-id')))).to.deep.equal(listed.map((c) => c.caseId));
    // SLA badges and flags are the server's, row by row.
    for (const [i, item] of listed.entries()) {
      const row = rows.nth(i);
      expect(await row.locator('[data-testid=sla] [data-badge]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-badge')))).to.deep.equal(badgesFromSla(item.sla));
      const raised = Object.entries(item.flags).filter(([, on]) => on).map(([name]) => name);
      expect(await row.locator('[data-testid=flags] [data-flag]').evaluateAll((fs) => fs.map((f) => f.getAttribute('data-flag')))).to.deep.equal(raised);
    }
    // Vehicle class in words and the age of the violation, in Vietnamese.
    expect(await rows.first().getByTestId('vehicle-class').innerText()).to.match(/^(Ô tô|Xe mô tô, xe gắn máy|Xe tải)$/);
    expect(await rows.first().getByTestId('age').innerText()).to.match(/trước$/);
    // The plate as read and the thumbnail: the oldest case has one (fetched once its row is on screen), the
    // others say they have none yet. Listing the plates is one custody record per listed case, and fetching
    // the thumbnail one more, each with the purpose the screen states.
    const firstDetection = ((await caseRecords(ui, oldest.caseId))[0]!.record.data as { detection: { plateRead: { text: string } } }).detection;
    expect(await rows.first().getByTestId('plate').innerText()).to.equal(firstDetection.plateRead.text);
    expect(oldest.caseId).to.equal(oldestMedia.caseId);
    await rows.first().locator('[data-testid=thumbnail][data-loaded=true] img').waitFor();
    for (let i = 1; i < listed.length; i++) expect(await rows.nth(i).getByTestId('no-thumbnail').count(), `row ${i}`).to.equal(1);
    await waitFor(
      async () => {
        const custody = (await ui.node.store.readStream(`custody-${oldest.caseId}`)).map((r) => r.record);
        const mine = custody.filter((r) => (r.meta.actor as { id: string }).id === 'officer-01-reviewer' && (r.data as { purpose: string }).purpose === 'review queue');
        return mine.some((r) => (r.data as { access: string }).access === 'view') && mine.some((r) => (r.data as { digest?: string }).digest === oldestMedia.thumbnail);
      },
      { what: 'custody records of the listed plate and the fetched thumbnail', timeoutMs: 10_000 },
    );
    for (const item of listed.slice(1)) {
      const custody = (await ui.node.store.readStream(`custody-${item.caseId}`)).map((r) => r.record.data as { access: string; purpose: string });
      expect(custody.some((d) => d.access === 'view' && d.purpose === 'review queue'), `custody of listed case ${item.caseId}`).to.equal(true);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'queue.png') });

    // Enter opens the first case of the queue.
    await page.locator('body').press('Enter');
    await page.waitForFunction((id) => location.hash === `#/case/${id}`, oldest.caseId);
    await page.getByTestId('facts').waitFor();
    // The code picker: the catalog's codes for the vehicle class in legal order, each with its description.
    const options = (await page.locator('#violation-codes option').evaluateAll((os) => os.map((o) => [o.getAttribute('value') ?? '', o.getAttribute('label') ?? '']))) as [string, string][];
    expect(options.length).to.be.greaterThan(1);
    expect(options.map(([code]) => code)).to.deep.equal(options.map(([code]) => code).sort((a, b) => a.localeCompare(b, 'vi', { numeric: true })));
    for (const [code, label] of options) expect(label.startsWith(`${code} — `) && label.length > code.length + 5, label).to.equal(true);
    await page.locator('[data-testid=overview] img').waitFor();
    const before = await caseRecords(ui, oldest.caseId);
    const detection = (before[0]!.record.data as { detection: { plateRead: { text: string } } }).detection;
    const original = detection.plateRead.text;
    expect(await page.getByTestId('camera-read').textContent()).to.equal(original);
    // A different valid plate: change the last digit.
    const last = original.at(-1)!;
    const corrected = `${original.slice(0, -1)}${last === '9' ? '8' : String(Number(last) + 1)}`;

    await page.screenshot({ path: join(ARTIFACTS, 'review.png') });

    // Zooming with the wheel keeps the point under the cursor (the plate the officer points at) where it is.
    const viewport = (await page.getByTestId('overview').boundingBox())!;
    const at = { x: viewport.x + viewport.width * 0.7, y: viewport.y + viewport.height * 0.7 };
    const underCursor = `(([x, y]) => { const r = document.querySelector('[data-testid=overview] img').getBoundingClientRect(); return [(x - r.left) / r.width, (y - r.top) / r.height]; })`;
    const spot = (await page.evaluate(`${underCursor}([${at.x}, ${at.y}])`)) as [number, number];
    await page.mouse.move(at.x, at.y);
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(() => /scale\(1\.25\)/.test(document.querySelector<HTMLElement>('[data-testid=overview] img')?.style.transform ?? ''));
    const zoomed = (await page.evaluate(`${underCursor}([${at.x}, ${at.y}])`)) as [number, number];
    expect(Math.abs(zoomed[0] - spot[0])).to.be.lessThan(0.01);
    expect(Math.abs(zoomed[1] - spot[1])).to.be.lessThan(0.01);
    await page.locator('body').press('0');

    // `+` zooms around the plate box: after several presses the whole plate is still inside the viewport.
    const plateOnScreen = `(() => {
      const img = document.querySelector('[data-testid=overview] img');
      const r = img.getBoundingClientRect();
      const b = ${JSON.stringify(oldestMedia.plateBox)};
      const kx = r.width / img.naturalWidth, ky = r.height / img.naturalHeight;
      const v = document.querySelector('[data-testid=overview]').getBoundingClientRect();
      return { left: r.left + b.x * kx - v.left, top: r.top + b.y * ky - v.top, right: r.left + (b.x + b.width) * kx - v.left, bottom: r.top + (b.y + b.height) * ky - v.top, vw: v.width, vh: v.height, width: b.width * kx };
    })()`;
    const atFit = (await page.evaluate(plateOnScreen)) as { width: number };
    for (let i = 0; i < 6; i++) await page.locator('body').press('+');
    await page.waitForFunction(() => !/scale\(1\)/.test(document.querySelector<HTMLElement>('[data-testid=overview] img')?.style.transform ?? 'scale(1)'));
    const zoomedPlate = (await page.evaluate(plateOnScreen)) as { left: number; top: number; right: number; bottom: number; vw: number; vh: number; width: number };
    expect(zoomedPlate.width, 'the plate is larger on screen').to.be.greaterThan(atFit.width * 2);
    expect(zoomedPlate.left, 'plate left edge').to.be.at.least(-0.5);
    expect(zoomedPlate.top, 'plate top edge').to.be.at.least(-0.5);
    expect(zoomedPlate.right, 'plate right edge').to.be.at.most(zoomedPlate.vw + 0.5);
    expect(zoomedPlate.bottom, 'plate bottom edge').to.be.at.most(zoomedPlate.vh + 0.5);
    await page.screenshot({ path: join(ARTIFACTS, 'review-zoomed.png') });
    await page.locator('body').press('0');
    await page.waitForFunction(() => /scale\(1\)/.test(document.querySelector<HTMLElement>('[data-testid=overview] img')?.style.transform ?? ''));

    await page.locator('body').press('e');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.equal('plate');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(corrected);
    await page.keyboard.press('Escape');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.not.equal('plate');
    await page.keyboard.press('c');
    await signedOrError(page);
    expect(await page.getByTestId('signed-key-id').textContent()).to.equal(keyId);
    // The screen shows the new state at once, in Vietnamese: header status, the review in the timeline.
    expect(await page.getByTestId('case-status').innerText()).to.equal('Đã xác nhận');
    expect(await page.getByTestId('timeline').innerText()).to.contain('Cán bộ xác nhận');
    expect(await page.getByTestId('signed').innerText()).to.contain('Xác nhận → Đã xác nhận');
    await page.screenshot({ path: join(ARTIFACTS, 'review-signed.png') });

    const after = await caseRecords(ui, oldest.caseId);
    const confirmed = after.find((r) => r.record.type === 'ReviewConfirmed');
    expect(confirmed, 'ReviewConfirmed recorded').to.not.equal(undefined);
    const data = confirmed!.record.data as { signoff: Record<string, unknown>; signature: string; keyId: string };
    expect(confirmed!.record.meta.actor).to.deep.equal({ kind: 'officer', id: 'officer-01-reviewer' });
    expect(data.signoff.plate).to.equal(corrected);
    expect(data.signoff.correction).to.be.a('string');
    expect(data.signoff.purpose).to.equal('review/v1');
    expect(data.keyId).to.equal(keyId);
    const enrolled = await officerKeys(ui, 'officer-01-reviewer');
    const signer = enrolled.find((k) => keyIdOf(k) === data.keyId);
    expect(signer, 'the signing key is the enrolled one').to.be.a('string');
    expect(verifySignoff(data.signoff, data.signature, signer!)).to.equal(true);
    // The private key never reached the server: no record or request body holds the seed.
    const seed = JSON.parse(readFileSync(ui.keyFile('officer-01-reviewer'), 'utf8')).seed as string;
    expect(JSON.stringify(after.map((r) => r.record))).to.not.contain(seed);
    // …and the browser keeps it only encrypted.
    const stored = String(await page.evaluate('JSON.stringify(Object.entries(localStorage))'));
    expect(stored).to.not.contain(seed);
    expect(stored).to.contain('ciphertext');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('the decision list shows plate, thumbnail, place and fine range, with a custody record per listed case', async () => {
    const subject = 'officer-01-director';
    const token = await ui.token('supervisor', '01', subject);
    const awaiting: { caseId: string; location: string }[] = [];
    for (const status of ['confirmed', 'owner-identified', 'noticed']) {
      const r = await fetch(`${ui.url}/v1/cases?status=${status}&limit=200`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status, `GET /v1/cases?status=${status}`).to.equal(200);
      awaiting.push(...((await r.json()) as { items: { caseId: string; location: string }[] }).items);
    }
    expect(awaiting.length, 'demo cases awaiting a decision').to.be.greaterThan(0);
    // One listed case gets a thumbnail the way the media worker makes it (real sharp).
    const withThumb = awaiting[0]!.caseId;
    const [thumb] = await deriveForCase({ commands: ui.node.commandDeps, evidence: ui.node.evidence }, withThumb, { thumbnail: {} });
    await waitFor(
      async () => {
        const rows = (await ui.node.readModels.query(`SELECT evidence FROM rm_case WHERE case_id = $1`, [withThumb])) as { evidence: { derived?: { digest: string }[] } }[];
        return (rows[0]?.evidence.derived ?? []).some((d) => d.digest === thumb!.digest);
      },
      { what: 'the thumbnail in the case read model', timeoutMs: 30_000 },
    );

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await signInWithToken(page, ui.url, token, subject);
    await page.goto(`${ui.url}/#/decisions`);
    const rows = page.locator('[data-testid=decisions] tbody tr');
    await rows.first().waitFor();
    const ids = (await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case-id') ?? ''))) as string[];
    expect([...ids].sort()).to.deep.equal(awaiting.map((c) => c.caseId).sort());
    const readModel = (await ui.node.readModels.query(
      `SELECT case_id, COALESCE(plate_confirmed, plate_ai, plate_edge) AS plate FROM rm_case WHERE case_id = ANY($1::uuid[])`,
      [ids],
    )) as { case_id: string; plate: string | null }[];
    for (const [i, id] of ids.entries()) {
      const row = rows.nth(i);
      const plate = readModel.find((r) => r.case_id === id)!.plate;
      expect(await row.getByTestId('plate').innerText(), `plate of ${id}`).to.equal(plate ?? '—');
      expect(await row.getByTestId('place').innerText(), `place of ${id}`).to.contain(awaiting.find((c) => c.caseId === id)!.location);
      expect(await row.getByTestId('fine-range').innerText(), `fine range of ${id}`).to.match(/₫ – .*₫$/);
    }
    // The thumbnail is fetched once its row is on screen, with the list's purpose: one more custody record.
    const thumbRow = rows.nth(ids.indexOf(withThumb));
    await thumbRow.scrollIntoViewIfNeeded();
    await thumbRow.locator('[data-testid=thumbnail][data-loaded=true] img').waitFor();
    await waitFor(
      async () => {
        const custody = (await ui.node.store.readStream(`custody-${withThumb}`)).map((r) => r.record);
        return custody.some((r) => (r.meta.actor as { id: string }).id === subject && (r.data as { purpose: string; digest?: string }).purpose === 'decision list' && (r.data as { digest?: string }).digest === thumb!.digest);
      },
      { what: 'the custody record of the fetched thumbnail', timeoutMs: 10_000 },
    );
    // Listing the plates was one custody record per listed case, by this supervisor, with the list's purpose.
    for (const id of ids) {
      const custody = (await ui.node.store.readStream(`custody-${id}`)).map((r) => r.record);
      const listed = custody.filter((r) => (r.meta.actor as { id: string }).id === subject && (r.data as { access: string; purpose: string }).access === 'view' && (r.data as { purpose: string }).purpose === 'decision list');
      expect(listed.length, `custody of listed case ${id}`).to.be.greaterThan(0);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'decisions.png') });
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('a supervisor draws up the violation record, then decides the penalty naming its offender, both signed in the browser', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Console errors include Content-Security-Policy violations of the served app.
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const keyId = await signInWithKey(page, ui, 'supervisor', '01', 'officer-01-director');
    await page.goto(`${ui.url}/#/decisions`);
    const rows = page.locator('[data-testid=decisions] tbody tr');
    await rows.first().waitFor();
    // The first case this province still handles (a case transferred to another province is theirs to decide).
    const ids = await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case-id') ?? ''));
    const index = ids.findIndex((id) => !ui.demo.transferredCaseIds.includes(id));
    const row = rows.nth(index);
    const caseId = ids[index]!;
    expect(await row.getByTestId('fine-range').innerText()).to.match(/₫ – .*₫$/);
    const offender = { kind: 'individual' as const, ref: 'registry:ui-test-0001' };
    await notifyOwner(ui, await ui.token('supervisor', '01', 'officer-01-director'), caseId, offender);
    await row.getByRole('link').click();
    // No decision before the violation record: the record step comes first, offender prefilled from the owner.
    await page.getByTestId('record-step').waitFor();
    expect(await page.getByTestId('decide').count(), 'no decision form before the record').to.equal(0);
    expect(await page.locator('#record-offender-ref').inputValue()).to.equal(offender.ref);
    await page.getByTestId('record-no-explanation').waitFor();
    await page.getByTestId('draw-record').click();
    await page.locator('[data-testid=record-fixed], [data-testid=record-error]').first().waitFor();
    if ((await page.getByTestId('record-error').count()) > 0) expect.fail(`the page reports: ${await page.getByTestId('record-error').innerText()}`);
    expect(await page.getByTestId('timeline').innerText()).to.contain('Lập biên bản vi phạm hành chính');
    // The decision names the record's offender: shown, not editable.
    expect(await page.locator('#offender-ref').inputValue()).to.equal(offender.ref);
    expect(await page.locator('#offender-ref').getAttribute('readonly')).to.not.equal(null);
    await page.getByTestId('authority').waitFor();
    // Each fact once: the legal basis and the fine range only beside the authority check.
    expect(await page.getByTestId('legal-basis').count()).to.equal(1);
    expect(await page.getByTestId('fine-range').count()).to.equal(0);
    // Title and limit are the enrolled ones (GET /v1/me), not chosen on the page.
    await page.getByTestId('enrolled-title').filter({ hasText: 'Giám đốc Công an cấp tỉnh' }).waitFor();
    expect(await page.locator('#officer-title').count(), 'no title picker').to.equal(0);
    const limitText = (await page.getByTestId('authority-limit').innerText()).replace(/\D/g, '');
    expect(limitText).to.equal(String(AUTHORITY_LIMITS_VND['provincial-police-director']));
    await page.screenshot({ path: join(ARTIFACTS, 'decision.png') });
    // A fine typed the Vietnamese way (thousands grouped with dots) is the amount it reads as.
    const range = (await page.getByTestId('authority').locator('dd').first().innerText()).split('–')[0]!.replace(/\D/g, '');
    await page.locator('#fine').fill(new Intl.NumberFormat('vi-VN').format(Number(range)));
    expect(await page.getByTestId('fine-error').count()).to.equal(0);
    await page.getByTestId('decide').click();
    await signedOrError(page);
    expect(await page.getByTestId('signed-key-id').textContent()).to.equal(keyId);
    expect(await page.getByTestId('case-status').innerText()).to.equal('Đã quyết định xử phạt');
    expect(await page.getByTestId('timeline').innerText()).to.contain('Quyết định xử phạt');

    const records = await caseRecords(ui, caseId);
    const decided = records.find((r) => r.record.type === 'PenaltyDecided');
    expect(decided, 'PenaltyDecided recorded').to.not.equal(undefined);
    const data = decided!.record.data as { signoff: Record<string, unknown>; signature: string; keyId: string };
    const signer = (await officerKeys(ui, 'officer-01-director')).find((k) => keyIdOf(k) === data.keyId);
    expect(verifySignoff(data.signoff, data.signature, signer!)).to.equal(true);
    expect(data.signoff.purpose).to.equal('decision/v1');
    expect(data.signoff.offender).to.deep.equal(offender);
    const drawn = records.find((r) => r.record.type === 'ViolationRecordDrawn');
    expect(drawn, 'ViolationRecordDrawn recorded').to.not.equal(undefined);
    const recordData = drawn!.record.data as { signoff: Record<string, unknown>; signature: string; keyId: string };
    expect(recordData.keyId).to.equal(keyId);
    expect(verifySignoff(recordData.signoff, recordData.signature, signer!)).to.equal(true);
    expect(recordData.signoff).to.include({ purpose: 'record/v1', decision: 'record' });
    expect(recordData.signoff.offender).to.deep.equal(offender);
    expect(recordData.signoff).to.not.have.property('explanation');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('keeps the key encrypted across reloads: a wrong passphrase or another officer’s key file is refused; a rejection is signed from the keyboard', async () => {
    const page = await browser.context.newPage();
    const subject = 'officer-79-reviewer';
    const token = await ui.token('officer', '79', subject);
    await signInWithToken(page, ui.url, token, subject);
    await openKeys(page, ui.url);
    // Another officer's key file is refused.
    await page.locator('#key-file').setInputFiles(ui.keyFile('officer-79-director'));
    await page.locator('#import-passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Nhập khóa' }).click();
    await page.getByRole('alert').filter({ hasText: 'Tệp khóa thuộc về người khác' }).waitFor();
    const keyId = await importKey(page, ui, subject);
    // A reload forgets the unlocked key (memory only) but keeps the encrypted copy.
    await page.reload();
    await page.getByTestId('key-status').filter({ hasText: 'Khóa đang đóng' }).waitFor();
    await page.locator('#unlock-passphrase').fill('not the passphrase');
    await page.getByRole('button', { name: 'Mở khóa' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sai cụm mật khẩu' }).waitFor();
    await page.locator('#unlock-passphrase').fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Mở khóa' }).click();
    await page.getByTestId('key-status').filter({ hasText: keyId }).waitFor();

    await page.goto(`${ui.url}/#/queue`);
    const first = page.locator('[data-testid=queue] tbody tr').first();
    await first.waitFor();
    const caseId = (await first.getAttribute('data-case-id'))!;
    await first.getByRole('link').click();
    await page.getByTestId('facts').waitFor();
    await page.locator('body').press('r');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).to.equal('reject-reason');
    await page.locator('#reject-reason').selectOption('plate-unreadable');
    await page.keyboard.press('Control+Enter');
    await signedOrError(page);
    const rejected = (await caseRecords(ui, caseId)).find((r) => r.record.type === 'ReviewRejected');
    expect(rejected, 'ReviewRejected recorded').to.not.equal(undefined);
    const data = rejected!.record.data as { signoff: Record<string, unknown>; signature: string; keyId: string };
    expect(data.signoff.rejectReason).to.equal('plate-unreadable');
    expect(data.keyId).to.equal(keyId);
    const signer = (await officerKeys(ui, subject)).find((k) => keyIdOf(k) === data.keyId);
    expect(verifySignoff(data.signoff, data.signature, signer!)).to.equal(true);
    await page.close();
  });

  it('national staff pick the province of the queue; the rows are that province\'s queue', async () => {
    const page = await browser.context.newPage();
    const token = await ui.token('officer', '00', 'officer-00-c08');
    await signInWithToken(page, ui.url, token, 'officer-00-c08');
    await page.goto(`${ui.url}/#/queue`);
    await page.locator('#queue-province').selectOption('79');
    const expected = (await reviewQueue(ui, token, '79')).map((c) => c.caseId);
    expect(expected.length).to.be.greaterThan(0);
    const rows = page.locator('[data-testid=queue] tbody tr');
    await waitFor(async () => (await rows.first().getAttribute('data-case-id')) === expected[0], { what: 'the queue of province 79' });
    expect(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-case-id')))).to.deep.equal(expected);
    await page.close();
  });

  it('a supervisor token without an enrolment cannot sign a decision: the page says so', async () => {
    const page = await browser.context.newPage();
    await signInWithToken(page, ui.url, await ui.token('supervisor', '01', 'not-enrolled-01'), 'not-enrolled-01');
    await page.goto(`${ui.url}/#/decisions`);
    const first = page.locator('[data-testid=decisions] tbody tr').first();
    await first.waitFor();
    await first.getByRole('link').click();
    await page.getByTestId('not-enrolled').waitFor();
    // Before the record the decision form is not shown at all; after it, its button is disabled.
    const decide = page.getByTestId('decide');
    expect((await decide.count()) === 0 || (await decide.isDisabled())).to.equal(true);
    await page.close();
  });

  it('an officer opens the notice from the case screen: the PDF is issued once and its digest shown', async () => {
    // A confirmed Hà Nội case whose owner the stand-in registry knows, noticed by the notice worker.
    let caseId = '';
    for (const id of ui.demo.caseIds) {
      const records = await caseRecords(ui, id);
      if (records.at(-1)?.record.type === 'ReviewConfirmed' && records[0]!.record.meta.province === '01') caseId = id;
    }
    expect(caseId, 'a confirmed case of province 01').to.not.equal('');
    const owner = [...ui.registry.vehicles.values()][0]!.owner;
    const service = (id: string): Caller => ({ actor: { kind: 'service', id }, province: '01' });
    await identifyOwner(ui.node.commandDeps, service('owner-lookup-worker'), { caseId, owner: { kind: owner.kind, ref: owner.ref }, registry: 'stand-in' });
    await issueNotice(ui.node.commandDeps, service('notice-worker'), { caseId, noticeId: 'ntc-ui-doc-1', channel: 'post' });

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithToken(page, ui.url, await ui.token('officer', '01', 'officer-01-reviewer'), 'officer-01-reviewer');
    await page.goto(`${ui.url}/#/case/${caseId}`);
    await page.getByTestId('case-documents').waitFor();
    expect(await page.getByTestId('document-notice-1').innerText()).to.equal('Thông báo vi phạm 1');
    const popup = page.waitForEvent('popup');
    await page.getByTestId('document-notice-1').click();
    await popup;
    await page.locator('[data-testid=document-notice-1-digest], [data-testid=documents-error]').first().waitFor({ timeout: 60_000 });
    if ((await page.getByTestId('documents-error').count()) > 0) expect.fail(`the page reports: ${await page.getByTestId('documents-error').innerText()}`);
    const issued = (await caseRecords(ui, caseId)).filter((r) => r.record.type === 'DocumentIssued');
    expect(issued.map((r) => r.record.data)).to.have.length(1);
    const digest = (issued[0]!.record.data as { kind: string; digest: string }).digest;
    expect((issued[0]!.record.data as { kind: string }).kind).to.equal('notice');
    expect(await page.getByTestId('document-notice-1-digest').innerText()).to.equal(`${digest.slice(0, 19)}…`);
    expect(errors).to.deep.equal([]);
    await page.close();
  });
});
