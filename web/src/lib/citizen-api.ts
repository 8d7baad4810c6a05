/**
 * The citizen portal's requests: no token; the grant a matching lookup returned goes in `X-Citizen-Grant`, and
 * every write carries an `Idempotency-Key` the page keeps for the form it belongs to (a retry after a lost
 * answer sends the same key, so the server does the work once). Problems come back as `ApiError`.
 */
import { ApiError, type GetResponse } from './api.ts';

export type PortalLookup = GetResponse<'/v1/public/violations'>;
export type PortalViolation = PortalLookup['violations'][number];
export type Receipt = {
  reference: string;
  caseRef: string;
  kind: 'complaint' | 'appeal';
  filedAt: string;
  attachments: number;
  recordId: string;
  digest: string;
  /** The case's appeal that carries a complaint against a decision (its id is the reference), else null. */
  appealId: string | null;
};

export type ResponseReceipt = {
  reference: string;
  caseRef: string;
  submittedAt: string;
  records: { type: 'ExplanationSubmitted' | 'DriverIdentified'; recordId: string; digest: string }[];
  digest: string;
};

/** A fresh client key for one write (the server accepts 8-64 letters, digits, - and _). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function call<T>(path: string, init: RequestInit & { grant: string; key?: string }): Promise<T> {
  // An empty grant: a report's request, sent by anyone (no lookup behind it).
  const headers: Record<string, string> = { Accept: 'application/json', ...(init.grant ? { 'X-Citizen-Grant': init.grant } : {}) };
  if (init.key) headers['Idempotency-Key'] = init.key;
  if (typeof init.body === 'string') headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) }, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) {
    let p: { type?: string; title?: string; detail?: string } = {};
    try {
      p = (await res.json()) as typeof p;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, p.type ?? 'about:blank', p.title ?? res.statusText, p.detail);
  }
  return (await res.json()) as T;
}

export const portalApi = {
  violation: (grant: string, ref: string) => call<PortalViolation>(`/v1/public/violations/${ref}`, { grant }),
  async privacyImage(grant: string, ref: string): Promise<string> {
    const res = await fetch(`/v1/public/violations/${ref}/privacy-image`, { headers: { 'X-Citizen-Grant': grant }, credentials: 'omit', cache: 'no-store' });
    if (!res.ok) throw new ApiError(res.status, 'about:blank', res.statusText, undefined);
    return URL.createObjectURL(await res.blob());
  },
  pay: (grant: string, ref: string, key: string) => call<PortalViolation>(`/v1/public/violations/${ref}/payments`, { method: 'POST', grant, key, body: '{}' }),
  /** One image: with the lookup's grant (a complaint), or with `{ session }` from `reportSession` (a report). */
  upload: (credential: string | { session: string }, file: File) =>
    call<{ digest: string; size: number; mediaType: string }>('/v1/public/attachments', {
      method: 'PUT',
      grant: typeof credential === 'string' ? credential : '',
      body: file,
      headers: { 'Content-Type': file.type, ...(typeof credential === 'string' ? {} : { 'X-Report-Session': credential.session }) },
    }),
  reportSession: () => call<{ session: string; expiresAt: string }>('/v1/public/report-sessions', { method: 'POST', grant: '', body: '{}' }),
  respond: (grant: string, ref: string, key: string, body: { statement?: string; driver?: { registryRef: string; licenceRef: string } }) =>
    call<ResponseReceipt>(`/v1/public/violations/${ref}/responses`, { method: 'POST', grant, key, body: JSON.stringify(body) }),
  complain: (grant: string, ref: string, key: string, body: { kind: 'complaint' | 'appeal'; grounds: string; attachments: { digest: string; size: number; mediaType: string }[] }) =>
    call<Receipt>(`/v1/public/violations/${ref}/complaints`, { method: 'POST', grant, key, body: JSON.stringify(body) }),
};
