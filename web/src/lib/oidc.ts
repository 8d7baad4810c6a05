/**
 * Sign-in with the node's OpenID Connect provider: authorization code + PKCE (S256), hand-rolled (a verifier, its
 * SHA-256 challenge and a state, kept in sessionStorage across the redirect). The access token (10 minutes) goes
 * to the session store exactly like a pasted token; the refresh token stays in sessionStorage (it dies with the
 * tab) and renews the access token a minute before it expires, until the 12-hour shift ends. Sign-out revokes it.
 */
import { sessionStore, signIn, signOut, type Session } from './session.ts';
import { createStore } from './store.ts';

/** Set when the last return from the provider failed (refused, cancelled, a state mismatch): the page says so. */
export const signInErrorStore = createStore<boolean>(false);

/** Whether this session renews itself (signed in at the provider, not by a pasted token). */
export function renews(): boolean {
  try {
    return sessionStorage.getItem(REFRESH) !== null;
  } catch {
    return false;
  }
}

export const CLIENT_ID = 'tec-web';
const DISCOVERY = '/oidc/.well-known/openid-configuration';
const PENDING = 'tec.oidc.pending';
const REFRESH = 'tec.oidc.refresh';

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint?: string;
}

let metadata: Promise<ProviderMetadata | undefined> | undefined;

/** The node's provider, or undefined when the node has none (an external issuer: paste a token). */
export function discover(): Promise<ProviderMetadata | undefined> {
  metadata ??= fetch(DISCOVERY, { credentials: 'omit', headers: { Accept: 'application/json' } })
    .then(async (r) => (r.ok ? ((await r.json()) as ProviderMetadata) : undefined))
    .catch(() => undefined);
  return metadata;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function pkceChallenge(verifier: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

function redirectUri(): string {
  return `${location.origin}/`;
}

/** Leaves for the provider's sign-in page (password, then the one-time code). */
export async function beginSignIn(lang: string): Promise<void> {
  const provider = await discover();
  if (!provider) throw new Error('no sign-in provider');
  const verifier = randomString();
  const state = randomString();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: 'openid api',
    code_challenge: await pkceChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'login',
    ui_locales: lang,
  });
  location.assign(`${provider.authorization_endpoint}?${params}`);
}

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
}

async function tokenRequest(provider: ProviderMetadata, body: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(provider.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...body }).toString(),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  return (await response.json()) as TokenAnswer;
}

function accept(answer: TokenAnswer): Session {
  signInErrorStore.set(false);
  const session = signIn(answer.access_token);
  if (!session) throw new Error('the provider issued an unreadable token');
  if (answer.refresh_token) sessionStorage.setItem(REFRESH, answer.refresh_token);
  schedule(session);
  return session;
}

let timer: ReturnType<typeof setTimeout> | undefined;

function schedule(session: Session): void {
  if (timer) clearTimeout(timer);
  if (!sessionStorage.getItem(REFRESH)) return;
  // A minute before expiry (at least 5 s from now); the access token lives 10 minutes.
  const inMs = Math.max(5_000, session.expiresAt - Date.now() - 60_000);
  timer = setTimeout(() => void refreshNow(), inMs);
}

/** Renews the access token with the refresh token; signs out when the shift is over or the token was revoked. */
export async function refreshNow(): Promise<Session | undefined> {
  const refreshToken = sessionStorage.getItem(REFRESH);
  const provider = await discover();
  if (!refreshToken || !provider) return undefined;
  try {
    return accept(await tokenRequest(provider, { grant_type: 'refresh_token', refresh_token: refreshToken }));
  } catch {
    sessionStorage.removeItem(REFRESH);
    signOut();
    return undefined;
  }
}

/**
 * On load: finishes a sign-in when the provider sent the browser back with `?code=…&state=…`, and otherwise
 * resumes refreshing a session restored from sessionStorage. Returns the session when one was just made.
 */
export async function completeSignIn(): Promise<Session | undefined> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const state = query.get('state');
  const error = query.get('error');
  if (!code && !error) {
    const current = sessionStore.get();
    if (current) schedule(current);
    else if (sessionStorage.getItem(REFRESH)) return refreshNow();
    return undefined;
  }
  history.replaceState(null, '', `${location.pathname}${location.hash || '#/'}`);
  const pending = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (error || !code || !pending) {
    signInErrorStore.set(true);
    return undefined;
  }
  const saved = JSON.parse(pending) as { verifier: string; state: string };
  if (saved.state !== state) {
    signInErrorStore.set(true);
    return undefined;
  }
  const provider = await discover();
  if (!provider) return undefined;
  return accept(await tokenRequest(provider, { grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: saved.verifier }));
}

/** Signs out here and revokes the refresh token at the provider. */
export async function signOutEverywhere(): Promise<void> {
  const refreshToken = sessionStorage.getItem(REFRESH);
  sessionStorage.removeItem(REFRESH);
  if (timer) clearTimeout(timer);
  signOut();
  const provider = refreshToken ? await discover() : undefined;
  if (provider?.revocation_endpoint && refreshToken) {
    await fetch(provider.revocation_endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: refreshToken, token_type_hint: 'refresh_token' }).toString(),
      credentials: 'omit',
    }).catch(() => undefined);
  }
}
