/**
 * The edge node's composition root (`tec serve --tier edge`; docs/edge.md): the ingest API in front of the
 * spool, the camera directory synced from the provincial node, the forwarder, and the metrics.
 *
 * Configuration (environment, or the `serve` options that set it):
 *   DATA_DIR (`--data-dir`)         spool, camera copies and the edge key (`keys/edge.key`, created 0600)
 *   PROVINCES (`--province`)        the one province the edge serves (required)
 *   UPSTREAM_URL (`--upstream`)     the provincial node's base URL (required)
 *   EDGE_ID                         the edge's device id at the node (default `edge-<province>-<key id>`)
 *   EDGE_SPOOL_QUOTA_BYTES          spool quota (default 10 GiB); alarm at 80 %, refusal (503) when full
 *   EDGE_FORWARD_LANES              concurrent forwarding lanes (default 4)
 *   EDGE_CAMERA_REFRESH_SECONDS     how stale a camera's synced keys may get while the link is up (default 60)
 *   EDGE_SPOOL_ENCRYPTION           encrypt the spool at rest (default on; `off` only on an encrypted volume)
 *   EDGE_SPOOL_KEK_FILE             the spool's key-encryption key file (default `$DATA_DIR/keys/spool-kek.key`)
 *   EDGE_ORPHAN_MAX_AGE_SECONDS     a blob no detection names is removed after this age (default 86400)
 *   EDGE_ORIGINALS                  `later` (default): relay a plate crop and a reduced overview, originals in
 *                                   the background; `now`: every original with its detection
 *   EDGE_REQUEST_POLL_SECONDS       how often the node's requests for originals are polled (default 10)
 *   JWKS_URL | ISSUER_KEY_FILE, JWT_ISSUER, JWT_AUDIENCE: how cameras' bearer tokens are verified (as a node)
 *   PORT, HOST, LOG_LEVEL, MAX_EVIDENCE_BYTES
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Gauge, Counter } from 'prom-client';
import { createApp } from '../adapters/http/app.ts';
import { createMetrics } from '../adapters/http/metrics.ts';
import { DevIssuer, TokenVerifier, loadOrCreateSeedFile } from '../adapters/auth/tokens.ts';
import { acquireDataDirLock, type DataDirLock } from '../adapters/postgres/data-dir-lock.ts';
import { EdgeCameraDirectory } from '../adapters/edge/cameras.ts';
import { Forwarder } from '../adapters/edge/forwarder.ts';
import { edgeRoutes, type EdgeStatus } from '../adapters/edge/routes.ts';
import { Spool, spoolKeys, type SpoolEntry } from '../adapters/edge/spool.ts';
import { ReviewCopies } from '../adapters/edge/review-copies.ts';
import { keyPairFromSeed } from '../domain/signoff/keys.ts';
import { EDGE_ID_PREFIX } from '../domain/signoff/edge-receipt.ts';
import { ValidationError } from '../domain/shared/errors.ts';

export interface EdgeConfig {
  dataDir: string;
  province: string;
  upstream: string;
  edgeId: string | undefined;
  quotaBytes: number;
  lanes: number;
  cameraRefreshMs: number;
  spoolEncryption: boolean;
  spoolKekFile: string;
  orphanMaxAgeMs: number;
  originals: 'later' | 'now';
  requestPollMs: number;
  port: number;
  host: string;
  logLevel: string;
  maxEvidenceBytes: number;
  jwksUrl: string | undefined;
  issuerKeyFile: string;
  jwtIssuer: string;
  jwtAudience: string;
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(`Invalid configuration: ${name} must be a non-negative integer`);
  return n;
};

const onOff = (name: string, value: string | undefined, fallback: boolean): boolean => {
  if (value === undefined || value === '') return fallback;
  if (['1', 'on', 'true', 'yes'].includes(value.toLowerCase())) return true;
  if (['0', 'off', 'false', 'no'].includes(value.toLowerCase())) return false;
  throw new ValidationError(`Invalid configuration: ${name} must be on or off`);
};

const originalsMode = (value: string | undefined): 'later' | 'now' => {
  if (value === undefined || value === '' || value === 'later') return 'later';
  if (value === 'now') return 'now';
  throw new ValidationError('Invalid configuration: EDGE_ORIGINALS must be later or now');
};

export function loadEdgeConfig(env: NodeJS.ProcessEnv): EdgeConfig {
  const dataDir = env.DATA_DIR ?? './data';
  const province = env.PROVINCES ?? '';
  if (!/^\d{2}$/.test(province)) throw new ValidationError('Invalid configuration: an edge node serves exactly one province (--province 01)');
  const upstream = (env.UPSTREAM_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(upstream)) throw new ValidationError('Invalid configuration: an edge node needs --upstream <provincial node URL>');
  const edgeId = env.EDGE_ID || undefined;
  if (edgeId !== undefined && (!edgeId.startsWith(EDGE_ID_PREFIX) || !/^[A-Za-z0-9._-]{1,128}$/.test(edgeId)))
    throw new ValidationError(`Invalid configuration: EDGE_ID must start with "${EDGE_ID_PREFIX}"`);
  return {
    dataDir,
    province,
    upstream,
    edgeId,
    quotaBytes: positive('EDGE_SPOOL_QUOTA_BYTES', env.EDGE_SPOOL_QUOTA_BYTES, 10 * 1024 ** 3),
    lanes: Math.max(1, positive('EDGE_FORWARD_LANES', env.EDGE_FORWARD_LANES, 4)),
    cameraRefreshMs: positive('EDGE_CAMERA_REFRESH_SECONDS', env.EDGE_CAMERA_REFRESH_SECONDS, 60) * 1000,
    spoolEncryption: onOff('EDGE_SPOOL_ENCRYPTION', env.EDGE_SPOOL_ENCRYPTION, true),
    spoolKekFile: env.EDGE_SPOOL_KEK_FILE ?? join(dataDir, 'keys', 'spool-kek.key'),
    orphanMaxAgeMs: positive('EDGE_ORPHAN_MAX_AGE_SECONDS', env.EDGE_ORPHAN_MAX_AGE_SECONDS, 86_400) * 1000,
    originals: originalsMode(env.EDGE_ORIGINALS),
    requestPollMs: Math.max(1, positive('EDGE_REQUEST_POLL_SECONDS', env.EDGE_REQUEST_POLL_SECONDS, 10)) * 1000,
    port: positive('PORT', env.PORT, 8090),
    host: env.HOST ?? '127.0.0.1',
    logLevel: env.LOG_LEVEL ?? 'info',
    maxEvidenceBytes: positive('MAX_EVIDENCE_BYTES', env.MAX_EVIDENCE_BYTES, 20 * 1024 * 1024),
    jwksUrl: env.JWKS_URL || undefined,
    issuerKeyFile: env.ISSUER_KEY_FILE ?? join(dataDir, 'keys', 'issuer.key'),
    jwtIssuer: env.JWT_ISSUER ?? 'tec-dev-issuer',
    jwtAudience: env.JWT_AUDIENCE ?? 'tec-api',
  };
}

export interface EdgeNode {
  url: string;
  edgeId: string;
  publicKey: string;
  keyId: string;
  status(): EdgeStatus;
  stop(): Promise<void>;
}

export interface EdgeStartOptions {
  logger?: Logger;
  /** How cameras' tokens are verified, when not from the configuration (benchmarks, tests in one process). */
  verifier?: TokenVerifier;
}

export async function startEdge(config: EdgeConfig, options: EdgeStartOptions = {}): Promise<EdgeNode> {
  const logger = options.logger ?? pino({ level: config.logLevel, redact: { paths: ['*.authorization', '*.seed'], remove: true } });
  const lock: DataDirLock = acquireDataDirLock(join(config.dataDir, 'spool'));
  const stops: (() => Promise<void> | void)[] = [() => lock.release()];
  try {
    const key = keyPairFromSeed(loadOrCreateSeedFile(join(config.dataDir, 'keys', 'edge.key')));
    const edgeId = config.edgeId ?? `${EDGE_ID_PREFIX}${config.province}-${key.keyId.slice(0, 8)}`;
    const identity = { edgeId, secretKey: key.secretKey };

    let verifier: TokenVerifier;
    if (options.verifier) verifier = options.verifier;
    else if (config.jwksUrl) verifier = new TokenVerifier({ issuer: config.jwtIssuer, audience: config.jwtAudience, jwksUrl: config.jwksUrl });
    else {
      // The issuer key the cameras' tokens are signed with (development: the provincial node's issuer.key).
      if (!existsSync(config.issuerKeyFile))
        throw new ValidationError(`Invalid configuration: no issuer key at ${config.issuerKeyFile}; set JWKS_URL or ISSUER_KEY_FILE`);
      const issuer = new DevIssuer(loadOrCreateSeedFile(config.issuerKeyFile), config.jwtIssuer, config.jwtAudience);
      verifier = new TokenVerifier({ issuer: config.jwtIssuer, audience: config.jwtAudience, keys: [issuer.publicKey] });
    }

    const spoolDir = join(config.dataDir, 'spool');
    const spool = await Spool.open(spoolDir, {
      quotaBytes: config.quotaBytes,
      maxBlobBytes: config.maxEvidenceBytes,
      ...(config.spoolEncryption ? { encryption: await spoolKeys(spoolDir, config.spoolKekFile) } : {}),
    });
    if (spool.quarantined.length > 0)
      logger.error({ files: spool.quarantined }, 'edge: spool entries that do not authenticate were moved to spool/quarantine/');
    // Evidence uploaded for a detection that never came: removed once older than the configured age.
    const sweepMs = Math.max(1000, Math.min(config.orphanMaxAgeMs / 4, 600_000));
    const sweep = setInterval(() => {
      spool
        .collectOrphans(config.orphanMaxAgeMs)
        .then((removed) => {
          if (removed > 0) logger.info({ removed }, 'edge: removed evidence blobs whose detection never came');
        })
        .catch((error: Error) => logger.warn({ err: { name: error.name, message: error.message } }, 'edge: orphan blob clean-up failed'));
    }, sweepMs);
    sweep.unref();
    stops.push(() => clearInterval(sweep));
    const cameras = new EdgeCameraDirectory(join(config.dataDir, 'cameras'), config.upstream, identity, config.cameraRefreshMs, (error) =>
      logger.warn({ err: { name: error.name, message: error.message } }, 'edge: camera sync failed; using the stored copy'),
    );

    const metrics = createMetrics();
    const registry = metrics.registry;
    let alarmed = false;
    const checkAlarm = () => {
      const now = spool.alarmed();
      if (now && !alarmed) {
        const stats = spool.stats();
        logger.warn({ usedBytes: stats.usedBytes, quotaBytes: stats.quotaBytes }, 'edge: spool above 80% of its quota; detections will be refused when full');
      }
      alarmed = now;
    };
    const forwardedBytes = new Counter({ name: 'tec_edge_forwarded_bytes_total', help: 'Bytes sent to the provincial node', registers: [registry] });
    const refusedTotal = new Counter({ name: 'tec_edge_refused_total', help: 'Spooled detections the provincial node refused for good (kept in refused/)', registers: [registry] });
    const acceptedTotal = new Counter({ name: 'tec_edge_accepted_total', help: 'Detections accepted into the spool', registers: [registry] });
    // Originals later: review copies are derived in the background, never on the camera's request.
    const reviewCopies =
      config.originals === 'later'
        ? new ReviewCopies(spool, identity, {
            logger,
            onDeriveFailed: (error) =>
              logger.warn({ err: { name: error.name, message: error.message } }, 'edge: could not derive review copies; the originals go with the detection'),
          })
        : undefined;
    const forwarder = new Forwarder(spool, {
      upstream: config.upstream,
      lanes: config.lanes,
      logger,
      onForwarded: (_entry, bytes) => {
        forwardedBytes.inc(bytes);
        checkAlarm();
      },
      onRefused: () => refusedTotal.inc(),
      identity,
      requestPollMs: config.requestPollMs,
      ...(reviewCopies ? { beforeRelay: (entry: SpoolEntry) => reviewCopies.settle(entry) } : {}),
    });
    const status = (): EdgeStatus => {
      const stats = spool.stats();
      return {
        edgeId,
        province: config.province,
        upstream: config.upstream,
        linkUp: forwarder.linkUp ?? null,
        queueDepth: stats.depth,
        oldestUnforwardedAgeSeconds: stats.oldestReceivedAt ? Math.max(0, (Date.now() - Date.parse(stats.oldestReceivedAt)) / 1000) : null,
        spoolBytes: stats.usedBytes,
        spoolQuotaBytes: stats.quotaBytes,
        spoolAlarm: spool.alarmed(),
        forwardedTotal: forwarder.forwardedTotal,
        forwardedBytes: forwarder.bytesSent,
        bytesSaved: forwarder.bytesSaved,
        originals: config.originals,
        reviewCopiesPending: reviewCopies?.backlog() ?? 0,
        originalsPending: stats.originalsPending,
        originalsPendingBytes: stats.originalsPendingBytes,
        originalsRequested: forwarder.originalsQueued().requested,
        originalsSent: forwarder.originalsSent,
        originalsBytesSent: forwarder.originalsBytesSent,
        forwardRatePerSecond: forwarder.rate(),
        refused: stats.refused,
        orphanBlobs: stats.orphanBlobs,
        spoolEncrypted: config.spoolEncryption,
        lastError: forwarder.lastError ?? null,
      };
    };
    const gauge = (name: string, help: string, read: (s: EdgeStatus) => number) =>
      new Gauge({ name, help, registers: [registry], collect() { this.set(read(status())); } });
    gauge('tec_edge_queue_depth', 'Detections spooled and not yet at the provincial node', (s) => s.queueDepth);
    gauge('tec_edge_oldest_unforwarded_age_seconds', 'Age of the oldest spooled detection (0 when none)', (s) => s.oldestUnforwardedAgeSeconds ?? 0);
    gauge('tec_edge_spool_bytes', 'Bytes in the spool (entries and blobs)', (s) => s.spoolBytes);
    gauge('tec_edge_spool_quota_bytes', 'Spool quota', (s) => s.spoolQuotaBytes);
    gauge('tec_edge_spool_alarm', '1 when the spool is at or above 80% of its quota', (s) => (s.spoolAlarm ? 1 : 0));
    gauge('tec_edge_upstream_up', '1 when the last delivery attempt reached the provincial node', (s) => (s.linkUp ? 1 : 0));
    gauge('tec_edge_forward_rate', 'Detections forwarded per second (last minute)', (s) => s.forwardRatePerSecond);
    gauge('tec_edge_forwarded_total', 'Detections forwarded since start', (s) => s.forwardedTotal);
    gauge('tec_edge_orphan_blobs', 'Spooled blobs no detection names (removed after EDGE_ORPHAN_MAX_AGE_SECONDS)', (s) => s.orphanBlobs);
    gauge('tec_edge_bytes_saved_total', 'Original bytes not sent before review, less the derived bytes sent in their place', (s) => s.bytesSaved);
    gauge('tec_edge_review_copies_pending', 'Spooled detections whose review copies are not derived yet (originals later)', (s) => s.reviewCopiesPending);
    gauge('tec_edge_originals_pending', 'Withheld originals waiting for the background lane', (s) => s.originalsPending);
    gauge('tec_edge_originals_pending_bytes', 'Bytes of withheld originals waiting for the background lane', (s) => s.originalsPendingBytes);
    gauge('tec_edge_originals_sent_total', 'Withheld originals uploaded since start', (s) => s.originalsSent);

    const app = createApp({
      logger,
      verifier,
      metrics,
      // Cameras of a whole road segment may reach the edge from one address (a roadside switch).
      rateLimitPerMinute: 600_000,
      routes: edgeRoutes({
        identity,
        province: config.province,
        cameras,
        spool,
        maxEvidenceBytes: config.maxEvidenceBytes,
        now: () => new Date().toISOString(),
        status,
        onAccepted: () => {
          acceptedTotal.inc();
          checkAlarm();
        },
      }),
      readiness: [{ name: 'spool', check: async () => ({ ok: !spool.alarmed(), detail: { ...spool.stats() } }) }],
    });
    forwarder.start();
    stops.push(() => forwarder.stop());
    if (reviewCopies) {
      reviewCopies.start();
      stops.push(() => reviewCopies.stop());
    }
    checkAlarm();

    const server: Server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ edgeId, upstream: config.upstream, queueDepth: spool.stats().depth }, 'edge node started');
    return {
      url,
      edgeId,
      publicKey: key.publicKey,
      keyId: key.keyId,
      status,
      stop: async () => {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop();
    throw error;
  }
}
