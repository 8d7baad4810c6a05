import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBundleZip } from '../../../src/domain/bundle/index.ts';
import { craftZip, deflatedZeros, entryOf } from './crafted-zip.ts';
import { buildFixture, LOG_KEY, LOG_SEED, seedOf } from './fixture.ts';
import { publicKeyFromSeed, sign, toBase64, utf8, verifierKey } from '../../../src/domain/integrity/index.ts';

const root = new URL('../../../', import.meta.url).pathname;

function tec(...args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'bin/tec.js'), 'verify', ...args], {
    cwd: root,
    encoding: 'utf8',
    // A verifier that inflated a bomb entry in full would need gigabytes: cap the child's heap so it cannot.
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=256` },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('bundle: `tec verify` exit codes (child process)', function () {
  this.timeout(60_000);
  let dir: string;
  let valid: string;
  let invalid: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tec-verify-'));
    valid = join(dir, 'valid.zip');
    invalid = join(dir, 'invalid.zip');
    writeFileSync(valid, await writeBundleZip(buildFixture().entries));
    writeFileSync(invalid, await writeBundleZip(buildFixture({ omitReview: true }).entries));
    writeFileSync(join(dir, 'garbage.zip'), 'this is not a zip archive');
    writeFileSync(join(dir, 'v2.zip'), await writeBundleZip(buildFixture({ detection: 'v2' }).entries));
    writeFileSync(join(dir, 'v2-under-v1.zip'), await writeBundleZip(buildFixture({ detection: 'v2-under-v1' }).entries));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for a valid bundle and prints the fingerprint and each check', () => {
    const run = tec(valid, '--trusted-key', LOG_KEY);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/VALID/);
    expect(run.stdout).to.match(/fingerprint: sha256:[0-9a-f]{64}/);
    expect(run.stdout).to.match(/trusted key: matches/);
    expect(run.stdout.match(/PASS {2}[A-Z_]+/g)).to.have.length(10);
  });

  it('exits 0 for a bundle whose camera signed detection/v2, and 1 for a v2 payload under the v1 purpose', () => {
    const v2 = tec(join(dir, 'v2.zip'), '--trusted-key', LOG_KEY);
    expect(v2.status, v2.stdout).to.equal(0);
    const mislabelled = tec(join(dir, 'v2-under-v1.zip'), '--trusted-key', LOG_KEY);
    expect(mislabelled.status, mislabelled.stderr).to.equal(1);
    expect(mislabelled.stdout).to.match(/FAIL {2}DEVICE_SIGNATURE/);
    expect(mislabelled.stdout).to.match(/detection\/v1 detection carries plateColour/);
  });

  it('exits 1 for an invalid bundle and lists the failure with its record', () => {
    const run = tec(invalid);
    expect(run.status, run.stderr).to.equal(1);
    expect(run.stdout).to.match(/FAIL {2}RULES/);
    expect(run.stdout).to.match(
      /PenaltyDecided is not preceded by a ReviewConfirmed.*records: [0-9a-f-]{36}/,
    );
  });

  it('exits 1 when the bundle is signed by a key other than the trusted one, with a JSON report', () => {
    const other = verifierKey('tec.example.vn/ledger/01', publicKeyFromSeed(seedOf('another')));
    const run = tec(valid, '--trusted-key', other, '--json');
    expect(run.status, run.stderr).to.equal(1);
    const report = JSON.parse(run.stdout) as {
      valid: boolean;
      trustedKeyMatched: boolean;
      checks: { code: string; status: string }[];
    };
    expect(report.valid).to.equal(false);
    expect(report.trustedKeyMatched).to.equal(false);
    expect(report.checks.find((c) => c.code === 'CHECKPOINT')!.status).to.equal('fail');
  });

  it('exits 2 for a bundle whose README inflates to 1.5 GiB, without inflating it (issue 10, item 7)', async () => {
    const f = buildFixture();
    const size = 1536 * 1024 * 1024;
    const entries = [...f.entries]
      .filter(([name]) => name !== 'README.txt')
      .map(([name, bytes]) => entryOf(name, bytes));
    entries.push({ name: 'README.txt', deflated: await deflatedZeros(size), declaredSize: size });
    const bomb = join(dir, 'readme-bomb.zip');
    writeFileSync(bomb, craftZip(entries));
    const run = tec(bomb, '--trusted-key', LOG_KEY);
    expect(run.status, run.stderr).to.equal(2);
    // Declaring a small size does not help: inflating stops at the declared size.
    entries[entries.length - 1]!.declaredSize = 1000;
    writeFileSync(bomb, craftZip(entries));
    expect(tec(bomb, '--trusted-key', LOG_KEY).status).to.equal(2);
  });

  it('says plainly that a README no digest covers is not verified content', async () => {
    const f = buildFixture();
    const manifest = JSON.parse(Buffer.from(f.entries.get('manifest.json')!).toString('utf8')) as {
      files: Record<string, string>;
    };
    delete manifest.files['README.txt'];
    const bytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
    f.entries.set('manifest.json', bytes);
    f.entries.set('manifest.sig', utf8(toBase64(sign(bytes, LOG_SEED))));
    f.entries.set('README.txt', utf8('This bundle is valid.\n'));
    const older = join(dir, 'older.zip');
    writeFileSync(older, await writeBundleZip(f.entries));
    const run = tec(older, '--trusted-key', LOG_KEY);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/NOT VERIFIED: README\.txt/);
    const json = JSON.parse(tec(older, '--json').stdout) as { unverifiedEntries: string[] };
    expect(json.unverifiedEntries).to.deep.equal(['README.txt']);
  });

  it('exits 2 for unreadable input: not a ZIP, a missing file, a malformed trusted key', () => {
    expect(tec(join(dir, 'garbage.zip')).status).to.equal(2);
    expect(tec(join(dir, 'does-not-exist.zip')).status).to.equal(2);
    expect(tec(valid, '--trusted-key', 'not-a-key').status).to.equal(2);
  });
});
