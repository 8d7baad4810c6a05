/**
 * `tec replay <projection|all> [--data-dir <dir>] [--swap] [--json]`: the auditor's replay.
 * `tec replay --national [<projection|all>] [--province NN] [--check|--swap]`: the same over a national
 * node's mirrored provincial feeds, each feed verified from scratch first (src/cli/national-replay.ts). Rebuilds the
 * projection(s) from position zero into a shadow schema with a progress bar, compares row by row with the
 * live tables and prints every difference (none expected), or swaps the rebuild in with `--swap`.
 * Runs against the configured services (EVENTSTORE_URL, DATABASE_URL) or an embedded node's data directory
 * (refused, naming the holder pid, while a node has it open: see src/adapters/postgres/data-dir-lock.ts).
 * Exit status: 0 identical (or swapped), 1 differences found, 2 bad arguments or configuration (including a
 * data directory held by a running node).
 */
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { createEventStore } from '../../adapters/eventstore/factory.ts';
import type { EventStore } from '../../ports/eventstore.ts';
import { runMigrations } from '../../adapters/postgres/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/pglite-server.ts';
import { DataDirLockedError } from '../../adapters/postgres/data-dir-lock.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { createReadModelDataSource } from '../../projections/datasource.ts';
import { UnknownProjectionError } from '../../projections/errors.ts';
import { ALL_PROJECTIONS, projectionByName } from '../../projections/index.ts';
import type { Projection } from '../../projections/projection.ts';
import { replayProjections, type ReplayReport } from '../../projections/replay.ts';
import { createPgPool } from '../../adapters/postgres/pool.ts';
import { formatNationalReplay, nationalReplayExitCode, replayNational } from '../national-replay.ts';
import { NATIONAL_PROJECTIONS } from '../../adapters/witness/national-projections.ts';
import { loadNodeKey } from '../../adapters/keys/node-key.ts';
import { parseVerifierKey, witnessVerifierKey } from '../../domain/integrity/index.ts';

export function formatReplayReport(reports: ReplayReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    const verdict = r.swapped ? (r.identical ? 'IDENTICAL, swapped in' : 'DIFFERENT, rebuild swapped in') : r.identical ? 'IDENTICAL' : 'DIFFERENT';
    out.push(`${r.projection}: ${verdict} (${r.eventsReplayed} events, checkpoint ${r.checkpoint ?? 'none'})`);
    for (const t of r.tables) {
      out.push(`  ${t.table}: ${t.liveRows} live rows, ${t.replayRows} rebuilt rows, ${t.onlyInLive} only live, ${t.onlyInReplay} only rebuilt`);
      for (const s of t.samples) out.push(`    ${s.side === 'live' ? '- live   ' : '+ rebuilt'} ${JSON.stringify(s.row)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function selectProjections(name: string): Projection[] {
  if (name === 'all') return [...ALL_PROJECTIONS];
  const p = projectionByName(name);
  if (!p) throw new UnknownProjectionError(name, ALL_PROJECTIONS.map((x) => x.name));
  return [p];
}

interface ReplayCommandOptions {
  dataDir?: string;
  swap?: boolean;
  check?: boolean;
  national?: boolean;
  trustedWitness?: string[];
  province?: string;
  json?: boolean;
  progress: boolean;
}

/**
 * The witness keys `tec replay --national` checks cosignatures with: the ones given, else the node's own
 * witness (its key file, read only: a replay never creates a key), else none.
 */
async function nationalWitnessKeys(given: string[] | undefined, keyFile: string, name: string): Promise<{ witnessKeys: string[] } | undefined> {
  if (given !== undefined) return { witnessKeys: given };
  try {
    const key = await loadNodeKey(keyFile);
    return { witnessKeys: [witnessVerifierKey(name, key.publicKey)] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function register(program: Command): void {
  program
    .command('replay')
    .description("Rebuild read models from the event history (or, with --national, from the mirrored provincial feeds) into a shadow schema, compare with the live ones, or swap them in (the auditor's replay)")
    .argument('[projection]', `a projection name or "all" (${ALL_PROJECTIONS.map((p) => p.name).join(', ')}); with --national optional, default all (${NATIONAL_PROJECTIONS.map((p) => p.name).join(', ')})`)
    .option('--data-dir <dir>', "an embedded node's data directory (instead of EVENTSTORE_URL / DATABASE_URL)")
    .option('--swap', 'swap the rebuilt tables in instead of only comparing')
    .option('--check', 'only compare, never modify the live tables (the default; refused with --swap)')
    .option('--national', "a national node: verify each mirrored provincial feed from scratch, then rebuild its national read models from it")
    .option('--province <NN>', 'with --national: only the logs of this province')
    .option(
      '--trusted-witness <vkey>',
      "with --national: a witness verifier key each mirrored checkpoint must be cosigned by (repeatable; default the node's own witness key file, if present)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--json', 'print the report as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (name: string | undefined, opts: ReplayCommandOptions) => {
      if (opts.check && opts.swap) throw new ValidationError('--check compares only; it cannot be combined with --swap', undefined, 'replay-check-and-swap');
      if (!opts.national && opts.province !== undefined) throw new ValidationError('--province needs --national', undefined, 'replay-province-without-national');
      if (!opts.national && opts.trustedWitness !== undefined) throw new ValidationError('--trusted-witness needs --national', undefined, 'replay-witness-without-national');
      for (const vkey of opts.trustedWitness ?? []) {
        try {
          parseVerifierKey(vkey);
        } catch {
          throw new ValidationError(`--trusted-witness: not a verifier key: ${vkey.slice(0, 80)}`, undefined, 'replay-bad-witness-key');
        }
      }
      if (!opts.national && name === undefined) throw new ValidationError('Name a projection or "all" (or give --national)', undefined, 'replay-no-projection');
      const projections = opts.national ? [] : selectProjections(name!);
      const config = loadConfig(process.env, opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {});
      let embedded: EmbeddedPostgres | undefined;
      let store: EventStore | undefined;
      const dataSourceUrl = config.embedded ? undefined : config.databaseUrl;
      try {
        if (config.embedded) {
          // A directory held by a running node is a configuration problem (2), not a difference found (1).
          embedded = await startEmbeddedPostgres({ dataDir: config.pgliteDir }).catch((error: unknown) => {
            if (error instanceof DataDirLockedError) throw new ValidationError(error.message, error.details, error.code);
            throw error;
          });
        }
        const readUrl = dataSourceUrl ?? embedded?.url ?? config.eventstoreUrl;
        if (!readUrl || !/^postgres(ql)?:\/\//.test(readUrl)) {
          throw new ValidationError('Read models need DATABASE_URL (postgres://…) or --data-dir', undefined, 'no-database-url');
        }
        await runMigrations(readUrl);
        if (embedded === undefined && config.eventstoreUrl && /^postgres/.test(config.eventstoreUrl) && config.eventstoreUrl !== readUrl) {
          await runMigrations(config.eventstoreUrl);
        }
        store = createEventStore({ ...(config.eventstoreUrl ? { eventstoreUrl: config.eventstoreUrl } : {}), ...(embedded ? { embeddedUrl: embedded.url } : {}) });
        const dataSource = createReadModelDataSource(readUrl, { applicationName: 'tec-replay' });
        await dataSource.initialize();
        if (opts.national) {
          const db = createPgPool(readUrl, { max: 2, applicationName: 'tec-replay' });
          try {
            const logs = await replayNational({
              dataSource,
              db,
              store,
              ...(opts.province !== undefined ? { province: opts.province } : {}),
              ...(name !== undefined ? { projection: name } : {}),
              swap: opts.swap === true,
              ...((await nationalWitnessKeys(opts.trustedWitness, config.witnessKeyFile, config.witnessName)) ?? {}),
              concurrent: embedded === undefined,
              onLog: (log) => {
                if (opts.progress && !opts.json) process.stderr.write(`verifying and replaying ${log.province} ${log.origin}\n`);
              },
            });
            process.stdout.write(opts.json ? `${JSON.stringify({ logs }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n` : formatNationalReplay(logs));
            process.exitCode = nationalReplayExitCode(logs);
          } finally {
            await db.end();
            await dataSource.destroy();
          }
          return;
        }
        const bar = opts.progress && process.stderr.isTTY ? new SingleBar({ format: 'replay [{bar}] {percentage}% {value}/{total} events', stream: process.stderr }, Presets.shades_classic) : undefined;
        try {
          const reports = await replayProjections({
            dataSource,
            store,
            projections,
            swap: opts.swap === true,
            lockLive: embedded === undefined,
            parallel: embedded === undefined,
            onStart: (total) => bar?.start(Math.max(1, Math.round(total)), 0),
            onProgress: (done) => bar?.update(Math.round(done)),
          });
          bar?.stop();
          if (!bar && opts.progress && !opts.json) process.stderr.write(`replayed ${reports.map((r) => `${r.projection}=${r.eventsReplayed}`).join(' ')}\n`);
          process.stdout.write(
            opts.json
              ? `${JSON.stringify(reports, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
              : formatReplayReport(reports),
          );
          process.exitCode = reports.every((r) => r.identical || r.swapped) ? 0 : 1;
        } finally {
          bar?.stop();
          await dataSource.destroy();
        }
      } finally {
        await store?.close();
        await embedded?.stop();
      }
    });
}
