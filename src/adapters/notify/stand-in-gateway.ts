/**
 * A local stand-in for the national notification gateway (VNeTraffic / VNeID push), for tests and the demo.
 * It records what it received, delivers once per `Idempotency-Key` (a repeat answers 200 `{duplicate:true}`),
 * and can be told to fail the next N requests with 503. It is not the real gateway, which cannot exist here.
 */
import { createServer, type Server } from 'node:http';
import { listenLocally } from '../stand-ins/local-server.ts';

export interface GatewayDelivery {
  idempotencyKey: string;
  body: Record<string, unknown>;
}

export interface StandInGateway {
  url: string;
  /** Accepted notices, one per idempotency key, in arrival order. */
  readonly deliveries: GatewayDelivery[];
  /** Every POST received (including refused and repeated ones). */
  readonly attempts: number;
  failNext(count: number): void;
  close(): Promise<void>;
}

const MAX_BODY = 256 * 1024;

export async function startStandInGateway(options: { port?: number; host?: string } = {}): Promise<StandInGateway> {
  const deliveries: GatewayDelivery[] = [];
  const seen = new Set<string>();
  let failures = 0;
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/notifications') {
      res.writeHead(404).end();
      return;
    }
    attempts++;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (failures > 0) {
        failures--;
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
        return;
      }
      const key = req.headers['idempotency-key'];
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (typeof key !== 'string' || key.length === 0 || typeof body !== 'object' || body === null) {
        res.writeHead(400).end();
        return;
      }
      const duplicate = seen.has(key);
      if (!duplicate) {
        seen.add(key);
        deliveries.push({ idempotencyKey: key, body });
      }
      res.writeHead(duplicate ? 200 : 202, { 'content-type': 'application/json' }).end(JSON.stringify({ duplicate }));
    });
  });
  const { url, close } = await listenLocally(server, options);
  return {
    url,
    deliveries,
    get attempts() {
      return attempts;
    },
    failNext: (count) => void (failures = count),
    close,
  };
}
