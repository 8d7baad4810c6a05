/**
 * A local STAND-IN HTTP server for the agencies' warning endpoints (vehicle registration, vehicle inspection,
 * commune police), which cannot exist here. It speaks the contract of agency-warning-contract.ts exactly as a
 * receiver must: it checks the bearer token and/or the HMAC signature it was given, refuses a body with any field
 * beyond the documented ones (400), a body whose agency is not the endpoint's (400) and an `Idempotency-Key` other
 * than the warning id (400); it accepts each warning id once (202 with a receipt; a repeat answers 200 with the
 * same receipt and `duplicate: true`), and can be told to fail the next N requests (503 by default) so retries can
 * be tested. It keeps what it received in this process's memory only and logs nothing.
 *
 * Endpoints: `POST <url>/<agency>/warnings` for each agency kind; `endpoints` lists them for the adapter.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WARNED_AGENCIES, type WarnedAgency } from '../../domain/case/events.ts';
import { AgencyWarningBodySchema, checkWarningSignature, type AgencyWarningBody } from '../notify/agency-warning-contract.ts';
import { listenLocally, type LocalServerOptions } from './local-server.ts';

export interface AgencyWarningDelivery {
  agency: WarnedAgency;
  idempotencyKey: string;
  body: AgencyWarningBody;
  /** The request body exactly as received (to check what left the node). */
  raw: string;
  receipt: string;
}

export interface AgencyWarningServer {
  url: string;
  /** The endpoint of each agency kind, as the adapter is configured. */
  endpoints: Record<WarnedAgency, string>;
  /** Accepted warnings, one per idempotency key, in arrival order. */
  readonly deliveries: AgencyWarningDelivery[];
  /** Every request received, refused and repeated ones included. */
  readonly attempts: number;
  /** Requests refused for authentication (401). */
  readonly unauthorised: number;
  /**
   * The next `count` requests are answered `status` (default 503): before anything is recorded, or with
   * `afterAccepting` once the warning is recorded (an acknowledgement lost on the way back).
   */
  failNext(count: number, status?: number, mode?: { afterAccepting: boolean }): void;
  close(): Promise<void>;
}

export interface AgencyWarningServerOptions extends LocalServerOptions {
  /** Required bearer token, if any. */
  token?: string;
  /** Required HMAC secret for `X-Agency-Signature`, if any. */
  secret?: Uint8Array;
  now?: () => number;
}

const MAX_BODY = 64 * 1024;

function answer(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? undefined : JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

export async function startAgencyWarningServer(options: AgencyWarningServerOptions = {}): Promise<AgencyWarningServer> {
  if (!options.token && !options.secret) throw new Error('The agency warning stand-in needs a token or a secret to check');
  const deliveries: AgencyWarningDelivery[] = [];
  const receipts = new Map<string, string>();
  let attempts = 0;
  let unauthorised = 0;
  let failures = 0;
  let failStatus = 503;
  let failAfterAccepting = false;
  const now = options.now ?? Date.now;

  const server: Server = createServer((req, res) => {
    const match = /^\/([a-z-]+)\/warnings$/.exec(req.url ?? '');
    const agency = match && (WARNED_AGENCIES as readonly string[]).includes(match[1]!) ? (match[1] as WarnedAgency) : undefined;
    if (req.method !== 'POST' || !agency) {
      answer(res, 404, { error: 'not-found' });
      return;
    }
    attempts++;
    void readBody(req).then((raw) => {
      if (failures > 0 && !failAfterAccepting) {
        failures--;
        answer(res, failStatus, { error: 'unavailable' });
        return;
      }
      if (raw === null) {
        answer(res, 413, { error: 'too-large' });
        return;
      }
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
        unauthorised++;
        answer(res, 401, { error: 'unauthorised' });
        return;
      }
      if (options.secret && checkWarningSignature(options.secret, raw, req.headers['x-agency-signature'] as string | undefined, now()) !== null) {
        unauthorised++;
        answer(res, 401, { error: 'bad-signature' });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        answer(res, 400, { error: 'not-json' });
        return;
      }
      const parsed = AgencyWarningBodySchema.safeParse(json);
      const key = req.headers['idempotency-key'];
      if (!parsed.success || parsed.data.agency !== agency || key !== parsed.data.warningId) {
        answer(res, 400, { error: 'malformed' });
        return;
      }
      const known = receipts.get(key);
      let receipt = known;
      if (receipt === undefined) {
        receipt = `${agency}-${String(deliveries.length + 1).padStart(6, '0')}`;
        receipts.set(key, receipt);
        deliveries.push({ agency, idempotencyKey: key, body: parsed.data, raw, receipt });
      }
      if (failures > 0) {
        failures--;
        answer(res, failStatus, { error: 'unavailable' });
        return;
      }
      answer(res, known === undefined ? 202 : 200, { receipt, duplicate: known !== undefined });
    });
  });
  const { url, close } = await listenLocally(server, options);
  return {
    url,
    endpoints: Object.fromEntries(WARNED_AGENCIES.map((a) => [a, `${url}/${a}/warnings`])) as Record<WarnedAgency, string>,
    deliveries,
    get attempts() {
      return attempts;
    },
    get unauthorised() {
      return unauthorised;
    },
    failNext: (count, status = 503, mode) => {
      failures = count;
      failStatus = status;
      failAfterAccepting = mode?.afterAccepting ?? false;
    },
    close,
  };
}
