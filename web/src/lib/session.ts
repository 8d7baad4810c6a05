/**
 * The signed-in official: the bearer token (kept in sessionStorage, so it dies with the tab) and the claims
 * read from it for display and navigation. The server verifies the token on every request; these claims only
 * decide what the UI offers, never what is allowed.
 */
import { createStore } from './store.ts';

export type Role = 'device' | 'officer' | 'supervisor' | 'auditor' | 'court' | 'analyst' | 'admin';

export interface Session {
  token: string;
  subject: string;
  role: Role;
  province: string;
  expiresAt: number;
}

const KEY = 'tec.token';

function base64UrlJson(part: string): unknown {
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
}

/** Reads the claims of a JWT without verifying it (the server does). Undefined when malformed or expired. */
export function parseToken(raw: string, nowMs = Date.now()): Session | undefined {
  const token = raw.trim();
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9._-]+$/.test(token)) return undefined;
  try {
    const claims = base64UrlJson(parts[1]!) as Record<string, unknown>;
    const { sub, role, province, exp } = claims;
    if (typeof sub !== 'string' || typeof role !== 'string' || typeof province !== 'string' || typeof exp !== 'number') return undefined;
    if (!/^\d{2}$/.test(province)) return undefined;
    if (exp * 1000 <= nowMs) return undefined;
    return { token, subject: sub, role: role as Role, province, expiresAt: exp * 1000 };
  } catch {
    return undefined;
  }
}

function restore(): Session | undefined {
  try {
    const saved = sessionStorage.getItem(KEY);
    return saved ? parseToken(saved) : undefined;
  } catch {
    return undefined;
  }
}

export const sessionStore = createStore<Session | undefined>(restore());

export function signIn(raw: string): Session | undefined {
  const session = parseToken(raw);
  if (!session) return undefined;
  sessionStorage.setItem(KEY, session.token);
  sessionStore.set(session);
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
  sessionStore.set(undefined);
}

/** What each role's navigation offers. */
export function canReview(s: Session | undefined): boolean {
  return s?.role === 'officer' || s?.role === 'supervisor';
}
export function canDecide(s: Session | undefined): boolean {
  return s?.role === 'supervisor';
}
export function canSeeDashboards(s: Session | undefined): boolean {
  return s !== undefined && ['officer', 'supervisor', 'analyst', 'auditor', 'admin'].includes(s.role);
}
export function canAudit(s: Session | undefined): boolean {
  return s?.role === 'auditor';
}

/** The page each role lands on after sign-in (and at `#/`): its own work. */
export function landingRoute(s: Session | undefined): string {
  if (!s) return 'citizen';
  switch (s.role) {
    case 'officer':
      return 'queue';
    case 'supervisor':
      return 'decisions';
    case 'auditor':
      return 'audit';
    case 'court':
      return 'verify';
    case 'analyst':
    case 'admin':
      return 'dashboard';
    case 'device':
      return 'citizen';
    default: {
      const unknown: never = s.role;
      void unknown;
      return 'citizen';
    }
  }
}
