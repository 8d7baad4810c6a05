/**
 * Sign-in accounts of the embedded OpenID Connect provider: who may sign in, with which role and province,
 * a password (scrypt hash) and a TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s).
 *
 * One JSON file per node, mode 0600 (`<dataDir>/keys/accounts.json`). The TOTP secret must be readable to check a
 * code, so the file itself is the secret: like a key file, one that group or others can read is refused.
 *
 * Refusals: a wrong password and a wrong code count as failures; after `maxFailures` in a row the account is
 * locked for `lockMs`. A code is accepted once: a code of a time step at or before the last accepted one is a
 * replay. Failures, locks and used steps are kept in this process (one API process per embedded node).
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import { AppError } from '../../domain/shared/errors.ts';
import { ROLES, type Role } from './roles.ts';
import { KeyFileError } from './tokens.ts';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number },
) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };
const TOTP_PERIOD = 30;

export interface Account {
  /** The subject of the tokens (officer id, auditor id, …). */
  id: string;
  role: Role;
  province: string;
  /** `scrypt$N$r$p$<salt b64>$<hash b64>`. */
  passwordHash: string;
  /** Base32 TOTP secret. */
  totpSecret: string;
}

export class SignInRefusedError extends AppError {
  readonly category = 'unauthenticated' as const;
  constructor(
    readonly code: 'bad-credentials' | 'bad-totp' | 'totp-replayed',
    message: string,
  ) {
    super(message);
  }
}

export class AccountLockedError extends AppError {
  readonly category = 'rate_limited' as const;
  readonly code = 'account-locked';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many failed sign-in attempts; try again in ${retryAfterSeconds} s`);
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

export function totpFor(account: Pick<Account, 'id' | 'totpSecret'>): TOTP {
  return new TOTP({
    issuer: 'CSGT',
    label: account.id,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(account.totpSecret),
  });
}

/** A new random password (about 80 bits, readable: no 0/O, 1/l). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(14);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export interface AccountStoreOptions {
  file: string;
  maxFailures?: number;
  lockMs?: number;
  now?: () => number;
}

interface Attempts {
  failures: number;
  lockedUntil: number;
  lastStep: number;
}

export class AccountStore {
  readonly maxFailures: number;
  readonly lockMs: number;
  private readonly now: () => number;
  private readonly attempts = new Map<string, Attempts>();

  constructor(private readonly options: AccountStoreOptions) {
    this.maxFailures = options.maxFailures ?? 5;
    this.lockMs = options.lockMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Every account; the file is read on each call, so accounts added by another command are seen at once. */
  list(): Account[] {
    const { file } = this.options;
    if (!existsSync(file)) return [];
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0)
      throw new KeyFileError(
        `Accounts file ${file} has mode ${mode.toString(8)}; it must not be readable by group or others (chmod 600)`,
      );
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { accounts?: Account[] };
    return parsed.accounts ?? [];
  }

  find(id: string): Account | undefined {
    return this.list().find((a) => a.id === id);
  }

  /** Adds (or replaces) an account with a fresh password and TOTP secret; returns both, once. */
  async add(id: string, role: Role, province: string): Promise<{ account: Account; password: string }> {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(id))
      throw new SignInRefusedError('bad-credentials', 'Invalid account id');
    if (!(ROLES as readonly string[]).includes(role))
      throw new SignInRefusedError('bad-credentials', 'Invalid role');
    if (!/^\d{2}$/.test(province)) throw new SignInRefusedError('bad-credentials', 'Invalid province');
    const password = generatePassword();
    const account: Account = {
      id,
      role,
      province,
      passwordHash: await hashPassword(password),
      totpSecret: generateTotpSecret(),
    };
    const accounts = [...this.list().filter((a) => a.id !== id), account];
    this.write(accounts);
    return { account, password };
  }

  private write(accounts: Account[]): void {
    const { file } = this.options;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ accounts }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }

  private state(id: string): Attempts {
    let s = this.attempts.get(id);
    if (!s) {
      s = { failures: 0, lockedUntil: 0, lastStep: -1 };
      this.attempts.set(id, s);
    }
    return s;
  }

  private assertNotLocked(id: string): void {
    const s = this.state(id);
    const left = s.lockedUntil - this.now();
    if (left > 0) throw new AccountLockedError(Math.ceil(left / 1000));
  }

  private fail(id: string, error: SignInRefusedError): never {
    const s = this.state(id);
    s.failures += 1;
    if (s.failures >= this.maxFailures) {
      s.failures = 0;
      s.lockedUntil = this.now() + this.lockMs;
      throw new AccountLockedError(Math.ceil(this.lockMs / 1000));
    }
    throw error;
  }

  /**
   * First factor. An unknown account fails exactly like a wrong password (and costs the same scrypt), so the
   * answer does not tell which accounts exist.
   */
  async checkPassword(id: string, password: string): Promise<Account> {
    this.assertNotLocked(id);
    const account = this.find(id);
    const ok = await passwordMatches(password, account?.passwordHash ?? (await hashPassword('x')));
    if (!account || !ok)
      this.fail(id, new SignInRefusedError('bad-credentials', 'Wrong account or password'));
    return account;
  }

  /** Second factor: one period either side is accepted; a code is accepted once. */
  checkTotp(id: string, code: string): Account {
    this.assertNotLocked(id);
    const account = this.find(id);
    if (!account) this.fail(id, new SignInRefusedError('bad-credentials', 'Wrong account or password'));
    const now = this.now();
    const delta = /^\d{6}$/.test(code)
      ? totpFor(account).validate({ token: code, timestamp: now, window: 1 })
      : null;
    if (delta === null) this.fail(id, new SignInRefusedError('bad-totp', 'Wrong one-time code'));
    const step = Math.floor(now / 1000 / TOTP_PERIOD) + delta;
    const s = this.state(id);
    if (step <= s.lastStep)
      this.fail(id, new SignInRefusedError('totp-replayed', 'This one-time code was already used'));
    s.lastStep = step;
    s.failures = 0;
    return account;
  }
}

/** Demo sign-in credentials, kept beside the demo key files (mode 0600) so the start-up block can print them. */
export interface DemoCredential {
  id: string;
  role: Role;
  province: string;
  password: string;
  totpSecret: string;
}

export function readDemoCredentials(file: string): DemoCredential[] {
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { accounts: DemoCredential[] }).accounts;
}

/** The demo's accounts: its officers (demo/index.ts) and one of each other role. */
export const DEMO_ACCOUNTS: readonly { id: string; role: Role; province: string }[] = [
  { id: 'officer-01-reviewer', role: 'officer', province: '01' },
  { id: 'officer-79-reviewer', role: 'officer', province: '79' },
  { id: 'officer-01-director', role: 'supervisor', province: '01' },
  { id: 'officer-79-director', role: 'supervisor', province: '79' },
  { id: 'officer-00-c08', role: 'supervisor', province: '00' },
  { id: 'court-01', role: 'court', province: '01' },
  { id: 'auditor-00', role: 'auditor', province: '00' },
  { id: 'analyst-00', role: 'analyst', province: '00' },
];

/**
 * Creates the demo accounts when the accounts file has none of them, and writes their passwords and TOTP
 * secrets to `credentialsFile` (0600). Later starts reuse both.
 */
export async function ensureDemoAccounts(
  store: AccountStore,
  credentialsFile: string,
): Promise<DemoCredential[]> {
  const existing = readDemoCredentials(credentialsFile);
  if (existing.length > 0 && existing.every((c) => store.find(c.id))) return existing;
  const created: DemoCredential[] = [];
  for (const spec of DEMO_ACCOUNTS) {
    const { account, password } = await store.add(spec.id, spec.role, spec.province);
    created.push({ ...spec, password, totpSecret: account.totpSecret });
  }
  mkdirSync(dirname(credentialsFile), { recursive: true, mode: 0o700 });
  writeFileSync(credentialsFile, `${JSON.stringify({ accounts: created }, null, 2)}\n`, { mode: 0o600 });
  return created;
}
