/**
 * Bearer tokens: JWTs signed with EdDSA (Ed25519), short-lived, carrying subject, role and province.
 * Verification uses configured issuer keys: a local development issuer (key file created on first use,
 * mode 0600) or an external issuer's JWKS in production.
 */
import { createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, createRemoteJWKSet, decodeJwt, exportJWK, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../domain/shared/errors.ts';
import { ROLES, type Principal, type Role } from './roles.ts';

export class UnauthenticatedError extends AppError {
  readonly category = 'unauthenticated' as const;
  readonly code = 'unauthenticated';
}

export class KeyFileError extends AppError {
  readonly category = 'internal' as const;
  readonly code = 'key-file';
}

/** Ed25519 private key from a 32-byte seed (PKCS#8 DER wrapping of RFC 8410). */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, Buffer.from(seed)]), format: 'der', type: 'pkcs8' });
}

/**
 * Reads a 32-byte Ed25519 seed stored as base64, creating it (mode 0600) when absent. A key file that group or
 * others can read is refused: a leaked seed lets anyone sign as this node.
 */
export function loadOrCreateSeedFile(path: string): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new KeyFileError(`Key file ${path} has mode ${mode.toString(8)}; it must not be readable by group or others (chmod 600)`);
  }
  const seed = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (seed.length !== 32) throw new KeyFileError(`Key file ${path} does not hold a base64 32-byte Ed25519 seed`);
  return new Uint8Array(seed);
}

export class IssuerKeyMissingError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'issuer-key-missing';
}

/**
 * Reads an existing seed file and never creates one: a tool minting tokens for a node must use the key that
 * node made, and a fresh key would mint tokens every node refuses.
 */
export function loadExistingSeedFile(path: string): Uint8Array {
  if (!existsSync(path)) {
    throw new IssuerKeyMissingError(
      `No issuer key at ${path}: start the node once with this DATA_DIR (it creates the key), or pass the node's --data-dir / DATA_DIR / ISSUER_KEY_FILE`,
    );
  }
  return loadOrCreateSeedFile(path);
}

export interface TokenClaims {
  subject: string;
  role: Role;
  province: string;
  ttlSeconds?: number;
}

export class DevIssuer {
  private readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(
    seed: Uint8Array,
    readonly issuer: string,
    readonly audience: string,
  ) {
    this.privateKey = privateKeyFromSeed(seed);
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = Buffer.from(this.publicKey.export({ format: 'der', type: 'spki' })).subarray(-32).toString('hex').slice(0, 16);
  }

  /** `now` in seconds since the epoch; tokens live 15 minutes by default. */
  async mint(claims: TokenClaims, nowSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
    return new SignJWT({ role: claims.role, province: claims.province })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.subject)
      .setJti(randomUUID())
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + (claims.ttlSeconds ?? 900))
      .sign(this.privateKey);
  }

  async jwks(): Promise<{ keys: object[] }> {
    return { keys: [{ ...(await exportJWK(this.publicKey)), kid: this.kid, alg: 'EdDSA', use: 'sig' }] };
  }
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Local issuer keys (development, tests). */
  keys?: KeyObject[];
  /**
   * Further issuers this node trusts, each with its own keys: the embedded OpenID Connect provider
   * (src/adapters/auth/oidc.ts) beside the development issuer. A token is checked against its own issuer's keys only.
   */
  issuers?: { issuer: string; keys: KeyObject[] }[];
  /** External issuer (production). */
  jwksUrl?: string;
  /** Longest lifetime accepted, seconds (default `MAX_TOKEN_TTL_SECONDS`). */
  maxTtlSeconds?: number;
  /** Tolerated clock difference between the issuer and this node, seconds (default `TOKEN_CLOCK_SKEW_SECONDS`). */
  clockSkewSeconds?: number;
}

/** Longest token lifetime accepted (and the most `tec token --ttl` mints). */
export const MAX_TOKEN_TTL_SECONDS = 3600;
/**
 * How far ahead of this node's clock a token's `iat` and `nbf` may be (the issuer's clock may run a little
 * fast). `exp` gets no grace: an expired token is refused the second it expires.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/** The 16-hex key id of an Ed25519 public key (what DevIssuer and the embedded provider put in `kid`). */
export function kidOf(key: KeyObject): string {
  return Buffer.from(key.export({ format: 'der', type: 'spki' })).subarray(-32).toString('hex').slice(0, 16);
}

/**
 * How long a verified token's principal is reused without checking its signature again (seconds). A client
 * such as the national mirror sends the same token with every request; the signature check is most of an
 * authenticated request's CPU. Short, so a key removed from the trusted set stops working within it; never past
 * the token's own `exp`.
 */
export const VERIFIED_TOKEN_REUSE_SECONDS = 60;
/** Verified tokens remembered at once (oldest forgotten first). */
const VERIFIED_TOKEN_CACHE_SIZE = 1024;

export class TokenVerifier {
  private readonly getKey: JWTVerifyGetKey | KeyObject;
  private readonly others = new Map<string, KeyObject[]>();
  /** Token → its principal and until when (epoch seconds) it is reused; only for checks against the real clock. */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  constructor(private readonly options: TokenVerifierOptions) {
    for (const extra of options.issuers ?? []) this.others.set(extra.issuer, extra.keys);
    if (options.jwksUrl) this.getKey = createRemoteJWKSet(new URL(options.jwksUrl));
    else if (options.keys?.[0] && options.keys.length === 1) this.getKey = options.keys[0];
    else if (options.keys && options.keys.length > 1) {
      const keys = options.keys;
      this.getKey = async (header) => {
        const kid = header.kid;
        const found = keys.find(
          (k) => kidOf(k) === kid,
        );
        if (!found) throw new UnauthenticatedError('Unknown token key');
        return found;
      };
    } else throw new Error('TokenVerifier needs keys or a JWKS URL');
  }

  /** Trusts one more issuer (the embedded provider, whose issuer URL is known once the node listens). */
  trustIssuer(issuer: string, keys: KeyObject[]): void {
    if (issuer === this.options.issuer) throw new Error('trustIssuer: that issuer is already the main one');
    this.others.set(issuer, keys);
    this.verified.clear();
  }

  async verify(token: string, nowSeconds?: number): Promise<Principal> {
    if (nowSeconds !== undefined) return this.verifyUncached(token, nowSeconds);
    const now = Math.floor(Date.now() / 1000);
    const hit = this.verified.get(token);
    if (hit && hit.until > now) return { ...hit.principal };
    if (hit) this.verified.delete(token);
    const principal = await this.verifyUncached(token, now);
    const exp = decodeJwt(token).exp!; // verified: present
    if (this.verified.size >= VERIFIED_TOKEN_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, until: Math.min(exp, now + VERIFIED_TOKEN_REUSE_SECONDS) });
    return { ...principal };
  }

  private async verifyUncached(token: string, nowSeconds: number): Promise<Principal> {
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new UnauthenticatedError('Invalid or expired bearer token');
    }
    const extra = iss !== undefined && iss !== this.options.issuer ? this.others.get(iss) : undefined;
    if (extra) {
      const getKey = async (header: { kid?: string }) => {
        const found = extra.find((k) => kidOf(k) === header.kid);
        if (!found) throw new UnauthenticatedError('Unknown token key');
        return found;
      };
      return this.check(token, getKey as unknown as KeyObject, iss!, nowSeconds);
    }
    return this.check(token, this.getKey as KeyObject, this.options.issuer, nowSeconds);
  }

  private async check(token: string, key: KeyObject, issuer: string, nowSeconds?: number): Promise<Principal> {
    const now = nowSeconds ?? Math.floor(Date.now() / 1000);
    const skew = this.options.clockSkewSeconds ?? TOKEN_CLOCK_SKEW_SECONDS;
    const maxTtl = this.options.maxTtlSeconds ?? MAX_TOKEN_TTL_SECONDS;
    try {
      // jose applies the skew to `nbf` (and would also to `exp`: the strict `exp` check follows below).
      const { payload } = await jwtVerify(token, key, {
        issuer,
        audience: this.options.audience,
        algorithms: ['EdDSA'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: skew,
        currentDate: new Date(now * 1000),
      });
      const role = payload.role;
      const province = payload.province;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) throw new UnauthenticatedError('Token has no valid role');
      if (typeof province !== 'string' || !/^\d{2}$/.test(province)) throw new UnauthenticatedError('Token has no valid province');
      const exp = payload.exp!;
      const iat = payload.iat!;
      if (exp <= now) throw new UnauthenticatedError('Token expired');
      if (iat > now + skew) throw new UnauthenticatedError('Token issued in the future');
      if (exp - iat > maxTtl) throw new UnauthenticatedError('Token lifetime exceeds the allowed maximum');
      if (exp > now + maxTtl + skew) throw new UnauthenticatedError('Token expires too far in the future');
      return { subject: payload.sub!, role: role as Role, province, tokenId: payload.jti };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      throw new UnauthenticatedError('Invalid or expired bearer token');
    }
  }
}
