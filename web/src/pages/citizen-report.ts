/**
 * Reporting a violation seen on the road (Circular 73/2024): photos, place, time, the plate if seen. The report
 * goes to the province's officers as a citizen-sourced report (never a case by itself); the reporter gets a
 * number and a link (`#/citizen/report/<province>/<id>`) to follow it.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../lib/api.ts';
import { newIdempotencyKey, portalApi } from '../lib/citizen-api.ts';
import { html } from '../lib/html.ts';
import { formatTime } from '../lib/i18n.ts';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { useCitizenT, type CitizenKey } from './citizen-text.ts';

type Reported = { reportId: string; reference: string; province: string; status: 'awaiting-review' | 'accepted' | 'rejected'; reportedAt: string; reviewedAt: string | null; reason: string | null };

async function send<T>(path: string, init: RequestInit & { key?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (init.key) headers['Idempotency-Key'] = init.key;
  const res = await fetch(path, { ...init, headers, credentials: 'omit', cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, 'about:blank', res.statusText, undefined);
  return (await res.json()) as T;
}

function ReportStatus({ report }: { report: Reported }) {
  const c = useCitizenT();
  const [current, setCurrent] = useState(report);
  const link = `${location.origin}${location.pathname}#/citizen/report/${report.province}/${report.reportId}`;
  const refresh = async () => setCurrent(await send<Reported>(`/v1/public/reports/${report.province}/${report.reportId}`));
  return html`<section class="card citizen-receipt" role="status" data-testid="report-status">
    <h3>${c('reportSent')}</h3>
    <dl class="facts">
      <dt>${c('reportRef')}</dt><dd><strong data-testid="report-ref">${current.reference}</strong></dd>
      <dt>${c('reportStatus')}</dt><dd data-testid="report-state">${c(`report.${current.status}` as CitizenKey)}</dd>
      <dt>${c('filedAt')}</dt><dd>${formatTime(current.reportedAt)}</dd>
      ${current.reason ? html`<dt>${c('grounds')}</dt><dd>${current.reason}</dd>` : null}
    </dl>
    <p class="help">${c('reportFollowHelp')} <a href=${link}>${link}</a></p>
    <button type="button" onClick=${() => void refresh()}>${c('reportFollow')}</button>
  </section>`;
}

/** `#/citizen/report/<province>/<id>`: the status of one report. */
export function ReportFollow({ province, reportId }: { province: string; reportId: string }) {
  const c = useCitizenT();
  const [report, setReport] = useState<Reported | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    send<Reported>(`/v1/public/reports/${encodeURIComponent(province)}/${encodeURIComponent(reportId)}`).then(setReport, () => setError(c('failed')));
  }, [province, reportId]);
  if (error) return html`<p role="alert" class="error">${error}</p>`;
  return report ? html`<${ReportStatus} report=${report} />` : null;
}

export function ReportSection() {
  const c = useCitizenT();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const [form, setForm] = useState({ province: '01', time: '', place: '', plate: '', description: '' });
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Reported | undefined>();
  if (sent) return html`<${ReportStatus} report=${sent} />`;
  if (!open) return html`<button type="button" onClick=${() => setOpen(true)}>${c('reportOpen')}</button>`;
  const field = (name: keyof typeof form) => (e: Event) => {
    setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
    setKey(newIdempotencyKey());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (files.length === 0) return setError(c('reportNeedsPhoto'));
    if (form.description.trim().length < 10) return setError(c('groundsTooShort'));
    setBusy(true);
    let stage: CitizenKey = 'attachmentRefused';
    try {
      const photos = [];
      // Photos are uploaded under a report session (uploads always need a grant or a session).
      const session = files.length > 0 ? await portalApi.reportSession() : undefined;
      for (const f of files) photos.push(await portalApi.upload({ session: session!.session }, f));
      stage = 'failed';
      // datetime-local is Viet Nam time (UTC+7, no daylight saving).
      const observedAt = new Date(`${form.time}:00+07:00`).toISOString();
      setSent(
        await send<Reported>('/v1/public/reports', {
          method: 'POST',
          key,
          body: JSON.stringify({
            province: form.province,
            observedAt,
            place: form.place.trim(),
            ...(form.plate.trim() ? { plate: form.plate.trim() } : {}),
            description: form.description.trim(),
            photos,
          }),
        }),
      );
    } catch (err) {
      setError(c(err instanceof ApiError && err.status === 429 ? 'tooMany' : stage));
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="card citizen-form" onSubmit=${submit} data-testid="citizen-report">
    <h2>${c('reportTitle')}</h2>
    <p class="help">${c('reportHelp')}</p>
    <label for="report-province">${c('reportProvince')}</label>
    <select id="report-province" value=${form.province} onChange=${field('province')}>
      ${PROVINCES.map((p) => html`<option value=${p.code}>${p.name}</option>`)}
    </select>
    <label for="report-time">${c('reportTime')}</label>
    <input id="report-time" type="datetime-local" required value=${form.time} onInput=${field('time')} />
    <label for="report-place">${c('reportPlace')}</label>
    <input id="report-place" required minlength="3" maxlength="200" value=${form.place} onInput=${field('place')} />
    <label for="report-plate">${c('reportPlate')}</label>
    <input id="report-plate" maxlength="24" autocomplete="off" value=${form.plate} onInput=${field('plate')} />
    <label for="report-description">${c('reportDescription')}</label>
    <textarea id="report-description" rows="3" required maxlength="2000" value=${form.description} onInput=${field('description')}></textarea>
    <label for="report-photos">${c('reportPhotos')}</label>
    <input id="report-photos" type="file" accept="image/jpeg,image/png,image/webp" multiple onChange=${(e: Event) => {
      const chosen = Array.from((e.target as HTMLInputElement).files ?? []).slice(0, 5);
      setFiles(chosen);
      setKey(newIdempotencyKey());
    }} />
    <div class="row">
      <button type="submit" class="primary" disabled=${busy}>${c('send')}</button>
      <button type="button" onClick=${() => setOpen(false)}>${c('cancel')}</button>
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </form>`;
}
