/**
 * The express application: security headers, request ids, body limits, rate limits, structured logs without
 * personal data, health/readiness/metrics, the OpenAPI document, the routes, and problem details for errors.
 */
import express, { type Express, type Request, type RequestHandler } from 'express';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import swaggerUi from 'swagger-ui-express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/tokens.ts';
import type { Metrics } from '../../ports/metrics.ts';
import { problemMiddleware, sendProblem, PROBLEM_BASE } from './problem.ts';
import { mountRoutes, openApiDocument, type AnyRoute } from './route.ts';

/** Which proxies express may believe about the client address (`TRUST_PROXY`, parsed in src/config.ts). */
export type TrustProxy = false | number | readonly string[];

export interface ReadinessCheck {
  name: string;
  /** Resolves with details when ready; rejects (or returns ok:false) when not. */
  check(): Promise<{ ok: boolean; detail?: Record<string, unknown> }>;
}

export interface AppOptions {
  logger: Logger;
  verifier: TokenVerifier;
  metrics: Metrics;
  routes: AnyRoute[];
  /** A provincial node: national-scope principals (province `00`) may only read (`mountRoutes`). */
  nationalScopeReadOnly?: boolean;
  readiness?: ReadinessCheck[];
  /** Requests per minute per client address on the /v1 routes. */
  rateLimitPerMinute?: number;
  /** Requests per minute per client address on the edge nodes' routes (/v1/edge). */
  edgeRateLimitPerMinute?: number;
  /** Requests per minute per client address on public routes (citizen lookup). */
  publicRateLimitPerMinute?: number;
  /**
   * Which proxies' X-Forwarded-For to believe when resolving the client address (`TRUST_PROXY`); default
   * none: the socket's peer address is the client.
   */
  trustProxy?: TrustProxy;
  jsonLimit?: string;
  /** The embedded OpenID Connect provider, mounted at `/oidc` (before the JSON body parser: it reads its own bodies). */
  oidc?: RequestHandler;
  /** Static web UI directory, served at `/`. */
  staticDir?: string;
  version?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The paths cameras and edge nodes send to (role `device`; docs/api.md, ingest protocol). */
export function isDevicePath(path: string): boolean {
  return path === '/v1/evidence' || path === '/v1/detections' || path === '/v1/detections/upload' || path.startsWith('/v1/edge/');
}

export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Explicit only (TRUST_PROXY): with no trusted proxy, X-Forwarded-For is ignored and req.ip is the peer.
  const trustProxy = options.trustProxy ?? false;
  app.set('trust proxy', Array.isArray(trustProxy) ? [...trustProxy] : trustProxy);
  app.set('query parser', 'simple');
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
      },
    },
  });
  // Browser security headers are for browsers: the camera and edge ingest paths (no browser ever calls them, and
  // their answers are three JSON fields) skip helmet, which cost 2% of an ingest in the issue 15 profile.
  app.use((req, res, next) => (isDevicePath(req.path) ? next() : securityHeaders(req, res, next)));

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    (req as { id?: string }).id = id;
    res.set('X-Request-Id', id);
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const routePath = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      options.metrics.httpDuration.observe({ method: req.method, route: routePath, status: String(res.statusCode) }, seconds);
      // Paths can carry plates or ids; log the route template, never the raw URL or query.
      options.logger.info(
        { reqId: id, method: req.method, route: routePath, status: res.statusCode, ms: Math.round(seconds * 1000) },
        'request',
      );
    });
    next();
  });

  if (options.oidc) app.use('/oidc', options.oidc);

  app.use(express.json({ limit: options.jsonLimit ?? '256kb', type: ['application/json', 'application/*+json'] }));

  // Per client address as resolved through `trust proxy` (IPv6 by /56). Never by request headers the limiter
  // has not verified: a different junk Authorization header per request must not buy a fresh allowance.
  const keyOf = (req: Request) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
  const limited = (limit: number, skip?: (req: Request) => boolean) =>
    rateLimit({
      ...(skip ? { skip } : {}),
      windowMs: 60_000,
      limit,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      keyGenerator: keyOf,
      // An X-Forwarded-For from an untrusted peer is expected (and ignored) when TRUST_PROXY is off.
      validate: { xForwardedForHeader: false },
      handler: (_req, res) =>
        sendProblem(res, { type: `${PROBLEM_BASE}rate-limited`, title: 'Too many requests', status: 429 }, { 'Retry-After': '60' }),
    });
  app.use('/v1/public', limited(options.publicRateLimitPerMinute ?? 30));
  // Edge nodes (docs/edge.md) forward a whole province's road segment from one address, and catch up after an
  // outage at full speed: their own, larger allowance (each request is verified under the edge's key).
  app.use('/v1/edge', limited(options.edgeRateLimitPerMinute ?? 120_000));
  app.use('/v1', limited(options.rateLimitPerMinute ?? 6000, (req) => req.baseUrl === '/v1' && req.path.startsWith('/edge/')));
  // The witness is public (its only authentication is the log signature): rate-limited like /v1.
  app.use('/witness', limited(options.rateLimitPerMinute ?? 6000));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results: Record<string, unknown> = {};
    let ok = true;
    for (const check of options.readiness ?? []) {
      try {
        const r = await check.check();
        results[check.name] = { ok: r.ok, ...(r.detail ?? {}) };
        ok &&= r.ok;
      } catch (error) {
        results[check.name] = { ok: false, error: (error as Error).name };
        ok = false;
      }
    }
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not-ready', checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  const document = openApiDocument(options.routes, {
    title: 'Traffic evidence center API',
    version: options.version ?? '0.1.0',
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document as swaggerUi.JsonObject));

  mountRoutes(app, options.routes, options.verifier, { nationalScopeReadOnly: options.nationalScopeReadOnly ?? false });

  if (options.staticDir) app.use(express.static(options.staticDir, { index: 'index.html', fallthrough: true }));

  app.use((req, res) => {
    // `req.path` never carries the query string (which may hold a plate or a certificate number).
    sendProblem(res, {
      type: `${PROBLEM_BASE}not-found`,
      title: 'Not found',
      status: 404,
      detail: `No route for ${req.method} ${req.path}`,
      method: req.method,
      path: req.path,
    });
  });
  app.use(problemMiddleware(options.logger));
  return app;
}
