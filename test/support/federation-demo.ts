/**
 * Running `tec federation-demo` from an e2e spec as a person would (bin/tec.js in a child process), shared by
 * test/e2e/federation-demo.spec.ts (the first run and the restarts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { MIRROR_SUBJECT } from '../../src/adapters/http/routes/log.ts';
import { formatTileSuffix, TILE_WIDTH } from '../../src/adapters/ledger/tiles.ts';
import { waitFor } from './env.ts';

/**
 * Three consecutive free ports (checked, not guaranteed: another process may take one in between), none of
 * them within `avoid` (a port run a previous start used).
 */
export async function freePortRun(avoid: readonly number[] = []): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20000 + Math.floor(Math.random() * 30000);
    if (avoid.some((a) => Math.abs(a - p) <= 2)) continue;
    if ((await free(p)) && (await free(p + 1)) && (await free(p + 2))) return p;
  }
  throw new Error('no three free consecutive ports');
}

/** The named lines the demo prints once its three nodes are up. */
export interface DemoLines {
  national: string;
  provinces: { '01': string; '79': string };
  witnessKey: string;
  logKeys: { '01': string; '79': string };
}

export interface DemoRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The value of a `name: value` line, once printed. */
  line(name: string): string | undefined;
  /** Waits for the named lines (a first start migrates, loads three plate models and seeds: minutes). */
  lines(timeoutMs?: number): Promise<DemoLines>;
  /** Waits until `pattern` matches stdout; its first group (or the whole match). Fails at once if the demo exits. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then the exit code once the process has exited. */
  stop(): Promise<number | null>;
  /** SIGKILL if still running (a spec's clean-up). */
  kill(): Promise<void>;
}

/** Spawns `tec federation-demo --data-dir <dir> --port <port> --cases <cases>`. */
export function startDemo(dir: string, port: number, cases: number): DemoRun {
  const child = spawn(
    process.execPath,
    ['bin/tec.js', 'federation-demo', '--data-dir', dir, '--port', String(port), '--cases', String(cases)],
    {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (name: string) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(stdout)?.[1];
  const waitForOutput = (pattern: RegExp, what: string, timeoutMs = 180_000) =>
    waitFor(
      () => {
        if (child.exitCode !== null)
          throw new Error(`federation-demo exited ${child.exitCode}: ${stderr.slice(-2000)}`);
        const m = pattern.exec(stdout);
        return m ? (m[1] ?? m[0]) : undefined;
      },
      { timeoutMs, intervalMs: 200, what },
    );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    line,
    waitForOutput,
    async lines(timeoutMs = 840_000) {
      await waitForOutput(/^log-key 79: \S+$/m, "the demo's lines", timeoutMs);
      return {
        national: line('national')!,
        provinces: { '01': line('province 01')!, '79': line('province 79')! },
        witnessKey: line('witness-key')!,
        logKeys: { '01': line('log-key 01')!, '79': line('log-key 79')! },
      };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Tokens from the development issuer key the demo's three nodes share (`<dir>/keys/issuer.key`). */
export function demoTokens(dir: string): (role: Role, province: string, subject: string) => Promise<string> {
  const issuer = new DevIssuer(
    loadOrCreateSeedFile(join(dir, 'keys', 'issuer.key')),
    'tec-dev-issuer',
    'tec-api',
  );
  return (role, province, subject) => issuer.mint({ subject, role, province });
}

export interface MirrorStatus {
  origin: string;
  province: string;
  size: number;
  provinceSize?: number;
  secondsBehind: number;
  stoppedAt?: string;
}

export interface FederationStatusBody {
  logs: { origin: string; province?: string; baseUrl?: string; size?: number; forkAlarms: number }[];
  mirror: MirrorStatus[];
}

export async function federationStatus(national: string, token: string): Promise<FederationStatusBody> {
  const res = await fetch(`${national}/v1/federation/status`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`/v1/federation/status answered ${res.status}`);
  return (await res.json()) as FederationStatusBody;
}

/** The size of a node's newest published checkpoint, and its text. */
export async function publishedCheckpoint(base: string): Promise<{ size: number; text: string }> {
  const text = await (await fetch(`${base}/log/checkpoint`)).text();
  return { size: Number(text.split('\n')[1]), text };
}

export interface PublishedRecord {
  type: string;
  stream: string;
  data: Record<string, unknown>;
}

/**
 * Every record of a node's published log up to its newest checkpoint, read through `/log/records` under the
 * national mirror's identity (auditor, province 00, subject `national-mirror`): a read by any other auditor
 * appends a custody record per case it touches, so reading a log to count its records would grow it.
 */
export async function publishedRecords(
  base: string,
  dir: string,
): Promise<{ size: number; records: PublishedRecord[] }> {
  const token = await demoTokens(dir)('auditor', '00', MIRROR_SUBJECT);
  const { size } = await publishedCheckpoint(base);
  const records: PublishedRecord[] = [];
  for (let tile = 0; tile * TILE_WIDTH < size; tile++) {
    const width = Math.min(TILE_WIDTH, size - tile * TILE_WIDTH);
    const res = await fetch(`${base}/log/records/${formatTileSuffix(tile, width)}`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'national mirror of the provincial log' },
    });
    if (!res.ok) throw new Error(`${base}/log/records answered ${res.status}`);
    for (const l of (await res.text()).split('\n'))
      if (l.length > 0) records.push(JSON.parse(l) as PublishedRecord);
  }
  return { size, records };
}
