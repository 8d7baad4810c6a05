/**
 * `tec ledger verify` and `tec ledger checkpoint` (docs/ledger.md).
 *
 * Configuration: `--data-dir <dir>` for an embedded node (`<dir>/pg`, `<dir>/evidence`,
 * `<dir>/keys/ledger.key`), else `DATABASE_URL` (ledger), `EVENTSTORE_URL` (the PostgreSQL event store;
 * the same database when absent), `EVIDENCE_DIR`, `LEDGER_KEY_FILE`, `LEDGER_ORIGIN`.
 * The trusted log key is `--trusted-key <vkey>`, or derived from the key file and origin.
 *
 * Exit status of `verify`: 0 clean, 1 discrepancies found, 2 unusable input (including an embedded directory
 * that a running node holds: the message names its pid).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { loadConfig } from '../../config.ts';
import { AppError } from '../../domain/shared/errors.ts';
import { EvidenceKeyUnavailableError, openConfiguredEvidenceStore, type EvidenceStoreConfig } from '../../adapters/evidence/index.ts';
import { loadNodeKey, nodeVerifierKey } from '../../adapters/keys/node-key.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/pglite-server.ts';
import { DataDirLockedError } from '../../adapters/postgres/data-dir-lock.ts';
import { postgresFeedSource, type FeedSource } from '../../adapters/ledger/feed-source.ts';
import { latestCheckpoint } from '../../adapters/ledger/store.ts';
import { verifyLedger, type VerifyReport } from '../../adapters/ledger/verify.ts';

/** The stores cannot be read or the configuration is incomplete: exit 2. */
export class LedgerInputError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'ledger-input';
}

interface Stores {
  ledgerPool: pg.Pool;
  feed: FeedSource | 'same-database';
  evidenceDir: string | undefined;
  evidenceConfig: EvidenceStoreConfig;
  keyFile: string;
  close(): Promise<void>;
}

async function openStores(dataDir: string | undefined): Promise<Stores> {
  const config = loadConfig(process.env, dataDir === undefined ? {} : { dataDir });
  let embedded: EmbeddedPostgres | undefined;
  let ledgerUrl = config.databaseUrl;
  if (config.embedded) {
    // Verifying an empty directory would prove nothing: refuse rather than create a database.
    if (!existsSync(config.pgliteDir)) throw new LedgerInputError(`no embedded database at ${config.pgliteDir}`);
    embedded = await startEmbeddedPostgres({ dataDir: config.pgliteDir, maxConnections: 4 });
    ledgerUrl = embedded.url;
  }
  if (!ledgerUrl) throw new LedgerInputError('set DATABASE_URL (the ledger database) or give --data-dir');
  // Three connections: `ledger verify` streams the feed and the leaves beside its own (src/adapters/ledger/storage-reader.ts).
  const ledgerPool = new pg.Pool({ connectionString: ledgerUrl, max: embedded ? 1 : 3 });
  let feedPool: pg.Pool | undefined;
  let feed: FeedSource | 'same-database' = 'same-database';
  const eventstoreUrl = config.eventstoreUrl;
  if (!embedded && eventstoreUrl && eventstoreUrl !== ledgerUrl) {
    if (!/^postgres(ql)?:\/\//.test(eventstoreUrl)) {
      throw new LedgerInputError('ledger verify reads the PostgreSQL event store; EVENTSTORE_URL is not postgres://');
    }
    feedPool = new pg.Pool({ connectionString: eventstoreUrl, max: 1 });
    feed = postgresFeedSource(feedPool);
  }
  const evidenceDir = embedded || process.env.EVIDENCE_DIR ? config.evidenceDir : undefined;
  return {
    ledgerPool,
    feed,
    evidenceDir,
    evidenceConfig: config,
    keyFile: config.ledgerKeyFile,
    async close() {
      await ledgerPool.end().catch(() => undefined);
      await feedPool?.end().catch(() => undefined);
      await embedded?.stop().catch(() => undefined);
    },
  };
}

async function trustedKey(stores: Stores, given: string | undefined): Promise<string> {
  if (given) return given;
  if (!existsSync(stores.keyFile)) throw new LedgerInputError(`no --trusted-key given and no key file at ${stores.keyFile}`);
  const key = await loadNodeKey(stores.keyFile);
  let origin = process.env.LEDGER_ORIGIN;
  if (!origin) {
    const latest = await latestCheckpoint(stores.ledgerPool);
    origin = latest?.note.split('\n', 1)[0];
  }
  if (!origin) return nodeVerifierKey('vn-traffic-evidence/dev-node', key);
  return nodeVerifierKey(origin, key);
}

function printReport(report: VerifyReport): void {
  const out = process.stdout;
  out.write(
    `records ${report.records}, streams ${report.streams}, leaves ${report.leaves}, subtree hashes ${report.subtreeHashes}, ` +
      `checkpoints ${report.checkpoints}, blobs ${report.blobs}\n`,
  );
  out.write(`not yet integrated ${report.unintegrated}, integrated but not yet sealed ${report.unsealed}\n`);
  out.write(`${Math.round(report.durationMs)} ms, ${Math.round((report.records / Math.max(report.durationMs, 1)) * 1000)} records/s\n`);
  for (const d of report.discrepancies) {
    const subject = d.recordId ? `record ${d.recordId}` : d.digest ? `evidence ${d.digest}` : d.leafIndex !== undefined ? `leaf ${d.leafIndex}` : `tree size ${String(d.treeSize)}`;
    out.write(`${d.code} ${subject}: ${d.message}\n`);
  }
  // Destroyed under a retention policy: a finding of its own, never missing or tampered, not a failure.
  for (const d of report.destroyed) out.write(`DESTROYED evidence ${d.digest}: ${d.message}\n`);
  // Withheld by the edge node that relayed the detection, within the allowed age: a notice, not a failure.
  for (const p of report.pendingAtEdge ?? []) out.write(`PENDING evidence ${p.digest}: pending at edge ${p.edgeId} since ${p.since} (record ${p.recordId})\n`);
  if (report.discrepancyCount > report.discrepancies.length) out.write(`… and ${report.discrepancyCount - report.discrepancies.length} more\n`);
  out.write(report.ok ? 'OK: no discrepancy\n' : `FAILED: ${report.discrepancyCount} discrepancies\n`);
}

async function withInputErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A directory held by a running node is unusable input (2), never a discrepancy (1).
    if (error instanceof AppError && !(error instanceof DataDirLockedError)) throw error;
    throw new LedgerInputError(`cannot read the stores: ${(error as Error).message}`, undefined);
  }
}

export function register(program: Command): void {
  const ledger = program.command('ledger').description('the Merkle ledger: verify the node, show checkpoints');
  ledger
    .command('verify')
    .description('recompute every record hash, chain, leaf, subtree hash, checkpoint and evidence digest (exit 0 clean, 1 discrepancies, 2 unusable input)')
    .option('--data-dir <dir>', 'an embedded node directory')
    .option('--trusted-key <vkey>', 'the log verifier key to trust (default: derived from the node key file)')
    .option('--strict', 'also require every stored record text to be its own RFC 8785 canonical form')
    .option('--json', 'print the machine-readable report')
    .option(
      '--max-pending-at-edge <seconds>',
      'how long an original may stay withheld at the edge node that relayed it before it counts as missing (env LEDGER_MAX_PENDING_AT_EDGE_SECONDS; default 604800, 7 days)',
    )
    .action(async (opts: { dataDir?: string; trustedKey?: string; json?: boolean; strict?: boolean; maxPendingAtEdge?: string }) => {
      const pendingSeconds = opts.maxPendingAtEdge ?? process.env.LEDGER_MAX_PENDING_AT_EDGE_SECONDS;
      const maxPendingAtEdgeMs = pendingSeconds === undefined || pendingSeconds === '' ? undefined : Number(pendingSeconds) * 1000;
      if (maxPendingAtEdgeMs !== undefined && (!Number.isSafeInteger(maxPendingAtEdgeMs) || maxPendingAtEdgeMs < 0))
        throw new LedgerInputError('--max-pending-at-edge must be a non-negative whole number of seconds');
      const stores = await withInputErrors(() => openStores(opts.dataDir));
      try {
        const report = await withInputErrors(async () => {
          const key = await trustedKey(stores, opts.trustedKey);
          // An encrypted store needs its key-encryption key: missing or wrong is unusable input (2), not a discrepancy.
          const evidence =
            stores.evidenceDir && existsSync(stores.evidenceDir)
              ? await openConfiguredEvidenceStore({ ...stores.evidenceConfig, evidenceDir: stores.evidenceDir }, { createKey: false }).catch((error: unknown) => {
                  if (error instanceof EvidenceKeyUnavailableError) throw new LedgerInputError(error.message);
                  throw error;
                })
              : undefined;
          return verifyLedger({
            ledgerPool: stores.ledgerPool,
            feed: stores.feed,
            evidence,
            verifierKeys: [key],
            strictCanonical: opts.strict === true,
            ...(maxPendingAtEdgeMs !== undefined ? { maxPendingAtEdgeMs } : {}),
          });
        });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else printReport(report);
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        await stores.close();
      }
    });
  ledger
    .command('checkpoint')
    .description('print the latest signed checkpoint')
    .option('--data-dir <dir>', 'an embedded node directory')
    .action(async (opts: { dataDir?: string }) => {
      const stores = await withInputErrors(() => openStores(opts.dataDir));
      try {
        const latest = await withInputErrors(() => latestCheckpoint(stores.ledgerPool));
        if (!latest) {
          process.stderr.write('no checkpoint issued yet\n');
          process.exitCode = 1;
          return;
        }
        process.stdout.write(latest.note);
      } finally {
        await stores.close();
      }
    });
}
