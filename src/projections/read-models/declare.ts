/**
 * How a read model is declared: once, as a TypeORM `EntitySchema`. From that one declaration come
 *
 * - the entity the queries use (`ds.getRepository(CaseEntity)`),
 * - the row type (`RowOf<typeof CaseEntity>`: each property's type follows from its column helper), and
 * - the DDL (`createTableSql`, ./ddl.ts), which a new migration writes out literally and which the schema
 *   test compares with the migrated database, so declaration and migrations cannot drift apart unnoticed.
 *
 * The column helpers return TypeORM's own column options; the value type rides along at the type level only.
 */
import { EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import { bigintTransformer, vndTransformer } from './transformers.ts';

/** The PostgreSQL column types read models use. */
export type ColumnType = 'text' | 'uuid' | 'char' | 'timestamptz' | 'date' | 'integer' | 'bigint' | 'boolean' | 'jsonb';

/**
 * A read-model column: TypeORM's column options, plus (type-level only) the value the entity property holds
 * (`V`), the value in the row's JSON form (`J`: what `to_jsonb(row)` gives and `json_populate_recordset`
 * takes, the form the projection folds work on) and the column name (`N`).
 */
export type Column<V, J = unknown, N extends string = string> = EntitySchemaColumnOptions & {
  readonly name: N;
  readonly type: ColumnType;
  /** Phantoms: never present at run time. */
  readonly __value?: V;
  readonly __json?: J;
};

function columnKind<V, J>(type: ColumnType, extra: Pick<EntitySchemaColumnOptions, 'length' | 'transformer'> = {}) {
  function column<N extends string>(name: N): Column<V, J, N>;
  function column<N extends string>(name: N, nullable: true): Column<V | null, J | null, N>;
  function column<N extends string>(name: N, nullable = false): Column<V, J, N> | Column<V | null, J | null, N> {
    return { name, type, nullable, ...extra };
  }
  return column;
}

export const text = columnKind<string, string>('text');
export const uuid = columnKind<string, string>('uuid');
/** A SHA-256 hash in lowercase hex: `char(64)`. */
export const hash64 = columnKind<string, string>('char', { length: 64 });
/** An instant (`timestamptz`); in JSON its PostgreSQL text (microseconds kept) or an RFC 3339 string. */
export const ts = columnKind<Date, string>('timestamptz');
/** A Viet Nam calendar day (`date`, read as `YYYY-MM-DD`). */
export const day = columnKind<string, string>('date');
export const int = columnKind<number, number>('integer');
/** A 64-bit integer (position, revision, counter), exact as a JS bigint. */
export const big = columnKind<bigint, number>('bigint', { transformer: bigintTransformer });
/** Integer VND in `bigint`, as a safe-integer number (refused rather than rounded beyond 2^53). */
export const vnd = columnKind<number, number>('bigint', { transformer: vndTransformer });
export const bool = columnKind<boolean, boolean>('boolean');
export const json = columnKind<unknown, unknown>('jsonb');

/** Marks a column as (part of) the primary key. */
export const key = <C extends Column<unknown>>(c: C): C => ({ ...c, primary: true });
/** A column default: a literal value, or raw SQL as `() => 'now()'`. */
export const withDefault = <C extends Column<unknown>>(c: C, value: string | number | boolean | (() => string)): C => ({ ...c, default: value });

/** The row type a column set gives: each property typed by its column helper. */
export type RowOfColumns<C> = { -readonly [K in keyof C]: C[K] extends Column<infer V> ? V : never };

export interface ReadModelIndex<C> {
  name: string;
  /** Property names, in index order. */
  columns: (keyof C & string)[];
  unique?: boolean;
  /** Partial index predicate, in SQL over column names. */
  where?: string;
}

export interface ReadModelOptions<C extends Record<string, Column<unknown>>> {
  /** The entity name (TypeORM's, for `getRepository`). */
  name: string;
  tableName: string;
  columns: C;
  indices?: ReadModelIndex<C>[];
  /** CHECK constraints, in SQL over column names. */
  checks?: { expression: string }[];
}

/** A declared read model: an `EntitySchema` that also carries (type-level only) its columns. */
export type ReadModel<C> = EntitySchema<RowOfColumns<C>> & { readonly __columns?: C };

/** The row type of a declared read model (the entity's properties). */
export type RowOf<E> = E extends { readonly __columns?: infer C } ? RowOfColumns<C> : never;

/**
 * The row of a declared read model in its JSON form, keyed by column name: what `to_jsonb(row)` gives and
 * `json_populate_recordset` takes (../sql.ts), the form the projection folds work on. `Refined` narrows
 * columns whose JSON holds more than the declaration says (a `jsonb` column's document shape), and names
 * declared columns only.
 */
export type JsonRowOf<E, Refined extends { [K in keyof JsonRowOfColumns<ColumnsOf<E>>]?: unknown } = object> = Omit<
  JsonRowOfColumns<ColumnsOf<E>>,
  keyof Refined
> &
  Refined & { [column: string]: unknown };

type ColumnsOf<E> = E extends { readonly __columns?: infer C } ? C : never;
type JsonRowOfColumns<C> = {
  -readonly [K in keyof C as C[K] extends Column<unknown, unknown, infer N> ? N : never]: C[K] extends Column<unknown, infer J> ? J : never;
};

export function readModel<C extends Record<string, Column<unknown>>>(options: ReadModelOptions<C>): ReadModel<C> {
  return new EntitySchema<RowOfColumns<C>>({
    name: options.name,
    tableName: options.tableName,
    columns: options.columns as never,
    ...(options.indices ? { indices: options.indices.map((i) => ({ ...i })) } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
  });
}
