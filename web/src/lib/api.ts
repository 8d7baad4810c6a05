/**
 * Calls to the node's HTTP API with the session's bearer token. Errors come back as RFC 9457 problem details;
 * they are thrown as `ApiError` carrying the status, type and detail for the UI to show.
 */
import type { paths } from './api-types.gen.ts';
import { sessionStore } from './session.ts';

/** The JSON body `GET path` answers with on 200, from the generated OpenAPI types (`npm run gen:api`). */
export type GetResponse<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

/** The JSON body `POST path` answers with on 200, from the generated OpenAPI types. */
export type PostResponse<P extends keyof paths> = paths[P] extends {
  post: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;

/** The JSON request body of `POST path`, from the generated OpenAPI types. */
export type PostBody<P extends keyof paths> = paths[P] extends {
  post: { requestBody: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problemType: string,
    readonly title: string,
    readonly detail: string | undefined,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

export interface ApiOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Why evidence or personal data is accessed (recorded in the custody log). */
  purpose?: string;
  /** The case revision the request is based on (`If-Match`). */
  ifMatch?: number;
  auth?: boolean;
}

export async function apiResponse(path: string, options: ApiOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const session = sessionStore.get();
  if (options.auth !== false && session) headers.Authorization = `Bearer ${session.token}`;
  // Header values are ASCII: a Vietnamese purpose goes percent-encoded as UTF-8 (the server decodes it).
  if (options.purpose) headers['X-Purpose'] = /^[\x20-\x7e]*$/.test(options.purpose) && !options.purpose.includes('%') ? options.purpose : encodeURIComponent(options.purpose);
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    let problem: { type?: string; title?: string; detail?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, problem.type ?? 'about:blank', problem.title ?? response.statusText, problem.detail);
  }
  return response;
}

export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const response = await apiResponse(path, options);
  return (await response.json()) as T;
}

/** Fetches an evidence blob as an object URL (the caller revokes it). */
export async function evidenceUrl(caseId: string, digest: string, purpose: string): Promise<string> {
  const response = await apiResponse(`/v1/cases/${caseId}/evidence/${digest}`, { purpose });
  return URL.createObjectURL(await response.blob());
}
