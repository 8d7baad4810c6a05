/**
 * A `tec serve`-like node for the browser specs, with demo data: `startNode()` (event store, ledger with its
 * sequencer, evidence store, development token issuer) on a scratch PostgreSQL database, `seedDemo()`
 * (signed cameras, officers with key files under `<dataDir>/demo-keys/`, detections, reviews, decisions),
 * the read-model projections, the vehicle registry stand-in, and the express app with every /v1 route and the
 * built web UI as its static directory.
 *
 * The HTTP server is composed here rather than by `startNode` because the composition root does not mount
 * the routes or the static directory yet; once it does, this file shrinks to `startNode({ roles: all })`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/config.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { seedDemo, type DemoResult } from '../../../src/demo/index.ts';
import { createApp } from '../../../src/adapters/http/app.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { apiRoutes } from '../../../src/adapters/http/routes/index.ts';
import { readModelQueries, registryVerifier } from '../../../src/adapters/http/routes/read-models.ts';
import type { ApiServices } from '../../../src/adapters/http/routes/services.ts';
import { HttpVehicleRegistry } from '../../../src/adapters/registry/http.ts';
import { startStandInRegistry, type StandInRegistry } from '../../../src/adapters/registry/stand-in.ts';
import { createBundleExporter } from '../../../src/bundle-export/index.ts';
import { ALL_PROJECTIONS } from '../../../src/projections/index.ts';
import { createReadModelDataSource } from '../../../src/projections/datasource.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import type { Role } from '../../../src/adapters/auth/roles.ts';
import { scratchDatabase } from '../../support/env.ts';

const execFileAsync = promisify(execFile);

export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

export interface UiNode {
  url: string;
  node: RunningNode;
  demo: DemoResult;
  dataSource: DataSource;
  registry: StandInRegistry;
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

export async function startUiNode(options: { cases?: number } = {}): Promise<UiNode> {
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const db = await scratchDatabase('ui');
    stops.push(() => db.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'tec-ui-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    const webDir = join(dataDir, 'web');
    await buildWeb(webDir);

    const config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', LEDGER_ORIGIN: 'vn-traffic-evidence/ui-test' });
    const node = await startNode({ config, roles: ['sequencer'], print: () => undefined, checkpointIntervalMs: 100 });
    stops.push(() => node.stop());
    const demo = await seedDemo(node, { cases: options.cases ?? 12 });

    const dataSource = createReadModelDataSource(node.databaseUrl, { poolSize: 5 });
    await dataSource.initialize();
    stops.push(() => dataSource.destroy());
    const runner = new ProjectionRunner({ dataSource, store: node.store, projections: ALL_PROJECTIONS, idleMs: 20 });
    await runner.start();
    stops.push(() => runner.stop());
    const registry = await startStandInRegistry({ vehicles: [] });
    stops.push(() => registry.close());

    const services: ApiServices = {
      store: node.store,
      evidence: node.evidence,
      commandDeps: node.commandDeps,
      ledger: node.ledger,
      bundles: createBundleExporter({ store: node.store, evidence: node.evidence, ledger: node.ledger, commandDeps: node.commandDeps }),
      queries: readModelQueries(dataSource, node.commandDeps.clock),
      registry: registryVerifier(new HttpVehicleRegistry({ baseUrl: registry.url, tries: 1 })),
      limits: { sealWaitMs: 10_000 },
    };
    const app = createApp({
      logger: pino({ level: 'silent' }),
      verifier: node.verifier,
      metrics: createMetrics({ defaultMetrics: false }),
      routes: apiRoutes(services),
      staticDir: webDir,
      rateLimitPerMinute: 1_000_000,
      publicRateLimitPerMinute: 1000,
    });
    const server: Server = await new Promise((ok, fail) => {
      const s = app.listen(0, '127.0.0.1');
      s.once('listening', () => ok(s));
      s.once('error', fail);
    });
    stops.push(
      () =>
        new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
    );
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      node,
      demo,
      dataSource,
      registry,
      webDir,
      keyFile: (subject) => join(dataDir, 'demo-keys', `${subject}.key`),
      token: (role, province, subject) => node.issuer!.mint({ subject, role, province }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
