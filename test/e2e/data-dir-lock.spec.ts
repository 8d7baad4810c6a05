/**
 * One writer per embedded data directory (issue 10): real `tec serve` child processes on one `--data-dir`.
 * A second `tec serve` exits non-zero before it opens anything, naming the pid that holds the directory;
 * the read-only and custody commands (`ledger verify`, `replay`, `export`) refuse the same way; the lock is
 * gone once the holder exits, and a SIGKILLed holder's stale lock does not block a restart.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface Served {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CASE_ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('one process per embedded data directory (tec serve, real processes)', function () {
  this.timeout(240_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const children: ChildProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-dir-lock-'));
    env = { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'silent', HOME: process.env.HOME ?? tmpdir() };
  });
  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function serve(): Promise<Served> {
    const child = spawn(process.execPath, ['bin/tec.js', 'serve', '--data-dir', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    return new Promise((resolve, reject) => {
      void exited.then(({ code }) => reject(new Error(`tec serve exited with ${code}: ${stderr}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('listening: ')) resolve({ child, url: line.slice('listening: '.length).trim(), exited });
      });
    });
  }

  function tec(args: string[]): Promise<Ran> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/tec.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += String(d)));
      child.stderr!.on('data', (d) => (stderr += String(d)));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('refuses a second writer and the commands that open the directory, naming the holder; releases on exit; breaks a stale lock', async () => {
    const first = await serve();
    const holderPid = String(first.child.pid);
    const lockFile = join(dir, 'pg.lock');
    const lockText = readFileSync(lockFile, 'utf8');
    expect(JSON.parse(lockText)).to.include({ pid: first.child.pid });

    const [second, verify, replay, exported] = await Promise.all([
      tec(['serve', '--data-dir', dir]),
      tec(['ledger', 'verify', '--data-dir', dir]),
      tec(['replay', 'all', '--data-dir', dir, '--no-progress']),
      tec(['export', '--data-dir', dir, '--case', CASE_ID, '--out', join(dir, 'bundle.zip')]),
    ]);
    // serve and export: 1 (refused); ledger verify and replay: 2 (unusable input), never their 1 (discrepancies,
    // differences found).
    const expectedCode = { second: 1, verify: 2, replay: 2, exported: 1 };
    for (const [name, ran] of Object.entries({ second, verify, replay, exported })) {
      expect(ran.code, `${name}: ${ran.stderr}`).to.equal(expectedCode[name as keyof typeof expectedCode]);
      expect(ran.stdout, name).not.to.contain('listening: ');
      expect(ran.stderr, name).to.match(new RegExp(`\\bprocess ${holderPid}\\b`));
    }
    // "At once": it refuses before the database, the ledger or the listener start (no `verifier-key:` line),
    // and leaves the holder's lock as it was.
    expect(second.stdout).not.to.contain('verifier-key:');
    expect(readFileSync(lockFile, 'utf8')).to.equal(lockText);
    expect(existsSync(join(dir, 'bundle.zip'))).to.equal(false);

    // The holder is untouched and still serving.
    expect((await fetch(`${first.url}/healthz`)).status).to.equal(200);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).to.equal(0);
    expect(existsSync(lockFile)).to.equal(false);

    const third = await serve();
    expect((await fetch(`${third.url}/healthz`)).status).to.equal(200);
    third.child.kill('SIGKILL');
    expect((await third.exited).signal).to.equal('SIGKILL');
    expect(existsSync(lockFile), 'SIGKILL leaves the lock file behind').to.equal(true);

    const fourth = await serve();
    expect((await fetch(`${fourth.url}/healthz`)).status).to.equal(200);
    fourth.child.kill('SIGTERM');
    expect((await fourth.exited).code).to.equal(0);

    // Once nothing holds it, the read-only verification opens the directory again.
    const after = await tec(['ledger', 'verify', '--data-dir', dir]);
    expect(after.code, after.stderr + after.stdout).to.equal(0);
  });
});
