/**
 * `COPY (query) TO STDOUT (FORMAT binary)` on a pg client, as batches of parsed rows: for `ledger verify`, whose
 * large reads (the feed, the leaves) cost PostgreSQL and the client about half of what a cursor FETCH of the
 * same rows does (no text output functions, no hex for bytea, no per-row objects from pg's row parser).
 *
 * pg has no COPY OUT of its own (pg-copy-streams adds one): this is a minimal submittable of the kind pg's
 * `client.query` accepts. PostgreSQL sends one CopyData message per row (the file header rides on the first);
 * each is parsed as it arrives (pg reuses its receive buffer, so nothing may keep a view into it). Reading
 * pauses the socket while more than a few batches wait to be taken. A COPY holds its connection until it has
 * sent everything: a consumer that stops early is drained to the end.
 */
import type pg from 'pg';
import { LedgerStorageError } from './errors.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/** The fields of one binary COPY tuple: `start[i]`..`end[i]` in the buffer, `start[i] = -1` for NULL. */
export interface TupleFields {
  buffer: Buffer;
  count: number;
  start: Int32Array;
  end: Int32Array;
}

interface CopyConnection {
  query(text: string): void;
  stream: { pause(): void; resume(): void };
}

/** What pg's client calls on an active submittable during a COPY OUT. */
class CopyOutQuery {
  private headerSeen = false;
  private readonly tuple: TupleFields;
  private finished = false;

  constructor(
    private readonly text: string,
    fieldCount: number,
    private readonly onTuple: (fields: TupleFields) => void,
    private readonly onEnd: (error?: Error) => void,
  ) {
    this.tuple = {
      buffer: Buffer.alloc(0),
      count: 0,
      start: new Int32Array(fieldCount),
      end: new Int32Array(fieldCount),
    };
  }

  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.finished) return;
    try {
      this.parse(message.chunk);
    } catch (error) {
      this.end(error as Error);
    }
  }

  private parse(chunk: Buffer): void {
    let at = 0;
    if (!this.headerSeen) {
      if (chunk.length < 19 || !chunk.subarray(0, 11).equals(SIGNATURE))
        throw new LedgerStorageError('COPY output does not start with the binary signature');
      at = 19 + chunk.readInt32BE(15);
      this.headerSeen = true;
    }
    const t = this.tuple;
    while (at < chunk.length) {
      const count = chunk.readInt16BE(at);
      at += 2;
      if (count === -1) return; // trailer
      if (count !== t.start.length)
        throw new LedgerStorageError(`COPY row has ${count} fields, expected ${t.start.length}`);
      for (let i = 0; i < count; i++) {
        const length = chunk.readInt32BE(at);
        at += 4;
        if (length < 0) {
          t.start[i] = -1;
          t.end[i] = -1;
        } else {
          if (at + length > chunk.length) throw new LedgerStorageError('COPY row split across messages');
          t.start[i] = at;
          t.end[i] = at + length;
          at += length;
        }
      }
      t.buffer = chunk;
      t.count = count;
      this.onTuple(t);
    }
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    this.end();
  }

  handleError(error: Error): void {
    this.end(error);
  }

  handleEmptyQuery(): void {}

  private end(error?: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.onEnd(error);
  }
}

/**
 * Rows of `COPY (<select>) TO STDOUT (FORMAT binary)`, `batchSize` at a time, each made by `row` from its
 * fields while the message is current (`row` must copy whatever it keeps). `fieldCount` is the select's.
 */
export async function* copyOutRows<T>(
  client: pg.PoolClient,
  select: string,
  fieldCount: number,
  row: (fields: TupleFields) => T,
  batchSize: number,
): AsyncGenerator<T[]> {
  const connection = (client as unknown as { connection: CopyConnection }).connection;
  const batches: T[][] = [];
  let current: T[] = [];
  let paused = false;
  let ended = false;
  let draining = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const query = new CopyOutQuery(
    `COPY (${select}) TO STDOUT (FORMAT binary)`,
    fieldCount,
    (fields) => {
      if (draining) return;
      current.push(row(fields));
      if (current.length >= batchSize) {
        batches.push(current);
        current = [];
        if (batches.length >= 3 && !paused) {
          paused = true;
          connection.stream.pause();
        }
        notify();
      }
    },
    (error) => {
      ended = true;
      failure = error;
      if (current.length > 0 && !error) batches.push(current);
      current = [];
      if (paused) connection.stream.resume();
      notify();
    },
  );
  client.query(query as unknown as pg.QueryConfig);
  try {
    for (;;) {
      const batch = batches.shift();
      if (batch) {
        if (paused && batches.length < 2) {
          paused = false;
          connection.stream.resume();
        }
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    if (!ended) {
      // Stopped early: let the COPY run out so the connection is usable again.
      draining = true;
      if (paused) connection.stream.resume();
      paused = false;
      batches.length = 0;
      current = [];
      while (!ended) await new Promise<void>((resolve) => (wake = resolve));
    }
  }
}

/** A uuid column's 16 bytes as its text form. */
export function uuidText(buffer: Buffer, start: number): string {
  const hex = buffer.toString('hex', start, start + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
