/**
 * The read models are declared once (src/projections/read-models/entities.ts) and created only by frozen
 * migrations. This spec migrates a fresh database, builds the declared tables in a schema of their own, and
 * compares the two in the catalog (columns, types, nullability, defaults, constraints, indexes), so a
 * declaration and a migration that disagree are caught.
 */
import { expect } from 'chai';
import pg from 'pg';
import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { ALL_PROJECTIONS } from '../../../src/projections/index.ts';
import { createTableSql } from '../../../src/projections/read-models/ddl.ts';
import { CaseEntity, READ_MODEL_ENTITIES } from '../../../src/projections/read-models/entities.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';

type Signature = Record<string, unknown[]>;

/** Everything about a table that a query, a projection or a later migration can depend on. */
async function tableSignature(client: pg.Client, schema: string, table: string): Promise<Signature> {
  const rel = `${schema}.${table}`;
  const columns = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname`,
    [rel],
  );
  const constraints = await client.query(
    `SELECT conname AS name, contype AS kind, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`,
    [rel],
  );
  const indexes = await client.query(
    `SELECT indexname AS name, replace(indexdef, ' ON ' || quote_ident($1) || '.', ' ON ') AS definition
       FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`,
    [schema, table],
  );
  return { columns: columns.rows, constraints: constraints.rows, indexes: indexes.rows };
}

async function tablesIn(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

describe('read-model schema: one declaration, agreeing with the frozen migrations', () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  const declaredTables = READ_MODEL_ENTITIES.map((e) => e.options.tableName!);

  before(async () => {
    db = await scratchDatabase('rmschema');
    await runMigrations(db.url);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE SCHEMA declared');
    for (const entity of READ_MODEL_ENTITIES) await client.query(createTableSql(entity as EntitySchema<unknown>, 'declared'));
  });
  after(async () => {
    await client?.end();
    await db?.drop();
  });

  it('declares every read-model table the migrations create, and nothing they do not', async () => {
    const migrated = (await tablesIn(client, 'public')).filter((t) => t === 'projection_status' || t.startsWith('rm_'));
    expect([...declaredTables].sort()).to.deep.equal(migrated);
  });

  it('declares every table a projection owns', () => {
    for (const p of ALL_PROJECTIONS) expect(declaredTables, p.name).to.include.members([...p.tables]);
  });

  for (const entity of READ_MODEL_ENTITIES) {
    const table = entity.options.tableName!;
    it(`${table}: the declared table is exactly the migrated one`, async () => {
      const migrated = await tableSignature(client, 'public', table);
      expect(migrated.columns).to.have.length(Object.keys(entity.options.columns).length);
      expect(await tableSignature(client, 'declared', table)).to.deep.equal(migrated);
    });
  }

  it('a declaration that differs from the migrated table is caught (the comparison itself can fail)', async () => {
    const columns = { ...(CaseEntity.options.columns as Record<string, EntitySchemaColumnOptions>) };
    columns.commune = { ...columns.commune!, nullable: false };
    const altered = new EntitySchema<unknown>({ ...CaseEntity.options, columns } as never);
    await client.query('CREATE SCHEMA altered');
    await client.query(createTableSql(altered, 'altered'));
    expect(await tableSignature(client, 'altered', 'rm_case')).not.to.deep.equal(await tableSignature(client, 'public', 'rm_case'));
  });
});
