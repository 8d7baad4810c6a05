/**
 * Set-based writes for projection handlers: one statement per table per batch, rows passed as one JSON
 * parameter and expanded by `json_populate_recordset` against the table's own row type (so the column types
 * come from the migration, and the shadow schema's copy when `search_path` points there).
 */
import type { EntityManager } from 'typeorm';

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`Not a plain SQL identifier: ${name}`);
  return name;
}

export type Row = Record<string, unknown>;

/**
 * Inserts rows, or replaces the listed columns of existing rows with the same key. All rows MUST have the
 * same keys, and no two rows the same key (PostgreSQL refuses to update a row twice in one statement).
 */
export async function upsertRows(
  manager: EntityManager,
  table: string,
  keyColumns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).map(ident);
  const keys = keyColumns.map(ident);
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  const list = columns.join(', ');
  await manager.query(
    `INSERT INTO ${ident(table)} (${list})
     SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)
     ON CONFLICT (${keys.join(', ')}) ${updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`,
    [JSON.stringify(rows)],
  );
}

/** Plain inserts: a second insert of the same key fails, which is how a double application would show. */
export async function insertRows(manager: EntityManager, table: string, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const list = Object.keys(rows[0]!).map(ident).join(', ');
  await manager.query(
    `INSERT INTO ${ident(table)} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`,
    [JSON.stringify(rows)],
  );
}

/**
 * Adds deltas to counter columns, creating the row at zero first. Rows with the same key are merged here,
 * so callers can pass one row per event.
 */
export async function addToCounters(
  manager: EntityManager,
  table: string,
  keyColumns: readonly string[],
  counterColumns: readonly string[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const k = JSON.stringify(keyColumns.map((c) => row[c]));
    const prev = merged.get(k);
    if (!prev) {
      const copy: Row = {};
      for (const c of keyColumns) copy[c] = row[c];
      for (const c of counterColumns) copy[c] = BigInt((row[c] as number | bigint | undefined) ?? 0);
      merged.set(k, copy);
    } else {
      for (const c of counterColumns) prev[c] = (prev[c] as bigint) + BigInt((row[c] as number | bigint | undefined) ?? 0);
    }
  }
  const keys = keyColumns.map(ident);
  const counters = counterColumns.map(ident);
  const list = [...keys, ...counters].join(', ');
  // Counters travel as decimal strings: exact for every 64-bit value.
  const payload = [...merged.values()].map((r) => {
    const out: Row = { ...r };
    for (const c of counters) out[c] = (r[c] as bigint).toString();
    return out;
  });
  await manager.query(
    `INSERT INTO ${ident(table)} AS t (${list})
     SELECT ${list} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)
     ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${counters.map((c) => `${c} = t.${c} + EXCLUDED.${c}`).join(', ')}`,
    [JSON.stringify(payload)],
  );
}

/**
 * Loads rows by key as JSON objects with column names as keys. Timestamps come back in PostgreSQL's own text
 * form (microseconds kept), so writing a loaded row back changes nothing.
 */
export async function loadRows<T extends Row>(
  manager: EntityManager,
  table: string,
  keyColumn: string,
  keys: readonly string[],
  keyType: 'uuid' | 'text' = 'uuid',
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  if (keys.length === 0) return out;
  // The parameter is cast to the key's type (never the column to text), so the primary key index is used.
  const rows = (await manager.query(
    `SELECT to_jsonb(t) AS r FROM ${ident(table)} t WHERE ${ident(keyColumn)} = ANY ($1::${keyType}[])`,
    [keys],
  )) as { r: T }[];
  for (const { r } of rows) out.set(String(r[keyColumn]), r);
  return out;
}
