/**
 * A local stand-in for the national vehicle registry, for tests and the demo: a small HTTP server speaking
 * the contract of `HttpVehicleRegistry` over seeded synthetic vehicles and owners. It is NOT the national
 * system (which cannot exist here): every person in it is invented, deterministically from the seed.
 * It can be told to fail the next N requests (503) or to answer slowly, to exercise timeouts and retries.
 */
import { createServer, type Server } from 'node:http';
import { seededRandom } from '../../demo/seeded-random.ts';
import { normalizePlate } from '../../domain/plates/index.ts';
import { listenLocally } from '../stand-ins/local-server.ts';
import type { OwnerContact, RegisteredVehicle } from '../../ports/registry.ts';

export interface StandInRegistry {
  url: string;
  /** Vehicles by compact plate. */
  readonly vehicles: ReadonlyMap<string, RegisteredVehicle>;
  add(vehicle: RegisteredVehicle): void;
  /**
   * A person who owns no registered vehicle (a driver the owner named; in production the National Population
   * Database): `ownerContact` answers their name and address, which documents print.
   */
  addPerson(person: OwnerContact): void;
  /** The next `count` requests answer 503. */
  failNext(count: number): void;
  /** Every answer waits this long first (0 to stop). */
  setDelay(ms: number): void;
  /** Requests received, by path. */
  readonly requests: string[];
  close(): Promise<void>;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Thu', 'Đức', 'Ngọc'];
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Hà', 'Lan', 'Nam', 'Phúc', 'Quân', 'Trang'];
const STREETS = ['Kim Mã', 'Liễu Giai', 'Láng Hạ', 'Giải Phóng', 'Trần Duy Hưng', 'Nguyễn Trãi'];
const SERIES = 'ABCDEFGHKLMNPSTUVXYZ';

/** `count` synthetic car registrations in Hà Nội (province codes 29–30), owners included. */
export function syntheticVehicles(count: number, seed = 1): RegisteredVehicle[] {
  // Seeded so the population is the same on every run.
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const out: RegisteredVehicle[] = [];
  for (let i = 0; i < count; i++) {
    const serial = String(Math.floor(random() * 100_000)).padStart(5, '0');
    const display = `${pick(['29', '30'])}${pick([...SERIES])}-${serial.slice(0, 3)}.${serial.slice(3)}`;
    const ref = `own-${String(seed).padStart(3, '0')}-${String(i + 1).padStart(5, '0')}`;
    const organisation = random() < 0.15;
    const owner: OwnerContact = {
      ref,
      kind: organisation ? 'organisation' : 'individual',
      name: organisation ? `Công ty TNHH Vận tải ${pick(GIVEN)} ${i + 1}` : `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`,
      address: `${1 + Math.floor(random() * 300)} ${pick(STREETS)}, Hà Nội`,
      email: `owner${i + 1}@example.invalid`,
      phone: `+8491${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`,
    };
    out.push({
      plate: normalizePlate(display),
      registrationNumber: `DK-01-${String(seed).padStart(3, '0')}${String(i + 1).padStart(6, '0')}`,
      vehicleClass: 'car',
      owner,
    });
  }
  return out;
}

export async function startStandInRegistry(
  options: { vehicles?: RegisteredVehicle[]; port?: number; host?: string } = {},
): Promise<StandInRegistry> {
  const vehicles = new Map<string, RegisteredVehicle>();
  const owners = new Map<string, OwnerContact>();
  const add = (v: RegisteredVehicle) => {
    vehicles.set(v.plate, v);
    owners.set(v.owner.ref, v.owner);
  };
  for (const v of options.vehicles ?? syntheticVehicles(50)) add(v);
  let failures = 0;
  let delay = 0;
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const answer = () => {
      if (failures > 0) {
        failures--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
        return;
      }
      const send = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const vehicle = /^\/v1\/vehicles\/([^/]+)$/.exec(path);
      const owner = /^\/v1\/owners\/([^/]+)$/.exec(path);
      let found: unknown;
      try {
        if (req.method === 'GET' && vehicle) found = vehicles.get(decodeURIComponent(vehicle[1]!));
        else if (req.method === 'GET' && owner) found = owners.get(decodeURIComponent(owner[1]!));
      } catch {
        found = undefined;
      }
      if (found === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      else send(found);
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
  const { url, close } = await listenLocally(server, options);
  return {
    url,
    vehicles,
    add,
    addPerson: (person) => void owners.set(person.ref, person),
    failNext: (count) => void (failures = count),
    setDelay: (ms) => void (delay = ms),
    requests,
    close,
  };
}
