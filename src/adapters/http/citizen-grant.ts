/**
 * The citizen's grant: after a lookup whose registration certificate matched, the node hands back a short-lived
 * token naming the plate (HMAC-SHA256 under a node key; 30 minutes). Every later portal request about a case
 * carries it (`X-Citizen-Grant`), and the case is found through the plate the grant names: a case of another
 * vehicle is simply not found, whatever reference is sent. The grant adds nothing the plate and certificate
 * did not already prove; it saves asking the registry (and spending the plate's guessing budget) again.
 *
 * The key is a node secret (`CITIZEN_GRANT_KEY_FILE`, default `$DATA_DIR/keys/citizen-grant.key`, created 0600 on
 * first start; src/adapters/keys/secret-file.ts): every API process of the node reads the same file, so a grant
 * one issued verifies in any other. Without a key (unit uses) it is random per instance.
 *
 * The same key signs **report sessions** (`X-Report-Session`): a short-lived token anyone gets (rate-limited)
 * before uploading a report's photos, so that `PUT /v1/public/attachments` always needs a grant or a session. The
 * MACs are domain-separated: a session is never a grant, nor the reverse.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../../domain/shared/errors.ts';

export const GRANT_HEADER = 'x-citizen-grant';
export const REPORT_SESSION_HEADER = 'x-report-session';
export const GRANT_TTL_MS = 30 * 60_000;

export class CitizenGrantInvalidError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'citizen-grant-invalid';
}

export class ReportSessionInvalidError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'report-session-invalid';
}

/** An upload with neither a grant nor a report session. */
export class UploadCredentialRequiredError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'citizen-grant-required';
}

export class CitizenGrants {
  constructor(
    private readonly key: Uint8Array = randomBytes(32),
    private readonly ttlMs = GRANT_TTL_MS,
  ) {}

  issue(plateCompact: string, nowMs: number): string {
    const payload = Buffer.from(JSON.stringify({ p: plateCompact, e: nowMs + this.ttlMs })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The plate (compact form) the grant names; throws CitizenGrantInvalidError. */
  verify(token: string | undefined, nowMs: number): string {
    const [payload, mac, extra] = (token ?? '').split('.');
    if (!payload || !mac || extra !== undefined || mac.length !== 43) throw new CitizenGrantInvalidError('Look the vehicle up again');
    const expected = Buffer.from(this.mac(payload), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CitizenGrantInvalidError('Look the vehicle up again');
    const { p, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p: unknown; e: unknown };
    if (typeof p !== 'string' || typeof e !== 'number' || e < nowMs) throw new CitizenGrantInvalidError('The lookup has expired; look the vehicle up again');
    return p;
  }

  fromRequest(req: Request, nowMs: number): string {
    return this.verify(req.get(GRANT_HEADER), nowMs);
  }

  /** A report session: a random id and an expiry, MACed under the grant key with its own domain separator. */
  issueReportSession(nowMs: number): { session: string; expiresAt: string } {
    const expires = nowMs + this.ttlMs;
    const payload = Buffer.from(JSON.stringify({ s: randomBytes(12).toString('base64url'), e: expires })).toString('base64url');
    return { session: `${payload}.${this.mac(payload, 'report-session')}`, expiresAt: new Date(expires).toISOString() };
  }

  /** Throws CitizenGrantInvalidError unless `token` is a report session this node issued and it has not expired. */
  verifyReportSession(token: string | undefined, nowMs: number): void {
    const [payload, mac, extra] = (token ?? '').split('.');
    const refuse = () => new ReportSessionInvalidError('Start the report again');
    if (!payload || !mac || extra !== undefined || mac.length !== 43) throw refuse();
    const expected = Buffer.from(this.mac(payload, 'report-session'), 'base64url');
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw refuse();
    const { e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { e: unknown };
    if (typeof e !== 'number' || e < nowMs) throw refuse();
  }

  private mac(payload: string, domain: 'citizen-grant' | 'report-session' = 'citizen-grant'): string {
    return createHmac('sha256', this.key).update(`${domain}\0${payload}`).digest('base64url');
  }
}
