/**
 * The citizen lookup's per-plate failure budget: a registration certificate number must not be guessable for a
 * known plate, whatever addresses the guesses come from.
 *
 * Every lookup of a plate takes one attempt from the plate's budget BEFORE the registry is asked (so a burst of
 * parallel guesses cannot all pass the check before the first failure is counted); a lookup whose certificate
 * matches gives the budget back in full. The first `freeFailures` attempts are free; from then on each failed
 * attempt locks the plate for `baseBackoffMs × 2^(failures − freeFailures)` (capped at `maxBackoffMs`), during
 * which every lookup of that plate is refused with 429 and Retry-After, without asking the registry. A plate's
 * failures are forgotten `decayMs` after the later of its last failure and the end of its lock.
 *
 * The budget does not know whether a plate exists: an unknown plate and a wrong certificate consume it alike.
 *
 * Where the state lives: in Redis when the node has `REDIS_URL` (shared by every API process of the node, one
 * atomic script per attempt), otherwise in this process (the embedded node runs one API process). Keys are
 * SHA-256 of the compact plate, never the plate itself.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { AppError } from '../../domain/shared/errors.ts';

export interface LookupBudgetPolicy {
  freeFailures: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  decayMs: number;
}

export const DEFAULT_LOOKUP_BUDGET: LookupBudgetPolicy = {
  freeFailures: 5,
  baseBackoffMs: 60_000,
  maxBackoffMs: 24 * 3600_000,
  decayMs: 24 * 3600_000,
};

/** The plate's budget is exhausted: retry after the lock ends. */
export class LookupBudgetExhaustedError extends AppError {
  readonly category = 'rate_limited' as const;
  readonly code = 'lookup-budget-exhausted';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed lookups for this vehicle; try again later', { retryAfterSeconds });
  }
}

/** The shared budget store (Redis) cannot be reached: refuse rather than let lookups run unbudgeted. */
export class LookupBudgetUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'lookup-budget-unavailable';
}

export type Attempt = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface LookupBudget {
  /** Takes one attempt for the plate at `nowMs`, or refuses while the plate is locked. */
  attempt(plateCompact: string, nowMs: number): Promise<Attempt>;
  /** The certificate matched: the plate's budget is restored. */
  succeeded(plateCompact: string): Promise<void>;
  close(): Promise<void>;
}

function keyOf(plateCompact: string): string {
  return createHash('sha256').update(`lookup-budget\0${plateCompact}`).digest('hex');
}

function lockFor(failures: number, policy: LookupBudgetPolicy): number {
  if (failures < policy.freeFailures) return 0;
  const exponent = Math.min(failures - policy.freeFailures, 40);
  return Math.min(policy.baseBackoffMs * 2 ** exponent, policy.maxBackoffMs);
}

const retryAfter = (lockedUntil: number, nowMs: number) => Math.max(1, Math.ceil((lockedUntil - nowMs) / 1000));

/** In-process budget (embedded node, one API process). */
export class InMemoryLookupBudget implements LookupBudget {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number; forgetAt: number }>();
  constructor(private readonly policy: LookupBudgetPolicy = DEFAULT_LOOKUP_BUDGET) {}

  async attempt(plateCompact: string, nowMs: number): Promise<Attempt> {
    this.sweep(nowMs);
    const key = keyOf(plateCompact);
    const entry = this.entries.get(key) ?? { failures: 0, lockedUntil: 0, forgetAt: 0 };
    if (nowMs < entry.lockedUntil) return { ok: false, retryAfterSeconds: retryAfter(entry.lockedUntil, nowMs) };
    const failures = entry.failures + 1;
    const lockedUntil = nowMs + lockFor(failures, this.policy);
    this.entries.set(key, { failures, lockedUntil, forgetAt: Math.max(nowMs, lockedUntil) + this.policy.decayMs });
    return { ok: true };
  }

  async succeeded(plateCompact: string): Promise<void> {
    this.entries.delete(keyOf(plateCompact));
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private sweep(nowMs: number): void {
    for (const [key, entry] of this.entries) if (entry.forgetAt <= nowMs) this.entries.delete(key);
  }
}

/**
 * One attempt, atomically: refuse while locked; otherwise count the failure in advance, set the lock it earns
 * and the entry's expiry. KEYS[1] = the hash; ARGV = now, freeFailures, baseBackoffMs, maxBackoffMs, decayMs.
 * Returns 0 when the attempt is allowed, else the milliseconds left of the lock.
 */
const ATTEMPT_SCRIPT = `
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local decay = tonumber(ARGV[5])
local locked = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil') or '0')
if now < locked then return locked - now end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local lock = 0
if failures >= free then
  local exponent = math.min(failures - free, 40)
  lock = math.min(base * math.pow(2, exponent), max)
end
local untilMs = now + lock
redis.call('HSET', KEYS[1], 'lockedUntil', string.format('%d', untilMs))
redis.call('PEXPIRE', KEYS[1], math.floor(math.max(untilMs - now, 0) + decay))
return 0
`;

/** Budget shared by every API process of a node through Redis. */
export class RedisLookupBudget implements LookupBudget {
  private readonly redis: Redis;
  constructor(
    redisUrl: string,
    private readonly policy: LookupBudgetPolicy = DEFAULT_LOOKUP_BUDGET,
    private readonly prefix = 'tec:lookup-budget:',
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    // Connection errors surface on the command that meets them; without a listener ioredis would throw.
    this.redis.on('error', () => undefined);
  }

  async attempt(plateCompact: string, nowMs: number): Promise<Attempt> {
    const p = this.policy;
    const reply = await this.redis
      .eval(
        ATTEMPT_SCRIPT,
        1,
        this.prefix + keyOf(plateCompact),
        String(Math.floor(nowMs)),
        String(p.freeFailures),
        String(p.baseBackoffMs),
        String(p.maxBackoffMs),
        String(p.decayMs),
      )
      .catch((error: unknown) => {
        throw new LookupBudgetUnavailableError('The lookup budget store is unavailable', undefined, { cause: error });
      });
    const left = Number(reply);
    return left > 0 ? { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)) } : { ok: true };
  }

  async succeeded(plateCompact: string): Promise<void> {
    await this.redis.del(this.prefix + keyOf(plateCompact)).catch((error: unknown) => {
      throw new LookupBudgetUnavailableError('The lookup budget store is unavailable', undefined, { cause: error });
    });
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
