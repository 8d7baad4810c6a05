/**
 * Ledger routes: the latest signed checkpoint (a C2SP signed note, text/plain), the log's verifier key, and
 * RFC 9162 inclusion and consistency proofs. They disclose hashes only, no personal data, so any authenticated
 * official may read them; devices only ingest.
 */
import { z } from 'zod';
import { toHex } from '../../../domain/integrity/encoding.ts';
import type { Role } from '../../auth/roles.ts';
import { NotFoundError, route } from '../route.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices } from './services.ts';

export const LEDGER_READERS: readonly Role[] = [
  'officer',
  'supervisor',
  'auditor',
  'court',
  'analyst',
  'admin',
];

const Size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export function ledgerRoutes(services: ApiServices): AnyRoute[] {
  const { ledger } = services;
  return [
    route({
      method: 'get',
      path: '/v1/ledger/checkpoint',
      summary: 'The latest signed checkpoint (C2SP tlog-checkpoint signed note)',
      tags: ['ledger'],
      auth: LEDGER_READERS,
      responses: { 200: { description: 'The signed note', contentType: 'text/plain' } },
      handler: async ({ res }) => {
        const latest = await ledger.latestCheckpoint();
        if (!latest) throw new NotFoundError('No checkpoint has been issued yet');
        res.type('text/plain; charset=utf-8').set('Cache-Control', 'no-cache').send(latest.note);
      },
    }),
    route({
      method: 'get',
      path: '/v1/ledger/verifier-key',
      summary: "The log's verifier key (<name>+<hex key id>+<base64(0x01 ‖ public key)>)",
      tags: ['ledger'],
      auth: LEDGER_READERS,
      responses: { 200: { description: 'The verifier key', contentType: 'text/plain' } },
      handler: async ({ res }) => {
        res.type('text/plain; charset=utf-8').send(`${ledger.verifierKey()}\n`);
      },
    }),
    route({
      method: 'get',
      path: '/v1/ledger/proofs/inclusion',
      summary:
        'Inclusion proof of a record (by record id) in the tree of `treeSize` leaves (default: the latest checkpoint)',
      tags: ['ledger'],
      auth: LEDGER_READERS,
      query: z.strictObject({ recordId: Uuid, treeSize: Size.optional() }),
      responses: { 200: { description: 'Leaf index, record hash and audit path (hex, leaf-up)' } },
      handler: async ({ res, query }) => {
        const leaf = await ledger.leafForRecord(query.recordId);
        if (!leaf)
          throw new NotFoundError('The record is not integrated in the ledger (yet)', {
            recordId: query.recordId,
          });
        let treeSize = query.treeSize;
        let checkpoint: string | undefined;
        if (treeSize === undefined) {
          const latest = await ledger.latestCheckpoint();
          if (!latest || latest.treeSize <= leaf.leafIndex)
            throw new NotFoundError('No checkpoint covers the record yet', { recordId: query.recordId });
          treeSize = latest.treeSize;
          checkpoint = latest.note;
        }
        const proof = await ledger.inclusionProof(leaf.leafIndex, treeSize);
        res.json({
          recordId: leaf.recordId,
          leafIndex: leaf.leafIndex,
          recordHash: leaf.recordHash,
          treeSize,
          proof: proof.map((h) => toHex(h)),
          ...(checkpoint !== undefined ? { checkpoint } : {}),
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/ledger/proofs/consistency',
      summary: 'Consistency proof between the trees of `from` and `to` leaves',
      tags: ['ledger'],
      auth: LEDGER_READERS,
      query: z.strictObject({ from: Size, to: Size }),
      responses: { 200: { description: 'The proof (hex)' } },
      handler: async ({ res, query }) => {
        const proof = await ledger.consistencyProof(query.from, query.to);
        res.json({ from: query.from, to: query.to, proof: proof.map((h) => toHex(h)) });
      },
    }),
  ];
}
