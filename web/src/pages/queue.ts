/** The province's review queue, oldest first, with SLA badges and filters. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { formatTime, useT } from '../lib/i18n.ts';
import { canReview, sessionStore } from '../lib/session.ts';
import { flagNames, loadCases, rememberOrder, slaBadges, type QueueItem } from '../lib/queue.ts';
import { ApiError } from '../lib/api.ts';

export function SlaBadges({ observedAt }: { observedAt: string }) {
  const t = useT();
  return html`${slaBadges(observedAt, Date.now()).map(
    (b) => html`<span class=${`badge ${b === 'slaOk' ? 'ok' : b === 'slaNoticeDue' || b === 'slaLimitation' ? 'warn' : 'bad'}`}>${t(b)}</span> `,
  )}`;
}

export function CaseTable({ items, hrefOf, testid }: { items: QueueItem[]; hrefOf: (id: string) => string; testid: string }) {
  const t = useT();
  if (items.length === 0) return html`<p data-testid=${`${testid}-empty`}>${t('empty')}</p>`;
  return html`<table class="cases" data-testid=${testid}>
    <thead>
      <tr><th scope="col">${t('observedAt')}</th><th scope="col">${t('violation')}</th><th scope="col">${t('camera')}</th><th scope="col">${t('flags')}</th><th scope="col">${t('sla')}</th><th scope="col"><span class="sr-only">${t('open')}</span></th></tr>
    </thead>
    <tbody>
      ${items.map(
        (c) => html`<tr data-case-id=${c.caseId}>
          <td>${formatTime(c.observedAt)}</td>
          <td><code>${c.violationCode}</code></td>
          <td>${c.cameraId}${c.location ? html`<br /><small>${c.location}</small>` : null}</td>
          <td>${flagNames(c.flags).map((f) => html`<span class="badge warn">${f}</span> `)}</td>
          <td><${SlaBadges} observedAt=${c.observedAt} /></td>
          <td><a class="button" href=${hrefOf(c.caseId)}>${t('open')}</a></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function QueuePage() {
  const t = useT();
  const session = useStore(sessionStore);
  const [items, setItems] = useState<QueueItem[] | undefined>();
  const [error, setError] = useState('');
  const [violation, setViolation] = useState('');
  const [camera, setCamera] = useState('');
  const [flag, setFlag] = useState('');

  useEffect(() => {
    if (!canReview(session)) return;
    loadCases('detected')
      .then(setItems)
      .catch((e: unknown) => setError(e instanceof ApiError ? e.message : String(e)));
  }, [session?.token]);

  const filtered = useMemo(
    () =>
      (items ?? []).filter(
        (c) => (!violation || c.violationCode === violation) && (!camera || c.cameraId === camera) && (!flag || flagNames(c.flags).includes(flag)),
      ),
    [items, violation, camera, flag],
  );
  useEffect(() => rememberOrder('review', filtered.map((c) => c.caseId)), [filtered]);

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canReview(session)) return html`<p role="alert">${t('forbidden')}</p>`;
  const distinct = (f: (c: QueueItem) => string[]) => [...new Set((items ?? []).flatMap(f))].sort();
  const select = (id: string, label: string, value: string, set: (v: string) => void, options: string[]) =>
    html`<label for=${id}>${label}
      <select id=${id} value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        <option value="">${t('all')}</option>
        ${options.map((o) => html`<option value=${o}>${o}</option>`)}
      </select></label>`;

  return html`<h1>${t('queueTitle')} — ${t('province')} ${session.province === '00' ? t('national') : session.province}</h1>
    <p class="help">${t('queueHelp')}</p>
    <div class="row filters" role="group" aria-label="filters">
      ${select('filter-violation', t('filterViolation'), violation, setViolation, distinct((c) => [c.violationCode]))}
      ${select('filter-camera', t('filterCamera'), camera, setCamera, distinct((c) => [c.cameraId]))}
      ${select('filter-flag', t('filterFlag'), flag, setFlag, distinct((c) => flagNames(c.flags)))}
      <span aria-live="polite">${items ? `${filtered.length} / ${items.length}` : ''}</span>
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : items ? html`<${CaseTable} items=${filtered} hrefOf=${(id: string) => `#/case/${id}`} testid="queue" />` : html`<p>${t('loading')}</p>`}`;
}
