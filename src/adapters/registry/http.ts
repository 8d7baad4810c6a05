/**
 * `HttpVehicleRegistry`: the registry port over HTTP (JSON). Contract, served by the stand-in:
 *   GET {base}/v1/vehicles/{compact plate}  → 200 RegisteredVehicle | 404
 *   GET {base}/v1/owners/{ref}              → 200 OwnerContact | 404
 * Each request times out (default 3 s) and is retried on network errors, timeouts and 5xx with exponential
 * backoff (default 3 tries); 404 is an answer ("not registered"), never retried. Bodies are size-limited and
 * validated: a malformed answer is RegistryResponseError, not a crash and not a guessed owner.
 */
import { z } from 'zod';
import { normalizePlate } from '../../domain/plates/index.ts';
import { readCappedText } from '../http/capped-body.ts';
import { RegistryResponseError, RegistryUnavailableError, type OwnerContact, type RegisteredVehicle, type VehicleRegistry } from '../../ports/registry.ts';

export interface HttpRegistryOptions {
  baseUrl: string;
  name?: string;
  timeoutMs?: number;
  tries?: number;
  backoffMs?: number;
  /** Sent as `Authorization: Bearer …` (a service credential); never logged. */
  token?: string;
}

const MAX_BODY = 64 * 1024;
const COMPACT = /^[0-9A-ZĐ]{4,12}$/u;
const REF = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const OwnerSchema = z.object({
  ref: z.string().regex(REF),
  kind: z.enum(['individual', 'organisation']),
  name: z.string().min(1).max(200),
  address: z.string().min(1).max(500),
  email: z.string().max(254).optional(),
  phone: z.string().max(20).optional(),
  residenceProvince: z.string().regex(/^\d{2}$/).optional(),
});
const VehicleSchema = z.object({
  plate: z.string().regex(COMPACT),
  registrationNumber: z.string().regex(REF),
  vehicleClass: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  owner: OwnerSchema,
});

export class HttpVehicleRegistry implements VehicleRegistry {
  readonly name: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly backoffMs: number;

  constructor(private readonly options: HttpRegistryOptions) {
    this.name = options.name ?? 'vn-vehicle-registry';
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.tries = Math.max(1, options.tries ?? 3);
    this.backoffMs = options.backoffMs ?? 200;
  }

  async lookupPlate(plate: string): Promise<RegisteredVehicle | undefined> {
    const key = compactPlate(plate);
    if (key === undefined) return undefined;
    const body = await this.get(`/v1/vehicles/${encodeURIComponent(key)}`);
    if (body === undefined) return undefined;
    const parsed = VehicleSchema.safeParse(body);
    if (!parsed.success) throw new RegistryResponseError('The registry sent a malformed vehicle');
    return parsed.data as RegisteredVehicle;
  }

  async ownerContact(ref: string): Promise<OwnerContact | undefined> {
    if (!REF.test(ref)) return undefined;
    const body = await this.get(`/v1/owners/${encodeURIComponent(ref)}`);
    if (body === undefined) return undefined;
    const parsed = OwnerSchema.safeParse(body);
    if (!parsed.success) throw new RegistryResponseError('The registry sent a malformed owner');
    return parsed.data as OwnerContact;
  }

  /** The parsed JSON body, or undefined on 404. */
  private async get(path: string): Promise<unknown> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.tries; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 2)));
      try {
        const response = await fetch(`${this.base}${path}`, {
          headers: { accept: 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status === 404) {
          await response.body?.cancel();
          return undefined;
        }
        if (response.status >= 500) {
          await response.body?.cancel();
          last = new RegistryUnavailableError(`The registry answered ${response.status}`);
          continue;
        }
        if (response.status !== 200) {
          await response.body?.cancel();
          throw new RegistryResponseError(`The registry answered ${response.status}`);
        }
        const text = await readCappedText(response, MAX_BODY);
        if (text === null) throw new RegistryResponseError('The registry answer is too large');
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new RegistryResponseError('The registry sent a body that is not JSON');
        }
      } catch (error) {
        if (error instanceof RegistryResponseError) throw error;
        last = error;
      }
    }
    if (last instanceof RegistryUnavailableError) throw last;
    const reason = (last as { name?: string })?.name === 'TimeoutError' ? 'timed out' : 'could not be reached';
    throw new RegistryUnavailableError(`The registry ${reason} after ${this.tries} tries`, undefined, { cause: last });
  }
}

/** The compact key of a plate, or undefined when it holds nothing plate-like. */
export function compactPlate(plate: string): string | undefined {
  if (typeof plate !== 'string' || plate.length > 24) return undefined;
  let key: string;
  try {
    key = normalizePlate(plate);
  } catch {
    return undefined;
  }
  return COMPACT.test(key) ? key : undefined;
}

