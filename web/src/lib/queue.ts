/**
 * The province's review queue: cases awaiting a human review (status `detected`), oldest observation first,
 * with SLA badges. The owner notice is due 10 days after the violation (warned 3 days before) and the
 * one-year limitation is warned 30 days before (the same rules as the read model's review queue).
 */
import { api } from './api.ts';

export interface QueueItem {
  caseId: string;
  province: string;
  status: string;
  violationCode: string;
  observedAt: string;
  cameraId: string;
  revision: number;
  location?: string;
  flags?: unknown;
}

export type SlaBadge = 'slaNoticeOverdue' | 'slaNoticeDue' | 'slaLimitation' | 'slaLimitationPassed' | 'slaOk';

const DAY = 86_400_000;
export const NOTICE_DUE_DAYS = 10;
export const NOTICE_WARNING_DAYS = 3;
export const LIMITATION_WARNING_DAYS = 30;

export function slaBadges(observedAt: string, nowMs: number): SlaBadge[] {
  const observed = Date.parse(observedAt);
  if (Number.isNaN(observed)) return [];
  const noticeDue = observed + NOTICE_DUE_DAYS * DAY;
  const limitation = new Date(observed);
  limitation.setUTCFullYear(limitation.getUTCFullYear() + 1);
  const limitationEnds = limitation.getTime();
  const badges: SlaBadge[] = [];
  if (nowMs > limitationEnds) badges.push('slaLimitationPassed');
  else if (nowMs >= limitationEnds - LIMITATION_WARNING_DAYS * DAY) badges.push('slaLimitation');
  if (nowMs > noticeDue) badges.push('slaNoticeOverdue');
  else if (nowMs >= noticeDue - NOTICE_WARNING_DAYS * DAY) badges.push('slaNoticeDue');
  return badges.length ? badges : ['slaOk'];
}

/** Names of the flags a list item carries, whatever shape the list gives them in. */
export function flagNames(flags: unknown): string[] {
  if (Array.isArray(flags)) return flags.map((f) => (typeof f === 'string' ? f : String((f as { flag?: unknown }).flag ?? ''))).filter(Boolean);
  if (flags && typeof flags === 'object') return Object.entries(flags).filter(([, v]) => v === true).map(([k]) => k);
  return [];
}

/** Every case in `status` the caller may see (a few pages at most), oldest observation first. */
export async function loadCases(status: string, maxPages = 10): Promise<QueueItem[]> {
  const items: QueueItem[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ status, limit: '200' });
    if (after) query.set('after', after);
    const result = await api<{ items: QueueItem[]; next?: string | null; nextCursor?: string | null }>(`/v1/cases?${query}`);
    items.push(...result.items);
    after = result.next ?? result.nextCursor ?? undefined;
    if (!after) break;
  }
  return items.sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt) || (a.caseId < b.caseId ? -1 : 1));
}

const ORDER_KEY = 'tec.queue-order';

/** Remembers the order the officer saw, so "next case" follows the queue. */
export function rememberOrder(kind: string, ids: string[]): void {
  sessionStorage.setItem(`${ORDER_KEY}.${kind}`, JSON.stringify(ids));
}

export function nextInOrder(kind: string, current: string): string | undefined {
  try {
    const ids = JSON.parse(sessionStorage.getItem(`${ORDER_KEY}.${kind}`) ?? '[]') as string[];
    const i = ids.indexOf(current);
    return i >= 0 ? ids[i + 1] : ids[0];
  } catch {
    return undefined;
  }
}
