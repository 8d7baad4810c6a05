/**
 * The auditor's export of the access history (docs/data-protection.md, "Auditor export"): every custody
 * record (`EvidenceAccessed`) of one case, of one evidence item, or by one officer, oldest first, as rows,
 * and as CSV (RFC 4180). Read from the event store's global feed (a case's history from its custody stream);
 * the PDF is rendered by the document adapter (src/adapters/documents/access-history-pdf.ts).
 */
import { CUSTODY_EVENT_TYPE, EvidenceAccessedSchema } from '../domain/custody.ts';
import { streams } from '../domain/record.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import { StreamNotFoundError, type EventStore, type StoredRecord } from '../ports/eventstore.ts';

export type AccessHistoryFilter = { caseId: string } | { digest: string } | { officerId: string };

export interface AccessHistoryRow {
  accessedAt: string;
  caseId: string;
  digest: string;
  actorKind: string;
  actorId: string;
  access: string;
  purpose: string;
  recordId: string;
}

function rowOf(r: StoredRecord): AccessHistoryRow | undefined {
  if (r.record.type !== CUSTODY_EVENT_TYPE || !r.record.stream.startsWith('custody-')) return undefined;
  const parsed = EvidenceAccessedSchema.safeParse(r.record.data);
  if (!parsed.success) return undefined;
  return {
    accessedAt: parsed.data.accessedAt,
    caseId: parsed.data.caseId,
    digest: parsed.data.digest ?? '',
    actorKind: r.record.meta.actor.kind,
    actorId: r.record.meta.actor.id,
    access: parsed.data.access,
    purpose: parsed.data.purpose,
    recordId: r.record.id,
  };
}

/** The access history matching the filter, oldest first. Officer and evidence filters scan the whole feed. */
export async function accessHistory(store: EventStore, filter: AccessHistoryFilter): Promise<AccessHistoryRow[]> {
  const keys = Object.keys(filter);
  if (keys.length !== 1) throw new ValidationError('Give exactly one of caseId, digest, officerId', { fields: keys }, 'invalid-query');
  if ('caseId' in filter) {
    let records: StoredRecord[];
    try {
      records = await store.readStream(streams.custody(filter.caseId));
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return records.map(rowOf).filter((r): r is AccessHistoryRow => r !== undefined);
  }
  const match = (row: AccessHistoryRow) => ('digest' in filter ? row.digest === filter.digest : row.actorId === filter.officerId);
  const rows: AccessHistoryRow[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1000 });
    for (const r of page) {
      const row = rowOf(r);
      if (row && match(row)) rows.push(row);
    }
    const last = page.at(-1);
    if (!last || page.length < 1000) break;
    after = last.checkpoint;
  }
  return rows;
}

export const ACCESS_HISTORY_COLUMNS = ['accessedAt', 'caseId', 'digest', 'actorKind', 'actorId', 'access', 'purpose', 'recordId'] as const;

/** RFC 4180: every field quoted, quotes doubled, CRLF line ends; a leading `=+-@` is prefixed with `'` (no formula injection). */
export function accessHistoryCsv(rows: readonly AccessHistoryRow[]): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return `"${safe.replaceAll('"', '""')}"`;
  };
  const lines = [ACCESS_HISTORY_COLUMNS.map(cell).join(',')];
  for (const row of rows) lines.push(ACCESS_HISTORY_COLUMNS.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
