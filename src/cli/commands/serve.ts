/**
 * `tec serve`: runs a node. Without options: every role in one process on the configured services, or on
 * the embedded default (PGlite in DATA_DIR). `npm start` runs `tec serve --demo`.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config.ts';
import { NODE_ROLES, startNode, type NodeRole } from '../../node/index.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { startupBanner } from '../startup-banner.ts';
import { join } from 'node:path';
import { ensureDemoAccounts } from '../../adapters/auth/accounts.ts';

interface ServeOptions {
  role?: string;
  dataDir?: string;
  port?: string;
  demo?: boolean;
  tier?: string;
  province?: string;
  upstream?: string;
}

/** `tec serve --tier edge`: the store-and-forward edge node (src/edge, docs/edge.md) instead of a node. */
async function serveEdge(opts: ServeOptions): Promise<void> {
  if (opts.role || opts.demo) throw new ValidationError('An edge node has no roles and no demo data');
  const { loadEdgeConfig, startEdge } = await import('../../edge/index.ts');
  const config = loadEdgeConfig({
    ...process.env,
    ...(opts.dataDir ? { DATA_DIR: opts.dataDir } : {}),
    ...(opts.port ? { PORT: opts.port } : {}),
    ...(opts.province ? { PROVINCES: opts.province } : {}),
    ...(opts.upstream ? { UPSTREAM_URL: opts.upstream } : {}),
  });
  const edge = await startEdge(config);
  process.stdout.write(`edge-id: ${edge.edgeId}\nedge-public-key: ${edge.publicKey}\nedge-key-id: ${edge.keyId}\n`);
  process.stdout.write(`register it at the node: POST ${config.upstream}/v1/admin/cameras {"cameraId": "${edge.edgeId}", "province": "${config.province}", "publicKey": "${edge.publicKey}", "location": …}\n`);
  process.stdout.write(`listening: ${edge.url}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = () => {
      process.stdout.write('shutting down\n');
      edge.stop().then(resolve, resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the node: API, projections, ledger sequencer and workers (or one --role)')
    .option('--role <role>', `run only one role: ${NODE_ROLES.join(', ')}`)
    .option('--data-dir <dir>', 'embedded node directory (default DATA_DIR or ./data)')
    .option('--port <port>', 'HTTP port (default PORT or 8080)')
    .option('--tier <tier>', 'federation tier: national (witness and registry), province, or edge (store-and-forward in front of a node: docs/edge.md) (default TIER; none = every province)')
    .option('--upstream <url>', 'edge: the provincial node the edge forwards to (default UPSTREAM_URL)')
    .option('--province <codes>', 'provinces a --tier province node serves, e.g. 01,79 (default PROVINCES)')
    .option('--demo', 'seed demo cameras, officers, a model and cases when the node is empty')
    .action(async (opts: ServeOptions) => {
      if (opts.role && !(NODE_ROLES as readonly string[]).includes(opts.role)) {
        throw new ValidationError(`Unknown role ${opts.role}; use one of ${NODE_ROLES.join(', ')}`);
      }
      if ((opts.tier ?? process.env.TIER) === 'edge') {
        await serveEdge(opts);
        return;
      }
      const env = {
        ...process.env,
        ...(opts.port ? { PORT: opts.port } : {}),
        ...(opts.tier ? { TIER: opts.tier } : {}),
        ...(opts.province ? { PROVINCES: opts.province } : {}),
      };
      const config = loadConfig(env, opts.dataDir ? { dataDir: opts.dataDir } : {});
      const node = await startNode({ config, ...(opts.role ? { roles: [opts.role as NodeRole] } : {}) });
      if (opts.demo) {
        const { seedDemoIfEmpty } = await import('../../demo/index.ts');
        await seedDemoIfEmpty(node, {
          print: (line) => process.stdout.write(`${line}\n`),
          ...(node.pipeline ? { waitForReadings: { timeoutMs: 60_000 } } : {}),
        });
      }
      // Demo sign-in accounts (the demo's officers and one court, auditor and analyst), once per data directory.
      const credentialsFile = join(config.dataDir, 'demo-keys', 'sign-in.json');
      const demoAccounts = opts.demo && node.accounts ? await ensureDemoAccounts(node.accounts, credentialsFile) : [];
      const first = demoAccounts.find((a) => a.id === 'officer-01-reviewer');
      if (node.url) process.stdout.write(`listening: ${node.url}\n`);
      const banner = startupBanner({
        url: node.url,
        dataDir: config.dataDir,
        embedded: config.embedded,
        issuer: node.issuer ? { keyFile: config.issuerKeyFile, kid: node.issuer.kid } : undefined,
        verifierKey: node.ledger.verifierKey(),
        demo: opts.demo === true,
        oidcIssuer: node.oidc?.issuer,
        demoSignIn: first ? { id: first.id, password: first.password, totpSecret: first.totpSecret, file: credentialsFile } : undefined,
      });
      process.stdout.write(`${banner.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          process.stdout.write('shutting down\n');
          node.stop().then(resolve, resolve);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
}
