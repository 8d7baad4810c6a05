/**
 * The province's review queue: cases awaiting a human review, oldest observation first, from
 * `GET /v1/review-queue`. The server computes the SLA flags (owner notice due 10 days after the violation,
 * warned 3 days before; one-year limitation warned 30 days before) and the case flags; the browser only turns
 * them into badges. `slaBadges` computes the same badges locally for lists that carry no SLA flags (the
 * supervisor's decision list, built from `GET /v1/cases`).
 */
import { api, type GetResponse } from './api.ts';

/** One page of `GET /v1/review-queue` (generated from the OpenAPI document). */
export type ReviewQueuePage = GetResponse<'/v1/review-queue'>;

export interface QueueItem {
  caseId: string;
  province: string;
  status: string;
  violationCode: string;
  vehicleClass?: string;
  observedAt: string;
  cameraId: string;
  revision?: number;
  location?: string;
  flags?: unknown;
  /** SLA flags as the server computed them (review queue only). */
  sla?: ServerSla;
  /** The step still missing before a decision (`GET /v1/cases`), null when the case can be decided. */
  missingStep?: string | null;
  handlingProvince?: string;
  /** The plate as read (lists fetched with `include=plates` only; each listing is a custody record). */
  plate?: string | null;
  /** The overview's thumbnail, fetched lazily through the evidence route (a custody record per fetch). */
  thumbnail?: { digest: string; mediaType: string; size: number } | null;
}

/** The purpose the queue states for its plates and thumbnails, recorded in each case's custody log. */
export const QUEUE_PURPOSE = 'review queue';

/** The review queue's SLA flags (docs/api.md). */
export type ServerSla = ReviewQueuePage['items'][number]['sla'];

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

/** The badges of the server's SLA flags, in the order `slaBadges` gives them. */
export function badgesFromSla(sla: ServerSla): SlaBadge[] {
  const badges: SlaBadge[] = [];
  if (sla.limitationPassed) badges.push('slaLimitationPassed');
  else if (sla.limitationApproaching) badges.push('slaLimitation');
  if (sla.noticeOverdue) badges.push('slaNoticeOverdue');
  else if (sla.noticeDueSoon) badges.push('slaNoticeDue');
  return badges.length ? badges : ['slaOk'];
}

/** Names of the flags a list item carries, whatever shape the list gives them in. */
export function flagNames(flags: unknown): string[] {
  if (Array.isArray(flags)) return flags.map((f) => (typeof f === 'string' ? f : String((f as { flag?: unknown }).flag ?? ''))).filter(Boolean);
  if (flags && typeof flags === 'object') return Object.entries(flags).filter(([, v]) => v === true).map(([k]) => k);
  return [];
}

/**
 * Every case in `status` the caller may see (a few pages at most), oldest observation first. With
 * `platesPurpose` the list asks for plates and thumbnail references (`include=plates`): the server writes a
 * custody record per listed case, with that purpose, before answering.
 */
export async function loadCases(status: string, options: { maxPages?: number; platesPurpose?: string } = {}): Promise<QueueItem[]> {
  const items: QueueItem[] = [];
  let after: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 10); page++) {
    const query = new URLSearchParams({ status, limit: '200' });
    if (options.platesPurpose) query.set('include', 'plates');
    if (after) query.set('after', after);
    const result = await api<{ items: QueueItem[]; next?: string | null; nextCursor?: string | null }>(
      `/v1/cases?${query}`,
      options.platesPurpose ? { purpose: options.platesPurpose } : {},
    );
    items.push(...result.items);
    after = result.next ?? result.nextCursor ?? undefined;
    if (!after) break;
  }
  return items.sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt) || (a.caseId < b.caseId ? -1 : 1));
}

export const QUEUE_PAGE = 200;
export const QUEUE_MAX_PAGES = 10;

/**
 * The review queue of one province (national staff name it; provincial staff get their own), oldest first,
 * up to `maxPages` pages of 200, with plates and thumbnail references (`include=plates`: the server writes a
 * custody record per listed case before answering). `more` is true when cases remain beyond what was loaded.
 */
export async function loadReviewQueue(
  province: string | undefined,
  maxPages = QUEUE_MAX_PAGES,
): Promise<{ items: QueueItem[]; more: boolean }> {
  const items: QueueItem[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const query = new URLSearchParams({ limit: String(QUEUE_PAGE), include: 'plates' });
    if (province) query.set('province', province);
    if (after) query.set('after', after);
    const result = await api<ReviewQueuePage>(`/v1/review-queue?${query}`, { purpose: QUEUE_PURPOSE });
    items.push(...result.items);
    after = result.next;
    if (!after) return { items, more: false };
  }
  return { items, more: true };
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
