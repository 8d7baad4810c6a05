/**
 * Listening and closing for the local stand-in HTTP servers (vehicle registry, notification gateway): they
 * listen on `port` (default 0: any free port) and `host` (default 127.0.0.1), and `close` drops open
 * keep-alive connections first so a spec's teardown never waits on an idle client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServerOptions {
  port?: number;
  host?: string;
}

export interface ListeningServer {
  /** `http://127.0.0.1:<port>`: where local clients reach the stand-in. */
  url: string;
  /** Resolves once the server has stopped; open connections are closed, not waited for. */
  close(): Promise<void>;
}

/** Starts `server` listening; resolves once it accepts connections, rejects if it cannot listen. */
export async function listenLocally(
  server: Server,
  options: LocalServerOptions = {},
): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
