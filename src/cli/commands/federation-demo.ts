/**
 * `tec federation-demo --data-dir <dir> [--port <p>]`: both tiers from one command (docs/federation.md).
 * A national node (`--tier national`: witness, provincial log registry, mirror) on `p`, and provincial nodes
 * for 01 and 79 (`--tier province`) on `p+1` and `p+2`, each an embedded node with its own data directory
 * under `<dir>` (`national`, `province-01`, `province-79`). The national node registers both provincial logs,
 * each province is seeded with signed demo detections from its own cameras (once per data directory), the
 * provinces submit their checkpoints to the witness and the national node mirrors their records. Restarted
 * on another `--port`, the national node records the provinces' moves (`ProvincialLogMoved`).
 *
 * The three nodes share one development token issuer key (`<dir>/keys/issuer.key`), so the national mirror's
 * own token (subject `national-mirror`) is accepted by the provinces, as a national identity provider's would
 * be. Prints `national: <url>`, `province 01: <url>`, `province 79: <url>`, `witness-key: …`, `log-key 01: …`
 * and `log-key 79: …`, then runs until SIGINT or SIGTERM, like `tec serve`.
 *
 * Province 01's seeding holds one case back from the notice (its owner resides in 79, says the registry
 * stand-in) and its director signs the transfer to 79; the national relay carries it and 79's node opens the
 * linked case. `transferred: <caseId> 01 -> 79` is printed once 79 holds it (docs/federation.md).
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../config.ts';
import { startNode, type RunningNode } from '../../node/index.ts';
import { loadProvincialLogRegistry, moveProvincialLog, registerProvincialLog } from '../../commands/federation.ts';
import { ValidationError } from '../../domain/shared/errors.ts';
import { seedDemoIfEmpty } from '../../demo/index.ts';
import { streams } from '../../domain/record.ts';
import { StreamNotFoundError } from '../../ports/eventstore.ts';

const PROVINCES = ['01', '79'] as const;

export const demoOrigin = (province: string) => `vn-traffic/province-${province}`;

export interface FederationDemo {
  national: RunningNode;
  provinces: Map<string, RunningNode>;
  stop(): Promise<void>;
}

/** Starts the three nodes; `print` receives the named lines. */
export async function startFederationDemo(options: {
  dataDir: string;
  port: number;
  print: (line: string) => void;
  /** Detections seeded per province (default 6). */
  cases?: number;
}): Promise<FederationDemo> {
  const dir = resolve(options.dataDir);
  const quiet = () => undefined;
  // Nothing of the caller's node configuration (DATABASE_URL, REDIS_URL, key files…) leaks in: each node is
  // embedded in its own directory with defaults.
  const base: Record<string, string> = {
    ISSUER_KEY_FILE: join(dir, 'keys', 'issuer.key'),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const started: RunningNode[] = [];
  const stop = async () => {
    for (const node of started.reverse()) await node.stop();
  };
  try {
    const national = await startNode({
      config: loadConfig({ ...base, PORT: String(options.port), TIER: 'national', LEDGER_ORIGIN: 'vn-traffic/national' }, { dataDir: join(dir, 'national') }),
      print: quiet,
    });
    started.push(national);
    const witnessKey = national.witness!.verifierKey();
    const provinces = new Map<string, RunningNode>();
    for (const [i, province] of PROVINCES.entries()) {
      const node = await startNode({
        config: loadConfig(
          {
            ...base,
            PORT: String(options.port + 1 + i),
            TIER: 'province',
            PROVINCES: province,
            LEDGER_ORIGIN: demoOrigin(province),
            WITNESS_URL: `${national.url}/witness`,
            WITNESS_KEY: witnessKey,
          },
          { dataDir: join(dir, `province-${province}`) },
        ),
        print: quiet,
      });
      started.push(node);
      provinces.set(province, node);
    }
    // The national administrator's registration of both provincial logs (once; an origin is never reused). A
    // restart on another --port moves the registered logs to the provinces' new addresses (ProvincialLogMoved),
    // which the mirror reads from its next round.
    const registry = await loadProvincialLogRegistry(national.store);
    const admin = { actor: { kind: 'system' as const, id: 'federation-demo' }, province: '00' };
    for (const [province, node] of provinces) {
      const registered = Object.hasOwn(registry.logs, demoOrigin(province)) ? registry.logs[demoOrigin(province)] : undefined;
      if (!registered) {
        await registerProvincialLog(national.commandDeps, admin, {
          logProvince: province,
          origin: demoOrigin(province),
          verifierKey: node.ledger.verifierKey(),
          baseUrl: node.url!,
        });
      } else if (registered.baseUrl !== node.url && registered.retiredAt === undefined) {
        await moveProvincialLog(national.commandDeps, admin, { origin: registered.origin, baseUrl: node.url! });
      }
    }
    const transferred: { caseId: string; from: string; to: string }[] = [];
    for (const [province, node] of provinces) {
      const seeded = await seedDemoIfEmpty(node, { provinces: [province], cases: options.cases ?? 6, seed: 20261200 + Number(province) * 1000 });
      // 01's seeding transfers one case to 79 (its owner resides there): a node that 01's does not serve.
      for (const caseId of seeded?.transferredCaseIds ?? []) transferred.push({ caseId, from: province, to: '79' });
    }
    options.print(`national: ${national.url}`);
    for (const [province, node] of provinces) options.print(`province ${province}: ${node.url}`);
    options.print(`witness-key: ${witnessKey}`);
    for (const [province, node] of provinces) options.print(`log-key ${province}: ${node.ledger.verifierKey()}`);
    // The handover travels on its own (01 seals, the witness cosigns, the nation mirrors, 79's receiver opens
    // it): the line is printed once the receiving node holds the linked case.
    const watching = { stopped: false };
    for (const handover of transferred) void announceWhenReceived(provinces.get(handover.to)!, handover, options.print, watching);
    return {
      national,
      provinces,
      stop: async () => {
        watching.stopped = true;
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls the receiving node's event store until the case's stream opens with `CaseReceived`, then prints. */
async function announceWhenReceived(
  receiver: RunningNode,
  handover: { caseId: string; from: string; to: string },
  print: (line: string) => void,
  watching: { stopped: boolean },
): Promise<void> {
  while (!watching.stopped) {
    try {
      const [first] = await receiver.store.readStream(streams.case(handover.caseId), { maxCount: 1 });
      if (first?.record.type === 'CaseReceived') {
        print(`transferred: ${handover.caseId} ${handover.from} -> ${handover.to}`);
        return;
      }
    } catch (error) {
      // Not there yet; anything else (the node stopping) ends the watch quietly, the demo's own logs tell.
      if (!(error instanceof StreamNotFoundError)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function register(program: Command): void {
  program
    .command('federation-demo')
    .description('run a national node and provincial nodes 01 and 79 (embedded, seeded) on --port, +1, +2')
    .requiredOption('--data-dir <dir>', 'directory for the three embedded nodes')
    .option('--port <port>', 'the national node port (the provinces take the next two)', '8080')
    .option('--cases <n>', 'demo detections seeded per province', '6')
    .action(async (opts: { dataDir: string; port: string; cases: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 1 || port > 65533) throw new ValidationError('--port must be 1…65533');
      const cases = Number(opts.cases);
      if (!Number.isInteger(cases) || cases < 0 || cases > 200) throw new ValidationError('--cases must be 0…200');
      const demo = await startFederationDemo({ dataDir: opts.dataDir, port, cases, print: (line) => process.stdout.write(`${line}\n`) });
      await new Promise<void>((resolveStop) => {
        const shutdown = () => {
          process.stdout.write('shutting down\n');
          demo.stop().then(resolveStop, resolveStop);
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
}
