/**
 * `tec retention run [--dry-run] [--json] [--data-dir <dir>]`: applies the retention policies now
 * (docs/data-protection.md, "Retention"). Each evidence blob whose policy period has run out and whose case is
 * under no hold gets its `EvidenceDestroyed` record, then is crypto-shredded. `--dry-run` lists what would be
 * destroyed and writes nothing. Policies: `RETENTION_POLICIES_FILE`, else the labelled defaults.
 * The clock is the system clock: there is deliberately no option to run "as of" another time.
 * Exit status: 0 done, 2 bad configuration (including a data directory held by a running node).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { v7 as uuidV7 } from 'uuid';
import { createEventStore } from '../../adapters/eventstore/factory.ts';
import { openConfiguredEvidenceStore } from '../../adapters/evidence/index.ts';
import { DataDirLockedError } from '../../adapters/postgres/data-dir-lock.ts';
import { runMigrations } from '../../adapters/postgres/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/pglite-server.ts';
import { loadRetentionPolicies } from '../../adapters/retention/policies-file.ts';
import { systemClock } from '../../commands/deps.ts';
import { runRetention, type RetentionRunReport } from '../../commands/retention.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import type { EventStore } from '../../ports/eventstore.ts';

export function formatRetentionReport(report: RetentionRunReport): string {
  const verb = report.dryRun ? 'would destroy' : 'destroyed';
  const out = [`retention run at ${report.at}${report.dryRun ? ' (dry run)' : ''}: ${verb} ${report.destroyed.length}, held cases ${report.held.length}, not yet due ${report.notDue}`];
  for (const d of report.destroyed) out.push(`  ${verb} ${d.digest} of case ${d.caseId} under policy ${d.policy}`);
  for (const d of report.resumed) out.push(`  finished shredding ${d.digest} of case ${d.caseId} (recorded under ${d.policy} earlier)`);
  for (const h of report.held) out.push(`  held: case ${h.caseId} (${h.hold})`);
  return `${out.join('\n')}\n`;
}

export function register(program: Command): void {
  const retention = program.command('retention').description('Retention of evidence: apply the policies (docs/data-protection.md)');
  retention
    .command('run')
    .description('Destroy evidence whose retention period has run out and that no hold covers (EvidenceDestroyed first, then crypto-shredding)')
    .option('--data-dir <dir>', "an embedded node's data directory (instead of EVENTSTORE_URL)")
    .option('--dry-run', 'list what would be destroyed; write and delete nothing')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { dataDir?: string; dryRun?: boolean; json?: boolean }) => {
      const config = loadConfig(process.env, opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {});
      const policies = loadRetentionPolicies(process.env);
      let embedded: EmbeddedPostgres | undefined;
      let store: EventStore | undefined;
      try {
        if (config.embedded) {
          embedded = await startEmbeddedPostgres({ dataDir: config.pgliteDir }).catch((error: unknown) => {
            if (error instanceof DataDirLockedError) throw new ValidationError(error.message, error.details, error.code);
            throw error;
          });
          await runMigrations(embedded.url);
        } else if (!(config.eventstoreUrl ?? config.databaseUrl)) {
          throw new ValidationError('retention run needs EVENTSTORE_URL, DATABASE_URL or --data-dir', undefined, 'no-eventstore-url');
        }
        // Without EVENTSTORE_URL the events live in the node's PostgreSQL database (DATABASE_URL), as in `tec serve`.
        const eventstoreUrl = embedded ? undefined : (config.eventstoreUrl ?? config.databaseUrl);
        store = createEventStore({ ...(eventstoreUrl ? { eventstoreUrl } : {}), ...(embedded ? { embeddedUrl: embedded.url } : {}) });
        if (!existsSync(config.evidenceDir)) throw new ValidationError(`no evidence store at ${config.evidenceDir}`, undefined, 'no-evidence-store');
        const evidence = await openConfiguredEvidenceStore(config, { createKey: false, ...(opts.dryRun ? { readOnly: true } : {}) });
        const report = await runRetention({ store, clock: systemClock, ids: () => uuidV7(), evidence }, { policies, dryRun: opts.dryRun === true });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatRetentionReport(report));
        process.exitCode = 0;
      } finally {
        await store?.close();
        await embedded?.stop();
      }
    });
}
