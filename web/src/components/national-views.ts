/**
 * The national node's views over the mirrored provincial logs on the dashboard (docs/federation.md "National
 * views", docs/web-ui.md "Dashboards"): AI model performance per model version (nationally and per province),
 * officer workload per province, the national read models with the auditor's rebuild check, and the national
 * plate lookup. Each view says how fresh its figures are: per provincial log, the records the mirror holds and
 * how far it is behind the province (`GET /v1/federation/status` `mirror`, loaded once by the dashboard).
 *
 * Who sees what follows the routes (national staff, province 00): model performance to every national role the
 * dashboard serves; officer workload to supervisors and auditors (it names officers: by their id only, as the
 * route answers); the read models to auditors and administrators, the check to auditors (the route's rule); the
 * plate lookup to officers, supervisors and auditors, with a purpose the node records per case disclosed.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import type { MirrorRow, ModelRow, NationalModels, NationalPlateCases, NationalReadModels, NationalWorkload, ReadModelCheck } from '../lib/federation.ts';
import { html } from '../lib/html.ts';
import { formatTime, langStore, provinceName, tValue, useT, type Lang } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';
import type { Session } from '../lib/session.ts';
import { eventName } from '../lib/verifier-text.ts';

const NATIONAL = '00';

/** National roles that may read each view (the routes enforce the same). */
export const canSeeNationalWorkload = (s: Session | undefined) => s?.province === NATIONAL && ['supervisor', 'auditor'].includes(s.role);
export const canSeeNationalReadModels = (s: Session | undefined) => s?.province === NATIONAL && ['auditor', 'admin'].includes(s.role);
export const canCheckNationalReadModels = (s: Session | undefined) => s?.province === NATIONAL && s.role === 'auditor';
export const canLookUpNationalPlates = (s: Session | undefined) => s?.province === NATIONAL && ['officer', 'supervisor', 'auditor'].includes(s.role);

/** A ratio (0..1) as a percentage in the reader's language; null as a dash. */
export function formatPercent(ratio: number | null | undefined, lang: Lang): string {
  if (ratio === null || ratio === undefined) return '—';
  return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** One log's freshness in words: records mirrored, seconds behind, and a badge when mirroring stopped. */
function LogFreshness({ m }: { m: MirrorRow }) {
  const t = useT();
  return html`<span data-testid="freshness-log" data-province=${m.province} data-size=${m.size} data-behind=${Math.round(m.secondsBehind)}>
    ${m.size} ${t('natRecordsMirrored')}, ${t('natBehind')} ${Math.round(m.secondsBehind)} ${t('fedSeconds')}${m.stoppedAt ? html` <span class="badge bad">${t('fedStopped')}</span>` : null}
  </span>`;
}

/** The freshness of one province's figures (each of its logs), for a table cell. */
export function ProvinceFreshness({ mirror, province }: { mirror: MirrorRow[]; province: string }) {
  const logs = mirror.filter((m) => m.province === province);
  if (logs.length === 0) return html`—`;
  return html`${logs.map((m, i) => html`${i > 0 ? html`<br />` : null}<${LogFreshness} m=${m} />`)}`;
}

/** The freshness line of a view: every mirrored log the figures are computed from. */
export function MirrorFreshness({ mirror }: { mirror: MirrorRow[] }) {
  const t = useT();
  return html`<div class="help" data-testid="freshness">
    <strong>${t('natFreshness')}:</strong>
    ${mirror.length === 0
      ? html` ${t('natNoLogs')}`
      : html`<ul class="freshness">
          ${mirror.map((m) => html`<li data-province=${m.province}>${m.province} ${provinceName(m.province)} <small><code>${m.origin}</code></small>: <${LogFreshness} m=${m} /></li>`)}
        </ul>`}
  </div>`;
}

function ModelStatus({ row }: { row: ModelRow }) {
  return html`${tValue('modelStatus', row.status)}`;
}

function FloorBadge({ row }: { row: ModelRow }) {
  const t = useT();
  return row.belowFloor ? html`<span class="badge bad" data-below-floor="true">${t('natBelowFloor')}</span>` : html`<span class="badge ok" data-below-floor="false">${t('natAboveFloor')}</span>`;
}

/** The figures of one model version: readings, what officers did with them, precision. */
function modelCells(m: ModelRow, lang: Lang) {
  return html`<td data-col="readings">${m.readings}</td>
    <td data-col="confirmations">${m.confirmations}</td>
    <td data-col="corrections">${m.corrections}</td>
    <td data-col="rejections">${m.rejections}</td>
    <td data-col="precision">${formatPercent(m.precision, lang)}</td>
    <td data-col="recent">${formatPercent(m.recent.precision, lang)} <small>(${m.recent.cases})</small></td>
    <td data-col="floor"><${FloorBadge} row=${m} /></td>`;
}

function ModelHead({ first }: { first: string[] }) {
  const t = useT();
  return html`<thead><tr>
    ${first.map((h) => html`<th scope="col">${h}</th>`)}
    <th scope="col">${t('natReadings')}</th>
    <th scope="col">${t('natConfirmations')}</th>
    <th scope="col">${t('natCorrections')}</th>
    <th scope="col">${t('natRejections')}</th>
    <th scope="col">${t('natPrecision')}</th>
    <th scope="col">${t('natRecentPrecision')}</th>
    <th scope="col">${t('alertFloor')}</th>
  </tr></thead>`;
}

export function NationalModelsPanel({ mirror, refresh }: { mirror: MirrorRow[]; refresh: number }) {
  const t = useT();
  const lang = useStore(langStore);
  const [data, setData] = useState<NationalModels | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    setError('');
    api<NationalModels>('/v1/national/model-performance').then(setData, (e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [refresh]);

  return html`<section aria-labelledby="national-models-title" data-testid="national-models">
    <h2 id="national-models-title">${t('natModelsTitle')}</h2>
    <p class="help">${t('natModelsHelp')}</p>
    <${MirrorFreshness} mirror=${mirror} />
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${!data && !error ? html`<p role="status">${t('loading')}</p>` : null}
    ${data
      ? html`<h3>${t('national')}</h3>
          ${data.national.length === 0
            ? html`<p>${t('noData')}</p>`
            : html`<table class="cases" data-testid="national-models-table">
                <${ModelHead} first=${[t('natModel'), t('status')]} />
                <tbody>
                  ${data.national.map(
                    (m) => html`<tr data-model=${m.modelId}><th scope="row">${m.name} <code>${m.version}</code></th><td data-col="status"><${ModelStatus} row=${m} /></td>${modelCells(m, lang)}</tr>`,
                  )}
                </tbody>
              </table>`}
          <h3>${t('natPerProvince')}</h3>
          <table class="cases" data-testid="national-models-provinces">
            <${ModelHead} first=${[t('province'), t('natModel')]} />
            ${data.provinces.map(
              (p) => html`<tbody data-province=${p.province} data-origin=${p.origin}>
                <tr><th scope="rowgroup" colspan="9">${p.province} ${provinceName(p.province)} <small><code>${p.origin}</code></small> · ${t('natFreshness')}: <${ProvinceFreshness} mirror=${mirror.filter((m) => m.origin === p.origin)} province=${p.province} /></th></tr>
                ${p.models.length === 0
                  ? html`<tr><td colspan="9">${t('noData')}</td></tr>`
                  : p.models.map(
                      (m) => html`<tr data-model=${m.modelId}><td>${p.province}</td><th scope="row">${m.name} <code>${m.version}</code></th>${modelCells(m, lang)}</tr>`,
                    )}
              </tbody>`,
            )}
          </table>`
      : null}
  </section>`;
}

export function NationalWorkloadPanel({ mirror, from, to, refresh }: { mirror: MirrorRow[]; from: string; to: string; refresh: number }) {
  const t = useT();
  const [data, setData] = useState<NationalWorkload | undefined>();
  const [error, setError] = useState('');

  useEffect(() => {
    setError('');
    api<NationalWorkload>(`/v1/national/officer-workload?${new URLSearchParams({ from, to })}`).then(setData, (e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [from, to, refresh]);

  return html`<section aria-labelledby="national-workload-title" data-testid="national-workload">
    <h2 id="national-workload-title">${t('natWorkloadTitle')}</h2>
    <p class="help">${t('natWorkloadHelp')}${data ? html` <span data-testid="national-workload-window">(${data.from} – ${data.to})</span>` : null}</p>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${!data && !error ? html`<p role="status">${t('loading')}</p>` : null}
    ${data
      ? html`<table class="cases" data-testid="national-workload-table">
          <thead><tr><th scope="col">${t('officer')}</th><th scope="col">${t('confirmedCount')} + ${t('rejectedCount')}</th><th scope="col">${t('penalties')}</th><th scope="col">${t('medianReview')}</th></tr></thead>
          ${data.provinces.map(
            (p) => html`<tbody data-province=${p.province} data-origin=${p.origin}>
              <tr><th scope="rowgroup" colspan="4">${p.province} ${provinceName(p.province)} <small><code>${p.origin}</code></small> · ${t('natFreshness')}: <${ProvinceFreshness} mirror=${mirror.filter((m) => m.origin === p.origin)} province=${p.province} /></th></tr>
              ${p.officers.length === 0
                ? html`<tr><td colspan="4">${t('natNoOfficers')}</td></tr>`
                : p.officers.map(
                    (o) => html`<tr data-officer=${o.officerId}>
                      <th scope="row"><code>${o.officerId}</code></th>
                      <td data-col="reviews">${o.reviews}</td>
                      <td data-col="decisions">${o.decisions}</td>
                      <td data-col="median">${o.medianDetectionToReviewSeconds === null ? '—' : `${Math.round(o.medianDetectionToReviewSeconds / 60)} ${t('minutes')}`}</td>
                    </tr>`,
                  )}
            </tbody>`,
          )}
        </table>`
      : null}
  </section>`;
}

function CheckVerdict({ report }: { report: ReadModelCheck }) {
  const t = useT();
  return html`<div data-testid="read-model-verdict" data-identical=${String(report.identical)}>
    ${report.identical ? html`<span class="badge ok">✓ ${t('natIdentical')}</span>` : html`<span class="badge bad">✗ ${t('natDiffers')}</span>`}
    <ul class="plain">
      ${report.projections.map(
        (p) => html`<li data-projection=${p.projection} data-identical=${String(p.identical)}>
          <code>${p.projection}</code>: ${p.identical ? t('auditSame') : t('auditDifferent')}
          ${p.tables
            .filter((tb) => tb.onlyInLive > 0 || tb.onlyInReplay > 0 || tb.liveRows !== tb.replayRows)
            .map(
              (tb) => html`<div data-table=${tb.table} data-only-live=${tb.onlyInLive} data-only-replay=${tb.onlyInReplay}>
                <code>${tb.table}</code>: ${tb.onlyInLive} ${t('natOnlyInLive')}, ${tb.onlyInReplay} ${t('natOnlyInReplay')}
              </div>`,
            )}
        </li>`,
      )}
    </ul>
  </div>`;
}

export function NationalReadModelsPanel({ session, refresh }: { session: Session; refresh: number }) {
  const t = useT();
  const lang = useStore(langStore);
  const [data, setData] = useState<NationalReadModels | undefined>();
  const [error, setError] = useState('');
  const [checks, setChecks] = useState<Record<string, ReadModelCheck>>({});
  const [running, setRunning] = useState<string | undefined>();
  const canCheck = canCheckNationalReadModels(session);

  useEffect(() => {
    setError('');
    api<NationalReadModels>('/v1/national/read-models').then(setData, (e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [refresh]);

  const check = async (origin: string) => {
    setRunning(origin);
    setError('');
    try {
      const report = await api<ReadModelCheck>('/v1/national/read-models/check', { method: 'POST', body: { origin } });
      setChecks((c) => ({ ...c, [origin]: report }));
    } catch (e) {
      setError(errorMessage(e, lang));
    } finally {
      setRunning(undefined);
    }
  };

  return html`<section aria-labelledby="national-read-models-title" data-testid="national-read-models">
    <h2 id="national-read-models-title">${t('natReadModelsTitle')}</h2>
    <p class="help">${t('natReadModelsHelp')}${canCheck ? null : html` ${t('natReadModelsAuditorOnly')}`}</p>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${running ? html`<p role="status">${t('natChecking')}</p>` : null}
    ${!data && !error ? html`<p role="status">${t('loading')}</p>` : null}
    ${data
      ? data.logs.length === 0
        ? html`<p>${t('natNoLogs')}</p>`
        : html`<table class="cases" data-testid="national-read-models-table">
            <thead><tr><th scope="col">${t('province')}</th><th scope="col">${t('auditProjection')}</th><th scope="col">${t('natLag')}</th>${canCheck ? html`<th scope="col">${t('result')}</th>` : null}</tr></thead>
            <tbody>
              ${data.logs.map((log) => {
                const failed = log.projections.filter((p) => p.state === 'failed').length;
                const lag = log.projections.reduce((n, p) => n + p.lagEvents, 0);
                const report = checks[log.origin];
                return html`<tr data-origin=${log.origin} data-province=${log.province}>
                  <th scope="row">${log.province} ${provinceName(log.province)} <small><code>${log.origin}</code></small></th>
                  <td>${log.projections.length}${failed > 0 ? html` <span class="badge bad">${t('natProjectionsFailed')}: ${failed}</span>` : null}</td>
                  <td data-col="lag">${lag}</td>
                  ${canCheck
                    ? html`<td>
                        <button type="button" data-testid="check-read-models" aria-label=${`${t('natCheck')}: ${log.province} ${provinceName(log.province)}`} disabled=${running !== undefined} onClick=${() => void check(log.origin)}>${t('natCheck')}</button>
                        ${report ? html`<${CheckVerdict} report=${report} />` : html` <small>${t('natNotChecked')}</small>`}
                      </td>`
                    : null}
                </tr>`;
              })}
            </tbody>
          </table>`
      : null}
  </section>`;
}

export function NationalPlateLookup() {
  const t = useT();
  const lang = useStore(langStore);
  const [plate, setPlate] = useState('');
  const [purpose, setPurpose] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [result, setResult] = useState<NationalPlateCases | undefined>();

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const p = plate.trim();
    if (p.length < 2 || p.length > 32) return setError(t('natPlateRequired'));
    if (purpose.trim().length < 3) return setError(t('natPlatePurposeRequired'));
    setBusy(true);
    try {
      setResult(await api<NationalPlateCases>(`/v1/national/plates/${encodeURIComponent(p)}/cases`, { purpose: purpose.trim() }));
    } catch (err) {
      setResult(undefined);
      setError(errorMessage(err, lang));
    } finally {
      setBusy(false);
    }
  };

  return html`<section aria-labelledby="national-plate-title" data-testid="national-plate">
    <h2 id="national-plate-title">${t('natPlateTitle')}</h2>
    <p class="help">${t('natPlateHelp')}</p>
    <form class="row filters" onSubmit=${onSubmit}>
      <label for="national-plate-input">${t('plate')} <input id="national-plate-input" aria-required="true" maxlength="32" spellcheck="false" autocomplete="off" value=${plate} onInput=${(e: Event) => setPlate((e.target as HTMLInputElement).value)} /></label>
      <label for="national-plate-purpose">${t('natPlatePurpose')} <input id="national-plate-purpose" aria-required="true" maxlength="200" placeholder=${t('natPlatePurposeExample')} value=${purpose} onInput=${(e: Event) => setPurpose((e.target as HTMLInputElement).value)} /></label>
      <button type="submit" class="primary" data-testid="national-plate-submit" disabled=${busy}>${t('lookup')}</button>
    </form>
    ${busy ? html`<p role="status">${t('loading')}</p>` : null}
    ${error ? html`<p role="alert" class="error" data-testid="national-plate-error">${error}</p>` : null}
    ${result
      ? result.cases.length === 0
        ? html`<p role="status" data-testid="national-plate-none">${t('natPlateNone')}</p>`
        : html`<table class="cases" data-testid="national-plate-results">
            <caption>${t('plate')} <code>${result.plate}</code>: ${result.cases.length} ${t('natCases')}</caption>
            <thead><tr><th scope="col">${t('province')}</th><th scope="col">${t('bundleCaseId')}</th><th scope="col">${t('violationCode')}</th><th scope="col">${t('observedAt')}</th><th scope="col">${t('camera')}</th><th scope="col">${t('natLastEvent')}</th><th scope="col">${t('natLeaves')}</th></tr></thead>
            <tbody>
              ${result.cases.map(
                (c) => html`<tr data-case=${c.caseId} data-province=${c.province}>
                  <td>${c.province} ${provinceName(c.province)}</td>
                  <th scope="row"><code>${c.caseId}</code></th>
                  <td><code>${c.violationCode ?? '—'}</code></td>
                  <td>${formatTime(c.observedAt, lang)}</td>
                  <td><code>${c.cameraId ?? '—'}</code></td>
                  <td data-col="last-event">${eventName(c.lastEvent, lang)}</td>
                  <td data-col="leaves"><code>${c.records.map((r) => r.leafIndex).join(', ')}</code></td>
                </tr>`,
              )}
            </tbody>
          </table>`
      : null}
  </section>`;
}
