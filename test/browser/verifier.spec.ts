/**
 * The court verifier page in Chromium reaches the same verdict as `tec verify` (the CLI, run as a child
 * process) on a real bundle exported by the node and on tampered copies of it: the same overall verdict and
 * the same failing checks. It works from the served page and from the single-file offline page opened as a
 * `file://` URL, and it sends nothing anywhere while verifying.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { ARTIFACTS, chromiumAvailable, launch, type LaunchedBrowser } from './support/browser.ts';
import { startUiNode, type UiNode } from './support/ui-node.ts';
import { readBundleZip, writeBundleZip } from '../../src/domain/bundle/index.ts';
import { generateKeyPair, signBytes } from '../../src/domain/signoff/keys.ts';
import { signSignoff } from '../../src/domain/signoff/signing.ts';
import { parseCheckpointBody, signCheckpoint } from '../../src/domain/integrity/checkpoint.ts';

const execFileAsync = promisify(execFile);
const TEC = join(process.cwd(), 'bin', 'tec.js');

interface Verdict {
  verdict: 'valid' | 'invalid' | 'unreadable';
  failed: string[];
}

/** `tec verify --json`: exit 0 valid, 1 invalid, 2 unreadable. */
async function cliVerdict(file: string, trustedKey?: string): Promise<Verdict> {
  const args = [TEC, 'verify', file, '--json', ...(trustedKey ? ['--trusted-key', trustedKey] : [])];
  try {
    const { stdout } = await execFileAsync(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'silent' } });
    return { verdict: 'valid', failed: failedOf(stdout) };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    if (e.code === 1) return { verdict: 'invalid', failed: failedOf(e.stdout ?? '') };
    if (e.code === 2) return { verdict: 'unreadable', failed: [] };
    throw error;
  }
}

function failedOf(json: string): string[] {
  const report = JSON.parse(json) as { checks: { code: string; status: string }[] };
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.code);
}

async function pageVerdict(page: Page, name: string, bytes: Uint8Array, trustedKey = ''): Promise<Verdict> {
  await page.locator('#trusted-key').fill(trustedKey);
  await page.locator('#bundle-file').setInputFiles({ name, mimeType: 'application/zip', buffer: Buffer.from(bytes) });
  // Wait for the report of THIS file (the previous file's report stays until the new one replaces it).
  const verdict = page.locator(`[data-testid=verdict][data-file="${name}"]`);
  await verdict.waitFor();
  const value = (await verdict.getAttribute('data-verdict')) as Verdict['verdict'];
  const failed = await page.locator('[data-testid=checks] tr[data-status=fail]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-check') ?? ''));
  return { verdict: value, failed };
}

type Entries = Map<string, Uint8Array>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tampering edits arbitrary record JSON
type Line = { leafIndex: number; hash: string; record: any };

/** Rewrites records.jsonl line by line (the stated hashes stay: a verifier must notice). */
function editLines(e: Entries, change: (lines: Line[]) => Line[]): void {
  const lines = Buffer.from(e.get('records.jsonl')!).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Line);
  e.set('records.jsonl', Buffer.from(`${change(lines).map((l) => JSON.stringify(l)).join('\n')}\n`));
}

function edit(entries: Entries, change: (copy: Entries) => void): Entries {
  const copy = new Map([...entries].map(([k, v]) => [k, new Uint8Array(v)]));
  change(copy);
  return copy;
}

(chromiumAvailable() ? describe : describe.skip)('web UI: court verifier page (Chromium)', function () {
  this.timeout(240_000);
  let ui: UiNode;
  let browser: LaunchedBrowser;
  let dir: string;
  let valid: Uint8Array;
  let entries: Entries;
  const cases: { name: string; bytes: Uint8Array; trustedKey?: string; expected?: Verdict }[] = [];

  before(async () => {
    ui = await startUiNode({ cases: 12 });
    browser = await launch();
    dir = await mkdtemp(join(tmpdir(), 'tec-bundles-'));
    const caseId = ui.demo.decidedCaseIds[0]!;
    const token = await ui.token('court', '00', 'court-clerk-1');
    const reply = await fetch(`${ui.url}/v1/cases/${caseId}/bundle`, { headers: { authorization: `Bearer ${token}`, 'x-purpose': 'court verification' } });
    expect(reply.status, await reply.clone().text()).to.equal(200);
    valid = new Uint8Array(await reply.arrayBuffer());
    entries = await readBundleZip(valid);
    const evidenceName = [...entries.keys()].find((n) => n.startsWith('evidence/'))!;
    const fingerprint = (JSON.parse(await cliVerdictJson(valid)) as { logKeyFingerprint: string }).logKeyFingerprint;
    const other = generateKeyPair();

    const tampered: [string, (e: Entries) => void][] = [
      ['record-byte', (e) => {
        const text = Buffer.from(e.get('records.jsonl')!).toString('utf8');
        e.set('records.jsonl', Buffer.from(text.replace('"ViolationDetected"', '"ViolationDetecteD"')));
      }],
      ['evidence-byte', (e) => {
        const blob = e.get(evidenceName)!;
        blob[blob.length >> 1]! ^= 0x01;
      }],
      ['evidence-missing', (e) => void e.delete(evidenceName)],
      ['checkpoint-root', (e) => {
        const lines = Buffer.from(e.get('checkpoint.txt')!).toString('utf8').split('\n');
        const root = Buffer.from(lines[2]!, 'base64');
        root[0]! ^= 0x01;
        lines[2] = root.toString('base64');
        e.set('checkpoint.txt', Buffer.from(lines.join('\n')));
      }],
      ['manifest-signature', (e) => void e.set('manifest.sig', Buffer.from(signBytes(e.get('manifest.json')!, other.secretKey)))],
      ['record-removed', (e) => editLines(e, (lines) => {
        const caseStream = lines.filter((l) => l.record.stream.startsWith('case-'));
        const middle = caseStream[1]!;
        return lines.filter((l) => l !== middle);
      })],
      ['signoff-forged', (e) => editLines(e, (lines) => lines.map((l) => {
        if (l.record.type !== 'ReviewConfirmed') return l;
        const stranger = signSignoff(l.record.data.signoff, generateKeyPair().secretKey);
        return { ...l, record: { ...l.record, data: { ...l.record.data, signature: stranger.signature } } };
      }))],
      ['review-by-service', (e) => editLines(e, (lines) => lines.map((l) =>
        l.record.type === 'ReviewConfirmed' ? { ...l, record: { ...l.record, meta: { ...l.record.meta, actor: { kind: 'service', id: 'anpr-worker' } } } } : l,
      ))],
      ['checkpoint-resigned', (e) => {
        const note = Buffer.from(e.get('checkpoint.txt')!).toString('utf8');
        const body = parseCheckpointBody(note.slice(0, note.indexOf('\n\n') + 1));
        e.set('checkpoint.txt', Buffer.from(signCheckpoint(body, new Uint8Array(32).fill(9))));
      }],
      ['proof-wrong', (e) => {
        const proofs = JSON.parse(Buffer.from(e.get('proofs.json')!).toString('utf8')) as { inclusion: Record<string, string[]> };
        const leaf = Object.keys(proofs.inclusion).find((k) => proofs.inclusion[k]!.length > 0)!;
        const path = proofs.inclusion[leaf]!;
        path[0] = `${path[0]!.slice(0, -1)}${path[0]!.endsWith('0') ? '1' : '0'}`;
        e.set('proofs.json', Buffer.from(JSON.stringify(proofs)));
      }],
      ['signoff-field', (e) => {
        const text = Buffer.from(e.get('records.jsonl')!).toString('utf8');
        e.set('records.jsonl', Buffer.from(text.replace(/"fineVnd":(\d+)/, (_m, n: string) => `"fineVnd":${Number(n) + 1000}`)));
      }],
    ];
    cases.push({ name: 'valid', bytes: valid }, { name: 'valid-trusted', bytes: valid, trustedKey: fingerprint });
    cases.push({ name: 'valid-untrusted-key', bytes: valid, trustedKey: `sha256:${'ab'.repeat(32)}` });
    for (const [name, change] of tampered) cases.push({ name, bytes: await writeBundleZip(edit(entries, change)) });
    cases.push({ name: 'not-a-zip', bytes: new Uint8Array(Buffer.from('this is not a bundle')) });
    // What `tec verify` says about each, computed up front (the CLI runs in parallel child processes).
    await Promise.all(
      cases.map(async (c) => {
        const file = join(dir, `${c.name}.zip`);
        await writeFile(file, c.bytes);
        c.expected = await cliVerdict(file, c.trustedKey);
      }),
    );
  });

  after(async () => {
    await browser?.close();
    await ui?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cliVerdictJson(bytes: Uint8Array): Promise<string> {
    const file = join(dir, 'probe.zip');
    await writeFile(file, bytes);
    const { stdout } = await execFileAsync(process.execPath, [TEC, 'verify', file, '--json']);
    return stdout;
  }

  it('the served page gives the same verdict and failing checks as tec verify, for the valid bundle and each tampered one, without any request', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${ui.url}/#/verify`);
    await page.locator('#bundle-file').waitFor();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!/^(blob|data):/.test(r.url())) requests.push(r.url());
    });
    const seen: string[] = [];
    for (const c of cases) {
      const expected = c.expected!;
      const actual = await pageVerdict(page, `${c.name}.zip`, c.bytes, c.trustedKey);
      expect(actual, c.name).to.deep.equal(expected);
      seen.push(`${c.name}:${actual.verdict}`);
      if (c.name === 'valid') {
        // The case timeline names who signed what; the evidence images are shown from the bundle itself.
        const timeline = page.getByTestId('bundle-timeline');
        const types = await timeline.locator('tr[data-type]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
        expect(types).to.include('PenaltyDecided').and.to.include('ReviewConfirmed');
        // Event names in the reader's language (Vietnamese by default), not the record types.
        const text = await timeline.innerText();
        expect(text).to.contain('Quyết định xử phạt').and.to.contain('Cán bộ xác nhận').and.not.to.contain('PenaltyDecided');
        expect(await page.locator('.gallery img').count()).to.be.greaterThan(0);
        await page.screenshot({ path: join(ARTIFACTS, 'verifier-valid.png'), fullPage: true });
      }
      if (c.name === 'record-byte') await page.screenshot({ path: join(ARTIFACTS, 'verifier-tampered.png'), fullPage: true });
    }
    expect(seen).to.include.members(['valid:valid', 'valid-trusted:valid', 'valid-untrusted-key:invalid', 'record-byte:invalid', 'evidence-byte:invalid', 'evidence-missing:invalid', 'checkpoint-root:invalid', 'manifest-signature:invalid', 'signoff-field:invalid', 'record-removed:invalid', 'signoff-forged:invalid', 'review-by-service:invalid', 'checkpoint-resigned:invalid', 'proof-wrong:invalid', 'not-a-zip:unreadable']);
    // Each kind of tampering is found by the check bundle.md assigns to it.
    const failedOf = (name: string) => cases.find((c) => c.name === name)!.expected!.failed;
    expect(failedOf('record-byte')).to.include('RECORD_HASH');
    expect(failedOf('record-removed')).to.include('CHAIN');
    expect(failedOf('evidence-byte')).to.include('EVIDENCE');
    expect(failedOf('evidence-missing')).to.include('EVIDENCE');
    expect(failedOf('signoff-forged')).to.include('SIGNOFF_SIGNATURE');
    expect(failedOf('review-by-service')).to.include('RULES');
    expect(failedOf('checkpoint-resigned')).to.include('CHECKPOINT');
    expect(failedOf('proof-wrong')).to.include('INCLUSION');
    expect(failedOf('manifest-signature')).to.include('FILES');
    expect(failedOf('valid-untrusted-key')).to.include('CHECKPOINT');
    expect(requests, 'nothing is uploaded or fetched while verifying').to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('the offline single-file page works from file:// with no server', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!/^(blob|data|file):/.test(r.url())) requests.push(r.url());
    });
    await page.goto(`file://${join(ui.webDir, 'verifier-offline.html')}`);
    expect(await pageVerdict(page, 'valid.zip', valid)).to.deep.equal({ verdict: 'valid', failed: [] });
    const tampered = cases.find((c) => c.name === 'evidence-byte')!;
    const result = await pageVerdict(page, 'evidence-byte.zip', tampered.bytes);
    expect(result.verdict).to.equal('invalid');
    expect(result.failed).to.include('EVIDENCE');
    expect(requests).to.deep.equal([]);
    await page.close();
  });
});
