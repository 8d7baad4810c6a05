/**
 * `tec federation status`: what the national witness knows of each registered provincial log (witnessed
 * size, last cosignature time, fork alarms), read from the national node's `GET /v1/federation/status` and
 * `/v1/federation/fork-alarms` with a national admin or auditor token (`--token` or `TEC_TOKEN`).
 * Exit status: 0 no alarm; 1 at least one fork alarm or stale province (its newest cosigned checkpoint, or the
 * mirror, older than the node's FEDERATION_STALE_SECONDS; or the province refusing the mirror's token), an
 * expired or unreadable mirror token, or the node could not be read (the message says which); 2 a usage error.
 * An expiring mirror token is printed (`CREDENTIALS …`) without changing the exit status.
 */
import type { Command } from 'commander';
import { AppError } from '../../domain/shared/errors.ts';

export class FederationStatusError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'federation-status-unavailable';
}

export interface FederationLogStatus {
  origin: string;
  province?: string;
  baseUrl?: string;
  retired: boolean;
  size?: number;
  cosignedAt?: string;
  forkAlarms: number;
}

export interface FederationAlarm {
  origin: string;
  kind: string;
  cosignedSize: number;
  submittedSize: number;
  raisedAt: string;
}

export interface FederationStaleLog {
  origin: string;
  province?: string;
  stale: boolean;
  reasons: string[];
  checkpointAgeSeconds?: number;
  mirrorSecondsBehind?: number;
}

/** A token the national node presents to the provinces (the mirror's), as `/v1/federation/status` reports it. */
export interface FederationCredentialStatus {
  credential: string;
  source: string;
  state: 'valid' | 'expiring' | 'expired' | 'unknown-expiry' | 'unreadable';
  expiresAt?: string;
  secondsLeft?: number;
  readError?: string;
  refusedBy: { baseUrl: string; since: string }[];
}

export interface FederationStatus {
  witness: string;
  logs: FederationLogStatus[];
  alarms: FederationAlarm[];
  /** Absent from a node older than the credential status. */
  credentials?: FederationCredentialStatus[];
  /** Absent from a node older than the staleness alarms. */
  staleness?: { thresholdSeconds: number; logs: FederationStaleLog[] };
}

/** 1 on any fork alarm, stale province, or expired or unreadable mirror token, else 0. */
export function federationExitCode(s: FederationStatus): number {
  const credentialsBroken = (s.credentials ?? []).some((c) => c.state === 'expired' || c.state === 'unreadable');
  return s.alarms.length > 0 || (s.staleness?.logs ?? []).some((l) => l.stale) || credentialsBroken ? 1 : 0;
}

export async function fetchFederationStatus(
  url: string,
  token: string,
  fetchFn: typeof fetch = fetch,
): Promise<FederationStatus> {
  const get = async (path: string): Promise<unknown> => {
    const res = await fetchFn(`${url.replace(/\/$/, '')}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) throw new FederationStatusError(`${path} answered ${res.status}`);
    return res.json();
  };
  const status = (await get('/v1/federation/status')) as Pick<FederationStatus, 'witness' | 'logs' | 'staleness' | 'credentials'>;
  const { alarms } = (await get('/v1/federation/fork-alarms')) as { alarms: FederationAlarm[] };
  return {
    witness: status.witness,
    logs: status.logs,
    alarms,
    ...(status.staleness ? { staleness: status.staleness } : {}),
    ...(status.credentials ? { credentials: status.credentials } : {}),
  };
}

export function formatFederationStatus(s: FederationStatus): string[] {
  const lines = [`witness: ${s.witness}`];
  for (const l of s.logs) {
    lines.push(
      `${l.province ?? '??'} ${l.origin}${l.retired ? ' (retired)' : ''}: size ${l.size ?? '-'}, cosigned ${l.cosignedAt ?? 'never'}, fork alarms ${l.forkAlarms}`,
    );
  }
  const secs = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n)} s`);
  for (const l of s.staleness?.logs ?? []) {
    if (!l.stale) continue;
    lines.push(
      `STALE ${l.province ?? '??'} ${l.origin} (${l.reasons.join(', ')}): newest cosigned checkpoint ${secs(l.checkpointAgeSeconds)} old, mirror ${secs(l.mirrorSecondsBehind)} behind; threshold ${s.staleness!.thresholdSeconds} s`,
    );
  }
  for (const c of s.credentials ?? []) {
    if (c.state === 'valid' || c.state === 'unknown-expiry') continue;
    const when = c.state === 'unreadable' ? `file unreadable (${c.readError ?? '?'}), previous token until ${c.expiresAt ?? '?'}` : `${c.state} at ${c.expiresAt ?? '?'}`;
    lines.push(`CREDENTIALS ${c.credential} token (${c.source}): ${when}`);
  }
  for (const c of s.credentials ?? []) {
    for (const r of c.refusedBy) lines.push(`CREDENTIALS ${c.credential} token refused (401) by ${r.baseUrl} since ${r.since}`);
  }
  for (const a of s.alarms) {
    lines.push(
      `FORK ALARM ${a.origin} ${a.kind}: cosigned size ${a.cosignedSize}, submitted size ${a.submittedSize}, at ${a.raisedAt}`,
    );
  }
  return lines;
}

export function register(program: Command): void {
  const federation = program.command('federation').description('the two tiers: witness and provincial logs');
  federation
    .command('status')
    .description(
      'each registered provincial log: witnessed size, last cosignature, fork alarms, staleness (national node)',
    )
    .requiredOption('--url <url>', 'the national node base URL')
    .option('--token <token>', 'a national admin or auditor bearer token (default TEC_TOKEN)')
    .option('--json', 'print the machine-readable status')
    .action(async (opts: { url: string; token?: string; json?: boolean }) => {
      const token = opts.token ?? process.env.TEC_TOKEN;
      if (!token) throw new FederationStatusError('a token is required (--token or TEC_TOKEN)');
      let status: FederationStatus;
      try {
        status = await fetchFederationStatus(opts.url, token);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new FederationStatusError(`cannot reach ${opts.url}`, undefined, { cause: error });
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatFederationStatus(status).join('\n')}\n`,
      );
      process.exitCode = federationExitCode(status);
    });
}
