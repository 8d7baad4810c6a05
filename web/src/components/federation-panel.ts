/**
 * The national dashboard's view of the two tiers (docs/federation.md): for each provincial log, its freshness
 * (records mirrored and verified, the province's newest checkpoint, the checkpoint the nation cosigned, seconds
 * behind, whether mirroring is stopped, its staleness alarm as an amber badge with the reasons) and every fork
 * alarm with the province and both signed checkpoints (`GET /v1/federation/status`, loaded by the dashboard, which
 * also feeds the national views' freshness; `/fork-alarms` here). National staff only; on a node that is not the
 * national witness the routes answer 404 and the panel shows nothing.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import type { FederationStatus, ForkAlarm, StaleLog } from '../lib/federation.ts';
import { html } from '../lib/html.ts';
import { formatTime, provinceName, tValue, useT } from '../lib/i18n.ts';

/** The first three lines of a checkpoint note: origin, size, root (the signatures follow a blank line). */
function checkpointBody(note: string): string {
  return note.split('\n').slice(0, 3).join('\n');
}

/** Amber with its reasons while the log is stale; a quiet "fresh" otherwise; nothing when not judged. */
function StaleBadge({ log }: { log: StaleLog | undefined }) {
  const t = useT();
  if (!log) return html`—`;
  if (!log.stale) return html`<span class="badge ok" data-stale="false">${t('fedFresh')}</span>`;
  return html`<span class="badge warn" data-stale="true" data-reasons=${log.reasons.join(' ')}>${t('fedStale')}</span>
    <small data-testid="fed-stale-reasons">${log.reasons.map((r) => tValue('fedStaleReason', r)).join('; ')}</small>`;
}

const staleBadge = (log: StaleLog | undefined) => html`<${StaleBadge} log=${log} />`;

/** `status` is the dashboard's `GET /v1/federation/status` (undefined off the national tier: nothing shown). */
export function FederationPanel({ status, refresh }: { status: FederationStatus | undefined; refresh: number }) {
  const t = useT();
  const [alarms, setAlarms] = useState<ForkAlarm[] | undefined>();

  useEffect(() => {
    if (!status) return;
    api<{ alarms: ForkAlarm[] }>('/v1/federation/fork-alarms').then(
      (r) => setAlarms(r.alarms),
      () => setAlarms(undefined), // not the national node (404) or not national staff (403): nothing to show
    );
  }, [status === undefined, refresh]);

  const data = status && alarms ? { ...status, alarms } : undefined;
  if (!data) return null;
  const provinceOf = (origin: string) => data.logs.find((l) => l.origin === origin)?.province ?? data.mirror.find((m) => m.origin === origin)?.province ?? '—';
  return html`<section aria-labelledby="federation-title" data-testid="federation">
    <h2 id="federation-title">${t('fedTitle')}</h2>
    <p>${t('fedHelp')}</p>
    <table class="cases" data-testid="federation-freshness">
      <thead><tr>
        <th scope="col">${t('province')}</th>
        <th scope="col">${t('fedMirrored')}</th>
        <th scope="col">${t('fedProvinceCheckpoint')}</th>
        <th scope="col">${t('fedCosigned')}</th>
        <th scope="col">${t('fedBehind')}</th>
        <th scope="col">${t('fedState')}</th>
        ${data.staleness ? html`<th scope="col">${t('fedStaleness')} <small>(${t('fedStaleThreshold')}: ${data.staleness.thresholdSeconds})</small></th>` : null}
      </tr></thead>
      <tbody>
        ${data.logs.map((log) => {
          const m = data.mirror.find((x) => x.origin === log.origin);
          const province = log.province ?? m?.province ?? '—';
          return html`<tr data-province=${province}>
            <th scope="row">${province} ${provinceName(province)} <small><code>${log.origin}</code></small></th>
            <td data-testid="fed-mirrored">${m?.size ?? 0}</td>
            <td>${m?.provinceSize ?? '—'}${m?.provinceSeenAt ? html` <small>(${formatTime(m.provinceSeenAt)})</small>` : null}</td>
            <td>${log.size ?? '—'}${log.cosignedAt ? html` <small>(${formatTime(log.cosignedAt)})</small>` : null}</td>
            <td data-testid="fed-behind">${m ? `${Math.round(m.secondsBehind)} ${t('fedSeconds')}` : '—'}</td>
            <td data-testid="fed-state">${m?.stoppedAt
              ? html`<span class="badge bad">${t('fedStopped')}</span>`
              : log.retired
                ? html`<span class="badge">${t('fedRetired')}</span>`
                : html`<span class="badge ok">${t('fedFollowing')}</span>`}</td>
            ${data.staleness ? html`<td data-testid="fed-stale">${staleBadge(data.staleness.logs.find((s) => s.origin === log.origin))}</td>` : null}
          </tr>`;
        })}
      </tbody>
    </table>
    <h3>${t('fedAlarms')} (${data.alarms.length})</h3>
    ${data.alarms.length === 0
      ? html`<p data-testid="federation-no-alarms">${t('fedNoAlarms')}</p>`
      : html`<ul class="alarms" data-testid="federation-alarms">
          ${data.alarms.map(
            (a) => html`<li data-province=${provinceOf(a.origin)}>
              <p><span class="badge bad">${tValue('fedKind', a.kind)}</span> ${t('province')} <strong>${provinceOf(a.origin)} ${provinceName(provinceOf(a.origin))}</strong> · ${formatTime(a.raisedAt)}</p>
              <div class="row">
                <figure><figcaption>${t('fedCosignedCheckpoint')} (${a.cosignedSize})</figcaption><pre data-testid="alarm-cosigned">${checkpointBody(a.cosignedNote)}</pre></figure>
                <figure><figcaption>${a.kind === 'mirror-mismatch' ? t('fedServed') : t('fedSubmittedCheckpoint')} (${a.submittedSize})</figcaption><pre data-testid="alarm-submitted">${a.kind === 'mirror-mismatch' ? a.submittedNote.split('\n')[0] : checkpointBody(a.submittedNote)}</pre></figure>
              </div>
            </li>`,
          )}
        </ul>`}
  </section>`;
}
