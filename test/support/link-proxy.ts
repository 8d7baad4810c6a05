/**
 * A TCP proxy in the test process between an edge node and its provincial node (test/e2e/edge.spec.ts,
 * bench/edge.bench.ts): `cut()` resets every open connection and refuses new ones, `restore()` lets them
 * through again; `targetPort` may change (the node restarted on another port).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

/** A TCP proxy whose link can be cut (every connection reset, new ones refused) and restored. */
export class LinkProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  up = true;
  port = 0;
  constructor(public targetPort: number) {}

  async listen(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.up) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
  }

  cut(): void {
    this.up = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.up = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

