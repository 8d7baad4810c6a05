/**
 * A real API node for the HTTP specs: a scratch PostgreSQL database (event store, ledger, read models), the
 * ledger sequencer issuing checkpoints, the filesystem evidence store, the read-model projections, the vehicle
 * registry stand-in (a real HTTP server) and the express app on an ephemeral port. Tokens are real EdDSA JWTs
 * from a development issuer. Nothing is mocked; only the national registry is a local stand-in.
 */
import { renderAccessHistoryPdf } from '../../../../src/adapters/documents/access-history-pdf.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { DevIssuer, TokenVerifier } from '../../../../src/adapters/auth/tokens.ts';
import type { Role } from '../../../../src/adapters/auth/roles.ts';
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { FileSystemEvidenceStore } from '../../../../src/adapters/evidence/index.ts';
import { createApp } from '../../../../src/adapters/http/app.ts';
import { createMetrics } from '../../../../src/adapters/http/metrics.ts';
import { apiRoutes } from '../../../../src/adapters/http/routes/index.ts';
import { readModelQueries, registryVerifier } from '../../../../src/adapters/http/routes/read-models.ts';
import type { ApiServices } from '../../../../src/adapters/http/routes/services.ts';
import { startLedger, type LedgerService } from '../../../../src/adapters/ledger/index.ts';
import { LogPublisher, postgresRecordTexts } from '../../../../src/adapters/ledger/log.ts';
import { runMigrations } from '../../../../src/adapters/postgres/migrate.ts';
import { HttpVehicleRegistry } from '../../../../src/adapters/registry/http.ts';
import type { RegisteredVehicle } from '../../../../src/ports/registry.ts';
import { startStandInRegistry, type StandInRegistry } from '../../../../src/adapters/registry/stand-in.ts';
import { caseDocumentSources, nodeBundleExporter } from '../../../../src/node/bundles.ts';
import { systemClock, uuidV7Ids, type Clock, type CommandDeps } from '../../../../src/commands/deps.ts';
import { ALL_PROJECTIONS } from '../../../../src/projections/index.ts';
import { createReadModelDataSource } from '../../../../src/projections/datasource.ts';
import { ProjectionRunner } from '../../../../src/projections/runner.ts';
import { scratchDatabase, type ScratchDatabase } from '../../../support/env.ts';

/** The handling unit's phone the test node prints on every province's documents (`HANDLING_UNIT_PHONES` of a node). */
export const TEST_UNIT_PHONE = '024 3942 4300';

export interface ApiNode {
  url: string;
  db: ScratchDatabase;
  dir: string;
  store: PostgresEventStore;
  evidence: FileSystemEvidenceStore;
  ledger: LedgerService;
  dataSource: DataSource;
  registry: StandInRegistry;
  issuer: DevIssuer;
  services: ApiServices;
  /** The projection runner, when started with `projections: true`. */
  projectionRunner: ProjectionRunner | undefined;
  token(role: Role, province: string, subject: string): Promise<string>;
  close(): Promise<void>;
}

export interface ApiNodeOptions {
  /** Run the read-model projections (lists, statistics, citizen lookup). */
  projections?: boolean;
  vehicles?: RegisteredVehicle[];
  sealWaitMs?: number;
  checkpointIntervalMs?: number;
  /** The clock the read-model queries use for "now" (SLA flags, statistics windows); default the system clock. */
  readClock?: Clock;
  /** Run the ledger sequencer (default true); without it nothing is ever sealed. */
  sequencer?: boolean;
  /** The ledger's checkpoint origin (default `vn-traffic-evidence/test-node`): distinct per provincial node. */
  origin?: string;
  /** `--tier province --province …`: the provinces this node serves (default all). */
  servedProvinces?: string[];
  /** The development issuer's seed: nodes given the same one accept each other's tokens (default random). */
  issuerSeed?: Uint8Array;
}

export async function startApiNode(prefix: string, options: ApiNodeOptions = {}): Promise<ApiNode> {
  const db = await scratchDatabase(prefix);
  const stops: (() => Promise<unknown>)[] = [() => db.drop()];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    await runMigrations(db.url);
    const dir = await mkdtemp(join(tmpdir(), 'tec-api-'));
    stops.push(() => rm(dir, { recursive: true, force: true }));
    const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 20 });
    stops.push(() => store.close());
    const evidence = await FileSystemEvidenceStore.open(join(dir, 'evidence'), { maxBytes: 8 * 1024 * 1024 });
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    stops.push(() => pool.end());
    const ledger = await startLedger({
      pool,
      eventStore: store,
      keyFile: join(dir, 'keys', 'ledger.key'),
      origin: options.origin ?? 'vn-traffic-evidence/test-node',
      checkpointIntervalMs: options.checkpointIntervalMs ?? 100,
      sequencer: options.sequencer ?? true,
      print: () => undefined,
    });
    stops.push(() => ledger.close());
    const dataSource = createReadModelDataSource(db.url, { poolSize: 5 });
    await dataSource.initialize();
    stops.push(() => dataSource.destroy());
    let projectionRunner: ProjectionRunner | undefined;
    if (options.projections) {
      const runner = new ProjectionRunner({ dataSource, store, projections: ALL_PROJECTIONS, idleMs: 20 });
      await runner.start();
      stops.push(() => runner.stop());
      projectionRunner = runner;
    }
    const registry = await startStandInRegistry(options.vehicles ? { vehicles: options.vehicles } : {});
    stops.push(() => registry.close());

    const commandDeps: CommandDeps = { store, clock: systemClock, ids: uuidV7Ids };
    const registryClient = new HttpVehicleRegistry({ baseUrl: registry.url, tries: 1 });
    // The node's own construction (src/node/bundles.ts): the exporter `tec export` uses too.
    const documentSources = caseDocumentSources({ evidence, registry: registryClient, unitPhone: () => TEST_UNIT_PHONE });
    const services: ApiServices = {
      store,
      evidence,
      commandDeps,
      ledger,
      log: new LogPublisher(pool, postgresRecordTexts(store.pool)),
      bundles: nodeBundleExporter({ store, evidence, ledger, commandDeps, documentSources }),
      queries: readModelQueries(dataSource, options.readClock ?? systemClock),
      registry: registryVerifier(new HttpVehicleRegistry({ baseUrl: registry.url, tries: 1 })),
      accessHistoryPdf: renderAccessHistoryPdf,
      documents: documentSources,
      limits: { maxEvidenceBytes: 4 * 1024 * 1024, sealWaitMs: options.sealWaitMs ?? 5000 },
      ...(projectionRunner ? { projections: projectionRunner } : {}),
      ...(options.servedProvinces ? { servedProvinces: options.servedProvinces } : {}),
    };
    const issuer = new DevIssuer(options.issuerSeed ?? new Uint8Array(randomBytes(32)), 'tec-test-issuer', 'tec-api');
    const verifier = new TokenVerifier({
      issuer: issuer.issuer,
      audience: issuer.audience,
      keys: [issuer.publicKey],
    });
    const app = createApp({
      logger: pino({ level: 'silent' }),
      verifier,
      metrics: createMetrics({ defaultMetrics: false }),
      routes: apiRoutes(services),
      rateLimitPerMinute: 1_000_000,
      publicRateLimitPerMinute: 1000,
    });
    const server: Server = await new Promise((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1');
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      db,
      dir,
      store,
      evidence,
      ledger,
      dataSource,
      registry,
      issuer,
      services,
      projectionRunner,
      token: (role, province, subject) => issuer.mint({ subject, role, province }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
