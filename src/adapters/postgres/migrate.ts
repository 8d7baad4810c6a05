/**
 * The migration runner: TypeORM `DataSource` (postgres driver) running the migration classes found in
 * `migrations/`, never `synchronize`.
 *
 * Discovery: every `.ts`/`.js` file directly in the directory, sorted by file name, each exporting one or
 * more classes implementing TypeORM's `MigrationInterface`. Name files `<13-digit ms timestamp>-<topic>.ts`
 * and the class `<Topic><same timestamp>` (TypeORM orders by the timestamp in the class name; we refuse a
 * directory where name order and timestamp order disagree, so what you see in `ls` is what runs).
 *
 * Concurrency: the run holds a session-level PostgreSQL advisory lock, so several processes starting at
 * once apply each migration exactly once; each migration runs in its own transaction. On embedded PGlite all
 * connections share one backend, so the lock is re-entrant there, which is harmless because only one process
 * can open a PGlite data directory.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DataSource, type MigrationInterface } from 'typeorm';
import { AppError } from '../../domain/shared/errors.ts';

export const DEFAULT_MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../migrations');
/** Arbitrary constant key for pg_advisory_lock: "tec-migr" in ASCII. */
const MIGRATION_LOCK_KEY = '8387236915064154738';

export class MigrationDiscoveryError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'migration-discovery';
}

type MigrationClass = new () => MigrationInterface;

function isMigrationClass(value: unknown): value is MigrationClass {
  if (typeof value !== 'function') return false;
  const proto = (value as { prototype?: { up?: unknown; down?: unknown } }).prototype;
  return typeof proto?.up === 'function' && typeof proto?.down === 'function';
}

function timestampOf(name: string): number | undefined {
  const match = /(\d{13})$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Imports the migration classes of a directory in file-name order. */
export async function discoverMigrations(directory = DEFAULT_MIGRATIONS_DIR): Promise<MigrationClass[]> {
  const files = readdirSync(directory)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const classes: MigrationClass[] = [];
  let lastTimestamp = -1;
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(directory, file)).href)) as Record<string, unknown>;
    const found = Object.values(mod).filter(isMigrationClass);
    if (found.length === 0) throw new MigrationDiscoveryError(`Migration file ${file} exports no MigrationInterface class`);
    for (const cls of found) {
      const name = new cls().name ?? cls.name;
      const timestamp = timestampOf(name);
      if (timestamp === undefined) {
        throw new MigrationDiscoveryError(`Migration ${name} in ${file}: the class name must end in a 13-digit ms timestamp`);
      }
      if (timestamp <= lastTimestamp) {
        throw new MigrationDiscoveryError(`Migration ${name} in ${file}: its timestamp is not after the previous file's`);
      }
      lastTimestamp = timestamp;
      classes.push(cls);
    }
  }
  return classes;
}

export interface RunMigrationsOptions {
  directory?: string;
}

/** Applies every pending migration; resolves when the schema is current. Safe to call from several processes. */
export async function runMigrations(databaseUrl: string, options: RunMigrationsOptions = {}): Promise<void> {
  const migrations = await discoverMigrations(options.directory);
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations,
    migrationsRun: false,
    synchronize: false,
    migrationsTransactionMode: 'each',
    migrationsTableName: 'typeorm_migrations',
    logging: false,
    extra: { max: 3, application_name: 'tec-migrate' },
  });
  await dataSource.initialize();
  try {
    const lockRunner = dataSource.createQueryRunner();
    await lockRunner.connect();
    try {
      await lockRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await lockRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      }
    } finally {
      await lockRunner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
