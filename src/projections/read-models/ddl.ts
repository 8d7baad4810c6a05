/**
 * DDL from a read-model declaration (./declare.ts): `CREATE TABLE` with its primary key, defaults and CHECK
 * constraints, then its indexes, optionally in another schema. Used to write a new read model's migration
 * (the output is pasted into the migration literally: migrations never import this) and by the schema test,
 * which builds the declared tables next to the migrated ones and compares the two in the catalog.
 */
import type { EntitySchema, EntitySchemaColumnOptions } from 'typeorm';

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  return name;
}

function literal(value: unknown): string {
  if (typeof value === 'function') return String((value as () => unknown)());
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value.replace(/'/g, "''")}'`;
  throw new Error(`Unsupported column default ${String(value)}`);
}

function columnType(c: EntitySchemaColumnOptions): string {
  const type = String(c.type);
  return c.length !== undefined ? `${type}(${Number(c.length)})` : type;
}

/** The SQL creating one declared table and its indexes; `schema` qualifies the names (default: unqualified). */
export function createTableSql(entity: EntitySchema<unknown>, schema?: string): string {
  const { tableName, columns, indices = [], checks = [] } = entity.options;
  if (!tableName) throw new Error(`Entity ${entity.options.name} declares no table name`);
  const table = schema === undefined ? ident(tableName) : `${ident(schema)}.${ident(tableName)}`;
  const byProperty = new Map<string, EntitySchemaColumnOptions>();
  for (const [property, column] of Object.entries(columns) as [string, EntitySchemaColumnOptions][]) {
    byProperty.set(property, column);
  }
  const columnName = (property: string) => {
    const column = byProperty.get(property);
    if (!column?.name) throw new Error(`${tableName}: no column for property ${property}`);
    return ident(column.name);
  };
  const lines: string[] = [];
  const primary: string[] = [];
  for (const [property, c] of byProperty) {
    let line = `  ${columnName(property)} ${columnType(c)}`;
    if (!c.nullable || c.primary) line += ' NOT NULL';
    if (c.default !== undefined) line += ` DEFAULT ${literal(c.default)}`;
    lines.push(line);
    if (c.primary) primary.push(columnName(property));
  }
  if (primary.length > 0) lines.push(`  PRIMARY KEY (${primary.join(', ')})`);
  for (const check of checks) lines.push(`  CHECK (${check.expression})`);
  const statements = [`CREATE TABLE ${table} (\n${lines.join(',\n')}\n);`];
  for (const index of indices) {
    if (!index.name || !Array.isArray(index.columns)) throw new Error(`${tableName}: indexes need a name and a column list`);
    const cols = index.columns.map(columnName).join(', ');
    statements.push(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ident(index.name)} ON ${table} (${cols})${index.where ? ` WHERE ${index.where}` : ''};`,
    );
  }
  return statements.join('\n') + '\n';
}
