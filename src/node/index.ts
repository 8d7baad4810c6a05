/**
 * The composition root: builds a node from its configuration. One process can run every role (the
 * embedded default of `npm start`) or one of them (`tec serve --role api|worker|projector|sequencer`)
 * against shared services.
 *
 * Embedded: PGlite on `<dataDir>/pg` serves the event store, the ledger and the read models through one
 * loopback PostgreSQL endpoint; evidence on the filesystem; jobs in-process. Only one process may open an
 * embedded data directory at a time.
 */
import { renderAccessHistoryPdf } from '../adapters/documents/access-history-pdf.ts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import type pg from 'pg';
import type { NodeConfig } from '../config.ts';
import type { EventStore } from '../ports/eventstore.ts';
import { createEventStore, eventStoreKind } from '../adapters/eventstore/factory.ts';
import { loadRetentionPolicies } from '../adapters/retention/policies-file.ts';
import { scheduleRetention } from './retention-schedule.ts';
import { scheduleProcedure } from './procedure-schedule.ts';
import { responseDueCases } from '../projections/cases/response-due.ts';
import { StandInAgencyWarnings } from '../adapters/notify/stand-in-agency-warnings.ts';
import { HttpAgencyWarnings } from '../adapters/notify/http-agency-warnings.ts';
import { loadSecretFile, loadTokenFile } from '../adapters/keys/secret-file.ts';
import type { AgencyWarningPort } from '../ports/agency-warnings.ts';
import { MAX_UPLOAD_MS, openConfiguredEvidenceStore, type EvidenceStore } from '../adapters/evidence/index.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../adapters/postgres/pglite-server.ts';
import { runMigrations } from '../adapters/postgres/migrate.ts';
import { createPgPool } from '../adapters/postgres/pool.ts';
import { startLedger, type LedgerService } from '../adapters/ledger/index.ts';
import { LogPublisher, postgresRecordTexts } from '../adapters/ledger/log.ts';
import { loadOrCreateNodeKey } from '../adapters/keys/node-key.ts';
import { loadOrCreateSecretFile } from '../adapters/keys/secret-file.ts';
import { CitizenGrants } from '../adapters/http/citizen-grant.ts';
import { CheckpointSubmitter } from '../adapters/witness/submitter.ts';
import { Witness } from '../adapters/witness/witness.ts';
import { MirrorFollower } from '../adapters/witness/mirror.ts';
import { NationalProjector } from '../adapters/witness/national-projections.ts';
import { StalenessWatch } from '../adapters/witness/staleness.ts';
import { HandoverReceiver } from '../adapters/witness/handover-receiver.ts';
import { handoverCredential, mirrorCredential, refusalReason, tokenExpiryGauge, watchCredential, type FederationCredential } from './federation-credentials.ts';
import { NationalViews } from '../adapters/witness/national-views.ts';
import { ValidationError } from '../domain/shared/errors.ts';
import { provincialLogRegistryReader } from '../commands/federation.ts';
import { PostgresEventStore } from '../adapters/eventstore/postgres/postgres-event-store.ts';
import { createMetrics } from '../adapters/http/metrics.ts';
import type { Metrics } from '../ports/metrics.ts';
import { createApp } from '../adapters/http/app.ts';
import { InMemoryLookupBudget, RedisLookupBudget, type LookupBudget } from '../adapters/http/lookup-budget.ts';
import { DevIssuer, TokenVerifier, loadOrCreateSeedFile } from '../adapters/auth/tokens.ts';
import { AccountStore } from '../adapters/auth/accounts.ts';
import { createEmbeddedOidc, type EmbeddedOidc } from '../adapters/auth/oidc.ts';
import type { RequestHandler } from 'express';
import { verifyLedger } from '../adapters/ledger/verify.ts';
import { postgresFeedSource } from '../adapters/ledger/feed-source.ts';
import { replayProjections } from '../projections/replay.ts';
import { AUDIT_MAX_ITEMS, ledgerAuditReport, type AuditServices } from '../adapters/http/routes/audit.ts';
import { systemClock, uuidV7Ids, type CommandDeps } from '../commands/deps.ts';
import type { Clock, IdGenerator } from '../ports/clock.ts';
import type { DataSource } from 'typeorm';
import { createReadModelDataSource } from '../projections/datasource.ts';
import { ProjectionRunner } from '../projections/runner.ts';
import { ALL_PROJECTIONS } from '../projections/index.ts';
import { apiRoutes, type ApiServices } from '../adapters/http/routes/index.ts';
import { DEMO_TREASURY } from '../adapters/http/routes/citizen-portal.ts';
import type { CaseDocumentSources } from '../commands/documents.ts';
import { StandInBank } from '../adapters/payments/stand-in-bank.ts';
import { readModelQueries, registryVerifier } from '../adapters/http/routes/read-models.ts';
import type { BundleExporter } from '../bundle-export/index.ts';
import { caseDocumentSources, nodeBundleExporter } from './bundles.ts';
import { HttpVehicleRegistry } from '../adapters/registry/http.ts';
import { startStandInRegistry, syntheticVehicles, type StandInRegistry } from '../adapters/registry/stand-in.ts';
import type { VehicleRegistry } from '../ports/registry.ts';
import { existsSync } from 'node:fs';
import { plateModelIdFor } from '../workers/pipeline.ts';
import { startPipeline, pipelineAdaptersFromEnv, type Pipeline } from './pipeline.ts';
import { loadModelIdentity } from '../workers/inference/index.ts';
import { HttpNoticeGateway } from '../adapters/notify/http-gateway.ts';
import { startStandInGateway, type StandInGateway } from '../adapters/notify/stand-in-gateway.ts';
import type { NoticeChannelAdapter } from '../ports/notices.ts';
import { fileURLToPath } from 'node:url';

/** The built web UI (`npm run build:web`); served at `/` when present. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export const NODE_ROLES = ['api', 'worker', 'projector', 'sequencer'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export interface NodeOptions {
  config: NodeConfig;
  roles?: readonly NodeRole[];
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  /** Where start-up lines (`verifier-key: …`, the URL) go; default stdout. */
  print?: (line: string) => void;
  /** Ledger checkpoint cadence (default 500 ms, so records are sealed within one second: integrity.md §5). */
  checkpointIntervalMs?: number;
  /**
   * How long the stand-in bank waits before confirming a payment order (default 3000 ms, so the QR can be seen
   * first); `null`: never by itself (tests call `standInBank.pay`).
   */
  standInBankAutoPayMs?: number | null;
  /** Requests per minute per client address on /v1/public (default 30; browser specs raise it). */
  publicRateLimitPerMinute?: number;
}

export interface RunningNode {
  config: NodeConfig;
  roles: readonly NodeRole[];
  logger: Logger;
  metrics: Metrics;
  databaseUrl: string;
  pool: pg.Pool;
  store: EventStore;
  evidence: EvidenceStore;
  ledger: LedgerService;
  commandDeps: CommandDeps;
  issuer: DevIssuer | undefined;
  verifier: TokenVerifier;
  /** The embedded OpenID Connect provider's sign-in accounts (undefined with an external issuer or OIDC=off). */
  accounts: AccountStore | undefined;
  /** The embedded provider, once the API listens (its issuer is the node's URL + `/oidc`). */
  oidc: EmbeddedOidc | undefined;
  /** Read models (TypeORM on the read-side database). */
  readModels: DataSource;
  projections: ProjectionRunner | undefined;
  registry: VehicleRegistry;
  /** What the case documents are rendered from besides the events (src/node/bundles.ts). */
  documentSources: CaseDocumentSources;
  /** The court-bundle exporter: `GET /v1/cases/{id}/bundle` and `tec export` both use this one. */
  bundles: BundleExporter;
  /** The in-process stand-in registry when no REGISTRY_URL is configured (development, demo). */
  standInRegistry: StandInRegistry | undefined;
  /** The in-process stand-in notification gateway when no NOTICE_GATEWAY_URL/SMTP_URL is configured. */
  standInGateway: StandInGateway | undefined;
  /** The in-process stand-in bank behind the payment gateway (plays the signed callback; docs/citizen-portal.md). */
  standInBank: StandInBank | undefined;
  /** Process manager and queue workers, when the `worker` role runs. */
  pipeline: Pipeline | undefined;
  /** The model id (`model-<id>`) the plate reader runs as; an officer must approve it. */
  plateModelId: string;
  /** Base URL of the HTTP API when the `api` role runs. */
  url: string | undefined;
  /** `--tier national`: the witness and the mirror of the provincial logs (its loop runs with the worker role). */
  witness: Witness | undefined;
  mirror: MirrorFollower | undefined;
  stop(): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const { config } = options;
  const roles = options.roles ?? NODE_ROLES;
  const logger = options.logger ?? pino({ level: config.logLevel, redact: { paths: ['*.authorization', '*.password', '*.seed'], remove: true } });
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? uuidV7Ids;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of [...stops].reverse()) {
      try {
        await s();
      } catch (error) {
        logger.warn({ err: { name: (error as Error).name } }, 'error while stopping');
      }
    }
  };

  try {
    let embedded: EmbeddedPostgres | undefined;
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres({ dataDir: config.pgliteDir });
      stops.push(() => embedded!.stop());
      databaseUrl = embedded.url;
    }
    await runMigrations(databaseUrl);

    // EVENTSTORE_URL may name EventStoreDB or another PostgreSQL; the ledger and read models stay on databaseUrl.
    if (config.eventstoreUrl && eventStoreKind(config.eventstoreUrl) === 'postgres' && config.eventstoreUrl !== databaseUrl) {
      await runMigrations(config.eventstoreUrl);
    }
    const store = createEventStore({ eventstoreUrl: config.eventstoreUrl, embeddedUrl: databaseUrl });
    stops.push(() => store.close());

    // Encrypted at rest by default; a missing or wrong key-encryption key stops the start here, before anything is served.
    const evidence = await openConfiguredEvidenceStore(config);
    const pool = createPgPool(databaseUrl, { max: 10, applicationName: 'tec-node' });
    stops.push(() => pool.end());

    const metrics = createMetrics();
    const ledger = await startLedger({
      pool,
      eventStore: store,
      keyFile: config.ledgerKeyFile,
      origin: config.ledgerOrigin,
      sequencer: roles.includes('sequencer'),
      checkpointIntervalMs: options.checkpointIntervalMs ?? 500,
      print,
      onFailure: (error) => logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'ledger sequencer failed'),
    });
    stops.push(() => ledger.close());

    // Province tier: submit each new checkpoint to the national witness, beside the sequencer (never in its way).
    if (config.tier === 'province' && config.witnessUrl && config.witnessKey && roles.includes('sequencer')) {
      const submitter = new CheckpointSubmitter({
        db: pool,
        ledger,
        witnessUrl: config.witnessUrl,
        witnessKey: config.witnessKey,
        clock,
        onError: (error) => logger.warn({ err: { name: error.name, message: error.message } }, 'witness submission failed; retrying'),
        onRound: (result) => {
          metrics.witnessSubmissions.inc({ outcome: result.outcome });
          if (result.outcome === 'cosigned' || result.outcome === 'already-cosigned') metrics.witnessCosignedSize.set(result.size);
        },
      });
      submitter.start();
      stops.push(() => submitter.stop());
    }

    const issuer = config.jwksUrl ? undefined : new DevIssuer(loadOrCreateSeedFile(config.issuerKeyFile), config.jwtIssuer, config.jwtAudience);
    const verifier = new TokenVerifier({
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ...(config.jwksUrl ? { jwksUrl: config.jwksUrl } : { keys: [issuer!.publicKey] }),
    });
    const commandDeps: CommandDeps = { store, clock, ids };

    const readModels = createReadModelDataSource(databaseUrl, { poolSize: embedded ? 4 : 10 });
    await readModels.initialize();
    stops.push(() => readModels.destroy());
    let projections: ProjectionRunner | undefined;
    if (roles.includes('projector')) {
      projections = new ProjectionRunner({
        dataSource: readModels,
        store,
        projections: ALL_PROJECTIONS,
        metrics,
        parallel: !embedded,
        // Embedded, every append is in this process and wakes the runner (store.onCommit): idle, it backs off.
        ...(embedded ? { maxIdleMs: 1000 } : {}),
        onError: (error) => logger.warn({ err: { name: (error as Error).name } }, 'projection pass failed; retrying'),
      });
      const runner = projections;
      await runner.start();
      stops.push(() => runner.stop());
    }

    // The national vehicle registry cannot exist here: without REGISTRY_URL the node runs the stand-in.
    let standInRegistry: StandInRegistry | undefined;
    let registryUrl = config.registryUrl;
    if (!registryUrl) {
      standInRegistry = await startStandInRegistry({ vehicles: syntheticVehicles(50) });
      const standIn = standInRegistry;
      stops.push(() => standIn.close());
      registryUrl = standIn.url;
    }
    const registry = new HttpVehicleRegistry({ baseUrl: registryUrl });

    const plateModelId = plateModelIdFor(await loadModelIdentity());
    let pipeline: Pipeline | undefined;
    let standInGateway: StandInGateway | undefined;
    if (roles.includes('worker')) {
      // SMTP first: the gateway reaches every owner, so with both configured e-mail would never be tried.
      const adapters = pipelineAdaptersFromEnv({
        ...(config.smtpUrl ? { SMTP_URL: config.smtpUrl, NOTICE_FROM: config.noticeFrom } : {}),
        ...(config.noticeGatewayUrl ? { NOTICE_GATEWAY_URL: config.noticeGatewayUrl } : {}),
      });
      stops.push(async () => adapters.close());
      const channels: NoticeChannelAdapter[] = [...adapters.channels];
      if (channels.length === 0) {
        // No notification system exists here: development nodes deliver to an in-process stand-in gateway.
        standInGateway = await startStandInGateway();
        const gateway = standInGateway;
        stops.push(() => gateway.close());
        channels.push(new HttpNoticeGateway({ baseUrl: gateway.url }));
      }
      pipeline = await startPipeline({
        store,
        evidence,
        commandDeps,
        databaseUrl,
        ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
        logger,
        registry,
        channels,
        plateModelId,
        ...(config.portalUrl ? { portalUrl: config.portalUrl } : {}),
        // The agencies' endpoints when configured (AGENCY_WARNING_URL_*); else the in-process stand-in.
        agencyWarnings: await agencyWarningPort(config),
      });
      const running = pipeline;
      stops.push(() => running.stop());
      // Retention: policies are validated now, so a bad RETENTION_POLICIES_FILE stops the start.
      const policies = loadRetentionPolicies({ ...(config.retentionPoliciesFile ? { RETENTION_POLICIES_FILE: config.retentionPoliciesFile } : {}) });
      const retention = scheduleRetention({ deps: { ...commandDeps, evidence }, policies, intervalMs: config.retentionIntervalMs ?? 0, logger });
      stops.push(() => retention.stop());
      // OwnerUnresponsive 20 days after the notice, as the procedure-schedule service; the candidates come from
      // the case view (kept by the projector role, here or in another process on the same database).
      const procedure = scheduleProcedure({
        deps: commandDeps,
        candidates: responseDueCases(readModels),
        intervalMs: config.procedureIntervalMs ?? 0,
        logger,
      });
      stops.push(() => procedure.stop());
    }

    // Province tier: receive the cases other nodes hand over to the provinces served here, through the national
    // relay (docs/federation.md "Case handover"); the worker role runs it, any number of them is safe (idempotent).
    if (config.tier === 'province' && config.witnessUrl && config.witnessKey && config.provinces && roles.includes('worker')) {
      const credential = await handoverCredential({ config, issuer, logger });
      const stopHandoverWatch = watchCredential(credential, logger, undefined, tokenExpiryGauge(metrics));
      stops.push(async () => stopHandoverWatch());
      const receiver = new HandoverReceiver({
        nationalUrl: config.witnessUrl.replace(/\/witness\/?$/, ''),
        provinces: config.provinces,
        token: async (province) => {
          const token = (await credential.current())[province];
          if (!token) throw new ValidationError(`no handover token for province ${province}`);
          return token;
        },
        fetch: credential.observe(),
        deps: commandDeps,
        evidence,
        trustedWitnesses: [config.witnessKey],
        pollMs: config.mirrorPollMs,
        onError: (handover, error) =>
          logger.warn(
            { caseId: handover?.caseId, origin: handover?.origin, ...refusalReason(error), err: { name: error.name, message: error.message } },
            'case handover not received; retrying',
          ),
        onReceived: (handover) => logger.info({ caseId: handover.caseId, origin: handover.origin }, 'case handover received'),
      });
      receiver.start();
      stops.push(() => receiver.stop());
    }

    // National tier: the witness (C2SP tlog-witness) over the provincial log registry, and the mirror of every
    // registered provincial log (run by the worker role; any number of them is safe: the cursor is guarded).
    let witness: Witness | undefined;
    let mirror: MirrorFollower | undefined;
    let nationalReadModels: NationalProjector | undefined;
    let staleness: StalenessWatch | undefined;
    let mirrorCredentialStatus: FederationCredential<string> | undefined;
    if (config.tier === 'national') {
      const key = await loadOrCreateNodeKey(config.witnessKeyFile, 'witness');
      const registry = provincialLogRegistryReader(store);
      witness = new Witness({
        db: pool,
        name: config.witnessName,
        seed: key.seed,
        clock,
        registry,
        onAnswer: (answer) => metrics.witnessRequests.inc({ answer }),
        onForkAlarm: (kind) => {
          metrics.witnessForkAlarms.inc({ kind });
          logger.error({ kind }, 'witness fork alarm');
        },
      });
      if (roles.includes('api')) print(`witness-key: ${witness.verifierKey()}`);
      const mirrorToken = await mirrorCredential({ config, issuer, logger });
      if (roles.includes('worker')) {
        const stopMirrorWatch = watchCredential(mirrorToken, logger, undefined, tokenExpiryGauge(metrics));
        stops.push(async () => stopMirrorWatch());
      }
      mirrorCredentialStatus = mirrorToken;
      mirror = new MirrorFollower({
        db: pool,
        witness,
        registry,
        clock,
        token: () => mirrorToken.current(),
        fetch: mirrorToken.observe(),
        pollMs: config.mirrorPollMs,
        storeBy: embedded ? 'insert' : 'copy',
        onError: ({ origin, province }, error) => {
          metrics.mirrorErrors.inc({ province });
          logger.warn({ origin, ...refusalReason(error), err: { name: error.name, message: error.message } }, 'mirror round failed; retrying');
        },
        onStatus: (s) => {
          metrics.mirrorSize.set({ province: s.province }, s.size);
          metrics.mirrorProvinceSize.set({ province: s.province }, s.provinceSize ?? 0);
          metrics.mirrorSecondsBehind.set({ province: s.province }, s.secondsBehind);
        },
      });
      if (roles.includes('worker')) {
        const follower = mirror;
        follower.start();
        stops.push(() => follower.stop());
      }
      // Staleness alarms: judged on request (/v1/federation/status) and, by the worker, every few seconds for
      // /metrics and one log line per raise and per clear.
      staleness = new StalenessWatch({
        witness,
        mirror,
        clock,
        thresholdSeconds: config.federationStaleSeconds,
        credentialsRefusedSince: (baseUrl) => mirrorToken.refusedSince(baseUrl),
        gauges: { stale: metrics.federationStale, checkpointAge: metrics.federationCheckpointAge },
        onChange: (log) =>
          log.stale
            ? logger.error({ origin: log.origin, province: log.province, reasons: log.reasons, checkpointAgeSeconds: log.checkpointAgeSeconds, mirrorSecondsBehind: log.mirrorSecondsBehind }, 'provincial log stale')
            : logger.info({ origin: log.origin, province: log.province }, 'provincial log fresh again'),
      });
      if (roles.includes('worker')) {
        const watch = staleness;
        watch.start(5000, (error) => logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'staleness check failed; retrying'));
        stops.push(async () => watch.stop());
      }
      // The provincial read models over the mirrored feeds, one schema per log (docs/federation.md "National views").
      nationalReadModels = new NationalProjector({
        dataSource: readModels,
        db: pool,
        parallel: !embedded,
        pollMs: Math.max(config.mirrorPollMs, 500),
        onError: (error) => logger.warn({ err: { name: (error as Error).name, message: (error as Error).message } }, 'national projection pass failed; retrying'),
      });
      if (roles.includes('worker')) {
        const projector = nationalReadModels;
        projector.start();
        stops.push(() => projector.stop());
      }
    }

    // Every node publishes its log (integrity.md §9); record texts are read raw from a PostgreSQL event store.
    const publisher = new LogPublisher(pool, store instanceof PostgresEventStore ? postgresRecordTexts(store.pool) : undefined);
    // The case documents (notice, record, decisions as PDFs; docs/documents.md): opened by officers, carried in
    // bundles, and rendered the same way by the API and by `tec export` (src/node/bundles.ts).
    const documentSources = caseDocumentSources({
      evidence,
      registry,
      unitPhone: (province) => config.handlingUnitPhones?.[province],
      unitAppointment: (province) => config.handlingUnitAppointments?.[province],
    });
    const node: RunningNode = {
      config,
      roles,
      logger,
      metrics,
      databaseUrl,
      pool,
      store,
      evidence,
      ledger,
      commandDeps,
      issuer,
      verifier,
      accounts: config.oidc ? new AccountStore({ file: config.accountsFile }) : undefined,
      oidc: undefined,
      readModels,
      projections,
      registry,
      standInRegistry,
      standInGateway,
      standInBank: undefined,
      documentSources,
      bundles: nodeBundleExporter({
        store,
        evidence,
        ledger,
        commandDeps,
        documentSources,
        // Province tier: bundles carry the newest checkpoint the national witness cosigned (integrity.md §10).
        ...(config.witnessKey
          ? { witness: { verifierKey: config.witnessKey, cosignedCheckpoint: (min: number) => publisher.newestCosignedCheckpoint(min) } }
          : {}),
      }),
      pipeline,
      plateModelId,
      url: undefined,
      witness,
      mirror,
      stop,
    };

    if (roles.includes('api')) {
      // Shared by every API process of the node when it has Redis; in this process otherwise (embedded).
      const lookupBudget: LookupBudget = config.redisUrl ? new RedisLookupBudget(config.redisUrl) : new InMemoryLookupBudget();
      stops.push(() => lookupBudget.close());
      // No real payment gateway can exist here: the stand-in bank confirms each order, signed, after a pause.
      // The grant key and the gateway's secret are node secrets (files), so every API process agrees on them.
      const [grantKey, gatewaySecret] = await Promise.all([
        loadOrCreateSecretFile(config.citizenGrantKeyFile),
        loadOrCreateSecretFile(config.paymentGatewaySecretFile),
      ]);
      const standInBank = new StandInBank({
        secret: gatewaySecret,
        callbackUrl: () => (node.url ? `${node.url}/v1/public/payments/callback` : undefined),
        ...(options.standInBankAutoPayMs === null ? {} : { autoPayAfterMs: options.standInBankAutoPayMs ?? 3000 }),
      });
      node.standInBank = standInBank;
      stops.push(async () => standInBank.close());
      // The auditor's checks over this node's own storage (`/v1/audit/…`): the PostgreSQL event store only.
      const audit: AuditServices | undefined =
        store instanceof PostgresEventStore
          ? {
              verifyLedger: async () =>
                ledgerAuditReport(
                  await verifyLedger({
                    ledgerPool: pool,
                    feed: config.eventstoreUrl && config.eventstoreUrl !== databaseUrl ? postgresFeedSource(store.pool) : 'same-database',
                    evidence,
                    verifierKeys: [ledger.verifierKey()],
                    maxDiscrepancies: AUDIT_MAX_ITEMS,
                  }),
                ),
              ...(projections
                ? {
                    replay: async () =>
                      (await replayProjections({ dataSource: readModels, store, projections: ALL_PROJECTIONS, swap: false, sampleSize: 0 })).map((r) => ({
                        projection: r.projection,
                        identical: r.identical,
                        eventsReplayed: r.eventsReplayed.toString(),
                        tables: r.tables.map((t) => ({ table: t.table, liveRows: t.liveRows, replayRows: t.replayRows, onlyInLive: t.onlyInLive, onlyInReplay: t.onlyInReplay })),
                      })),
                  }
                : {}),
            }
          : undefined;
      const services: ApiServices = {
        ...(audit ? { audit } : {}),
        store,
        evidence,
        commandDeps,
        ledger,
        log: publisher,
        onMirrorRead: (records) => {
          metrics.mirrorReads.inc({ unit: 'bundles' });
          metrics.mirrorReads.inc({ unit: 'records' }, records);
        },
        bundles: node.bundles,
        queries: readModelQueries(readModels, clock),
        registry: registryVerifier(registry),
        lookupBudget,
        citizen: {
          treasury: DEMO_TREASURY,
          gateway: standInBank,
          grants: new CitizenGrants(grantKey),
          handlingUnitPhone: (province) => config.handlingUnitPhones?.[province],
        },
        accessHistoryPdf: renderAccessHistoryPdf,
        documents: node.documentSources,
        limits: { maxEvidenceBytes: config.maxEvidenceBytes },
        ...(projections ? { projections } : {}),
        ...(witness ? { witness } : {}),
        ...(mirror ? { mirror, nationalViews: new NationalViews(pool) } : {}),
        ...(nationalReadModels ? { nationalReadModels } : {}),
        ...(staleness ? { staleness } : {}),
        ...(mirrorCredentialStatus ? { federationCredentials: async () => [await mirrorCredentialStatus.status()] } : {}),
        ...(config.tier === 'province' && config.provinces ? { servedProvinces: config.provinces } : {}),
      };
      // The provider's issuer is the node's own URL, known once it listens: requests before that get a 503.
      let oidcRouter: RequestHandler | undefined;
      const oidcMount: RequestHandler = (req, res, next) => {
        if (oidcRouter) return oidcRouter(req, res, next);
        res.status(503).set('Retry-After', '1').end();
      };
      const app = createApp({
        logger,
        verifier,
        ...(node.accounts ? { oidc: oidcMount } : {}),
        trustProxy: config.trustProxy,
        ...(config.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: config.rateLimitPerMinute } : {}),
        ...(options.publicRateLimitPerMinute !== undefined ? { publicRateLimitPerMinute: options.publicRateLimitPerMinute } : {}),
        metrics,
        routes: apiRoutes(services),
        nationalScopeReadOnly: config.tier === 'province',
        ...(existsSync(WEB_DIST) ? { staticDir: WEB_DIST } : {}),
        readiness: [
          { name: 'eventstore', check: async () => ({ ok: true, detail: { head: (await store.headCheckpoint()) ?? null } }) },
          { name: 'database', check: async () => ({ ok: (await readModels.query('SELECT 1 AS ok')).length === 1 }) },
          ...(projections
            ? [
                {
                  name: 'projections',
                  check: async () => {
                    const status = await projections!.status();
                    const failed = status.filter((p) => p.state === 'failed').map((p) => p.name);
                    const lagSeconds = Math.max(0, ...status.map((p) => p.lagSeconds));
                    return { ok: failed.length === 0 && lagSeconds < 60, detail: { failed, lagSeconds } };
                  },
                },
              ]
            : []),
          {
            name: 'ledger',
            check: async () => {
              const lag = await ledger.sealingLag();
              return { ok: lag.seconds < 30, detail: { unsealedRecords: String(lag.records), lagSeconds: lag.seconds } };
            },
          },
        ],
      });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.port, config.host);
        // No upload outlives this, which is what lets the evidence store sweep its tmp files at start-up.
        s.requestTimeout = MAX_UPLOAD_MS;
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
      const address = server.address() as AddressInfo;
      node.url = `http://${config.host}:${address.port}`;
      if (node.accounts) {
        const issuerUrl = config.oidcIssuer ?? `${node.url}/oidc`;
        const origin = new URL(issuerUrl).origin;
        const redirectUris = [...new Set([`${origin}/`, `${node.url}/`, ...(config.host === '127.0.0.1' ? [`http://localhost:${address.port}/`] : [])])];
        const oidc = await createEmbeddedOidc({
          issuer: issuerUrl,
          audience: config.jwtAudience,
          seed: loadOrCreateSeedFile(config.oidcKeyFile),
          accounts: node.accounts,
          redirectUris,
          logger,
        });
        verifier.trustIssuer(oidc.issuer, [oidc.publicKey]);
        node.oidc = oidc;
        oidcRouter = oidc.router;
      }
    }
    return node;
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The agency-warning port the worker role sends through: the HTTP adapter when AGENCY_WARNING_URL_* are set
 * (its token and secret files are read now, so a missing or loose file stops the start), else the in-memory
 * stand-in (no agency system exists here; docs/legal-procedure.md).
 */
export async function agencyWarningPort(config: Pick<NodeConfig, 'agencyWarnings'>): Promise<AgencyWarningPort> {
  const agencies = config.agencyWarnings;
  if (!agencies) return new StandInAgencyWarnings();
  return new HttpAgencyWarnings({
    endpoints: agencies.endpoints,
    token: agencies.tokenFile ? await loadTokenFile(agencies.tokenFile) : undefined,
    secret: agencies.secretFile ? await loadSecretFile(agencies.secretFile) : undefined,
    timeoutMs: agencies.timeoutMs,
  });
}
