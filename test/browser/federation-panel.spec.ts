/**
 * The national dashboard's two-tier panel in Chromium (docs/federation.md): a national node (`TIER=national`,
 * the UI node) witnessing and mirroring a real provincial node (01: ledger, submitter, published log), and a
 * second registered log (79) whose key signs two checkpoints of one size with two roots. National staff see
 * 01's freshness (records mirrored, the province's checkpoint, the cosigned size, seconds behind) and 79's fork
 * alarm with the province and both checkpoints, its mirroring stopped; in Vietnamese, then in English. 79's
 * staleness alarm shows as an amber badge with its reason, in both languages.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { CheckpointSubmitter } from '../../src/adapters/witness/submitter.ts';
import { MIRROR_SUBJECT } from '../../src/adapters/http/routes/log.ts';
import { systemClock } from '../../src/commands/deps.ts';
import { formatAddCheckpointRequest, publicKeyFromSeed, sha256, signCheckpoint, verifierKey } from '../../src/domain/integrity/index.ts';
import { expected } from '../../src/ports/eventstore.ts';
import { startApiNode, type ApiNode } from '../integration/http/support/api-node.ts';
import { waitFor } from '../support/env.ts';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { signInWithToken } from './support/signin.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';

const ORIGIN_01 = 'vn-traffic/province-01';
const ORIGIN_79 = 'vn-traffic/province-79';

(chromiumAvailable() ? describe : describe.skip)('web UI: the national dashboard shows each province’s freshness and the fork alarms (Chromium)', function () {
  this.timeout(300_000);
  let province: ApiNode;
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let provincePool: pg.Pool;
  let mirrored: number;
  const seed79 = sha256('province 79 log key (federation panel spec)');
  const forkSize = 3;

  before(async () => {
    province = await startApiNode('ui_fed_province', { origin: ORIGIN_01 });
    // The national mirror reads 01's records with a national auditor token 01's issuer signed.
    // A one-second staleness threshold, so 79 (never read by the mirror, its cosigned checkpoint soon older than
    // that) raises a staleness alarm within the spec without a clock of its own.
    ui = await startUiNode({ cases: 2, env: { TIER: 'national', MIRROR_TOKEN: await province.token('auditor', '00', MIRROR_SUBJECT), FEDERATION_STALE_SECONDS: '1' } });
    browser = await launch();
    const admin = await ui.token('admin', '00', 'admin-00-fed');
    for (const [p, origin, key, baseUrl] of [
      ['01', ORIGIN_01, province.ledger.verifierKey(), province.url],
      ['79', ORIGIN_79, verifierKey(ORIGIN_79, publicKeyFromSeed(seed79)), 'http://127.0.0.1:9'],
    ] as const) {
      const res = await fetch(`${ui.url}/v1/admin/provincial-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ province: p, origin, verifierKey: key, baseUrl }),
      });
      expect(res.status, await res.text()).to.equal(201);
    }
    // 01: records sealed, the checkpoint cosigned by the national witness, the records mirrored.
    for (let i = 0; i < 3; i++) {
      await province.store.append(`case-${randomUUID()}`, [{ id: randomUUID(), type: 'NoteAdded', data: { i }, meta: { actor: { kind: 'system', id: 'spec' }, province: '01', recordedAt: new Date().toISOString() } }], expected.any);
    }
    await waitFor(async () => ((await province.ledger.latestCheckpoint())?.treeSize ?? 0) >= 3, { timeoutMs: 60_000, what: 'sealing at 01' });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 2 });
    const submitter = new CheckpointSubmitter({ db: provincePool, ledger: province.ledger, witnessUrl: `${ui.url}/witness`, witnessKey: ui.node.witness!.verifierKey(), clock: systemClock });
    const submitted = await submitter.submitOnce();
    expect(submitted.outcome).to.equal('cosigned');
    mirrored = submitted.outcome === 'cosigned' ? submitted.size : 0;
    const rounds = await ui.node.mirror!.syncOnce();
    expect(rounds.find((r) => r.origin === ORIGIN_01)?.outcome).to.equal('mirrored');
    // 79: a checkpoint cosigned, then another root at the same size signed by the same key: a proven fork.
    const note = (label: string) => signCheckpoint({ origin: ORIGIN_79, size: forkSize, root: sha256(label), time: new Date().toISOString() }, seed79);
    const add = (oldSize: number, text: string) => fetch(`${ui.url}/witness/add-checkpoint`, { method: 'POST', body: formatAddCheckpointRequest({ oldSize, proof: [], checkpointText: text }) });
    expect((await add(0, note('the history 79 showed the nation'))).status).to.equal(200);
    expect((await add(forkSize, note('the history 79 shows a court'))).status).to.equal(409);
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    await provincePool?.end();
    await province?.close();
  });

  const row = (page: Page, p: string) => page.locator(`[data-testid=federation-freshness] tr[data-province="${p}"]`);

  it('national staff see 01 mirrored and 79 stopped with its fork alarm and both checkpoints, in Vietnamese and English', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithToken(page, ui.url, await ui.token('supervisor', '00', 'officer-00-c08'), 'officer-00-c08');
    await page.goto(`${ui.url}/#/dashboard`);
    await page.getByTestId('federation').waitFor();
    expect(await row(page, '01').getByTestId('fed-mirrored').innerText()).to.equal(String(mirrored));
    expect(await row(page, '01').getByTestId('fed-state').innerText()).to.equal('Đang theo dõi');
    expect(await row(page, '01').innerText()).to.contain('Hà Nội');
    expect(await row(page, '79').getByTestId('fed-state').innerText()).to.equal('Đã dừng sao');
    const alarm = page.locator('[data-testid=federation-alarms] li[data-province="79"]');
    expect(await alarm.innerText()).to.contain('Rẽ nhánh: cùng kích thước, khác gốc');
    const cosigned = await alarm.getByTestId('alarm-cosigned').innerText();
    const submitted = await alarm.getByTestId('alarm-submitted').innerText();
    expect(cosigned.split('\n').slice(0, 2)).to.deep.equal([ORIGIN_79, String(forkSize)]);
    expect(submitted.split('\n').slice(0, 2)).to.deep.equal([ORIGIN_79, String(forkSize)]);
    expect(cosigned.split('\n')[2], 'two roots').to.not.equal(submitted.split('\n')[2]);

    await page.locator('#lang').selectOption('en');
    await page.getByText('Two tiers: provincial logs at the national center').waitFor();
    expect(await row(page, '79').getByTestId('fed-state').innerText()).to.equal('Mirroring stopped');
    expect(await alarm.innerText()).to.contain('Fork: same size, another root');
    await page.locator('#lang').selectOption('vi');
    expect(errors).to.deep.equal([]);
  });

  it('national staff see 79’s staleness alarm as an amber badge with its reason, in Vietnamese and English', async () => {
    const token = await ui.token('supervisor', '00', 'officer-00-c08');
    await waitFor(
      async () => {
        const r = await fetch(`${ui.url}/v1/federation/status`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await r.json()) as { staleness?: { logs: { origin: string; stale: boolean; reasons: string[] }[] } };
        return body.staleness?.logs.find((l) => l.origin === ORIGIN_79)?.reasons.includes('checkpoint-old') === true;
      },
      { what: '79 judged stale (checkpoint-old) by the national node', timeoutMs: 30_000 },
    );
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInWithToken(page, ui.url, token, 'officer-00-c08');
    await page.goto(`${ui.url}/#/dashboard`);
    await page.getByTestId('federation').waitFor();
    const badge = row(page, '79').locator('[data-testid=fed-stale] .badge');
    expect(await badge.getAttribute('data-stale')).to.equal('true');
    expect(await badge.getAttribute('class')).to.contain('warn');
    expect((await badge.getAttribute('data-reasons'))!.split(' ')).to.include('checkpoint-old');
    expect(await badge.innerText()).to.equal('Chậm trễ');
    expect(await row(page, '79').getByTestId('fed-stale-reasons').innerText()).to.contain('điểm kiểm tra đồng xác nhận quá cũ');
    await page.locator('#lang').selectOption('en');
    await page.getByText('Two tiers: provincial logs at the national center').waitFor();
    expect(await badge.innerText()).to.equal('Stale');
    expect(await row(page, '79').getByTestId('fed-stale-reasons').innerText()).to.contain('cosigned checkpoint too old');
    await page.locator('#lang').selectOption('vi');
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('provincial staff do not see the panel', async () => {
    const page = await browser.context.newPage();
    await signInWithToken(page, ui.url, await ui.token('supervisor', '01', 'officer-01-director'), 'officer-01-director');
    await page.goto(`${ui.url}/#/dashboard`);
    await page.getByTestId('kpis').waitFor();
    expect(await page.getByTestId('federation').count()).to.equal(0);
  });
});
