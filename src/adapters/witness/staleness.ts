/**
 * The national node's staleness alarms (docs/federation.md "Staleness alarms"): each registered log's newest
 * cosignature (the witness) and the mirror's freshness, judged against `FEDERATION_STALE_SECONDS`
 * (`judgeStaleness`, pure). Evaluated for `GET /v1/federation/status` and on a timer by the worker role, which
 * keeps `/metrics` current (`tec_federation_stale{province}`, `tec_federation_checkpoint_age_seconds`) and logs
 * each raise and each clear once.
 */
import { judgeStaleness, type LogStaleness } from '../../domain/federation/staleness.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MirrorLogStatus } from './mirror.ts';
import type { WitnessedLogStatus } from './witness.ts';

export interface FederationStaleness {
  thresholdSeconds: number;
  logs: LogStaleness[];
}

type ProvinceGauge = { set(labels: { province: string }, value: number): void };

export interface StalenessWatchOptions {
  witness: { status(): Promise<WitnessedLogStatus[]> };
  mirror: { status(): Promise<MirrorLogStatus[]> } | undefined;
  clock: Clock;
  thresholdSeconds: number;
  gauges?: { stale: ProvinceGauge; checkpointAge: ProvinceGauge };
  /** Since when the province at `baseUrl` answers the mirror's token with 401 (`credentials-refused`). */
  credentialsRefusedSince?: (baseUrl: string | undefined) => string | undefined;
  /** Once per change: a log became stale (with its reasons) or caught up. */
  onChange?: (log: LogStaleness) => void;
}

export class StalenessWatch {
  private readonly stale = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StalenessWatchOptions) {}

  async evaluate(): Promise<FederationStaleness> {
    const [logs, mirrored] = await Promise.all([this.options.witness.status(), this.options.mirror?.status() ?? []]);
    const now = this.options.clock.now();
    const judged = logs.map((l) => {
      const m = mirrored.find((x) => x.origin === l.origin);
      return judgeStaleness(
        {
          origin: l.origin,
          province: l.province,
          retired: l.retired,
          registeredAt: l.registeredAt,
          cosignedAt: l.cosignedAt,
          witnessedSize: l.size,
          mirrorSecondsBehind: m?.secondsBehind,
          provinceSize: m?.provinceSize,
          provinceSeenAt: m?.provinceSeenAt,
          credentialsRefusedSince: this.options.credentialsRefusedSince?.(l.baseUrl),
        },
        now,
        this.options.thresholdSeconds,
      );
    });
    for (const j of judged) {
      const province = j.province ?? '??';
      this.options.gauges?.stale.set({ province }, j.stale ? 1 : 0);
      if (j.checkpointAgeSeconds !== undefined) this.options.gauges?.checkpointAge.set({ province }, j.checkpointAgeSeconds);
      const key = j.reasons.join(',');
      if ((this.stale.get(j.origin) ?? '') !== key) {
        if (key === '') this.stale.delete(j.origin);
        else this.stale.set(j.origin, key);
        this.options.onChange?.(j);
      }
    }
    return { thresholdSeconds: this.options.thresholdSeconds, logs: judged };
  }

  /** Re-evaluates every `everyMs` (the worker role), so the metrics and the log lines follow without requests. */
  start(everyMs: number, onError: (error: unknown) => void): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.evaluate().catch(onError), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
