/**
 * Every page in Vietnamese: signed in as each role (and signed out), every route and the case and decision
 * screens of a case with an owner, a delivered notice, a processing failure and a decision, plus the court
 * verifier with a valid and a tampered bundle and the citizen lookup with results. Given the UI in
 * Vietnamese, then no visible text is a raw dictionary key and none is an English word of the UI's English
 * dictionary or of the server's event and enum names (test/browser/support/language.ts). Given English, then
 * no visible text is a raw key.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { signInWithToken } from './support/signin.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { englishIn, englishWords, rawKeysIn, VISIBLE_TEXT } from './support/language.ts';
import { waitFor } from '../support/env.ts';
import { readBundleZip, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { identifyOwner, issueNotice, recordNoticeDelivered, recordProcessingFailure } from '../../src/commands/cases.ts';
import type { Caller } from '../../src/commands/outcome.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';

interface Visit {
  route: string;
  /** What shows that the page has its data (not only its loading text). */
  ready: string;
  /** Prepares the page after it is shown (a file to verify, a lookup to run). */
  act?: (page: Page) => Promise<void>;
}

const SIGNED_IN: { role: Role; province: string; subject: string }[] = [
  { role: 'officer', province: '01', subject: 'officer-01-reviewer' },
  { role: 'supervisor', province: '01', subject: 'officer-01-director' },
  { role: 'supervisor', province: '00', subject: 'officer-00-c08' },
  { role: 'analyst', province: '00', subject: 'analyst-00-1' },
  { role: 'auditor', province: '00', subject: 'auditor-00-1' },
  { role: 'court', province: '00', subject: 'court-clerk-1' },
  { role: 'admin', province: '00', subject: 'admin-00-1' },
  { role: 'device', province: '01', subject: 'camera-01-probe' },
];

describe('language check (the checker itself)', () => {
  it('finds raw keys, English words and event names, and passes Vietnamese, codes and allowed tokens', () => {
    expect(rawKeysIn('Hàng chờ navQueue · status.detected · 30A-123.45')).to.have.members(['navQueue', 'status.detected']);
    const english = englishWords();
    expect(englishIn('Đã xác nhận · ViolationDetected · Confirmed · expressway', english)).to.have.members(['violation', 'detected', 'confirmed', 'expressway']);
    expect(englishIn('Ứng dụng VNeTraffic · Camera 01 · 60 km/h · 900.000 VNĐ · Tin nhắn SMS', english)).to.deep.equal([]);
    expect(englishIn('Cán bộ officer-01-reviewer', english, ['officer-01-reviewer'])).to.deep.equal([]);
  });
});

(chromiumAvailable() ? describe : describe.skip)('web UI: every page in Vietnamese, no raw keys in English (Chromium)', function () {
  this.timeout(600_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let caseId: string;
  const bundles: { name: string; bytes: Uint8Array }[] = [];
  const data: string[] = [];
  const english = englishWords();

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    const deps = ui.node.commandDeps;
    // A confirmed case gets an owner, a delivered notice, a processing failure, then the director's decision.
    const confirmed: string[] = [];
    for (const id of ui.demo.caseIds) {
      const records = await ui.node.store.readStream(`case-${id}`);
      if (records.at(-1)?.record.type === 'ReviewConfirmed') confirmed.push(id);
    }
    caseId = confirmed[0]!;
    const records = await ui.node.store.readStream(`case-${caseId}`);
    const detected = records[0]!.record.data as { detection: { province: string; vehicleClass: 'car'; observedAt: string } };
    const province = detected.detection.province ?? '01';
    const service = (id: string): Caller => ({ actor: { kind: 'service', id }, province });
    await identifyOwner(deps, service('owner-lookup-worker'), { caseId, owner: { kind: 'organisation', ref: 'own-lang-0001' }, registry: 'stand-in', registrationRef: 'reg-lang-0001' });
    await issueNotice(deps, service('notice-worker'), { caseId, noticeId: 'notice-lang-1', channel: 'vneid' });
    await recordNoticeDelivered(deps, service('notice-worker'), { caseId, noticeId: 'notice-lang-1' });
    await recordProcessingFailure(deps, service('job-pipeline'), {
      caseId, job: 'media', jobId: 'job-lang-1', reasonCode: 'media-image-unsupported', reason: 'The overview image is not a supported image format', attempts: 3,
    });
    await waitFor(async () => {
      const token = await ui.token('supervisor', province, 'officer-01-director');
      const r = await fetch(`${ui.url}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'language test' } });
      const doc = (await r.json()) as { status?: string; processingFailures?: unknown[] };
      return doc.status === 'noticed' && (doc.processingFailures?.length ?? 0) > 0;
    }, { what: 'the case with owner, notice and failure in the read model', timeoutMs: 30_000 });
    data.push('own-lang-0001', 'reg-lang-0001', 'notice-lang-1', 'job-lang-1');
    // Bundles: the decided case as exported, and a tampered copy (every check's failure text is shown).
    const court = await ui.token('court', '00', 'court-clerk-1');
    const reply = await fetch(`${ui.url}/v1/cases/${ui.demo.decidedCaseIds[0]}/bundle`, { headers: { authorization: `Bearer ${court}`, 'x-purpose': 'court verification' } });
    expect(reply.status).to.equal(200);
    const valid = new Uint8Array(await reply.arrayBuffer());
    const entries = await readBundleZip(valid);
    const text = Buffer.from(entries.get('records.jsonl')!).toString('utf8');
    entries.set('records.jsonl', Buffer.from(text.replace(/"fineVnd":(\d+)/, (_m, n: string) => `"fineVnd":${Number(n) + 1000}`)));
    bundles.push({ name: 'valid.zip', bytes: valid }, { name: 'tampered.zip', bytes: await writeBundleZip(entries) });
    for (const c of ui.demo.cameras) data.push(c.description, c.subject);
    for (const o of ui.demo.officers) data.push(o.subject);
    for (const s of ui.demo.citizenSamples) data.push(s.plate, s.registrationNumber);
    data.push(...SIGNED_IN.map((s) => s.subject));
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
  });

  function visits(): Visit[] {
    const sample = ui.demo.citizenSamples.find((_, i) => i % 5 !== 4 && i < 8)!;
    const verify = (name: string): Visit => ({
      route: 'verify',
      ready: `[data-testid=verdict][data-file="${name}"]`,
      act: async (page) => {
        await page.locator('#bundle-file').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bundles.find((b) => b.name === name)!.bytes) });
      },
    });
    return [
      { route: 'signin', ready: 'main h1' },
      { route: 'queue', ready: 'main h1' },
      { route: `case/${caseId}`, ready: 'main h1' },
      { route: `case/${ui.demo.rejectedCaseIds[0]}`, ready: 'main h1' },
      { route: `case/${ui.demo.decidedCaseIds[0]}`, ready: 'main h1' },
      { route: 'decisions', ready: 'main h1' },
      { route: `decision/${caseId}`, ready: 'main h1' },
      { route: 'dashboard', ready: 'main h1' },
      { route: 'audit', ready: 'main h1' },
      { route: 'inbox', ready: 'main h1' },
      verify('valid.zip'),
      verify('tampered.zip'),
      {
        route: 'citizen',
        ready: '[data-testid=citizen-results], [data-testid=citizen-empty]',
        act: async (page) => {
          await page.locator('main input').nth(0).fill(sample.plate);
          await page.locator('main input').nth(1).fill(sample.registrationNumber);
          await page.locator('main form button[type=submit], main form button').first().click();
        },
      },
    ];
  }

  /** Opens a route and waits until nothing on it is still loading; returns the text a person reads. */
  async function read(page: Page, visit: Visit): Promise<string> {
    await page.goto(`about:blank`);
    await page.goto(`${ui.url}/#/${visit.route}`);
    await page.locator('main h1, main [role=alert], main p').first().waitFor();
    if (visit.act) await visit.act(page);
    if (visit.ready !== 'main h1' || visit.act) await page.locator(visit.ready).first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !/Đang tải|Loading/.test(document.querySelector('main')?.textContent ?? ''), undefined, { timeout: 30_000 });
    return (await page.evaluate(VISIBLE_TEXT)) as string;
  }

  async function signIn(page: Page, role: Role, province: string, subject: string): Promise<void> {
    await signInWithToken(page, ui.url, await ui.token(role, province, subject), subject);
  }

  async function everyPage(lang: 'vi' | 'en'): Promise<{ keys: string[]; english: string[]; seen: number }> {
    const keys: string[] = [];
    const words: string[] = [];
    let seen = 0;
    const sessions: ({ role: Role; province: string; subject: string } | undefined)[] = [undefined, ...SIGNED_IN];
    for (const who of sessions) {
      const page = await browser.context.newPage();
      await page.addInitScript(`try { localStorage.setItem('tec.lang', '${lang}') } catch {}`);
      if (who) await signIn(page, who.role, who.province, who.subject);
      for (const visit of visits()) {
        const label = `${who ? `${who.role}/${who.province}` : 'signed out'} #/${visit.route.split('/')[0]}${visit.act ? ` (${visit.ready})` : ''}`;
        const text = await read(page, visit);
        seen += 1;
        for (const k of rawKeysIn(text)) keys.push(`${label}: ${k}`);
        if (lang === 'vi') {
          for (const w of englishIn(text, english, data)) {
            const at = text.toLowerCase().search(new RegExp(`(?<![\\p{L}])${w}`, 'u'));
            words.push(`${label}: ${w} in “${text.slice(Math.max(0, at - 40), at + 40).replace(/\s+/g, ' ')}”`);
          }
        }
      }
      await page.close();
    }
    return { keys: [...new Set(keys)], english: [...new Set(words)], seen };
  }

  it('in Vietnamese, no page shows a raw key or an English word, for any role', async () => {
    const { keys, english: found, seen } = await everyPage('vi');
    expect(seen).to.equal(9 * 13);
    expect(keys.length, `raw keys:\n${keys.join('\n')}`).to.equal(0);
    expect(found.length, `English words:\n${found.join('\n')}`).to.equal(0);
  });

  it('in English, no page shows a raw key, for any role', async () => {
    const { keys } = await everyPage('en');
    expect(keys.length, `raw keys:\n${keys.join('\n')}`).to.equal(0);
  });
});
