/** `custody-log`: every evidence access per case (who, when, purpose, blob digest, record hash). */
import { streamIdOf } from '../../domain/record.ts';
import { CUSTODY_EVENT_TYPE, eventOf, type EvidenceAccessedEvent } from '../events.ts';
import type { Projection } from '../projection.ts';
import { insertRows } from '../sql.ts';

export const custodyLogProjection: Projection = {
  name: 'custody-log',
  eventTypes: [CUSTODY_EVENT_TYPE],
  tables: ['rm_custody'],
  async handle(batch, manager) {
    const rows = batch
      .filter((s) => streamIdOf('custody', s.record.stream) !== undefined)
      .map((stored) => {
        const { data } = eventOf(stored) as EvidenceAccessedEvent;
        const r = stored.record;
        return {
          event_id: r.id,
          case_id: data.caseId,
          seq: r.revision,
          actor_kind: r.meta.actor.kind,
          actor_id: r.meta.actor.id,
          access: data.access,
          purpose: data.purpose,
          digest: data.digest ?? null,
          accessed_at: data.accessedAt,
          province: r.meta.province,
          record_hash: stored.hash,
        };
      });
    await insertRows(manager, 'rm_custody', rows);
  },
};
