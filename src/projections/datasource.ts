/**
 * The read side's TypeORM DataSource (postgres driver; `DATABASE_URL` or the embedded PGlite URL), over the
 * read models as declared in ./read-models/entities.ts. The tables come only from migrations
 * (src/adapters/postgres/migrate.ts); `synchronize` is never on.
 */
import { DataSource } from 'typeorm';
import { READ_MODEL_ENTITIES } from './read-models/entities.ts';

export function createReadModelDataSource(url: string, options: { poolSize?: number; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: READ_MODEL_ENTITIES,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, application_name: options.applicationName ?? 'tec-projections' },
  });
}
