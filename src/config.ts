/**
 * Configuration from the environment (and `--data-dir` for an embedded node). One place decides what runs
 * where: with no EVENTSTORE_URL / DATABASE_URL the node is embedded (PGlite in `<dataDir>/pg`, evidence in
 * `<dataDir>/evidence`, keys in `<dataDir>/keys`, jobs in-process) and needs no services.
 */
import type { TrustProxy } from './adapters/http/app.ts';
import { isIP } from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ValidationError } from './domain/shared/errors.ts';

export interface NodeConfig {
  /** Embedded when no external database is configured. */
  embedded: boolean;
  dataDir: string;
  /** Where PGlite keeps its files (embedded only). */
  pgliteDir: string;
  /** esdb://… or postgres://…; undefined = the embedded PGlite. */
  eventstoreUrl: string | undefined;
  /** Read models and the ledger; undefined = the embedded PGlite. */
  databaseUrl: string | undefined;
  /** BullMQ; undefined = in-process jobs. */
  redisUrl: string | undefined;
  evidenceDir: string;
  maxEvidenceBytes: number;
  /** Encrypt evidence at rest (EVIDENCE_ENCRYPTION, default on). */
  evidenceEncryption: boolean;
  /** The evidence key-encryption key file (never inside `evidenceDir`). */
  evidenceKekFile: string;
  ledgerKeyFile: string;
  ledgerOrigin: string;
  /** Development JWT issuer key (Ed25519 seed file); production uses JWKS from `jwksUrl`. */
  issuerKeyFile: string;
  jwtIssuer: string;
  jwtAudience: string;
  jwksUrl: string | undefined;
  /**
   * The embedded OpenID Connect provider (src/adapters/auth/oidc.ts): on by default when no external issuer
   * (JWKS_URL) is configured; `OIDC=off` turns it off. Its issuer is `<node URL>/oidc` unless OIDC_ISSUER says.
   */
  oidc: boolean;
  oidcIssuer: string | undefined;
  /** Its Ed25519 signing key (seed file, created 0600) and the sign-in accounts file (0600). */
  oidcKeyFile: string;
  accountsFile: string;
  /** The national vehicle registry's HTTP endpoint; undefined = the in-process stand-in (development). */
  registryUrl: string | undefined;
  /** HTTP notification gateway (VNeTraffic-style); SMTP relay as smtp://user:pass@host:port; sender address. */
  noticeGatewayUrl: string | undefined;
  smtpUrl: string | undefined;
  noticeFrom: string;
  port: number;
  host: string;
  /** Which proxies' X-Forwarded-For to believe (express `trust proxy`); false = none, the socket address counts. */
  trustProxy: TrustProxy;
  /** Requests per minute per client address on /v1 (RATE_LIMIT_PER_MINUTE; default 6000), counted per API process. */
  rateLimitPerMinute?: number | undefined;
  logLevel: string;
  /** How often the worker role runs the retention job (RETENTION_INTERVAL_HOURS; 0 = never); default 24 h. */
  retentionIntervalMs?: number;
  /**
   * How often the worker role runs the procedure schedule (`OwnerUnresponsive` 20 days after the notice;
   * PROCEDURE_INTERVAL_MINUTES; 0 = never); default 60 min.
   */
  procedureIntervalMs?: number;
  /** Dated retention policies (RETENTION_POLICIES_FILE); undefined = the labelled defaults. */
  retentionPoliciesFile?: string | undefined;
  /** The citizen portal: each province's handling unit phone (HANDLING_UNIT_PHONES, `01=024 3942 4300;79=…`). */
  handlingUnitPhones?: Readonly<Record<string, string>>;
  /**
   * Each province's handling unit's appointment on notices (HANDLING_UNIT_APPOINTMENTS, `01=5@08:00;79=…`: the
   * owner comes on the n-th working day after the notice at the unit's opening time); unset: 5 working days, 08:00.
   */
  handlingUnitAppointments?: Readonly<Record<string, { workingDaysAfterNotice: number; opensAt: string }>>;
  /** The node's public address, linked from notices into the citizen portal (PORTAL_URL). */
  portalUrl?: string | undefined;
  /**
   * Federation tier (docs/federation.md): `national` runs the witness and the provincial log registry;
   * `province` accepts records only for `provinces` and submits its checkpoints to the witness at `witnessUrl`.
   * Undefined (the default, embedded included): a single node serving every province, no witnessing.
   */
  tier: 'national' | 'province' | undefined;
  /** The provinces a `province` node serves (two-digit codes); undefined = all. */
  provinces: string[] | undefined;
  /** Province: the witness submission prefix (`…/witness`) and its verifier key (type 0x04). */
  witnessUrl: string | undefined;
  witnessKey: string | undefined;
  /** National: the witness's Ed25519 key file (created 0600 on first start) and key name. */
  witnessKeyFile: string;
  /** The citizen portal's grant key (32 bytes, created 0600 on first start; shared by the node's API processes). */
  citizenGrantKeyFile: string;
  /** The payment gateway's callback secret (HMAC-SHA256; created 0600 on first start for the stand-in bank). */
  paymentGatewaySecretFile: string;
  witnessName: string;
  /**
   * National: the bearer token the mirror reads `/log/records` with (a national-scope auditor token with
   * subject `national-mirror` that the provinces accept). Unset: minted by the node's development issuer.
   */
  mirrorToken: string | undefined;
  /**
   * Province: the bearer token the handover receiver reads the national relay and the sending nodes' bundles
   * with, per province served (role `auditor` of that province or national, subject `federation-relay`, issued
   * by the identity provider the other nodes trust). Unset: minted by the node's development issuer; required
   * with an external issuer (`JWKS_URL`), which this node cannot mint for.
   */
  handoverTokens: Record<string, string> | undefined;
  /**
   * National: a file holding the mirror's token (MIRROR_TOKEN_FILE), re-read when it changes, so a credential
   * agent that writes a fresh token there rotates it without a restart (docs/federation.md "Credential rotation").
   */
  mirrorTokenFile: string | undefined;
  /** Province: a file holding what HANDOVER_TOKEN would (HANDOVER_TOKEN_FILE), re-read when it changes. */
  handoverTokenFile: string | undefined;
  /** Warn when a federation token expires within this many seconds (FEDERATION_TOKEN_WARN_SECONDS, default 300). */
  federationTokenWarnSeconds: number;
  /** National: milliseconds between mirror rounds (default 500). */
  mirrorPollMs: number;
  /**
   * The agencies' warning endpoints (AGENCY_WARNING_URL_REGISTRATION / _INSPECTION / _COMMUNE_POLICE, all three or
   * none), the bearer token file and/or HMAC secret file, and the request timeout. Undefined: the in-process
   * stand-in (src/adapters/notify/stand-in-agency-warnings.ts). docs/legal-procedure.md.
   */
  agencyWarnings?: AgencyWarningsConfig | undefined;
  /** National: a province whose newest cosigned checkpoint (or mirror) is older than this is stale (alarm). */
  federationStaleSeconds: number;
}

export interface AgencyWarningsConfig {
  endpoints: { registration: string; inspection: string; 'commune-police': string };
  tokenFile: string | undefined;
  secretFile: string | undefined;
  timeoutMs: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An agency endpoint: https, or http only on the loopback (a bearer token must not cross a network in clear). */
function agencyEndpoint(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`Invalid configuration: ${name} must be a URL`);
  }
  if (url.username || url.password) throw new ValidationError(`Invalid configuration: ${name} must not carry credentials (use AGENCY_WARNING_TOKEN_FILE)`);
  if (url.protocol === 'https:') return url.toString();
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url.toString();
  throw new ValidationError(`Invalid configuration: ${name} must be https (http only on the loopback)`);
}

function agencyWarningsConfig(e: z.infer<typeof envSchema>): AgencyWarningsConfig | undefined {
  const urls = {
    registration: e.AGENCY_WARNING_URL_REGISTRATION,
    inspection: e.AGENCY_WARNING_URL_INSPECTION,
    'commune-police': e.AGENCY_WARNING_URL_COMMUNE_POLICE,
  };
  const set = Object.values(urls).filter((u) => u !== undefined).length;
  const credentials = e.AGENCY_WARNING_TOKEN_FILE !== undefined || e.AGENCY_WARNING_SECRET_FILE !== undefined;
  if (set === 0) {
    if (credentials || e.AGENCY_WARNING_TIMEOUT_MS !== undefined) {
      throw new ValidationError('Invalid configuration: AGENCY_WARNING_TOKEN_FILE, _SECRET_FILE and _TIMEOUT_MS need the AGENCY_WARNING_URL_* endpoints');
    }
    return undefined;
  }
  if (set !== 3) {
    // A partial set would leave some agencies' warnings undeliverable until someone noticed.
    throw new ValidationError('Invalid configuration: set all of AGENCY_WARNING_URL_REGISTRATION, AGENCY_WARNING_URL_INSPECTION, AGENCY_WARNING_URL_COMMUNE_POLICE, or none');
  }
  if (!credentials) {
    throw new ValidationError('Invalid configuration: the agency endpoints need AGENCY_WARNING_TOKEN_FILE (bearer) or AGENCY_WARNING_SECRET_FILE (HMAC signature), or both');
  }
  return {
    endpoints: {
      registration: agencyEndpoint('AGENCY_WARNING_URL_REGISTRATION', urls.registration!),
      inspection: agencyEndpoint('AGENCY_WARNING_URL_INSPECTION', urls.inspection!),
      'commune-police': agencyEndpoint('AGENCY_WARNING_URL_COMMUNE_POLICE', urls['commune-police']!),
    },
    tokenFile: e.AGENCY_WARNING_TOKEN_FILE !== undefined ? resolve(e.AGENCY_WARNING_TOKEN_FILE) : undefined,
    secretFile: e.AGENCY_WARNING_SECRET_FILE !== undefined ? resolve(e.AGENCY_WARNING_SECRET_FILE) : undefined,
    timeoutMs: e.AGENCY_WARNING_TIMEOUT_MS ?? 10_000,
  };
}

/** `false` (trust no proxy), a hop count, or addresses / CIDR ranges / `loopback`, `linklocal`, `uniquelocal`. */
export type { TrustProxy };

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: unset, empty, `false`, `off` or `0` = trust no proxy (the default); a whole number 1–10 = the
 * number of proxy hops in front of the node; otherwise a comma-separated list of proxy addresses, CIDR ranges
 * or express's named ranges. `true` (believe any X-Forwarded-For) is refused: any client could pick its address.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? '').trim().toLowerCase();
  if (value === '' || value === 'false' || value === 'off' || value === '0') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= 10) return hops;
    throw new ValidationError('Invalid configuration: TRUST_PROXY hop count must be between 1 and 10');
  }
  if (value === 'true') {
    throw new ValidationError('Invalid configuration: TRUST_PROXY=true would believe any client; name the proxies or a hop count');
  }
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => !isAddressOrRange(e))) {
    throw new ValidationError('Invalid configuration: TRUST_PROXY must be false, a hop count, or addresses, CIDR ranges, loopback, linklocal, uniquelocal');
  }
  return entries;
}

const envSchema = z.object({
  DATA_DIR: z.string().optional(),
  EVENTSTORE_URL: z
    .string()
    .regex(/^(esdb|esdb\+discover|postgres|postgresql):\/\//, 'EVENTSTORE_URL must start with esdb:// or postgres://')
    .optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL').optional(),
  EVIDENCE_DIR: z.string().optional(),
  MAX_EVIDENCE_BYTES: z.coerce.number().int().positive().optional(),
  EVIDENCE_ENCRYPTION: z.enum(['on', 'off']).optional(),
  EVIDENCE_KEK_FILE: z.string().min(1).optional(),
  LEDGER_KEY_FILE: z.string().optional(),
  LEDGER_ORIGIN: z.string().min(1).optional(),
  ISSUER_KEY_FILE: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWKS_URL: z.string().url().optional(),
  OIDC: z.enum(['on', 'off']).optional(),
  OIDC_ISSUER: z.string().url().regex(/^https?:\/\/[^?#]*[^/?#]$/, 'OIDC_ISSUER must be an http(s) URL without a trailing slash').optional(),
  OIDC_KEY_FILE: z.string().min(1).optional(),
  ACCOUNTS_FILE: z.string().min(1).optional(),
  CITIZEN_GRANT_KEY_FILE: z.string().min(1).optional(),
  PAYMENT_GATEWAY_SECRET_FILE: z.string().min(1).optional(),
  REGISTRY_URL: z.string().url().optional(),
  NOTICE_GATEWAY_URL: z.string().url().optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must be smtp:// or smtps://').optional(),
  NOTICE_FROM: z.string().email().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().optional(),
  TRUST_PROXY: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  TIER: z.enum(['national', 'province']).optional(),
  PROVINCES: z
    .string()
    .regex(/^\d{2}(,\d{2})*$/, 'PROVINCES must be comma-separated two-digit province codes')
    .optional(),
  WITNESS_URL: z.string().url().regex(/^https?:\/\//, 'WITNESS_URL must be http(s)').optional(),
  WITNESS_KEY: z.string().min(1).optional(),
  WITNESS_KEY_FILE: z.string().min(1).optional(),
  MIRROR_TOKEN: z.string().min(1).optional(),
  HANDOVER_TOKEN: z.string().regex(/^\S+$/, 'HANDOVER_TOKEN must be a token, or `01=<token>;79=<token>`').optional(),
  MIRROR_TOKEN_FILE: z.string().min(1).optional(),
  HANDOVER_TOKEN_FILE: z.string().min(1).optional(),
  FEDERATION_TOKEN_WARN_SECONDS: z.coerce.number().int().min(0).max(86_400 * 30).optional(),
  MIRROR_POLL_MS: z.coerce.number().int().min(10).max(600_000).optional(),
  FEDERATION_STALE_SECONDS: z.coerce.number().int().min(1).max(86_400 * 30).optional(),
  WITNESS_NAME: z.string().regex(/^[^\s+]{1,256}$/, 'WITNESS_NAME must be a note key name').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  RETENTION_INTERVAL_HOURS: z.coerce.number().min(0).max(24 * 366).optional(),
  RETENTION_POLICIES_FILE: z.string().min(1).optional(),
  PROCEDURE_INTERVAL_MINUTES: z.coerce.number().min(0).max(24 * 60).optional(),
  AGENCY_WARNING_URL_REGISTRATION: z.string().min(1).optional(),
  AGENCY_WARNING_URL_INSPECTION: z.string().min(1).optional(),
  AGENCY_WARNING_URL_COMMUNE_POLICE: z.string().min(1).optional(),
  AGENCY_WARNING_TOKEN_FILE: z.string().min(1).optional(),
  AGENCY_WARNING_SECRET_FILE: z.string().min(1).optional(),
  AGENCY_WARNING_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).optional(),
  PORTAL_URL: z.string().url().regex(/^https?:\/\//, 'PORTAL_URL must be http(s)').optional(),
  HANDLING_UNIT_PHONES: z
    .string()
    .regex(/^\d{2}=[0-9 +().-]{3,32}(;\d{2}=[0-9 +().-]{3,32})*$/, 'HANDLING_UNIT_PHONES must be `01=024 3942 4300;79=…`')
    .optional(),
  HANDLING_UNIT_APPOINTMENTS: z
    .string()
    .regex(
      /^\d{2}=[1-7]@([01]\d|2[0-3]):[0-5]\d(;\d{2}=[1-7]@([01]\d|2[0-3]):[0-5]\d)*$/,
      'HANDLING_UNIT_APPOINTMENTS must be `01=5@08:00;79=3@07:30` (1 to 7 working days after the notice, @ HH:MM)',
    )
    .optional(),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: { dataDir?: string } = {}): NodeConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ValidationError(`Invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  const dataDir = resolve(overrides.dataDir ?? e.DATA_DIR ?? './data');
  const embedded = overrides.dataDir !== undefined || (!e.DATABASE_URL && !e.EVENTSTORE_URL);
  const evidenceDir = resolve(e.EVIDENCE_DIR ?? join(dataDir, 'evidence'));
  const evidenceKekFile = resolve(e.EVIDENCE_KEK_FILE ?? join(dataDir, 'keys', 'evidence-kek.key'));
  const fromEvidence = relative(evidenceDir, evidenceKekFile);
  if (fromEvidence === '' || (!fromEvidence.startsWith('..') && !isAbsolute(fromEvidence))) {
    throw new ValidationError('Invalid configuration: EVIDENCE_KEK_FILE must be outside EVIDENCE_DIR (a copy of the evidence must not carry its key)');
  }
  if (e.TIER === 'province' && !e.PROVINCES) {
    throw new ValidationError('Invalid configuration: a provincial node (TIER=province) must name PROVINCES');
  }
  if (e.TIER !== 'province' && e.PROVINCES) {
    throw new ValidationError('Invalid configuration: PROVINCES is for TIER=province only');
  }
  if (e.PROVINCES?.split(',').includes('00')) {
    throw new ValidationError('Invalid configuration: PROVINCES names provinces, not "00"');
  }
  if ((e.WITNESS_URL === undefined) !== (e.WITNESS_KEY === undefined)) {
    throw new ValidationError('Invalid configuration: WITNESS_URL and WITNESS_KEY go together');
  }
  if (e.WITNESS_URL && e.TIER !== 'province') {
    throw new ValidationError('Invalid configuration: WITNESS_URL is for TIER=province only');
  }
  const handoverTokens = parseHandoverTokens(e.HANDOVER_TOKEN, e.PROVINCES);
  if (e.HANDOVER_TOKEN !== undefined && e.HANDOVER_TOKEN_FILE !== undefined) {
    throw new ValidationError('Invalid configuration: set HANDOVER_TOKEN or HANDOVER_TOKEN_FILE, not both');
  }
  if (e.MIRROR_TOKEN !== undefined && e.MIRROR_TOKEN_FILE !== undefined) {
    throw new ValidationError('Invalid configuration: set MIRROR_TOKEN or MIRROR_TOKEN_FILE, not both');
  }
  if ((e.MIRROR_TOKEN !== undefined || e.MIRROR_TOKEN_FILE !== undefined) && e.TIER !== 'national') {
    throw new ValidationError('Invalid configuration: MIRROR_TOKEN and MIRROR_TOKEN_FILE are for TIER=national (the mirror reads the provinces)');
  }
  const handoverConfigured = handoverTokens !== undefined || e.HANDOVER_TOKEN_FILE !== undefined;
  if (handoverConfigured && !(e.TIER === 'province' && e.WITNESS_URL)) {
    throw new ValidationError(
      'Invalid configuration: HANDOVER_TOKEN and HANDOVER_TOKEN_FILE are for a provincial node with WITNESS_URL (it receives handed-over cases)',
    );
  }
  if (e.TIER === 'province' && e.WITNESS_URL && e.JWKS_URL && !handoverConfigured) {
    throw new ValidationError(
      'Invalid configuration: with an external issuer (JWKS_URL) a provincial node with WITNESS_URL needs HANDOVER_TOKEN or HANDOVER_TOKEN_FILE, the token its handover receiver reads the relay and the sending nodes with',
    );
  }
  return {
    embedded,
    dataDir,
    pgliteDir: join(dataDir, 'pg'),
    eventstoreUrl: embedded && overrides.dataDir !== undefined ? undefined : e.EVENTSTORE_URL,
    databaseUrl: embedded && overrides.dataDir !== undefined ? undefined : e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    evidenceDir,
    maxEvidenceBytes: e.MAX_EVIDENCE_BYTES ?? 20 * 1024 * 1024,
    evidenceEncryption: (e.EVIDENCE_ENCRYPTION ?? 'on') === 'on',
    evidenceKekFile,
    ledgerKeyFile: resolve(e.LEDGER_KEY_FILE ?? join(dataDir, 'keys', 'ledger.key')),
    ledgerOrigin: e.LEDGER_ORIGIN ?? 'vn-traffic-evidence/dev-node',
    issuerKeyFile: resolve(e.ISSUER_KEY_FILE ?? join(dataDir, 'keys', 'issuer.key')),
    jwtIssuer: e.JWT_ISSUER ?? 'tec-dev-issuer',
    jwtAudience: e.JWT_AUDIENCE ?? 'tec-api',
    jwksUrl: e.JWKS_URL,
    oidc: e.JWKS_URL === undefined && (e.OIDC ?? 'on') === 'on',
    oidcIssuer: e.OIDC_ISSUER,
    oidcKeyFile: resolve(e.OIDC_KEY_FILE ?? join(dataDir, 'keys', 'oidc.key')),
    accountsFile: resolve(e.ACCOUNTS_FILE ?? join(dataDir, 'keys', 'accounts.json')),
    citizenGrantKeyFile: resolve(e.CITIZEN_GRANT_KEY_FILE ?? join(dataDir, 'keys', 'citizen-grant.key')),
    paymentGatewaySecretFile: resolve(e.PAYMENT_GATEWAY_SECRET_FILE ?? join(dataDir, 'keys', 'payment-gateway.secret')),
    registryUrl: e.REGISTRY_URL,
    noticeGatewayUrl: e.NOTICE_GATEWAY_URL,
    smtpUrl: e.SMTP_URL,
    noticeFrom: e.NOTICE_FROM ?? 'thong-bao@csgt.invalid',
    port: e.PORT ?? 8080,
    host: e.HOST ?? '127.0.0.1',
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    logLevel: e.LOG_LEVEL ?? 'info',
    retentionIntervalMs: Math.round((e.RETENTION_INTERVAL_HOURS ?? 24) * 3_600_000),
    retentionPoliciesFile: e.RETENTION_POLICIES_FILE,
    procedureIntervalMs: Math.round((e.PROCEDURE_INTERVAL_MINUTES ?? 60) * 60_000),
    portalUrl: e.PORTAL_URL,
    handlingUnitPhones: Object.fromEntries((e.HANDLING_UNIT_PHONES ?? '').split(';').filter(Boolean).map((p) => [p.slice(0, 2), p.slice(3).trim()])),
    handlingUnitAppointments: Object.fromEntries(
      (e.HANDLING_UNIT_APPOINTMENTS ?? '')
        .split(';')
        .filter(Boolean)
        .map((p) => [p.slice(0, 2), { workingDaysAfterNotice: Number(p.slice(3, 4)), opensAt: p.slice(5) }]),
    ),
    tier: e.TIER,
    provinces: e.PROVINCES ? [...new Set(e.PROVINCES.split(','))] : undefined,
    witnessUrl: e.WITNESS_URL,
    witnessKey: e.WITNESS_KEY,
    witnessKeyFile: resolve(e.WITNESS_KEY_FILE ?? join(dataDir, 'keys', 'witness.key')),
    witnessName: e.WITNESS_NAME ?? 'vn-traffic/national-witness',
    mirrorToken: e.MIRROR_TOKEN,
    handoverTokens,
    mirrorTokenFile: e.MIRROR_TOKEN_FILE !== undefined ? resolve(e.MIRROR_TOKEN_FILE) : undefined,
    handoverTokenFile: e.HANDOVER_TOKEN_FILE !== undefined ? resolve(e.HANDOVER_TOKEN_FILE) : undefined,
    federationTokenWarnSeconds: e.FEDERATION_TOKEN_WARN_SECONDS ?? 300,
    mirrorPollMs: e.MIRROR_POLL_MS ?? 500,
    agencyWarnings: agencyWarningsConfig(e),
    federationStaleSeconds: e.FEDERATION_STALE_SECONDS ?? 300,
  };
}

/**
 * `HANDOVER_TOKEN`: one token for every province the node serves, or `PP=<token>` pairs joined by `;`, one
 * for each of them (and for no other province).
 */
export function parseHandoverTokens(value: string | undefined, provinces: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const served = [...new Set((provinces ?? '').split(',').filter(Boolean))];
  if (!/^\d{2}=/.test(value)) return Object.fromEntries(served.map((p) => [p, value]));
  const tokens: Record<string, string> = {};
  for (const pair of value.split(';')) {
    const match = /^(\d{2})=(\S+)$/.exec(pair);
    if (!match) throw new ValidationError('Invalid configuration: HANDOVER_TOKEN pairs are `01=<token>;79=<token>`');
    const [, province, token] = match as unknown as [string, string, string];
    if (Object.hasOwn(tokens, province)) throw new ValidationError(`Invalid configuration: HANDOVER_TOKEN names province ${province} twice`);
    if (!served.includes(province)) throw new ValidationError(`Invalid configuration: HANDOVER_TOKEN names province ${province}, which PROVINCES does not serve`);
    tokens[province] = token;
  }
  const missing = served.filter((p) => !Object.hasOwn(tokens, p));
  if (missing.length > 0) throw new ValidationError(`Invalid configuration: HANDOVER_TOKEN has no token for province ${missing.join(', ')}`);
  return tokens;
}
