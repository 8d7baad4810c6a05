/**
 * Case disclosures: one evidence blob, and the court bundle. Each records custody before any byte is sent.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { holdOnCourtRequest } from '../../../commands/retention.ts';
import { DigestSchema } from '../../../domain/signoff/primitives.ts';
import { OriginalsPendingError, originalsAtEdge } from './edge-originals.ts';
import { NotFoundError, route } from '../route.ts';
import { CaseIdParams, callerFor, loadVisibleCase, requirePrincipal, type AnyRoute } from './access.ts';
import { BUNDLE_READERS, CASE_READERS, correlation } from './case-common.ts';
import type { ApiServices } from './services.ts';

/**
 * Passes a stream through one chunk behind, releasing the last chunk only once the source ended cleanly. The
 * evidence store verifies a blob's digest at the end of its stream; holding the last chunk back means a
 * corrupted blob never reaches the client complete (it gets fewer bytes than Content-Length, a failed download).
 */
class HoldLastChunk extends Transform {
  private held: Buffer | undefined;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const previous = this.held;
    this.held = chunk;
    callback(null, previous);
  }
  override _flush(callback: TransformCallback): void {
    callback(null, this.held);
  }
}

export function caseEvidenceRoutes(services: ApiServices): AnyRoute[] {
  const { store, commandDeps: deps } = services;
  return [
    route({
      method: 'get',
      path: '/v1/cases/:caseId/evidence/:digest',
      summary: 'Download one evidence blob of the case (original or derived); custody is recorded first',
      tags: ['cases'],
      auth: CASE_READERS,
      params: CaseIdParams.extend({ digest: DigestSchema }),
      requiresPurpose: true,
      responses: { 200: { description: 'The blob bytes', contentType: 'application/octet-stream' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(store, p, params.caseId);
        const item =
          state.originals.find((e) => e.digest === params.digest) ??
          state.derivations.map((d) => d.derived).find((e) => e.digest === params.digest);
        if (!item) throw new NotFoundError('The case holds no such evidence', { digest: params.digest });
        const body = await services.evidence.get(item.digest, { expectedSize: item.size });
        try {
          await recordEvidenceAccess(
            deps,
            callerFor(p, state.province),
            { caseId: params.caseId, digest: item.digest, access: 'download', purpose: purpose! },
            correlation(req),
          );
        } catch (error) {
          body.destroy();
          throw error;
        }
        res.status(200).set({
          'Content-Type': item.mediaType,
          'Content-Length': String(item.size),
          'Cache-Control': 'no-store',
          Digest: `sha-256=${Buffer.from(item.digest.slice(7), 'hex').toString('base64')}`,
          'X-Content-Type-Options': 'nosniff',
          'Content-Disposition': `attachment; filename="${item.digest.slice(7)}"`,
        });
        try {
          await pipeline(body, new HoldLastChunk(), res);
        } catch (error) {
          // Once bytes went out, a problem document cannot follow: the connection is cut instead (a client
          // MUST treat a truncated download as failed; the Digest header lets it check).
          if (res.headersSent) {
            res.destroy();
            return;
          }
          throw error;
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId/bundle',
      summary:
        'Court bundle (bundle.md v1) of the case; 409 with Retry-After while its records are not yet sealed',
      tags: ['cases', 'bundle'],
      auth: BUNDLE_READERS,
      params: CaseIdParams,
      requiresPurpose: true,
      responses: { 200: { description: 'case-<caseId>.zip', contentType: 'application/zip' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(store, p, params.caseId);
        // A court's request holds the case automatically (docs/data-protection.md, "Legal hold").
        if (p.role === 'court')
          await holdOnCourtRequest(deps, callerFor(p, state.province), { caseId: params.caseId, reference: purpose! }, correlation(req));
        // A bundle always holds every original: while an edge node still holds one back, it is requested
        // (the edge moves it to the head of its background lane) and the export answers 409 with Retry-After.
        const atEdge = await originalsAtEdge(store, (d) => services.evidence.has(d), params.caseId);
        if (atEdge.length > 0) {
          services.edgeOriginals?.request(atEdge, new Date().toISOString());
          throw new OriginalsPendingError('Originals of this case are still at the edge node that relayed it; requested, retry later', {
            edges: [...new Set(atEdge.map((o) => o.edgeId))],
            pending: atEdge.length,
          });
        }
        const bundle = await services.bundles.exportCase({
          caseId: params.caseId,
          // Custody records file under the case's province, also when national staff act.
          caller: callerFor(p, state.province),
          purpose: purpose!,
          ...(services.limits?.sealWaitMs !== undefined ? { sealWaitMs: services.limits.sealWaitMs } : {}),
          ...correlation(req),
        });
        res
          .status(200)
          .set({
            'Content-Type': 'application/zip',
            'Content-Disposition': `attachment; filename="${bundle.fileName}"`,
            'Cache-Control': 'no-store',
            'X-Bundle-Tree-Size': String(bundle.treeSize),
          })
          .send(Buffer.from(bundle.bytes.buffer, bundle.bytes.byteOffset, bundle.bytes.byteLength));
      },
    }),
  ];
}
