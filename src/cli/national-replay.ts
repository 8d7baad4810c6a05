/**
 * `tec replay --national`: the auditor's offline replay of the national read models (docs/federation.md
 * "Operations"). On a national node's database, per mirrored provincial log:
 * 1. the mirrored feed is verified from scratch (`verifyMirroredFeed`: record hashes, chains, the tree root
 *    against the cosigned checkpoint); a log whose feed fails is not rebuilt;
 * 2. its read models are rebuilt from the feed into a shadow schema and compared row by row with the live
 *    ones (`NationalProjector.rebuildCheck`, the code behind `POST /v1/national/read-models/check`), or
 *    swapped in with `--swap` (the live status rows locked as in the provincial replay; the national views
 *    recreated in the same transaction).
 * Exit status (set by the caller): 0 every feed verified and every log identical (or swapped), 1 otherwise.
 */
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { verifyMirroredFeed, type MirroredFeedVerification } from '../adapters/witness/mirror-verify.ts';
import { NATIONAL_PROJECTIONS, NationalProjector, schemaOfOrigin } from '../adapters/witness/national-projections.ts';
import { loadProvincialLogRegistry } from '../commands/federation.ts';
import { AppError } from '../domain/shared/errors.ts';
import type { EventStore } from '../ports/eventstore.ts';
import { UnknownProjectionError } from '../projections/errors.ts';
import type { Projection } from '../projections/projection.ts';
import type { ReplayReport } from '../projections/replay.ts';
import { formatReplayReport } from './commands/replay.ts';

/** The database is not a national node's: it registers and mirrors no provincial log. */
export class NotANationalNodeError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'not-a-national-node';
}

/** `--province` names a province whose log this national node does not mirror. */
export class UnknownMirroredProvinceError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'unknown-mirrored-province';
}

export interface NationalLogReplay {
  origin: string;
  province: string;
  schema: string;
  feed: MirroredFeedVerification;
  /** `current`, or why there are no live read models to compare with (then nothing was rebuilt in a check). */
  liveSchema: 'current' | 'missing' | 'outdated';
  /** Per projection; empty when the feed failed its verification or there was nothing live to compare with. */
  projections: ReplayReport[];
  liveRows: number;
  rebuiltRows: number;
  differences: number;
  identical: boolean;
  swapped: boolean;
  elapsedMs: number;
}

export interface NationalReplayOptions {
  dataSource: DataSource;
  db: pg.Pool;
  store: EventStore;
  /** Two-digit province code; all mirrored logs when absent. */
  province?: string;
  /**
   * Witness verifier keys the mirror's checkpoints must be cosigned by (`--trusted-witness`, else the node's own
   * witness key from its key file); absent: the cosignatures are not checked, and the report says so.
   */
  witnessKeys?: readonly string[];
  /** A national projection name or `all` (default). */
  projection?: string;
  swap: boolean;
  /** False on the embedded database (one transaction at a time; no live runner can exist beside the CLI). */
  concurrent: boolean;
  /** Called before each log, for progress on stderr. */
  onLog?: (log: { origin: string; province: string }) => void;
}

export function selectNationalProjections(name: string | undefined): readonly Projection[] {
  if (name === undefined || name === 'all') return NATIONAL_PROJECTIONS;
  const p = NATIONAL_PROJECTIONS.find((x) => x.name === name);
  if (!p) throw new UnknownProjectionError(name, ['all', ...NATIONAL_PROJECTIONS.map((x) => x.name)]);
  return [p];
}

export async function replayNational(options: NationalReplayOptions): Promise<NationalLogReplay[]> {
  const projections = selectNationalProjections(options.projection);
  if (options.province !== undefined && !/^[0-9]{2}$/.test(options.province)) {
    throw new UnknownMirroredProvinceError(`--province takes a two-digit province code, not "${options.province}"`, { province: options.province });
  }
  const registry = await loadProvincialLogRegistry(options.store);
  const { rows: mirrored } = await options.db.query<{ origin: string; province: string }>(
    'SELECT origin, province FROM mirror_logs ORDER BY province, origin',
  );
  const registered = Object.values(registry.logs);
  if (mirrored.length === 0 && registered.length === 0) {
    throw new NotANationalNodeError(
      'not a national node’s database: it registers no provincial log and mirrors none (run tec replay --national against the database of the node started with --tier national; a provincial node’s read models are checked with tec replay <projection>)',
    );
  }
  const logs = options.province === undefined ? mirrored : mirrored.filter((l) => l.province === options.province);
  if (logs.length === 0 && options.province !== undefined) {
    const provinces = [...new Set(mirrored.map((l) => l.province))];
    const isRegistered = registered.some((l) => l.province === options.province);
    throw new UnknownMirroredProvinceError(
      isRegistered
        ? `province ${options.province} is registered but nothing of its log is mirrored yet`
        : `no mirrored log of province ${options.province} on this national node (mirrored: ${provinces.join(', ') || 'none'})`,
      { province: options.province },
    );
  }
  const projector = new NationalProjector({ dataSource: options.dataSource, db: options.db, parallel: options.concurrent });
  const out: NationalLogReplay[] = [];
  for (const log of logs) {
    options.onLog?.(log);
    const started = performance.now();
    const feed = await verifyMirroredFeed(options.db, log.origin, {
      logKeys: registry.logs[log.origin]?.keyHistory ?? [],
      ...(options.witnessKeys !== undefined ? { witnessKeys: options.witnessKeys } : {}),
    });
    if (registry.logs[log.origin] === undefined) {
      feed.problems.unshift(`${log.origin} is not in the provincial log registry: no key to check its checkpoint with`);
      feed.ok = false;
    }
    // A check changes nothing: a log schema missing or of an older table shape is reported, not rebuilt
    // (the projector does that); a swap prepares the schemas as the projector would.
    const liveSchema = await projector.schemaState(log.origin);
    const reports =
      feed.ok && (options.swap || liveSchema === 'current')
        ? await projector.rebuildCheck(log.origin, { swap: options.swap, prepare: options.swap, projections })
        : [];
    const tables = reports.flatMap((r) => r.tables);
    const identical = feed.ok && reports.length > 0 && reports.every((r) => r.identical);
    out.push({
      ...log,
      schema: schemaOfOrigin(log.origin),
      feed,
      liveSchema,
      projections: reports,
      liveRows: tables.reduce((a, t) => a + t.liveRows, 0),
      rebuiltRows: tables.reduce((a, t) => a + t.replayRows, 0),
      differences: tables.reduce((a, t) => a + t.onlyInLive + t.onlyInReplay, 0),
      identical,
      swapped: reports.length > 0 && reports.every((r) => r.swapped),
      elapsedMs: Math.round(performance.now() - started),
    });
  }
  return out;
}

/** 0 when every feed verified and every log is identical or was swapped in; 1 otherwise. */
export function nationalReplayExitCode(logs: readonly NationalLogReplay[]): 0 | 1 {
  return logs.every((l) => l.feed.ok && (l.identical || l.swapped)) ? 0 : 1;
}

export function formatNationalReplay(logs: readonly NationalLogReplay[]): string {
  const out: string[] = [];
  if (logs.length === 0) out.push('no provincial log is mirrored yet: nothing to replay');
  for (const l of logs) {
    const name = `${l.province} ${l.origin} (${l.schema})`;
    const f = l.feed;
    if (f.ok) {
      const against =
        f.coverage === 'cosigned'
          ? `= the cosigned checkpoint of size ${f.checkpoint!.size} signed by ${f.checkpoint!.signedBy}${f.checkpoint!.cosignedBy.length > 0 ? `, cosigned by ${f.checkpoint!.cosignedBy.join(', ')}` : ' (cosignature not checked: no witness key)'} and the witness's root`
          : f.coverage === 'partial'
            ? `(an interrupted round: ${f.size} of the cosigned checkpoint's ${f.checkpoint?.size ?? '?'} leaves; compared with the stored compact range only)`
            : '(empty)';
      out.push(`${name}: mirrored feed VERIFIED from scratch: ${f.leaves} leaves, root ${f.root} ${against}`);
    } else {
      out.push(`${name}: mirrored feed INVALID (${f.leaves} of ${f.size} leaves read), not rebuilt:`);
      for (const p of f.problems) out.push(`  ${p}`);
    }
    if (f.ok && l.liveSchema !== 'current' && l.projections.length === 0) {
      out.push(
        `${name}: DIFFERENT: no live read models to compare (${l.liveSchema === 'missing' ? 'the national projector has not projected this log here' : 'its schema has an older table shape; the national projector rebuilds it on its next pass'})`,
      );
    }
    if (l.swapped && l.liveSchema !== 'current') {
      out.push(`${name}: its schema was ${l.liveSchema === 'missing' ? 'missing' : 'of an older table shape'}: created empty; the national projector fills it from the mirrored feed on its next pass`);
    }
    if (l.projections.length > 0) {
      const verdict = l.swapped ? (l.differences === 0 ? 'IDENTICAL, swapped in' : 'DIFFERENT, rebuild swapped in') : l.identical ? 'IDENTICAL' : 'DIFFERENT';
      out.push(`${name}: ${verdict}: ${l.liveRows} live rows and ${l.rebuiltRows} rebuilt rows compared, ${l.differences} differing, ${l.elapsedMs} ms`);
      out.push(...formatReplayReport(l.projections).trimEnd().split('\n').map((line) => `  ${line}`));
    } else {
      out.push(`${name}: ${l.elapsedMs} ms`);
    }
  }
  return `${out.join('\n')}\n`;
}
