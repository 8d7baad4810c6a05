/**
 * `tec audit access-history (--case <id> | --digest <sha256:…> | --officer <id>) [--format csv|pdf]
 * [--out <file>] [--data-dir <dir>]`: the auditor's export of the access history (docs/data-protection.md,
 * "Auditor export") straight from the event store, as the API's `GET /v1/audit/access-history` gives it:
 * the same rows, the same CSV bytes (RFC 4180, formula-safe), the same PDF renderer. CSV goes to stdout unless
 * `--out` is given; a PDF needs `--out` (binary never goes to a terminal). Reading needs no running node; an
 * embedded data directory held by a running node is refused (its lock), as for `tec retention run`.
 * Exit status: 0 written, 2 bad arguments or configuration.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createEventStore } from '../../adapters/eventstore/factory.ts';
import { DataDirLockedError } from '../../adapters/postgres/data-dir-lock.ts';
import { runMigrations } from '../../adapters/postgres/migrate.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../adapters/postgres/pglite-server.ts';
import { accessHistory, accessHistoryCsv, type AccessHistoryFilter } from '../../commands/access-history.ts';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { DigestSchema, IdentifierSchema } from '../../domain/signoff/primitives.ts';
import type { EventStore } from '../../ports/eventstore.ts';

interface Options {
  case?: string;
  digest?: string;
  officer?: string;
  format: string;
  out?: string;
  dataDir?: string;
}

/** Exactly one filter, each checked like the API checks it. */
export function accessHistoryFilter(opts: Pick<Options, 'case' | 'digest' | 'officer'>): { filter: AccessHistoryFilter; subject: string } {
  const given = (['case', 'digest', 'officer'] as const).filter((k) => opts[k] !== undefined);
  if (given.length !== 1) throw new ValidationError('give exactly one of --case, --digest, --officer', { given }, 'invalid-arguments');
  const key = given[0]!;
  const value = opts[key]!;
  const valid = key === 'digest' ? DigestSchema.safeParse(value).success : IdentifierSchema.safeParse(value).success;
  if (!valid) throw new ValidationError(`--${key} is not a valid ${key === 'digest' ? 'sha256: digest' : 'identifier'}`, { option: key }, 'invalid-arguments');
  if (key === 'case') return { filter: { caseId: value }, subject: `caseId ${value}` };
  if (key === 'digest') return { filter: { digest: value }, subject: `digest ${value}` };
  return { filter: { officerId: value }, subject: `officerId ${value}` };
}

export function register(program: Command): void {
  const audit = program.command('audit').description("The auditor's exports (docs/data-protection.md)");
  audit
    .command('access-history')
    .description('Who accessed a case, an evidence item, or what an officer accessed: CSV (stdout) or PDF (--out)')
    .option('--case <caseId>', 'the custody log of one case')
    .option('--digest <digest>', 'every access to one evidence item (sha256:…)')
    .option('--officer <officerId>', 'every access by one officer')
    .option('--format <format>', 'csv or pdf', 'csv')
    .option('--out <file>', 'write to this file (required for pdf)')
    .option('--data-dir <dir>', "an embedded node's data directory (instead of EVENTSTORE_URL)")
    .action(async (opts: Options) => {
      const { filter, subject } = accessHistoryFilter(opts);
      if (opts.format !== 'csv' && opts.format !== 'pdf') throw new ValidationError('--format is csv or pdf', { format: opts.format }, 'invalid-arguments');
      if (opts.format === 'pdf' && opts.out === undefined) throw new ValidationError('a PDF needs --out <file>', undefined, 'invalid-arguments');
      const config = loadConfig(process.env, opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {});
      let embedded: EmbeddedPostgres | undefined;
      let store: EventStore | undefined;
      try {
        if (config.embedded) {
          // Reading an empty directory would prove nothing: refuse rather than create a database.
          if (!existsSync(config.pgliteDir)) throw new ValidationError(`no embedded database at ${config.pgliteDir}`, undefined, 'no-data-dir');
          embedded = await startEmbeddedPostgres({ dataDir: config.pgliteDir }).catch((error: unknown) => {
            if (error instanceof DataDirLockedError) throw new ValidationError(error.message, error.details, error.code);
            throw error;
          });
          await runMigrations(embedded.url);
        } else if (!(config.eventstoreUrl ?? config.databaseUrl)) {
          throw new ValidationError('audit access-history needs EVENTSTORE_URL, DATABASE_URL or --data-dir', undefined, 'no-eventstore-url');
        }
        // Without EVENTSTORE_URL the events live in the node's PostgreSQL database (DATABASE_URL), as in `tec serve`.
        const eventstoreUrl = embedded ? undefined : (config.eventstoreUrl ?? config.databaseUrl);
        store = createEventStore({ ...(eventstoreUrl ? { eventstoreUrl } : {}), ...(embedded ? { embeddedUrl: embedded.url } : {}) });
        const rows = await accessHistory(store, filter);
        if (opts.format === 'pdf') {
          // Loaded only when asked: the PDF library and fonts are not needed for CSV.
          const { renderAccessHistoryPdf } = await import('../../adapters/documents/access-history-pdf.ts');
          await writeFile(opts.out!, await renderAccessHistoryPdf(rows, { subject, generatedAt: new Date().toISOString() }));
          process.stderr.write(`${rows.length} access(es) written to ${opts.out!}\n`);
        } else if (opts.out !== undefined) {
          await writeFile(opts.out, accessHistoryCsv(rows));
          process.stderr.write(`${rows.length} access(es) written to ${opts.out}\n`);
        } else {
          process.stdout.write(accessHistoryCsv(rows));
        }
        process.exitCode = 0;
      } finally {
        await store?.close();
        await embedded?.stop();
      }
    });
}
