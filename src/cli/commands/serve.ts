/**
 * `tec serve`: runs a node. Without options: every role in one process on the configured services, or on
 * the embedded default (PGlite in DATA_DIR). `npm start` runs `tec serve --demo`.
 */
import type { Command } from 'commander';
import { loadConfig, type NodeConfig } from '../../config.ts';
import { NODE_ROLES, startNode, type NodeRole } from '../../node/index.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { startupBanner } from '../startup-banner.ts';
import { join } from 'node:path';
import { ensureDemoAccounts } from '../../adapters/auth/accounts.ts';
import cluster from 'node:cluster';
import { loadOrCreateSeedFile } from '../../adapters/auth/tokens.ts';
import { openConfiguredEvidenceStore } from '../../adapters/evidence/configured.ts';
import { parseProcesses, reportToPrimary, requireScaleOut, superviseApiProcesses } from '../../node/api-cluster.ts';

interface ServeOptions {
  role?: string;
  dataDir?: string;
  port?: string;
  demo?: boolean;
  tier?: string;
  province?: string;
  upstream?: string;
  processes?: string;
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

async function prepareSharedFiles(config: NodeConfig): Promise<void> {
  if (!config.jwksUrl) loadOrCreateSeedFile(config.issuerKeyFile);
  await openConfiguredEvidenceStore(config);
}

/** One API process under `--processes N`: its start-up lines and address go to the primary, which prints them once. */
async function serveApiWorker(config: NodeConfig): Promise<void> {
  const node = await startNode({ config, roles: ['api'], print: (line) => reportToPrimary({ kind: 'line', line }) });
  if (node.url) reportToPrimary({ kind: 'listening', url: node.url });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      node.stop().then(resolve, resolve);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    // The primary went away (killed): no one would replace or stop this process, so it stops too.
    process.once('disconnect', shutdown);
  });
  process.exit(0);
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
    .option('--processes <n>', 'with --role api: run N API processes on one address (node:cluster), each replaced if it exits (docs/api.md)')
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
      const processes = parseProcesses(opts.processes);
      requireScaleOut(config, opts.role, processes);
      if (processes > 1 && opts.demo) throw new ValidationError('--demo runs in a single process');
      if (processes > 1 && cluster.isPrimary) {
        // The primary serves nothing itself. It creates the node's key files once (the issuer seed, the evidence
        // key-encryption key and the store's layout) so the workers never race to create them, then forks the API
        // processes and replaces any that exits.
        await prepareSharedFiles(config);
        const supervisor = superviseApiProcesses({ processes, print: (line) => process.stdout.write(`${line}\n`) });
        const shutdown = () => {
          process.stdout.write('shutting down\n');
          supervisor.stop();
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
        await supervisor.finished;
        return;
      }
      if (processes > 1) {
        await serveApiWorker(config);
        return;
      }
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
