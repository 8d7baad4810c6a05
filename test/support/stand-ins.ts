/**
 * Local stand-ins for systems that cannot exist here, for specs and the demo: the national vehicle registry,
 * the notification gateway (both real HTTP servers from src/adapters) and an SMTP sink (smtp-server) that
 * keeps every message it accepts. Also a pino logger whose output the spec can search.
 */
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { SMTPServer } from 'smtp-server';

export { startStandInRegistry, syntheticVehicles, type StandInRegistry } from '../../src/adapters/registry/stand-in.ts';
export { startStandInGateway, type StandInGateway } from '../../src/adapters/notify/stand-in-gateway.ts';

export interface SinkMessage {
  from: string;
  to: string[];
  raw: string;
  messageId: string | undefined;
}

export interface SmtpSink {
  host: string;
  port: number;
  readonly messages: SinkMessage[];
  /** The next `count` messages are refused with a temporary 451 after DATA. */
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          const error = new Error('Try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1],
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    messages,
    failNext: (count) => void (failures = count),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A pino logger writing into memory, so a spec can assert what was (not) logged. */
export function capturedLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}
