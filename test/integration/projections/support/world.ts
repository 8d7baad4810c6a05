/**
 * A node for the projection specs: a scratch database, migrated, with the PostgreSQL event store, the read
 * models' DataSource, and a world of cameras, officers and a model registered through the command path.
 */
import { randomBytes } from 'node:crypto';
import { v7 as uuidV7 } from 'uuid';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { runMigrations } from '../../../../src/adapters/postgres/migrate.ts';
import { certifyCalibration, registerCamera } from '../../../../src/commands/cameras.ts';
import type { Clock, CommandDeps } from '../../../../src/commands/deps.ts';
import { approveModelVersion, registerModelVersion } from '../../../../src/commands/models.ts';
import { enrollOfficer } from '../../../../src/commands/officers.ts';
import type { Caller } from '../../../../src/commands/outcome.ts';
import { keyPairFromLabel } from '../../../../src/domain/signoff/keys.ts';
import type { Location } from '../../../../src/domain/signoff/primitives.ts';
import { createReadModelDataSource } from '../../../../src/projections/datasource.ts';
import type { ProjectionRunner } from '../../../../src/projections/runner.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../../../support/env.ts';

export class ManualClock implements Clock {
  constructor(public at: string) {}
  now(): string {
    return this.at;
  }
}

export interface Node {
  db: ScratchDatabase;
  store: PostgresEventStore;
  dataSource: DataSource;
  close(): Promise<void>;
}

export async function openNode(prefix: string): Promise<Node> {
  const db = await scratchDatabase(prefix);
  await runMigrations(db.url);
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 10 });
  const dataSource = createReadModelDataSource(db.url);
  await dataSource.initialize();
  return {
    db,
    store,
    dataSource,
    async close() {
      await dataSource.destroy().catch(() => undefined);
      await store.close().catch(() => undefined);
      await db.drop();
    },
  };
}

export const admin = (province: string): Caller => ({ actor: { kind: 'system', id: 'tec' }, province });
export const anprWorker = (province: string): Caller => ({ actor: { kind: 'service', id: 'anpr-worker' }, province });

export interface CameraFixture {
  cameraId: string;
  province: string;
  location: Location;
  key: ReturnType<typeof keyPairFromLabel>;
}
export interface OfficerFixture {
  officerId: string;
  province: string;
  caller: Caller;
  key: ReturnType<typeof keyPairFromLabel>;
}

export interface World {
  deps: CommandDeps;
  clock: ManualClock;
  cameras: CameraFixture[];
  officers: OfficerFixture[];
  modelId: string;
}

const LOCATIONS: { province: string; location: Location }[] = [
  { province: '01', location: { latMicro: 21_028_511, lonMicro: 105_804_817, description: 'Ngã tư Kim Mã – Liễu Giai', roadType: 'urban', commune: 'Ngọc Hà' } },
  { province: '01', location: { latMicro: 20_900_000, lonMicro: 105_880_000, description: 'CT.01 Km 190+200', roadType: 'expressway' } },
  { province: '79', location: { latMicro: 10_776_000, lonMicro: 106_700_000, description: 'Nút giao Lê Lợi', roadType: 'urban', commune: 'Bến Thành' } },
];

export async function buildWorld(store: CommandDeps['store']): Promise<World> {
  const clock = new ManualClock('2026-01-10T08:00:00.000Z');
  const deps: CommandDeps = { store, clock, ids: () => uuidV7() };
  const suffix = randomBytes(3).toString('hex');
  const cameras: CameraFixture[] = [];
  for (const [i, { province, location }] of LOCATIONS.entries()) {
    const cameraId = `cam-${province}-${suffix}-${i}`;
    const key = keyPairFromLabel(`${cameraId}#1`);
    await registerCamera(deps, admin(province), { cameraId, location, publicKey: key.publicKey });
    await certifyCalibration(deps, admin(province), {
      cameraId,
      certificateId: `VMI-2026-${suffix}-${i}`,
      issuer: 'VMI',
      validFrom: '2026-01-01T00:00:00.000Z',
      validTo: '2027-01-01T00:00:00.000Z',
    });
    cameras.push({ cameraId, province, location, key });
  }
  const officers: OfficerFixture[] = [];
  for (const province of ['01', '79']) {
    for (let j = 0; j < 2; j++) {
      const officerId = `off-${province}-${suffix}-${j}`;
      const key = keyPairFromLabel(`${officerId}#1`);
      await enrollOfficer(deps, admin(province), {
        officerId,
        title: 'provincial-police-director',
        roles: ['reviewer', 'decider', 'supervisor'],
        publicKey: key.publicKey,
      });
      officers.push({ officerId, province, caller: { actor: { kind: 'officer', id: officerId }, province }, key });
    }
  }
  const modelId = `ppocr-v4-${suffix}`;
  await registerModelVersion(deps, admin('00'), {
    modelId,
    name: 'PP-OCRv4',
    version: '4.0.0',
    files: [{ name: 'rec.onnx', sha256: 'c'.repeat(64) }],
  });
  await approveModelVersion(deps, { actor: officers[0]!.caller.actor, province: '00' }, { modelId });
  return { deps, clock, cameras, officers, modelId };
}

/**
 * Waits until every committed record is visible in the feed (the store hides records behind transactions
 * still running anywhere on the server), then runs the projections to the head.
 */
export async function settle(node: Node, runner: ProjectionRunner): Promise<void> {
  await waitFor(async () => !(await node.store.hasPendingRecords()), { what: 'feed visibility', timeoutMs: 30_000 });
  await runner.catchUp();
}
