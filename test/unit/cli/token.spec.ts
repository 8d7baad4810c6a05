import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { DevIssuer, MAX_TOKEN_TTL_SECONDS, loadOrCreateSeedFile } from '../../../src/adapters/auth/tokens.ts';

const root = new URL('../../../', import.meta.url).pathname;

function tec(args: string[], env: Record<string, string>, cwd: string) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['DATA_DIR', 'ISSUER_KEY_FILE', 'DATABASE_URL', 'EVENTSTORE_URL'].includes(k)));
  const run = spawnSync(process.execPath, [join(root, 'bin/tec.js'), ...args], { cwd, encoding: 'utf8', env: { ...clean, ...env } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('cli: `tec token` uses the node\'s issuer key (child process)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tec-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given a node directory named by DATA_DIR, when minting without --data-dir, then the token is signed by that node\'s key and the key file is named', async () => {
    const nodeDir = join(dir, 'node');
    const keyFile = join(nodeDir, 'keys', 'issuer.key');
    const issuer = new DevIssuer(loadOrCreateSeedFile(keyFile), 'tec-dev-issuer', 'tec-api');
    const run = tec(['token', '--sub', 'officer-01-reviewer', '--role', 'officer', '--province', '01'], { DATA_DIR: nodeDir }, dir);
    expect(run.status).to.equal(0);
    expect(decodeProtectedHeader(run.stdout.trim()).kid).to.equal(issuer.kid);
    expect(run.stderr).to.include(keyFile).and.include(issuer.kid);
    expect(existsSync(join(dir, 'data'))).to.equal(false);
  });

  it('given no issuer key where the node would keep it, when minting, then it refuses (exit 2) and creates no key', () => {
    const run = tec(['token', '--sub', 'officer-01-reviewer', '--role', 'officer'], {}, dir);
    expect(run.status).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(existsSync(join(dir, 'data', 'keys', 'issuer.key'))).to.equal(false);
  });

  it('states the --ttl limit in the help', () => {
    const run = tec(['token', '--help'], {}, dir);
    expect(run.stdout).to.match(new RegExp(`--ttl[\\s\\S]*${MAX_TOKEN_TTL_SECONDS}`));
  });
});
