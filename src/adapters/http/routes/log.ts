/**
 * Publishing the log (integrity.md §9, C2SP tlog-tiles; docs/ledger.md "Publishing the log"), outside /v1:
 * - `GET /log/checkpoint`: the newest signed checkpoint and every cosignature held for it (public, no-cache);
 * - `GET /log/tile/<L>/<N>[.p/<W>]`: hash tiles (public);
 * - `GET /log/tile/entries/<N>[.p/<W>]`: entry bundles (public);
 * - `GET /log/records/<N>[.p/<W>]`: the canonical text of each record of the bundle, one per line. Records
 *   name plates and vehicles, so only an auditor may read them (the national node reads with a national-scope
 *   auditor token), with `X-Purpose`, and every case they touch gets an `EvidenceAccessed` (`export`) record
 *   in its custody log before the bytes leave, like every other read of personal data. The one exception is
 *   the national mirror (a national-scope auditor token with subject `national-mirror`): it copies the whole
 *   log to the other custodian tier, over and over, so a record per read would make the log grow with every
 *   mirror read and the mirror would never settle. Its reads are counted (`tec_log_records_mirror_reads_total`),
 *   and each later disclosure out of the national copy is recorded by the national node (docs/federation.md).
 * Full tiles and bundles never change: cached for a year, immutable. Partial ones and the checkpoint: no-cache.
 * Records: no-store (a cached copy would be a read the custody log never saw).
 * Tiles beyond the newest checkpoint are 404; a malformed path is 400 (`invalid-tile-path`).
 */
import { z } from 'zod';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { isLowercaseUuid } from '../../../domain/ids.ts';
import { NATIONAL_SCOPE, type Principal } from '../../auth/roles.ts';
import { bundleBody, LogRecordsUnavailableError, type LogPublisher } from '../../ledger/log.ts';
import { parseTileLevel, parseTileSuffix, TILE_WIDTH } from '../../ledger/tiles.ts';
import { ForbiddenError, NotFoundError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './cases.ts';
import type { ApiServices } from './services.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Express 5 hands a `*rest` wildcard over as its path segments. */
const Rest = z.union([z.array(z.string()), z.string()]).transform((v) => (Array.isArray(v) ? v.join('/') : v));
const TileParams = z.strictObject({ level: z.string(), rest: Rest });
const BundleParams = z.strictObject({ rest: Rest });

const CASE_STREAM = /^case-(.+)$/;

/** The token subject the national node mirrors provincial logs under (with role auditor, province "00"). */
export const MIRROR_SUBJECT = 'national-mirror';

/** The national mirror's own read: a replication between the two custodian tiers, not a disclosure. */
export function isNationalMirror(p: Principal): boolean {
  return p.role === 'auditor' && p.province === NATIONAL_SCOPE && p.subject === MIRROR_SUBJECT;
}

export function logRoutes(services: ApiServices): AnyRoute[] {
  const publisher = (): LogPublisher => {
    if (!services.log) throw new LogRecordsUnavailableError('this node does not publish its log');
    return services.log;
  };
  const sendBytes = (res: import('express').Response, bytes: Uint8Array, full: boolean): void => {
    res
      .type('application/octet-stream')
      .set('Cache-Control', full ? IMMUTABLE : 'no-cache')
      .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };
  return [
    route({
      method: 'get',
      path: '/log/checkpoint',
      summary: 'The newest signed checkpoint (C2SP tlog-checkpoint) followed by every cosignature held for it',
      tags: ['log'],
      auth: 'public',
      responses: { 200: { description: 'The signed note', contentType: 'text/plain' } },
      handler: async ({ res }) => {
        const text = await publisher().checkpointText();
        if (text === undefined) throw new NotFoundError('No checkpoint has been issued yet');
        res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-cache').send(text);
      },
    }),
    route({
      method: 'get',
      path: '/log/tile/entries/*rest',
      summary: 'Entry bundle <N>[.p/<W>]: each entry the 32-byte record hash behind a big-endian uint16 length',
      tags: ['log'],
      auth: 'public',
      params: BundleParams,
      responses: { 200: { description: 'The entry bundle', contentType: 'application/octet-stream' } },
      handler: async ({ res, params }) => {
        const { index, width } = parseTileSuffix(params.rest);
        const bundle = await publisher().entryBundle(index, width);
        if (!bundle) throw new NotFoundError('No such entry bundle in the newest checkpoint');
        sendBytes(res, bundle, width === TILE_WIDTH);
      },
    }),
    route({
      method: 'get',
      path: '/log/tile/:level/*rest',
      summary: 'Hash tile <L>/<N>[.p/<W>] (height 8): the concatenated 32-byte hashes',
      tags: ['log'],
      auth: 'public',
      params: TileParams,
      responses: { 200: { description: 'The hash tile', contentType: 'application/octet-stream' } },
      handler: async ({ res, params }) => {
        const level = parseTileLevel(params.level);
        const { index, width } = parseTileSuffix(params.rest);
        const tile = await publisher().hashTile({ level, index, width });
        if (!tile) throw new NotFoundError('No such tile in the newest checkpoint');
        sendBytes(res, tile, width === TILE_WIDTH);
      },
    }),
    route({
      method: 'get',
      path: '/log/records/*rest',
      summary:
        'The records of entry bundle <N>[.p/<W>]: one canonical JSON text per line, in leaf order (custody is recorded first)',
      tags: ['log'],
      auth: ['auditor'],
      params: BundleParams,
      requiresPurpose: true,
      responses: { 200: { description: 'One record per line', contentType: 'text/plain' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { index, width } = parseTileSuffix(params.rest);
        // The national mirror reads at national scope and records no custody (see above), so its bundles are
        // sent as read, without parsing them.
        if (isNationalMirror(p)) {
          const body = await publisher().recordBundleText(index, width);
          if (body === undefined) throw new NotFoundError('No such record bundle in the newest checkpoint');
          services.onMirrorRead?.(width);
          res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-store').send(body);
          return;
        }
        const lines = await publisher().recordBundle(index, width);
        if (!lines) throw new NotFoundError('No such record bundle in the newest checkpoint');
        // Which cases the bundle discloses, and under which province each is filed.
        const cases = new Map<string, string>();
        for (const line of lines) {
          let parsed: { stream?: unknown; meta?: { province?: unknown } };
          try {
            parsed = JSON.parse(line.text) as typeof parsed;
          } catch {
            continue; // a damaged record is served as stored: that is what a monitor must see
          }
          const province = typeof parsed.meta?.province === 'string' ? parsed.meta.province : undefined;
          if (p.province !== NATIONAL_SCOPE && province !== p.province) {
            throw new ForbiddenError('This bundle holds records of provinces outside the caller’s scope');
          }
          const caseId = typeof parsed.stream === 'string' ? CASE_STREAM.exec(parsed.stream)?.[1] : undefined;
          if (caseId !== undefined && isLowercaseUuid(caseId) && province !== undefined && !cases.has(caseId)) cases.set(caseId, province);
        }
        for (const [caseId, province] of cases) {
          await recordEvidenceAccess(services.commandDeps, callerFor(p, province), { caseId, access: 'export', purpose: purpose! }, correlation(req));
        }
        res
          .type('text/plain; charset=utf-8')
          .set('Cache-Control', 'no-store')
          .send(bundleBody(lines));
      },
    }),
  ];
}

