/**
 * A `tec serve --demo`-like node for the browser specs: `startNode()` with the api, projector and sequencer
 * roles (routes, read models, ledger, the vehicle registry stand-in, and the built web UI from `web/dist` as
 * its static directory) on a scratch PostgreSQL database, seeded by `seedDemo()` (cameras, officers with key
 * files under `<dataDir>/demo-keys/`, signed detections, reviews and decisions). The worker role stays off so
 * the cases are exactly what the demo signed (no AI readings arriving mid-test).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/config.ts';
import { startNode, WEB_DIST, type RunningNode } from '../../../src/node/index.ts';
import { seedDemo, type DemoResult } from '../../../src/demo/index.ts';
import type { StandInRegistry } from '../../../src/adapters/registry/stand-in.ts';
import type { Role } from '../../../src/adapters/auth/roles.ts';
import { scratchDatabase } from '../../support/env.ts';

const execFileAsync = promisify(execFile);

export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

export interface UiNode {
  url: string;
  node: RunningNode;
  demo: DemoResult;
  registry: StandInRegistry;
  /** Where the served UI was built (`web/dist`). */
  webDir: string;
  keyFile(subject: string): string;
  token(role: Role, province: string, subject: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Builds the web UI into `outDir` with the project's Vite config (the same build the npm script runs), in a
 * child process: Vite's own module resolution must not run under the test runner's TypeScript loader.
 */
export async function buildWeb(outDir: string): Promise<void> {
  const vite = fileURLToPath(new URL('../../../node_modules/vite/bin/vite.js', import.meta.url));
  await execFileAsync(process.execPath, [vite, 'build', '--config', resolve(WEB_ROOT, 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

let built: Promise<void> | undefined;

/** The UI is built once per test process, before the first node starts (startNode serves `web/dist` if present). */
export function ensureBuilt(): Promise<void> {
  built ??= buildWeb(WEB_DIST);
  return built;
}

/** `provinces`: seed only these provinces' cameras and officers (a provincial node of a two-tier spec). */
export async function startUiNode(options: { cases?: number; publicRateLimitPerMinute?: number; env?: Record<string, string>; provinces?: readonly string[] } = {}): Promise<UiNode> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    await ensureBuilt();
    const db = await scratchDatabase('ui');
    stops.push(() => db.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'tec-ui-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      LEDGER_ORIGIN: 'vn-traffic-evidence/ui-test',
      HOST: '127.0.0.1',
      PORT: '0',
      ...options.env,
    });
    const node = await startNode({
      config,
      roles: ['api', 'projector', 'sequencer'],
      print: () => undefined,
      checkpointIntervalMs: 100,
      ...(options.publicRateLimitPerMinute !== undefined ? { publicRateLimitPerMinute: options.publicRateLimitPerMinute } : {}),
    });
    stops.push(() => node.stop());
    if (!node.url || !node.standInRegistry || !node.issuer) throw new Error('the UI node needs the api role, the registry stand-in and the development issuer');
    const demo = await seedDemo(node, { cases: options.cases ?? 12, ...(options.provinces ? { provinces: options.provinces } : {}) });
    const issuer = node.issuer;
    return {
      url: node.url,
      node,
      demo,
      registry: node.standInRegistry,
      webDir: WEB_DIST,
      keyFile: (subject) => join(dataDir, 'demo-keys', `${subject}.key`),
      token: (role, province, subject) => issuer.mint({ subject, role, province }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
