/**
 * RFC 9457 problem details. The one place where an error category becomes an HTTP status.
 */
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, type ErrorCategory } from '../../domain/shared/errors.ts';

export const PROBLEM_BASE = 'https://tec.csgt.vn/problems/';

const STATUS: Record<ErrorCategory, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function statusFor(category: ErrorCategory): number {
  return STATUS[category];
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set({ 'Content-Type': 'application/problem+json', ...headers }).send(JSON.stringify(problem));
}

/** Errors that express or its body parsers raise carry `status`/`type`; map the common ones. */
function fromFramework(error: unknown): Problem | undefined {
  const e = error as { status?: number; statusCode?: number; type?: string; message?: string };
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 599) return undefined;
  if (e.type === 'entity.too.large') return { type: `${PROBLEM_BASE}payload-too-large`, title: 'Payload too large', status: 413 };
  if (e.type === 'entity.parse.failed') return { type: `${PROBLEM_BASE}malformed-json`, title: 'Malformed JSON body', status: 400 };
  return { type: `${PROBLEM_BASE}http-${status}`, title: e.message ?? 'Request failed', status };
}

export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const instance = (req as { id?: string }).id;
    if (error instanceof AppError) {
      const status = statusFor(error.category);
      // Details first: an error's own fields (e.g. a case `status: "detected"`) must never override the
      // problem's members, or express is handed a non-numeric status.
      const problem: Problem = {
        ...(error.details ?? {}),
        type: `${PROBLEM_BASE}${error.code}`,
        title: error.name,
        status,
        detail: error.message,
        ...(instance ? { instance: `urn:request:${instance}` } : {}),
      };
      if (status >= 500) logger.error({ err: { name: error.name, code: error.code }, reqId: instance }, 'request failed');
      const headers: Record<string, string> = {};
      const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
      if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
      sendProblem(res, problem, headers);
      return;
    }
    const framework = fromFramework(error);
    if (framework) {
      sendProblem(res, { ...framework, ...(instance ? { instance: `urn:request:${instance}` } : {}) });
      return;
    }
    // Unknown errors: log the name and stack only (messages may carry input), answer without internals.
    logger.error({ err: { name: (error as Error)?.name, stack: (error as Error)?.stack }, reqId: instance }, 'unhandled error');
    sendProblem(res, {
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal error',
      status: 500,
      ...(instance ? { instance: `urn:request:${instance}` } : {}),
    });
  };
}
