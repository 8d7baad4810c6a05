/**
 * Provincial and national dashboards from the statistics routes: violations per day, by province and by type,
 * review throughput and backlog, notices overdue, fines decided and paid, camera coverage against the
 * national targets, and AI model precision per version against the alert floor. National staff and analysts
 * see the nation (and, for national staff, any province); provincial staff their own province. On the national
 * node (the tier is known when `GET /v1/federation/status` answers a national session), national staff also see
 * each province's freshness and the fork alarms (`FederationPanel`), the views over the mirrored provincial logs
 * (model performance, officer workload, the read models and their check, the plate lookup:
 * ../components/national-views.ts), and the coverage section then reads the mirrored logs' cameras by default.
 */
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { formatVnd, langStore, tValue, useT } from '../lib/i18n.ts';
import { canReview, canSeeDashboards, sessionStore } from '../lib/session.ts';
import { api, type GetResponse } from '../lib/api.ts';
import { loadCases, slaBadges } from '../lib/queue.ts';
import { BarChart, Meter } from '../components/charts.ts';
import { CoverageMap, CoverageSummary } from '../components/coverage-map.ts';
import { FederationPanel } from '../components/federation-panel.ts';
import {
  canLookUpNationalPlates,
  canSeeNationalReadModels,
  canSeeNationalWorkload,
  NationalModelsPanel,
  NationalPlateLookup,
  NationalReadModelsPanel,
  NationalWorkloadPanel,
  ProvinceFreshness,
} from '../components/national-views.ts';
import { loadFederationStatus, type FederationStatus, type NationalCoverage, type NationalStatistics } from '../lib/federation.ts';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';

type Stats = GetResponse<'/v1/statistics/violations'>['data'];
type StatRow = Stats['rows'][number];
type Coverage = GetResponse<'/v1/statistics/cameras'>['data'];
type Workload = GetResponse<'/v1/statistics/officers'>['data'][number];
type ModelRow = GetResponse<'/v1/statistics/models'>['data'][number];

export const PRECISION_FLOOR = 0.9;

const n = (v: number | string | undefined) => Number(v ?? 0);

function sumBy(rows: StatRow[], key: (r: StatRow) => string, value: (r: StatRow) => number): [string, number][] {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + value(r));
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

function isoDay(ms: number): string {
  return new Date(ms + 7 * 3600_000).toISOString().slice(0, 10);
}

export function DashboardPage() {
  const t = useT();
  const session = useStore(sessionStore);
  const national = session?.province === '00' || session?.role === 'analyst';
  const [scope, setScope] = useState(session ? (national ? 'national' : session.province) : 'national');
  const [from, setFrom] = useState(isoDay(Date.now() - 29 * 86_400_000));
  const [to, setTo] = useState(isoDay(Date.now()));
  const [stats, setStats] = useState<Stats | undefined>();
  const [coverage, setCoverage] = useState<Coverage | undefined>();
  const [models, setModels] = useState<ModelRow[] | undefined>();
  const [workload, setWorkload] = useState<Workload[] | undefined>();
  const [backlog, setBacklog] = useState<{ total: number; overdue: number } | undefined>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);
  // The national tier: set once `GET /v1/federation/status` answers (national staff on the national node only).
  const [federation, setFederation] = useState<FederationStatus | undefined>();
  const [nationalCoverage, setNationalCoverage] = useState<NationalCoverage | undefined>();
  const [nationalDetections, setNationalDetections] = useState<[string, number][]>([]);
  const [coverageSource, setCoverageSource] = useState<'mirror' | 'node'>('mirror');
  const nationalTier = federation !== undefined;

  useEffect(() => {
    if (session?.province !== '00' || !canSeeDashboards(session)) return setFederation(undefined);
    void loadFederationStatus().then(setFederation);
  }, [session?.token, tick]);

  useEffect(() => {
    if (!nationalTier || scope !== 'national') return;
    Promise.all([
      api<NationalCoverage>('/v1/national/camera-coverage').then(setNationalCoverage),
      api<NationalStatistics>('/v1/national/statistics').then((r) => setNationalDetections(r.provinces.map((p) => [p.province, p.cases.detected ?? 0]))),
    ]).catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [nationalTier, scope, tick]);

  useEffect(() => {
    if (!canSeeDashboards(session)) return;
    const q = new URLSearchParams({ province: scope, from, to });
    setError('');
    Promise.all([
      api<GetResponse<'/v1/statistics/violations'>>(`/v1/statistics/violations?${q}`).then((r) => setStats(r.data)),
      api<GetResponse<'/v1/statistics/cameras'>>(`/v1/statistics/cameras?${q}`).then((r) => setCoverage(r.data)),
      api<GetResponse<'/v1/statistics/models'>>(`/v1/statistics/models?${q}`).then((r) => setModels(r.data)),
      // Per-officer figures name staff: supervisors and auditors only (the route enforces it too).
      session && ['supervisor', 'auditor'].includes(session.role)
        ? api<GetResponse<'/v1/statistics/officers'>>(`/v1/statistics/officers?${q}`).then((r) => setWorkload(r.data))
        : Promise.resolve(),
      canReview(session)
        ? Promise.all(['detected', 'confirmed', 'owner-identified'].map((s) => loadCases(s, { maxPages: 5 }))).then(([detected, ...awaitingNotice]) => {
            const now = Date.now();
            const overdue = awaitingNotice.flat().filter((c) => slaBadges(c.observedAt, now).includes('slaNoticeOverdue')).length;
            setBacklog({ total: detected!.length, overdue });
          })
        : Promise.resolve(),
    ]).catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [session?.token, scope, from, to, tick]);

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canSeeDashboards(session)) return html`<p role="alert">${t('forbidden')}</p>`;

  const rows = stats?.rows ?? [];
  const perDay = sumBy(rows, (r) => r.day, (r) => n(r.detections));
  const reviewedPerDay = sumBy(rows, (r) => r.day, (r) => n(r.confirmed) + n(r.rejected));
  const byProvince = sumBy(rows, (r) => r.province, (r) => n(r.detections));
  const byType = sumBy(rows, (r) => r.violationCode, (r) => n(r.detections));
  // On the national tier the coverage section reads the mirrored provincial logs (unless this node's own is chosen).
  const fromMirror = nationalTier && scope === 'national' && coverageSource === 'mirror';
  const shownCoverage = fromMirror ? nationalCoverage : coverage;
  const provinces = shownCoverage?.provinces.filter((p) => p.cameras.total > 0 || p.expressway.routes > 0 || p.centralCommunes.total > 0) ?? [];

  return html`<h1>${t('dashboardTitle')} — ${scope === 'national' ? t('national') : `${t('province')} ${scope}`}</h1>
    <form class="row filters" onSubmit=${(e: Event) => (e.preventDefault(), setTick((x) => x + 1))}>
      <label for="scope">${t('scope')}
        <select id="scope" value=${scope} disabled=${!national && session.role !== 'analyst'} onChange=${(e: Event) => setScope((e.target as HTMLSelectElement).value)}>
          ${national ? html`<option value="national">${t('national')}</option>` : null}
          ${session.role !== 'analyst' && session.province !== '00' ? html`<option value=${session.province}>${session.province} ${PROVINCES.find((p) => p.code === session.province)?.name ?? ''}</option>` : null}
          ${session.province === '00' && session.role !== 'analyst' ? PROVINCES.map((p) => html`<option value=${p.code}>${p.code} ${p.name}</option>`) : null}
        </select></label>
      <label for="from">${t('from')} <input id="from" type="date" value=${from} onChange=${(e: Event) => setFrom((e.target as HTMLInputElement).value)} /></label>
      <label for="to">${t('to')} <input id="to" type="date" value=${to} onChange=${(e: Event) => setTo((e.target as HTMLInputElement).value)} /></label>
      <button type="submit">${t('refresh')}</button>
    </form>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    <div class="tiles" data-testid="kpis">
      <div class="tile"><span>${t('detections')}</span><strong>${n(stats?.totals.detections)}</strong></div>
      <div class="tile"><span>${t('backlog')}</span><strong data-testid="backlog">${backlog ? backlog.total : '—'}</strong></div>
      <div class="tile"><span>${t('noticesOverdue')}</span><strong>${backlog ? backlog.overdue : '—'}</strong></div>
      <div class="tile"><span>${t('finesDecided')}</span><strong>${formatVnd(stats?.totals.finesDecidedVnd ?? 0)}</strong></div>
      <div class="tile"><span>${t('finesPaid')}</span><strong>${formatVnd(stats?.totals.finesPaidVnd ?? 0)}</strong></div>
    </div>
    ${rows.length === 0 ? html`<p>${t('noData')}</p>` : null}
    <div class="charts">
      <${BarChart} testid="chart-per-day" title=${t('perDay')} labels=${perDay.map(([d]) => d.slice(5))} series=${[{ name: t('detections'), colour: '#1d4ed8', values: perDay.map(([, v]) => v) }]} />
      <${BarChart} testid="chart-throughput" title=${t('throughput')} labels=${perDay.map(([d]) => d.slice(5))} series=${[
        { name: t('detections'), colour: '#1d4ed8', values: perDay.map(([, v]) => v) },
        { name: `${t('confirmedCount')} + ${t('rejectedCount')}`, colour: '#15803d', values: perDay.map(([d]) => reviewedPerDay.find(([x]) => x === d)?.[1] ?? 0) },
      ]} />
      ${scope === 'national' ? html`<${BarChart} testid="chart-by-province" title=${t('byProvince')} labels=${byProvince.map(([p]) => p)} series=${[{ name: t('detections'), colour: '#7c3aed', values: byProvince.map(([, v]) => v) }]} />` : null}
      <${BarChart} testid="chart-by-type" title=${t('byType')} labels=${byType.map(([c]) => c.replace(/^168\./, ''))} series=${[{ name: t('detections'), colour: '#b45309', values: byType.map(([, v]) => v) }]} />
      <${BarChart}
        testid="chart-models"
        title=${t('modelPrecision')}
        labels=${(models ?? []).map((m) => `${m.name} ${m.version}`)}
        max=${100}
        unit="%"
        reference=${{ value: PRECISION_FLOOR * 100, label: `${t('alertFloor')} ${PRECISION_FLOOR * 100}%` }}
        series=${[{ name: t('modelPrecision'), colour: '#0f766e', values: (models ?? []).map((m) => Math.round((m.recent.precision ?? m.precision ?? 0) * 1000) / 10) }]}
      />
    </div>
    ${workload
      ? html`<section aria-labelledby="workload-title">
          <h2 id="workload-title">${t('workload')}</h2>
          <table class="cases" data-testid="workload">
            <thead><tr><th scope="col">${t('officer')}</th><th scope="col">${t('confirmedCount')} + ${t('rejectedCount')}</th><th scope="col">${t('penalties')}</th><th scope="col">${t('medianReview')}</th></tr></thead>
            <tbody>
              ${workload.map(
                (w) => html`<tr><th scope="row">${w.officerId}</th><td>${w.reviews}</td><td>${w.decisions}</td><td>${w.medianDetectionToReviewSeconds === null ? '—' : `${Math.round(w.medianDetectionToReviewSeconds / 60)} ${t('minutes')}`}</td></tr>`,
              )}
            </tbody>
          </table>
        </section>`
      : null}
    ${session.province === '00' && scope === 'national' && federation
      ? html`<${FederationPanel} status=${federation} refresh=${tick} />
          ${canLookUpNationalPlates(session) ? html`<${NationalPlateLookup} />` : null}
          <${NationalModelsPanel} mirror=${federation.mirror} refresh=${tick} />
          ${canSeeNationalWorkload(session) ? html`<${NationalWorkloadPanel} mirror=${federation.mirror} from=${from} to=${to} refresh=${tick} />` : null}
          ${canSeeNationalReadModels(session) ? html`<${NationalReadModelsPanel} session=${session} refresh=${tick} />` : null}`
      : null}
    <section aria-labelledby="coverage-title" data-testid="coverage-section" data-source=${fromMirror ? 'mirror' : 'node'}>
      <h2 id="coverage-title">${t('coverage')} ${fromMirror ? html`<small class="badge">${t('natSourceMirrorBadge')}</small>` : null} ${shownCoverage?.illustrative ? html`<small class="badge warn">${t('illustrative')}</small>` : null}</h2>
      ${nationalTier && scope === 'national'
        ? html`<p class="row filters"><label for="coverage-source">${t('natCoverageSource')}
            <select id="coverage-source" value=${coverageSource} onChange=${(e: Event) => setCoverageSource((e.target as HTMLSelectElement).value === 'node' ? 'node' : 'mirror')}>
              <option value="mirror">${t('natSourceMirror')}</option>
              <option value="node">${t('natSourceNode')}</option>
            </select></label></p>`
        : null}
      <${CoverageSummary} coverage=${shownCoverage} />
      <${CoverageMap} coverage=${shownCoverage} detections=${fromMirror ? nationalDetections : byProvince} densityAllTime=${fromMirror} />
      <table class="cases" data-testid="coverage">
        <thead><tr><th scope="col">${t('province')}</th><th scope="col">${t('camera')}</th><th scope="col">${t('expresswayRoutes')}</th><th scope="col">${t('centralCommunes')}</th>${fromMirror ? html`<th scope="col">${t('natFreshness')}</th>` : null}</tr></thead>
        <tbody>
          ${provinces.map(
            (p) => html`<tr data-province=${p.province}>
              <th scope="row">${p.province} ${p.name}</th>
              <td data-col="cameras">${p.cameras.total} <small>${Object.entries(p.cameras.byRoadType).map(([k, v]) => `${tValue('road', k)}: ${v}`).join(', ')}</small></td>
              <td><${Meter} label=${`${p.expressway.covered}/${p.expressway.routes}`} percent=${p.expressway.percent} target=${100} /></td>
              <td><${Meter} label=${`${p.centralCommunes.covered}/${p.centralCommunes.total}`} percent=${p.centralCommunes.percent} target=${p.centralCommunes.targetPercent} /></td>
              ${fromMirror ? html`<td data-col="freshness"><${ProvinceFreshness} mirror=${federation?.mirror ?? []} province=${p.province} /></td>` : null}
            </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
}
