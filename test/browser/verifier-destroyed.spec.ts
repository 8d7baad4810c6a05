/**
 * The court verifier page on a bundle whose originals were destroyed under a retention policy: valid, with
 * one line per destroyed original ("destroyed under policy X at T"), in Vietnamese and in English; the same
 * bundle stripped of its destruction records is invalid at EVIDENCE. The page is the offline single-file
 * build opened from file://, so nothing but the bundle reaches it.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { readBundleZip, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { streams } from '../../src/domain/record.ts';
import { WEB_DIST } from '../../src/node/index.ts';
import { startApiNode, type ApiNode } from '../integration/http/support/api-node.ts';
import { destroyedCase, TEST_REJECTED_POLICY } from '../integration/http/support/destroyed-case.ts';
import { call, expectStatus } from '../integration/http/support/world.ts';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { ensureBuilt } from './support/ui-node.ts';

(chromiumAvailable() ? describe : describe.skip)('web UI: court verifier page, evidence destroyed under a retention policy (Chromium)', function () {
  this.timeout(240_000);
  let node: ApiNode;
  let browser: LaunchedBrowser;

  before(async () => {
    await ensureBuilt();
    node = await startApiNode('ui_destroyed');
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await node?.close();
  });

  it('says valid and lists each destroyed original with its policy; without the destruction records it is invalid', async () => {
    const { caseId, digests, officer } = await destroyedCase(node);
    const reply = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: officer.token, purpose: 'court case file' });
    expectStatus(reply, 200);
    const entries = await readBundleZip(reply.bytes);
    const stripped = new Map(entries);
    const lines = new TextDecoder().decode(entries.get('records.jsonl')).split('\n');
    stripped.set('records.jsonl', new TextEncoder().encode(lines.filter((l) => !l.includes(`"stream":"${streams.retention(caseId)}"`)).join('\n')));
    const strippedBytes = await writeBundleZip(stripped);

    const page = await browser.context.newPage();
    await page.goto(`file://${join(WEB_DIST, 'verifier-offline.html')}`);
    const upload = async (name: string, bytes: Uint8Array) => {
      await page.locator('#trusted-key').fill(node.ledger.verifierKey());
      await page.locator('#bundle-file').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bytes) });
      const verdict = page.locator(`[data-testid=verdict][data-file="${name}"]`);
      await verdict.waitFor();
      return verdict.getAttribute('data-verdict');
    };

    expect(await upload('destroyed.zip', reply.bytes)).to.equal('valid');
    const items = page.locator('[data-testid=destroyed-evidence] li');
    expect((await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-digest')))).sort()).to.deep.equal(digests);
    const text = (await items.first().innerText()).replace(/\s+/g, ' ');
    expect(text).to.include('đã hủy theo chính sách');
    expect(text).to.include(TEST_REJECTED_POLICY.id);
    expect(await page.locator('[data-testid=checks] tr[data-status=fail]').count()).to.equal(0);

    expect(await upload('stripped.zip', strippedBytes)).to.equal('invalid');
    expect(await page.locator('[data-testid=destroyed-evidence]').count()).to.equal(0);
    expect(await page.locator('[data-testid=checks] tr[data-check=EVIDENCE]').getAttribute('data-status')).to.equal('fail');
    await page.close();
  });
});
