/**
 * The citizen's grant: after a lookup whose registration certificate matched, the node hands back a short-lived
 * token naming the plate (HMAC-SHA256 under a node key; 30 minutes). Every later portal request about a case
 * carries it (`X-Citizen-Grant`), and the case is found through the plate the grant names: a case of another
 * vehicle is simply not found, whatever reference is sent. The grant adds nothing the plate and certificate
 * did not already prove; it saves asking the registry (and spending the plate's guessing budget) again.
 *
 * The key is per node process unless configured (`CITIZEN_GRANT_KEY_FILE` is not wired yet): several API
 * processes behind one address each need the same key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../../domain/shared/errors.ts';

export const GRANT_HEADER = 'x-citizen-grant';
export const GRANT_TTL_MS = 30 * 60_000;

export class CitizenGrantInvalidError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'citizen-grant-invalid';
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

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(`citizen-grant\0${payload}`).digest('base64url');
  }
}
