/**
 * The bearer tokens one node presents to the others (docs/federation.md "Credential rotation"): the national
 * mirror's (`MIRROR_TOKEN[_FILE]`) and a provincial handover receiver's (`HANDOVER_TOKEN[_FILE]`).
 *
 * They are EdDSA JWTs with `exp`, which the receiving nodes check against their issuer (the shared development
 * key, or `JWKS_URL`) and refuse past `exp` or beyond one hour of lifetime (`MAX_TOKEN_TTL_SECONDS`). So a
 * token from the environment stops working within the hour; what keeps a node reading is a credential agent
 * (the identity provider's client, a secret manager) writing a fresh token to a file that the node re-reads
 * when it changes (`TokenFile`), or, with the development issuer, the node minting its own (`minted`).
 *
 * A token is never logged nor put in an error: messages name the file and the credential only.
 */
import { stat } from 'node:fs/promises';
import { decodeJwt } from 'jose';
import { loadTokenFile } from '../adapters/keys/secret-file.ts';
import { AppError, ValidationError } from '../domain/shared/errors.ts';
import type { DevIssuer } from '../adapters/auth/tokens.ts';
import { MIRROR_SUBJECT } from '../adapters/http/routes/log.ts';
import { HANDOVER_SUBJECT } from '../adapters/witness/handover-receiver.ts';
import { parseHandoverTokens, type NodeConfig } from '../config.ts';
import type { Metrics } from '../ports/metrics.ts';

/** The token cannot be read and no earlier one is still valid: the request is not sent. */
export class FederationCredentialUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'federation-credential-unavailable';
}

export type CredentialName = 'mirror' | 'handover';
export type CredentialSourceKind = 'file' | 'environment' | 'minted';

/**
 * `valid`; `expiring` (within the warning window); `expired`; `unknown-expiry` (not a JWT with `exp`);
 * `unreadable` (the file cannot be read now and the token in use, if any, is the previous one).
 */
export type CredentialState = 'valid' | 'expiring' | 'expired' | 'unknown-expiry' | 'unreadable';

export interface CredentialStatus {
  credential: CredentialName;
  source: CredentialSourceKind;
  /** The token file (source `file`). */
  path: string | undefined;
  state: CredentialState;
  /** The earliest `exp` of the tokens in use; undefined when unknown. */
  expiresAt: string | undefined;
  secondsLeft: number | undefined;
  /** When the file was last read with a change (source `file`). */
  rotatedAt: string | undefined;
  /** Why the file could not be read (never the token). */
  readError: string | undefined;
  /** Nodes (base URLs) whose last answer to this token was 401, and since when. */
  refusedBy: { baseUrl: string; since: string }[];
}

/** `exp` of a JWT in seconds since the epoch, without verifying it; undefined for anything else. */
export function tokenExpiry(token: string): number | undefined {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}

export function credentialState(expSeconds: number | undefined, nowMs: number, warnSeconds: number): 'valid' | 'expiring' | 'expired' | 'unknown-expiry' {
  if (expSeconds === undefined) return 'unknown-expiry';
  const left = expSeconds - nowMs / 1000;
  if (left <= 0) return 'expired';
  return left <= warnSeconds ? 'expiring' : 'valid';
}

/** What identifies a file's version without reading it: a rename into place (a secret volume) changes the inode. */
function versionOf(info: { mtimeMs: number; ctimeMs: number; size: number; ino: number; dev: number }): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

export interface TokenFileOptions<T> {
  path: string;
  credential: CredentialName;
  /** Checks and shapes the file's one line (throws a ValidationError naming what is wrong, never the token). */
  parse: (text: string) => T;
  /** The tokens in a parsed value (their earliest `exp` is the value's expiry). */
  tokens: (value: T) => string[];
  now?: () => number;
  /** Once per distinct read failure while the previous token is kept. */
  onReadError?: (error: Error) => void;
  /** Each time a changed file was read. */
  onRotated?: (expiresAt: string | undefined) => void;
}

/**
 * A token file read on use: `stat` on every use, and a read only when the file changed. An unreadable, empty
 * or malformed file keeps the previous value until it expires (the failure logged once); with none, or past
 * its expiry, the use fails with `FederationCredentialUnavailableError`.
 */
export class TokenFile<T> {
  private held: { value: T; version: string; exp: number | undefined; readAt: number } | undefined;
  private failure: { version: string; message: string } | undefined;

  constructor(private readonly o: TokenFileOptions<T>) {}

  get path(): string {
    return this.o.path;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** At start-up: the file must be readable and well formed (the node refuses to start otherwise). */
  async load(): Promise<T> {
    return this.read(true);
  }

  async current(): Promise<T> {
    return this.read(false);
  }

  private async read(strict: boolean): Promise<T> {
    let version: string;
    try {
      version = versionOf(await stat(this.o.path));
    } catch (error) {
      return this.keepPrevious(strict, 'missing', error as Error);
    }
    if (this.held && this.held.version === version) return this.held.value;
    if (this.failure?.version === version) return this.keepPrevious(strict, version, undefined);
    try {
      const value = this.o.parse(await loadTokenFile(this.o.path));
      const exps = this.o.tokens(value).map(tokenExpiry);
      const exp = exps.some((x) => x === undefined) ? undefined : Math.min(...(exps as number[]));
      this.held = { value, version, exp, readAt: this.now() };
      this.failure = undefined;
      this.o.onRotated?.(exp === undefined ? undefined : new Date(exp * 1000).toISOString());
      return value;
    } catch (error) {
      return this.keepPrevious(strict, version, error as Error);
    }
  }

  private keepPrevious(strict: boolean, version: string, error: Error | undefined): T {
    if (error) {
      const message = `${this.o.credential} token file ${this.o.path}: ${describe(error)}`;
      if (this.failure?.message !== message) {
        this.failure = { version, message };
        if (!strict && this.held) this.o.onReadError?.(new FederationCredentialUnavailableError(message, { path: this.o.path }));
      } else this.failure.version = version;
    }
    const message = this.failure?.message ?? `${this.o.credential} token file ${this.o.path} cannot be read`;
    if (strict || !this.held) throw new FederationCredentialUnavailableError(message, { path: this.o.path });
    if (this.held.exp !== undefined && this.held.exp * 1000 <= this.now()) {
      throw new FederationCredentialUnavailableError(`${message}; the previous token expired`, { path: this.o.path });
    }
    return this.held.value;
  }

  /** Expiry, read time and the last read failure, for the status. */
  info(): { exp: number | undefined; rotatedAt: string | undefined; readError: string | undefined } {
    return {
      exp: this.held?.exp,
      rotatedAt: this.held ? new Date(this.held.readAt).toISOString() : undefined,
      readError: this.failure?.message,
    };
  }
}

/** An fs error without its stack, or our own validation message (which never carries the token). */
function describe(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return code ? `${code}` : error.message;
}

export type CredentialSource<T> =
  | { kind: 'file'; file: TokenFile<T> }
  | { kind: 'environment'; value: T }
  | { kind: 'minted'; mint: () => Promise<T> };

export interface FederationCredentialOptions<T> {
  credential: CredentialName;
  source: CredentialSource<T>;
  tokens: (value: T) => string[];
  warnSeconds: number;
  now?: () => number;
}

/**
 * One credential: where its token comes from, and what the other nodes answered to it (`observe`, a fetch
 * wrapper), for the status, the staleness reason `credentials-refused` and the log.
 */
export class FederationCredential<T> {
  private readonly refused = new Map<string, number>();
  private lastMinted: T | undefined;

  constructor(private readonly o: FederationCredentialOptions<T>) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  async current(): Promise<T> {
    const source = this.o.source;
    switch (source.kind) {
      case 'file':
        return source.file.current();
      case 'environment':
        return source.value;
      case 'minted':
        this.lastMinted = await source.mint();
        return this.lastMinted;
      default: {
        const unreachable: never = source;
        throw new Error(`unknown credential source ${String(unreachable)}`);
      }
    }
  }

  /** Wraps `fetch`: every authenticated answer is noted per node (401 refused, anything else not). */
  observe(fetchFn: typeof fetch = fetch): typeof fetch {
    return async (input, init) => {
      const response = await fetchFn(input, init);
      const headers = new Headers(init?.headers);
      if (headers.has('authorization')) {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        this.note(baseOf(url), response.status);
      }
      return response;
    };
  }

  note(baseUrl: string, status: number): void {
    if (status === 401) {
      if (!this.refused.has(baseUrl)) this.refused.set(baseUrl, this.now());
    } else this.refused.delete(baseUrl);
  }

  /** Since when the node at `baseUrl` refuses this credential (its last answer was 401); undefined if it does not. */
  refusedSince(baseUrl: string | undefined): string | undefined {
    if (baseUrl === undefined) return undefined;
    const since = this.refused.get(normalise(baseUrl));
    return since === undefined ? undefined : new Date(since).toISOString();
  }

  /** The state now: a token file is looked at first (a quiet province asks for no token, the status still follows the file). */
  async status(): Promise<CredentialStatus> {
    if (this.o.source.kind === 'file') await this.o.source.file.current().catch(() => undefined);
    return this.snapshot();
  }

  /** The state as last seen (no file access). */
  snapshot(): CredentialStatus {
    const source = this.o.source;
    const now = this.now();
    let exp: number | undefined;
    let rotatedAt: string | undefined;
    let readError: string | undefined;
    switch (source.kind) {
      case 'file': {
        const info = source.file.info();
        exp = info.exp;
        rotatedAt = info.rotatedAt;
        readError = info.readError;
        break;
      }
      case 'environment':
        exp = earliest(this.o.tokens(source.value));
        break;
      case 'minted':
        exp = this.lastMinted === undefined ? undefined : earliest(this.o.tokens(this.lastMinted));
        break;
      default: {
        const unreachable: never = source;
        throw new Error(`unknown credential source ${String(unreachable)}`);
      }
    }
    const judged = credentialState(exp, now, this.o.warnSeconds);
    return {
      credential: this.o.credential,
      source: source.kind,
      path: source.kind === 'file' ? source.file.path : undefined,
      state: readError !== undefined && judged !== 'expired' ? 'unreadable' : judged,
      expiresAt: exp === undefined ? undefined : new Date(exp * 1000).toISOString(),
      secondsLeft: exp === undefined ? undefined : Math.round(exp - now / 1000),
      rotatedAt,
      readError,
      refusedBy: [...this.refused].map(([baseUrl, since]) => ({ baseUrl, since: new Date(since).toISOString() })),
    };
  }
}

function earliest(tokens: string[]): number | undefined {
  const exps = tokens.map(tokenExpiry);
  return exps.some((x) => x === undefined) ? undefined : Math.min(...(exps as number[]));
}

function normalise(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** The node a request went to: the URL up to its `/log/` or `/v1/` path (how base URLs are registered). */
export function baseOf(url: string): string {
  const u = new URL(url);
  const cut = u.pathname.search(/\/(log|v1)\//);
  return normalise(`${u.origin}${cut >= 0 ? u.pathname.slice(0, cut) : u.pathname}`);
}

/**
 * The start-up and periodic warning for a credential about to expire or expired (never the token): undefined
 * when there is nothing to say.
 */
export function expiryWarning(status: CredentialStatus): string | undefined {
  switch (status.state) {
    case 'expired':
      return `the ${status.credential} token (${status.source}) expired at ${status.expiresAt}; the other nodes refuse it`;
    case 'expiring':
      return `the ${status.credential} token (${status.source}) expires at ${status.expiresAt}, in ${status.secondsLeft} s`;
    case 'unreadable':
      return `the ${status.credential} token file cannot be read (${status.readError}); the previous token is used until ${status.expiresAt ?? 'it is refused'}`;
    case 'valid':
    case 'unknown-expiry':
      return undefined;
    default: {
      const unreachable: never = status.state;
      return unreachable;
    }
  }
}

export interface CredentialLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * The national mirror's credential: `MIRROR_TOKEN_FILE` (re-read on change), else `MIRROR_TOKEN`, else minted by
 * the development issuer (15 minutes, renewed after 10). An unreadable or malformed file stops the start.
 */
export async function mirrorCredential(options: {
  config: Pick<NodeConfig, 'mirrorToken' | 'mirrorTokenFile' | 'federationTokenWarnSeconds'>;
  issuer: Pick<DevIssuer, 'mint'> | undefined;
  logger: CredentialLogger;
  now?: () => number;
}): Promise<FederationCredential<string>> {
  const { config, issuer, logger } = options;
  const now = options.now ?? Date.now;
  const single = (value: string) => [value];
  let source: CredentialSource<string>;
  if (config.mirrorTokenFile) {
    const file = new TokenFile<string>({
      path: config.mirrorTokenFile,
      credential: 'mirror',
      parse: (text) => text,
      tokens: single,
      now,
      onReadError: (error) => logger.error({ credential: 'mirror', err: { name: error.name, message: error.message } }, 'federation token file unreadable; the previous token is kept'),
      onRotated: (expiresAt) => logger.info({ credential: 'mirror', expiresAt }, 'federation token read from its file'),
    });
    await loadAtStart(file, 'MIRROR_TOKEN_FILE');
    source = { kind: 'file', file };
  } else if (config.mirrorToken) {
    source = { kind: 'environment', value: config.mirrorToken };
  } else {
    if (!issuer) throw new ValidationError('the national mirror needs MIRROR_TOKEN_FILE or MIRROR_TOKEN (a national auditor token the provinces accept)');
    let minted: { token: string; until: number } | undefined;
    source = {
      kind: 'minted',
      mint: async () => {
        if (!minted || minted.until < now()) {
          minted = { token: await issuer.mint({ subject: MIRROR_SUBJECT, role: 'auditor', province: NATIONAL, ttlSeconds: MINTED_TTL_SECONDS }), until: now() + MINTED_RENEW_MS };
        }
        return minted.token;
      },
    };
  }
  return new FederationCredential({ credential: 'mirror', source, tokens: single, warnSeconds: config.federationTokenWarnSeconds, now });
}

/**
 * A provincial handover receiver's credential, a token per province served: `HANDOVER_TOKEN_FILE` (the
 * `HANDOVER_TOKEN` format, re-read on change), else `HANDOVER_TOKEN`, else minted by the development issuer.
 */
export async function handoverCredential(options: {
  config: Pick<NodeConfig, 'handoverTokens' | 'handoverTokenFile' | 'provinces' | 'federationTokenWarnSeconds'>;
  issuer: Pick<DevIssuer, 'mint'> | undefined;
  logger: CredentialLogger;
  now?: () => number;
}): Promise<FederationCredential<Record<string, string>>> {
  const { config, issuer, logger } = options;
  const now = options.now ?? Date.now;
  const provinces = config.provinces ?? [];
  const all = (value: Record<string, string>) => Object.values(value);
  let source: CredentialSource<Record<string, string>>;
  if (config.handoverTokenFile) {
    const file = new TokenFile<Record<string, string>>({
      path: config.handoverTokenFile,
      credential: 'handover',
      // The file's errors name HANDOVER_TOKEN's format rules; none of them quotes the token.
      parse: (text) => parseHandoverTokens(text, provinces.join(','))!,
      tokens: all,
      now,
      onReadError: (error) => logger.error({ credential: 'handover', err: { name: error.name, message: error.message } }, 'federation token file unreadable; the previous token is kept'),
      onRotated: (expiresAt) => logger.info({ credential: 'handover', expiresAt }, 'federation token read from its file'),
    });
    await loadAtStart(file, 'HANDOVER_TOKEN_FILE');
    source = { kind: 'file', file };
  } else if (config.handoverTokens) {
    source = { kind: 'environment', value: config.handoverTokens };
  } else {
    // loadConfig refuses an external issuer without HANDOVER_TOKEN[_FILE], so this is only a guard.
    if (!issuer) throw new ValidationError('the handover receiver needs HANDOVER_TOKEN_FILE or HANDOVER_TOKEN with an external issuer (JWKS_URL)');
    let minted: { tokens: Record<string, string>; until: number } | undefined;
    source = {
      kind: 'minted',
      mint: async () => {
        if (!minted || minted.until < now()) {
          const tokens: Record<string, string> = {};
          for (const province of provinces) {
            tokens[province] = await issuer.mint({ subject: HANDOVER_SUBJECT, role: 'auditor', province, ttlSeconds: MINTED_TTL_SECONDS });
          }
          minted = { tokens, until: now() + MINTED_RENEW_MS };
        }
        return minted.tokens;
      },
    };
  }
  return new FederationCredential({ credential: 'handover', source, tokens: all, warnSeconds: config.federationTokenWarnSeconds, now });
}

async function loadAtStart<T>(file: TokenFile<T>, variable: string): Promise<void> {
  try {
    await file.load();
  } catch (error) {
    throw new ValidationError(`Invalid configuration: ${variable}: ${(error as Error).message}`);
  }
}

/**
 * Logs a credential's expiry state and the nodes refusing it once per change (a warning at start, then every
 * `everyMs`), never the token. Returns the stop function.
 */
export function watchCredential(
  credential: { status(): Promise<CredentialStatus> },
  logger: CredentialLogger,
  everyMs = 30_000,
  onStatus?: (status: CredentialStatus) => void,
): () => void {
  let said = '';
  let refused = new Set<string>();
  const check = async () => {
    const status = await credential.status();
    onStatus?.(status);
    const warning = expiryWarning(status);
    const key = `${status.state}:${status.expiresAt ?? ''}`;
    if (warning && key !== said) {
      const fields = { credential: status.credential, source: status.source, state: status.state, expiresAt: status.expiresAt };
      if (status.state === 'expiring') logger.warn(fields, warning);
      else logger.error(fields, warning);
    }
    said = warning ? key : '';
    const now = new Set(status.refusedBy.map((r) => r.baseUrl));
    for (const r of status.refusedBy) {
      if (!refused.has(r.baseUrl)) {
        logger.error({ credential: status.credential, reason: 'credentials-refused', baseUrl: r.baseUrl, state: status.state, expiresAt: status.expiresAt }, 'federation token refused (401)');
      }
    }
    refused = now;
  };
  const run = () => void check().catch((error: unknown) => logger.warn({ err: { name: (error as Error).name } }, 'federation token check failed'));
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A `watchCredential` listener that keeps `tec_federation_token_expires_seconds{credential}` current. */
export function tokenExpiryGauge(metrics: Pick<Metrics, 'federationTokenExpiresSeconds'>): (status: CredentialStatus) => void {
  return (status) => {
    if (status.secondsLeft === undefined) metrics.federationTokenExpiresSeconds.remove({ credential: status.credential });
    else metrics.federationTokenExpiresSeconds.set({ credential: status.credential }, status.secondsLeft);
  };
}

/**
 * Log fields for a failed federation read: `reason: 'credentials-refused'` when the other node answered 401
 * (the fetch errors carry the status in their details, never the token).
 */
export function refusalReason(error: Error): { reason?: 'credentials-refused' } {
  const details = (error as { details?: Record<string, unknown> }).details;
  return details?.status === 401 ? { reason: 'credentials-refused' } : {};
}

const NATIONAL = '00';
/** The development issuer's own tokens: 15 minutes, renewed after 10 (well inside the one-hour maximum). */
const MINTED_TTL_SECONDS = 900;
const MINTED_RENEW_MS = 600_000;
