/**
 * The province's review queue from `GET /v1/review-queue`: oldest first, with the case flags and SLA flags
 * the server computed. National staff pick the province; provincial staff see their own.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { evidenceUrl } from '../lib/api.ts';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { formatTime, formatVnd, langStore, tValue, useT, type Lang } from '../lib/i18n.ts';
import { catalogEntry, fineRangeFor } from '../lib/catalog.ts';
import { canReview, sessionStore } from '../lib/session.ts';
import { go, isTypingTarget } from '../lib/router.ts';
import { badgesFromSla, flagNames, loadReviewQueue, QUEUE_PURPOSE, rememberOrder, slaBadges, type QueueItem, type ServerSla } from '../lib/queue.ts';

const NATIONAL = '00';
const QUEUE_PROVINCE_KEY = 'tec.queue-province';

/** Badges from the server's SLA flags when the list carries them, else computed from the observation time. */
export function SlaBadges({ observedAt, sla }: { observedAt: string; sla?: ServerSla | undefined }) {
  const t = useT();
  return html`${(sla ? badgesFromSla(sla) : slaBadges(observedAt, Date.now())).map(
    (b) => html`<span class=${`badge ${b === 'slaOk' ? 'ok' : b === 'slaNoticeDue' || b === 'slaLimitation' ? 'warn' : 'bad'}`} data-badge=${b}>${t(b)}</span> `,
  )}`;
}

function rangeText(c: QueueItem): string {
  const entry = c.vehicleClass ? catalogEntry(c.violationCode, c.vehicleClass, c.observedAt) : undefined;
  if (!entry) return '—';
  const range = fineRangeFor(entry, 'individual');
  return `${formatVnd(range.minVnd)} – ${formatVnd(range.maxVnd)}`;
}

/** How long ago the violation was observed, in the reader's language ("3 ngày trước", "5 hours ago"). */
export function ageText(observedAt: string, nowMs: number, lang: Lang = langStore.get()): string {
  const seconds = Math.round((Date.parse(observedAt) - nowMs) / 1000);
  const fmt = new Intl.RelativeTimeFormat(lang === 'en' ? 'en' : 'vi', { numeric: 'always' });
  const abs = Math.abs(seconds);
  if (abs < 3600) return fmt.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return fmt.format(Math.round(seconds / 3600), 'hour');
  return fmt.format(Math.round(seconds / 86_400), 'day');
}

/**
 * A queued case's thumbnail, fetched only once its row scrolls into view: each fetch is a custody record, so
 * rows the officer never sees are never fetched. The object URL is revoked when the row goes.
 */
function QueueThumbnail({ caseId, digest, purpose }: { caseId: string; digest: string; purpose: string }) {
  const t = useT();
  const holder = useRef<HTMLSpanElement>(null);
  const [url, setUrl] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let made: string | undefined;
    let live = true;
    const el = holder.current;
    if (!el) return;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      evidenceUrl(caseId, digest, purpose)
        .then((u) => {
          if (live) setUrl((made = u));
          else URL.revokeObjectURL(u);
        })
        .catch(() => live && setFailed(true));
    });
    observer.observe(el);
    return () => {
      live = false;
      observer.disconnect();
      if (made) URL.revokeObjectURL(made);
    };
  }, [caseId, digest, purpose]);
  return html`<span class="queue-thumb" ref=${holder} data-testid="thumbnail" data-loaded=${url ? 'true' : 'false'}>
    ${url ? html`<img src=${url} alt=${t('queueThumbnail')} />` : failed ? '—' : null}
  </span>`;
}

/**
 * `personal`: plate and thumbnail columns (a list fetched with `include=plates`); `purpose` is the one the
 * list stated, sent again with each thumbnail fetch (its own custody record).
 */
/** `fineRange`: a column with the legal fine range for an individual (the decision list). */
/** `nextStep`: a column saying whether the case can be decided now, or which step of the procedure is missing. */
export function CaseTable({ items, hrefOf, testid, fineRange = false, nextStep = false, personal = false, purpose = QUEUE_PURPOSE }: { items: QueueItem[]; hrefOf: (id: string) => string; testid: string; fineRange?: boolean; nextStep?: boolean; personal?: boolean; purpose?: string }) {
  const t = useT();
  const now = Date.now();
  if (items.length === 0) return html`<p data-testid=${`${testid}-empty`}>${t('empty')}</p>`;
  return html`<table class="cases" data-testid=${testid}>
    <thead>
      <tr>${personal ? html`<th scope="col">${t('queueThumbnail')}</th><th scope="col">${t('plate')}</th>` : null}<th scope="col">${t('observedAt')}</th><th scope="col">${t('age')}</th><th scope="col">${t('violation')}</th><th scope="col">${t('vehicleClass')}</th>${fineRange ? html`<th scope="col">${t('fineRange')}</th>` : null}${nextStep ? html`<th scope="col">${t('nextStep')}</th>` : null}<th scope="col">${t('camera')}</th><th scope="col">${t('flags')}</th><th scope="col">${t('sla')}</th><th scope="col"><span class="sr-only">${t('open')}</span></th></tr>
    </thead>
    <tbody>
      ${items.map(
        (c) => html`<tr data-case-id=${c.caseId}>
          ${personal
            ? html`<td>${c.thumbnail ? html`<${QueueThumbnail} caseId=${c.caseId} digest=${c.thumbnail.digest} purpose=${purpose} />` : html`<span class="help" data-testid="no-thumbnail">${t('queueNoThumbnail')}</span>`}</td>
                <td data-testid="plate" class="plate-text">${c.plate ?? '—'}</td>`
            : null}
          <td>${formatTime(c.observedAt)}</td>
          <td data-testid="age">${ageText(c.observedAt, now)}</td>
          <td><code>${c.violationCode}</code></td>
          <td data-testid="vehicle-class">${c.vehicleClass ? tValue('vehicle', c.vehicleClass) : '—'}</td>
          ${fineRange ? html`<td data-testid="fine-range">${rangeText(c)}</td>` : null}
          ${nextStep
            ? html`<td data-testid="next-step">${c.missingStep
                ? html`<span class="badge warn" data-missing-step=${c.missingStep}>${t('missingStep')}: ${tValue('step', c.missingStep)}</span>`
                : html`<span class="badge ok" data-missing-step="">${t('decidableNow')}</span>`}</td>`
            : null}
          <td data-testid="place">${c.cameraId}${c.location ? html`<br /><small>${c.location}</small>` : null}</td>
          <td data-testid="flags">${flagNames(c.flags).map((f) => html`<span class="badge warn" data-flag=${f}>${t(`flag.${f}`)}</span> `)}</td>
          <td data-testid="sla"><${SlaBadges} observedAt=${c.observedAt} sla=${c.sla} /></td>
          <td><a class="button" href=${hrefOf(c.caseId)}>${t('open')}</a></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function QueuePage() {
  const t = useT();
  const session = useStore(sessionStore);
  const national = session?.province === NATIONAL;
  const [province, setProvince] = useState(() => {
    const saved = sessionStorage.getItem(QUEUE_PROVINCE_KEY);
    return PROVINCES.some((p) => p.code === saved) ? saved! : (PROVINCES[0]?.code ?? '01');
  });
  const [items, setItems] = useState<QueueItem[] | undefined>();
  const [more, setMore] = useState(false);
  const [error, setError] = useState('');
  const [violation, setViolation] = useState('');
  const [camera, setCamera] = useState('');
  const [flag, setFlag] = useState('');

  useEffect(() => {
    if (!canReview(session)) return;
    setItems(undefined);
    setError('');
    loadReviewQueue(national ? province : undefined)
      .then((queue) => {
        setItems(queue.items);
        setMore(queue.more);
      })
      .catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [session?.token, national, province]);

  const filtered = useMemo(
    () =>
      (items ?? []).filter(
        (c) => (!violation || c.violationCode === violation) && (!camera || c.cameraId === camera) && (!flag || flagNames(c.flags).includes(flag)),
      ),
    [items, violation, camera, flag],
  );
  useEffect(() => rememberOrder('review', filtered.map((c) => c.caseId)), [filtered]);
  // Enter opens the first case of the (filtered) queue, unless focus is on a field, link or button of its own.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Enter' || e.ctrlKey || e.altKey || e.metaKey || isTypingTarget(e.target)) return;
      const el = e.target as HTMLElement | null;
      if (el?.closest?.('a, button, summary')) return;
      const first = filtered[0];
      if (!first) return;
      e.preventDefault();
      go(`case/${first.caseId}`);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [filtered]);

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canReview(session)) return html`<p role="alert">${t('forbidden')}</p>`;
  const distinct = (f: (c: QueueItem) => string[]) => [...new Set((items ?? []).flatMap(f))].sort();
  const select = (id: string, label: string, value: string, set: (v: string) => void, options: string[], name: (o: string) => string = (o) => o) =>
    html`<label for=${id}>${label}
      <select id=${id} value=${value} onChange=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
        <option value="">${t('all')}</option>
        ${options.map((o) => html`<option value=${o}>${name(o)}</option>`)}
      </select></label>`;
  const shownProvince = national ? province : session.province;

  return html`<h1>${t('queueTitle')} — ${t('province')} ${shownProvince}</h1>
    <p class="help">${t('queueHelp')}</p>
    <div class="row filters" role="group" aria-label="filters">
      ${national
        ? html`<label for="queue-province">${t('queueProvince')}
            <select id="queue-province" value=${province} onChange=${(e: Event) => {
              const v = (e.target as HTMLSelectElement).value;
              sessionStorage.setItem(QUEUE_PROVINCE_KEY, v);
              setProvince(v);
            }}>${PROVINCES.map((p) => html`<option value=${p.code}>${p.code} ${p.name}</option>`)}</select></label>`
        : null}
      ${select('filter-violation', t('filterViolation'), violation, setViolation, distinct((c) => [c.violationCode]))}
      ${select('filter-camera', t('filterCamera'), camera, setCamera, distinct((c) => [c.cameraId]))}
      ${select('filter-flag', t('filterFlag'), flag, setFlag, distinct((c) => flagNames(c.flags)), (f) => t(`flag.${f}`))}
      <span aria-live="polite" data-testid="queue-count">${items ? `${filtered.length} / ${items.length}` : ''}</span>
    </div>
    ${more ? html`<p class="help" role="status">${t('queueMore')}</p>` : null}
    ${error ? html`<p role="alert" class="error">${error}</p>` : items ? html`<${CaseTable} items=${filtered} hrefOf=${(id: string) => `#/case/${id}`} testid="queue" personal=${true} />` : html`<p>${t('loading')}</p>`}`;
}
