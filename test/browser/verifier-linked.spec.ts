/**
 * The court verifier page shows a bundle's linked part (the sending province's own bundle of a received case,
 * docs/federation.md "Bundle addition: linked parts") on its own: its log, key fingerprint, its own bundle.md
 * checks and the link to this case's `CaseReceived`, in Vietnamese and in English. The bundles are the unit
 * fixture with a copy of a bundle under `linked/01/`, resealed: its own checks pass but no `CaseReceived`
 * names it (link fails, bundle invalid), and the same with the part's records altered (its FILES check fails).
 * The end-to-end received case with a passing link is verified in test/e2e/federation-demo.spec.ts and
 * test/integration/witness/handover.spec.ts; the page runs the same core. Offline single-file build, from file://.
 */
import { expect } from 'chai';
import { join } from 'node:path';
import { verifyBundle, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { WEB_DIST } from '../../src/node/index.ts';
import { buildFixture, LOG_KEY } from '../unit/bundle/fixture.ts';
import { reseal } from '../unit/bundle/checks/support.ts';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { ensureBuilt } from './support/ui-node.ts';
import { englishIn, englishWords, rawKeysIn } from './support/language.ts';

function withLinkedPart(edit: (part: Map<string, Uint8Array>) => void = () => {}): Map<string, Uint8Array> {
  const part = new Map(buildFixture().entries);
  edit(part);
  const entries = new Map(buildFixture().entries);
  for (const [name, bytes] of part) entries.set(`linked/01/${name}`, bytes);
  reseal(entries, (manifest) => {
    const files = manifest.files as Record<string, string>;
    for (const name of part.keys()) files[`linked/01/${name}`] = 'sha256:' + '0'.repeat(64);
  });
  reseal(entries); // now that they are listed, their real digests
  return entries;
}

(chromiumAvailable() ? describe : describe.skip)('web UI: court verifier page, a linked part shown on its own (Chromium)', function () {
  this.timeout(240_000);
  let browser: LaunchedBrowser;

  before(async () => {
    await ensureBuilt();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('lists the part with its own checks and link, Vietnamese and English; a tampered part fails its own FILES', async () => {
    const intact = withLinkedPart();
    const tampered = withLinkedPart((part) => part.set('records.jsonl', new TextEncoder().encode('{}\n')));
    // The page's verdicts are the core's.
    expect(verifyBundle(intact, { trustedKey: LOG_KEY }).linked![0]!.checks.every((c) => c.status === 'pass')).to.equal(true);

    const page = await browser.context.newPage();
    await page.goto(`file://${join(WEB_DIST, 'verifier-offline.html')}`);
    const upload = async (name: string, entries: Map<string, Uint8Array>) => {
      await page.locator('#trusted-key').fill(LOG_KEY);
      await page.locator('#bundle-file').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(await writeBundleZip(entries)) });
      const verdict = page.locator(`[data-testid=verdict][data-file="${name}"]`);
      await verdict.waitFor();
      return verdict.getAttribute('data-verdict');
    };

    expect(await upload('linked.zip', intact)).to.equal('invalid');
    // The outer bundle's own checks all pass: what fails is the part's link, shown with the part.
    expect(await page.locator('[data-testid=checks] tr[data-status=fail]').count()).to.equal(0);
    const part = page.locator('[data-testid=linked-part]');
    expect(await part.count()).to.equal(1);
    expect(await part.getAttribute('data-province')).to.equal('01');
    expect(await part.getAttribute('data-valid')).to.equal('false');
    expect(await part.locator('[data-testid=link]').getAttribute('data-status')).to.equal('fail');
    const partChecks = part.locator('[data-testid=linked-checks] tr[data-check]');
    expect(await partChecks.count()).to.be.greaterThan(3);
    expect(await part.locator('[data-testid=linked-checks] tr[data-status=fail]').count()).to.equal(0);
    const vi = (await page.locator('[data-testid=linked-parts]').innerText()).replace(/\s+/g, ' ');
    // What a person reads there (identifiers in <code> aside) is Vietnamese: no raw key, no English word.
    const readable = await page.locator('[data-testid=linked-parts]').evaluate((el) => {
      const copy = el.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('code, kbd').forEach((code) => code.remove());
      return copy.textContent ?? '';
    });
    expect(rawKeysIn(readable)).to.deep.equal([]);
    expect(englishIn(readable, englishWords())).to.deep.equal([]);
    expect(vi).to.include('Phần hồ sơ của tỉnh chuyển giao');
    expect(vi).to.include('Phần liên kết của tỉnh 01');
    expect(vi).to.include('Liên kết với vụ việc này');

    await page.locator('#lang').selectOption('en');
    const en = (await page.locator('[data-testid=linked-parts]').innerText()).replace(/\s+/g, ' ');
    expect(en).to.include('The sending province’s part');
    expect(en).to.include('Linked part of province 01');
    expect(en).to.include('Link to this case');

    expect(await upload('tampered.zip', tampered)).to.equal('invalid');
    expect(await page.locator('[data-testid=checks] tr[data-status=fail]').count()).to.equal(0);
    expect(await page.locator('[data-testid=linked-part] [data-testid=linked-checks] tr[data-check=FILES]').getAttribute('data-status')).to.equal('fail');
    await page.close();
  });
});
