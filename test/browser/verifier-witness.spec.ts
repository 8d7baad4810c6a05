/**
 * The browser verifier with trusted witness keys, like `tec verify --trusted-witness` (docs/federation.md
 * "Court bundles with the national cosignature"): a provincial node whose checkpoint the national witness
 * cosigned exports a case; the page, given the witness key, names the witness that verified it and when; a
 * key of another witness finds no cosignature and the page says no trusted witness verified (still valid); a
 * cosignature altered in the checkpoint makes the bundle invalid; a malformed witness key is refused as
 * unreadable input. Each verdict is the CLI's for the same bytes and keys.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { LogPublisher } from '../../src/adapters/ledger/log.ts';
import { CheckpointSubmitter } from '../../src/adapters/witness/submitter.ts';
import { Witness } from '../../src/adapters/witness/witness.ts';
import { createBundleExporter } from '../../src/bundle-export/index.ts';
import { loadProvincialLogRegistry } from '../../src/commands/federation.ts';
import { systemClock, uuidV7Ids } from '../../src/commands/deps.ts';
import { readBundleZip, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { publicKeyFromSeed, sha256, witnessVerifierKey } from '../../src/domain/integrity/index.ts';
import { startApiNode, type ApiNode } from '../integration/http/support/api-node.ts';
import { HANOI, buildHttpWorld, expectStatus, ingest, signedDetection } from '../integration/http/support/world.ts';
import { chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';

const execFileAsync = promisify(execFile);
const TEC = join(process.cwd(), 'bin', 'tec.js');

async function cliExit(file: string, args: string[]): Promise<number> {
  try {
    await execFileAsync(process.execPath, [TEC, 'verify', file, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

const EXIT = { valid: 0, invalid: 1, unreadable: 2 } as const;

(chromiumAvailable() ? describe : describe.skip)('web UI: the court verifier with trusted witness keys (Chromium)', function () {
  this.timeout(300_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let national: ApiNode;
  let province: ApiNode;
  let nationalPool: pg.Pool;
  let provincePool: pg.Pool;
  let witness: Witness;
  let dir: string;
  let cosigned: Uint8Array;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-verifier-witness-'));
    ui = await startUiNode({ cases: 2 });
    browser = await launch();
    national = await startApiNode('vw_national', { sequencer: false });
    province = await startApiNode('vw_province', { checkpointIntervalMs: 50 });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 2 });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 2 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (verifier witness spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await national.token('admin', '00', 'adm-00-1')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: '01', origin: province.ledger.origin, verifierKey: province.ledger.verifierKey(), baseUrl: province.url }),
    });
    expect(res.status).to.equal(201);
    const world = await buildHttpWorld(province);
    const camera = world.cameras[HANOI]!;
    const created = await ingest(province, camera, await signedDetection(camera));
    expectStatus(created, 201);
    const exporter = createBundleExporter({
      store: province.store,
      evidence: province.evidence,
      ledger: province.ledger,
      commandDeps: { store: province.store, clock: systemClock, ids: uuidV7Ids },
      witnessVerifierKeys: [witness.verifierKey()],
      cosignedCheckpoint: (min) => new LogPublisher(provincePool).newestCosignedCheckpoint(min),
    });
    // Sealed first, so the submitted checkpoint covers the case.
    await exporter.exportCase({ caseId: created.json.caseId as string, caller: { actor: { kind: 'officer', id: 'court-01' }, province: '01' }, purpose: 'court request 1', sealWaitMs: 30_000 });
    const submitter = new CheckpointSubmitter({ db: provincePool, ledger: province.ledger, witnessUrl: `${national.url}/witness`, witnessKey: witness.verifierKey(), clock: systemClock });
    expect((await submitter.submitOnce()).outcome).to.equal('cosigned');
    const bundle = await exporter.exportCase({ caseId: created.json.caseId as string, caller: { actor: { kind: 'officer', id: 'court-01' }, province: '01' }, purpose: 'court request 2', sealWaitMs: 30_000 });
    cosigned = bundle.bytes;
    const checkpoint = new TextDecoder().decode((await readBundleZip(cosigned)).get('checkpoint.txt')!);
    expect(checkpoint).to.include('— vn-traffic/national-witness ');
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    await nationalPool?.end();
    await provincePool?.end();
    await province?.close();
    await national?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function verifyOnPage(page: Page, name: string, bytes: Uint8Array, witnesses: string[]): Promise<string> {
    await page.locator('#trusted-key').fill(province.ledger.verifierKey());
    await page.locator('#trusted-witnesses').fill(witnesses.join('\n'));
    await page.locator('#bundle-file').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bytes) });
    const verdict = page.locator(`[data-testid=verdict][data-file="${name}"]`);
    await verdict.waitFor();
    const value = (await verdict.getAttribute('data-verdict'))!;
    const file = join(dir, name);
    await writeFile(file, bytes);
    const cli = await cliExit(file, ['--trusted-key', province.ledger.verifierKey(), ...witnesses.flatMap((w) => ['--trusted-witness', w])]);
    expect(cli, `the CLI's verdict on ${name}`).to.equal(EXIT[value as keyof typeof EXIT]);
    return value;
  }

  it('names the trusted witness that verified, says when none did, and refuses a forged cosignature and a malformed key', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ui.url}/#/verify`);
    await page.locator('#trusted-witnesses').waitFor();

    expect(await verifyOnPage(page, 'cosigned.zip', cosigned, [witness.verifierKey()])).to.equal('valid');
    const verified = page.locator('[data-testid=trusted-witnesses] li');
    expect(await verified.getAttribute('data-status')).to.equal('verified');
    expect(await verified.getAttribute('data-name')).to.equal('vn-traffic/national-witness');
    expect(await verified.innerText()).to.match(/Đã xác minh\s+vn-traffic\/national-witness · đồng xác nhận lúc/);
    expect(await page.getByTestId('no-trusted-witness').count()).to.equal(0);

    // Another witness (same name, another key): no cosignature of it here; still valid, and said so.
    const other = witnessVerifierKey('vn-traffic/national-witness', publicKeyFromSeed(sha256('another witness')));
    expect(await verifyOnPage(page, 'other-witness.zip', cosigned, [other])).to.equal('valid');
    expect(await page.locator('[data-testid=trusted-witnesses] li').getAttribute('data-status')).to.equal('absent');
    await page.getByTestId('no-trusted-witness').waitFor();

    // The cosignature's signature bytes altered: it claims the trusted witness and does not verify.
    const entries = await readBundleZip(cosigned);
    const text = new TextDecoder().decode(entries.get('checkpoint.txt')!);
    const line = text.split('\n').find((l) => l.startsWith('— vn-traffic/national-witness '))!;
    const blob = Buffer.from(line.split(' ')[2]!, 'base64');
    blob[blob.length - 1]! ^= 0x01;
    entries.set('checkpoint.txt', new TextEncoder().encode(text.replace(line, `— vn-traffic/national-witness ${blob.toString('base64')}`)));
    const forged = await writeBundleZip(entries);
    expect(await verifyOnPage(page, 'forged-cosignature.zip', forged, [witness.verifierKey()])).to.equal('invalid');
    expect(await page.locator('[data-testid=trusted-witnesses] li').getAttribute('data-status')).to.equal('invalid');

    // A log key where a witness key belongs: unreadable input, as the CLI's exit 2.
    expect(await verifyOnPage(page, 'bad-key.zip', cosigned, [province.ledger.verifierKey()])).to.equal('unreadable');
    expect(await page.getByTestId('unreadable-reason').getAttribute('data-code')).to.equal('trusted-witness-malformed');
    expect(errors).to.deep.equal([]);
  });
});
