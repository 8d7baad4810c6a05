/**
 * `tec edge status --url <edge>`: an edge node's queue depth, oldest unforwarded age, spool bytes against its
 * quota, forward rate, bytes sent and saved, refusals and the link state, read from its
 * `GET /v1/edge/status` (docs/edge.md). Exit status: 0 healthy; 1 the spool is in alarm (≥ 80 % of its quota),
 * the node refused some detections for good, or the edge could not be read; 2 a usage error.
 */
import type { Command } from 'commander';
import { AppError } from '../../domain/shared/errors.ts';
import type { EdgeStatus } from '../../adapters/edge/routes.ts';

export class EdgeStatusError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'edge-status-unavailable';
}

export async function fetchEdgeStatus(url: string): Promise<EdgeStatus> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/+$/, '')}/v1/edge/status`, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new EdgeStatusError(`Cannot reach the edge node at ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new EdgeStatusError(`The edge node answered ${response.status}`);
  return (await response.json()) as EdgeStatus;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function formatEdgeStatus(s: EdgeStatus): string[] {
  const percent = s.spoolQuotaBytes > 0 ? ((100 * s.spoolBytes) / s.spoolQuotaBytes).toFixed(1) : '0';
  return [
    `edge ${s.edgeId} (province ${s.province}) → ${s.upstream}: link ${s.linkUp === null ? 'not yet tried' : s.linkUp ? 'up' : 'DOWN'}`,
    `queue depth: ${s.queueDepth}`,
    `oldest unforwarded: ${s.oldestUnforwardedAgeSeconds === null ? '-' : `${s.oldestUnforwardedAgeSeconds.toFixed(1)} s`}`,
    `spool: ${mib(s.spoolBytes)} of ${mib(s.spoolQuotaBytes)} (${percent}%)${s.spoolAlarm ? '  ALARM: above 80% of the quota' : ''}${s.spoolEncrypted === false ? ', NOT encrypted at rest' : ', encrypted at rest'}`,
    `blobs no detection names (removed when old enough): ${s.orphanBlobs ?? 0}`,
    `forwarded: ${s.forwardedTotal} detections, ${mib(s.forwardedBytes)}, ${s.forwardRatePerSecond.toFixed(1)}/s over the last minute`,
    `bytes saved: ${mib(s.bytesSaved)} (originals ${s.originals ?? 'now'}: original bytes not sent before review, less the derived bytes sent)`,
    ...(s.originals === 'later'
      ? [
          `detections waiting for their review copies (derived in the background): ${s.reviewCopiesPending ?? 0}`,
          `originals waiting for the background lane: ${s.originalsPending} (${mib(s.originalsPendingBytes)}), ${s.originalsRequested} requested by the node; sent: ${s.originalsSent} (${mib(s.originalsBytesSent)})`,
        ]
      : []),
    `refused by the node (kept in refused/) or unreadable at start (quarantine/): ${s.refused}`,
    ...(s.lastError ? [`last error: ${s.lastError}`] : []),
  ];
}

export function register(program: Command): void {
  const edge = program.command('edge').description('edge nodes (store-and-forward in front of a provincial node: docs/edge.md)');
  edge
    .command('status')
    .description('queue depth, oldest unforwarded age, spool bytes, forward rate, bytes saved of an edge node')
    .requiredOption('--url <url>', 'the edge node, e.g. http://127.0.0.1:8090')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { url: string; json?: boolean }) => {
      const status = await fetchEdgeStatus(opts.url);
      process.stdout.write(opts.json ? `${JSON.stringify(status)}\n` : `${formatEdgeStatus(status).join('\n')}\n`);
      if (status.spoolAlarm || status.refused > 0) process.exitCode = 1;
    });
}
