/**
 * Routes are declared once, with their zod schemas, roles and responses; the same declaration validates
 * requests at the edge and produces the OpenAPI 3.1 document. Handlers receive parsed, typed input and the
 * authenticated principal, never raw HTTP input.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '../../domain/shared/errors.ts';
import type { Principal, Role } from '../auth/roles.ts';
import { UnauthenticatedError, type TokenVerifier } from '../auth/tokens.ts';

export class ForbiddenError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'not-found';
}

/**
 * A provincial node (`--tier province`) serves national-scope principals (province `00`: the national mirror,
 * national auditors) for reading only: what a province's log holds is written by the province's own people
 * and devices (docs/federation.md, "Trust model").
 */
export class NationalScopeReadOnlyError extends AppError {
  readonly category = 'forbidden' as const;
  readonly code = 'national-scope-read-only';
}

export class PurposeRequiredError extends AppError {
  readonly category = 'validation' as const;
  readonly code = 'purpose-required';
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface HandlerContext<P, Q, B> {
  req: Request;
  res: Response;
  principal: Principal | undefined;
  params: P;
  query: Q;
  body: B;
  /** The X-Purpose header, when the route requires one (access to evidence or personal data). */
  purpose: string | undefined;
}

export interface RouteDefinition<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  /** Express path syntax (`/v1/cases/:caseId`, `/log/records/*rest`); converted to `{caseId}`, `{rest}` for OpenAPI. */
  path: string;
  summary: string;
  tags: string[];
  /** `public` = no token; otherwise the roles allowed. Resource-level checks happen in the handler. */
  auth: 'public' | readonly Role[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Raw body (multipart, octet-stream): the handler reads the stream itself. */
  rawBody?: { contentTypes: string[]; description: string };
  requiresPurpose?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: HandlerContext<P, Q, B>) => Promise<void>;
}

/** A route of any input types: lists of routes are heterogeneous by nature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any>;

export function route<P, Q, B>(definition: RouteDefinition<P, Q, B>): RouteDefinition<P, Q, B> {
  return definition;
}

function issuesToDetails(error: z.ZodError): Record<string, unknown> {
  return { errors: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(`Invalid ${where}`, issuesToDetails(result.error), `invalid-${where}`);
  return result.data;
}

export interface Authenticator {
  verifier: TokenVerifier;
}

export async function authenticate(req: Request, verifier: TokenVerifier): Promise<Principal> {
  const header = req.get('authorization');
  const match = header?.match(/^Bearer ([A-Za-z0-9._~+/=-]+)$/);
  if (!match?.[1]) throw new UnauthenticatedError('A bearer token is required');
  return verifier.verify(match[1]);
}

/**
 * HTTP header values are ASCII in practice (browsers refuse others), so a Vietnamese purpose arrives
 * percent-encoded as UTF-8 ("Ki%E1%BB%83m%20tra"); plain ASCII passes as it is.
 */
function decodePurpose(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return (/%[0-9A-Fa-f]{2}/.test(raw) ? decodeURIComponent(raw) : raw).trim();
  } catch {
    return undefined;
  }
}

const PURPOSE_PATTERN = /^[\p{L}\p{N} .,:;()/_-]{3,200}$/u;

/**
 * The request's X-Purpose, decoded and checked, for a route that discloses personal data only on request
 * (e.g. the review queue with `include=plates`); throws `PurposeRequiredError` like a `requiresPurpose` route.
 */
export function statedPurpose(req: Request): string {
  const purpose = decodePurpose(req.get('x-purpose'));
  if (!purpose || !PURPOSE_PATTERN.test(purpose))
    throw new PurposeRequiredError('This request discloses evidence or personal data: state its purpose in the X-Purpose header');
  return purpose;
}

export interface MountOptions {
  /** A provincial node: a national-scope principal (province `00`) may call only GET routes. */
  nationalScopeReadOnly?: boolean;
}

export function mountRoutes(app: Express, routes: AnyRoute[], verifier: TokenVerifier, options: MountOptions = {}): void {
  for (const def of routes) {
    app[def.method](def.path, async (req: Request, res: Response, next: NextFunction) => {
      try {
        let principal: Principal | undefined;
        if (def.auth !== 'public') {
          principal = await authenticate(req, verifier);
          if (!def.auth.includes(principal.role)) throw new ForbiddenError(`Role ${principal.role} may not call this operation`);
          if (options.nationalScopeReadOnly && principal.province === '00' && def.method !== 'get') {
            throw new NationalScopeReadOnlyError('A national-scope token may only read on a provincial node');
          }
          (req as { principal?: Principal }).principal = principal;
        }
        let purpose: string | undefined;
        if (def.requiresPurpose) {
          purpose = decodePurpose(req.get('x-purpose'));
          if (!purpose || !PURPOSE_PATTERN.test(purpose)) {
            throw new PurposeRequiredError('This request discloses evidence or personal data: state its purpose in the X-Purpose header');
          }
        }
        const params = parseWith(def.params, req.params, 'path');
        const query = parseWith(def.query, req.query, 'query');
        const body = def.rawBody ? undefined : parseWith(def.body, req.body, 'body');
        await def.handler({ req, res, principal, params, query, body, purpose });
      } catch (error) {
        next(error);
      }
    });
  }
}

function toOpenApiPath(path: string): string {
  return path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
}

function jsonSchema(schema: z.ZodType): object {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' }) as object;
}

export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const def of routes) {
    const p = toOpenApiPath(def.path);
    const parameters: object[] = [];
    const pathParams = [...def.path.matchAll(/[:*]([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const paramSchema = def.params ? (jsonSchema(def.params) as { properties?: Record<string, object> }) : undefined;
    for (const name of pathParams) {
      parameters.push({ name, in: 'path', required: true, schema: paramSchema?.properties?.[name!] ?? { type: 'string' } });
    }
    if (def.query) {
      const q = jsonSchema(def.query) as { properties?: Record<string, object>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    if (def.requiresPurpose) {
      parameters.push({ name: 'X-Purpose', in: 'header', required: true, schema: { type: 'string', minLength: 3, maxLength: 200 }, description: 'Why the evidence or personal data is accessed; recorded in the custody log' });
    }
    const responses: Record<string, object> = {};
    for (const [status, spec] of Object.entries(def.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema || spec.contentType
          ? { content: { [spec.contentType ?? 'application/json']: spec.schema ? { schema: jsonSchema(spec.schema) } : {} } }
          : {}),
      };
    }
    responses.default = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    const operation: Record<string, unknown> = {
      summary: def.summary,
      tags: def.tags,
      parameters,
      responses,
      ...(def.auth === 'public' ? { security: [] } : { 'x-roles': def.auth }),
    };
    if (def.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(def.body) } } };
    if (def.rawBody) {
      operation.requestBody = { required: true, description: def.rawBody.description, content: Object.fromEntries(def.rawBody.contentTypes.map((t) => [t, {}])) };
    }
    (paths[p] ??= {})[def.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)' } },
      schemas: {
        Problem: {
          type: 'object',
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' } },
          required: ['type', 'title', 'status'],
        },
      },
    },
    security: [{ bearer: [] }],
  };
}
