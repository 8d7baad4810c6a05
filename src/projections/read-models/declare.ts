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

/** A read-model column: TypeORM's column options, plus (type-level only) the value the entity property holds. */
export type Column<V> = EntitySchemaColumnOptions & {
  readonly name: string;
  readonly type: ColumnType;
  /** Phantom: never present at run time. */
  readonly __value?: V;
};

function columnKind<V>(type: ColumnType, extra: Pick<EntitySchemaColumnOptions, 'length' | 'transformer'> = {}) {
  function column(name: string): Column<V>;
  function column(name: string, nullable: true): Column<V | null>;
  function column(name: string, nullable = false): Column<V> | Column<V | null> {
    return { name, type, nullable, ...extra };
  }
  return column;
}

export const text = columnKind<string>('text');
export const uuid = columnKind<string>('uuid');
/** A SHA-256 hash in lowercase hex: `char(64)`. */
export const hash64 = columnKind<string>('char', { length: 64 });
/** An instant (`timestamptz`). */
export const ts = columnKind<Date>('timestamptz');
/** A Viet Nam calendar day (`date`, read as `YYYY-MM-DD`). */
export const day = columnKind<string>('date');
export const int = columnKind<number>('integer');
/** A 64-bit integer (position, revision, counter), exact as a JS bigint. */
export const big = columnKind<bigint>('bigint', { transformer: bigintTransformer });
/** Integer VND in `bigint`, as a safe-integer number (refused rather than rounded beyond 2^53). */
export const vnd = columnKind<number>('bigint', { transformer: vndTransformer });
export const bool = columnKind<boolean>('boolean');
export const json = columnKind<unknown>('jsonb');

/** Marks a column as (part of) the primary key. */
export const key = <V>(c: Column<V>): Column<V> => ({ ...c, primary: true });
/** A column default: a literal value, or raw SQL as `() => 'now()'`. */
export const withDefault = <V>(c: Column<V>, value: string | number | boolean | (() => string)): Column<V> => ({ ...c, default: value });

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

/** A declared read model: an `EntitySchema` that also carries its row type. */
export type ReadModel<R> = EntitySchema<R> & { readonly __row?: R };

/** The row type of a declared read model. */
export type RowOf<E> = E extends { readonly __row?: infer R } ? R : never;

export function readModel<C extends Record<string, Column<unknown>>>(options: ReadModelOptions<C>): ReadModel<RowOfColumns<C>> {
  return new EntitySchema<RowOfColumns<C>>({
    name: options.name,
    tableName: options.tableName,
    columns: options.columns as never,
    ...(options.indices ? { indices: options.indices.map((i) => ({ ...i })) } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
  });
}
