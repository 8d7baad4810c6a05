/**
 * Officers' screen for what citizens sent through the portal (`#/inbox`): the province's complaints and
 * appeals (`GET /v1/citizen-complaints`, each with the case's appeal that carries one against a decision) and the
 * citizen-report queue (`GET /v1/citizen-reports`) with the reports' photos (each view stated with a purpose and
 * recorded in custody by the server) and the review actions (accepted for investigation / rejected, with a
 * reason; `POST …/review`). Supervisors resolve a complaint's appeal there with a signed appeal/v1 (the existing
 * `POST /v1/cases/{caseId}/appeals/{appealId}/resolution`). National staff pick the province; provincial staff
 * see their own.
 */
import { useEffect, useState } from 'preact/hooks';
import { PROVINCES } from '../../../src/domain/provinces/index.ts';
import { api, apiResponse, type GetResponse } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { formatTime, langStore, provinceName, useT } from '../lib/i18n.ts';
import { unlockedKeyStore } from '../lib/keystore.ts';
import { canDecide, canReview, sessionStore } from '../lib/session.ts';
import { buildAppeal, signPayload } from '../lib/signoff.ts';
import { useStore } from '../lib/store.ts';

type Complaint = GetResponse<'/v1/citizen-complaints'>['items'][number];
type Report = GetResponse<'/v1/citizen-reports'>['items'][number];

const NATIONAL = '00';

/** An image shown only on request, fetched with a purpose (each view is a custody record on the server). */
function ProtectedImage({ path, purpose, alt, testid }: { path: string; purpose: string; alt: string; testid: string }) {
  const t = useT();
  const [src, setSrc] = useState<string | undefined>();
  const [error, setError] = useState('');
  useEffect(() => () => (src ? URL.revokeObjectURL(src) : undefined), [src]);
  const show = async () => {
    setError('');
    try {
      const res = await apiResponse(path, { purpose });
      setSrc(URL.createObjectURL(await res.blob()));
    } catch (err) {
      setError(errorMessage(err, langStore.get()));
    }
  };
  return src
    ? html`<img class="report-photo" src=${src} alt=${alt} data-testid=${testid} />`
    : html`<button type="button" onClick=${show} data-testid=${`show-${testid}`}>${t('inboxShowPhoto')}</button>${error ? html`<p role="alert" class="error">${error}</p>` : null}`;
}

function ReportPhoto({ report, digest }: { report: Report; digest: string }) {
  const t = useT();
  return html`<${ProtectedImage} path=${`/v1/citizen-reports/${report.province}/${report.reportId}/photos/${digest}`} purpose=${t('inboxPhotoPurpose')} alt=${t('inboxPhotoAlt')} testid="report-photo" />`;
}

function ReportCard({ report, onReviewed }: { report: Report; onReviewed: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const review = async (outcome: 'accepted' | 'rejected') => {
    setError('');
    if (reason.trim().length < 3) return setError(t('inboxReasonNeeded'));
    setBusy(true);
    try {
      await api(`/v1/citizen-reports/${report.province}/${report.reportId}/review`, { method: 'POST', body: { outcome, reason: reason.trim() } });
      onReviewed();
    } catch (err) {
      setError(errorMessage(err, langStore.get()));
    } finally {
      setBusy(false);
    }
  };
  const id = `reason-${report.reportId}`;
  return html`<article class="card" data-testid="report-item" data-reference=${report.reference}>
    <h3>${report.reference} <span class="badge warn">${t('inboxCitizenSource')}</span></h3>
    <dl class="facts">
      <dt>${t('inboxStatus')}</dt><dd data-testid="report-status">${t(`inbox.report.${report.status}`)}</dd>
      <dt>${t('observedAt')}</dt><dd>${formatTime(report.observedAt)}</dd>
      <dt>${t('place')}</dt><dd>${report.place}</dd>
      <dt>${t('plate')}</dt><dd class="plate">${report.plate ?? '—'}</dd>
      <dt>${t('inboxDescription')}</dt><dd>${report.description}</dd>
      ${report.reason ? html`<dt>${t('inboxReason')}</dt><dd>${report.reason}</dd>` : null}
    </dl>
    <div class="row">${report.photos.map((p) => html`<${ReportPhoto} report=${report} digest=${p.digest} />`)}</div>
    ${report.status === 'awaiting-review'
      ? html`<label for=${id}>${t('inboxReason')}</label>
          <textarea id=${id} rows="2" maxlength="2000" value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea>
          <div class="row">
            <button type="button" class="primary" disabled=${busy} onClick=${() => review('accepted')} data-testid="accept-report">${t('inboxAccept')}</button>
            <button type="button" disabled=${busy} onClick=${() => review('rejected')} data-testid="reject-report">${t('inboxReject')}</button>
          </div>`
      : null}
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </article>`;
}

type CaseDocument = GetResponse<'/v1/cases/{caseId}'>;

/**
 * A supervisor resolves the appeal a complaint opened: a signed appeal/v1 (the officer's own key, unlocked in
 * this browser) through the existing resolution route; the decider checks the officer's authority.
 */
function ResolveAppeal({ c, onResolved }: { c: Complaint; onResolved: () => void }) {
  const t = useT();
  const key = useStore(unlockedKeyStore);
  const [outcome, setOutcome] = useState<'upheld' | 'overturned'>('upheld');
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    if (!key) return setError(t('needKey'));
    if (reason.trim().length < 3) return setError(t('inboxReasonNeeded'));
    setBusy(true);
    try {
      const doc = await api<CaseDocument>(`/v1/cases/${c.caseId}`, { purpose: t('inboxAppealPurpose') });
      const payload = buildAppeal({
        basis: doc.signoffBasis,
        plate: doc.review?.plate ?? doc.signoffBasis.plate ?? '',
        violationCode: doc.review?.violationCode ?? doc.signoffBasis.violationCode,
        signedAt: new Date().toISOString(),
        appealId: c.appeal!.appealId,
        outcome,
        reason,
      });
      await api(`/v1/cases/${c.caseId}/appeals/${c.appeal!.appealId}/resolution`, { method: 'POST', body: signPayload(payload, key), ifMatch: doc.revision });
      onResolved();
    } catch (err) {
      setError(errorMessage(err, langStore.get()));
    } finally {
      setBusy(false);
    }
  };
  const id = (x: string) => `appeal-${c.reference}-${x}`;
  return html`<form class="citizen-form" onSubmit=${submit} data-testid="resolve-appeal">
    <label for=${id('outcome')}>${t('inboxOutcome')}</label>
    <select id=${id('outcome')} value=${outcome} onChange=${(e: Event) => setOutcome((e.target as HTMLSelectElement).value as 'upheld' | 'overturned')}>
      <option value="upheld">${t('inbox.appeal.upheld')}</option>
      <option value="overturned">${t('inbox.appeal.overturned')}</option>
    </select>
    <label for=${id('reason')}>${t('inboxReason')}</label>
    <textarea id=${id('reason')} rows="2" maxlength="2000" value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLTextAreaElement).value)}></textarea>
    <div class="row"><button type="submit" class="primary" disabled=${busy}>${t('inboxResolve')}</button></div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </form>`;
}

function ComplaintCard({ c, onChanged }: { c: Complaint; onChanged: () => void }) {
  const t = useT();
  const session = useStore(sessionStore);
  return html`<article class="card" data-testid="complaint-item" data-reference=${c.reference}>
    <h3>${c.reference}</h3>
    <dl class="facts">
      <dt>${t('inboxKind')}</dt><dd>${t(`inbox.kind.${c.kind}`)}</dd>
      <dt>${t('inboxFiledAt')}</dt><dd>${formatTime(c.filedAt)}</dd>
      <dt>${t('inboxCase')}</dt><dd><a href=${`#/case/${c.caseId}`}>${c.caseRef}</a></dd>
      <dt>${t('inboxGrounds')}</dt><dd>${c.grounds}</dd>
      <dt>${t('inboxAttachments')}</dt><dd>${c.attachments.length}</dd>
      <dt>${t('inboxAppeal')}</dt><dd data-testid="complaint-appeal">${c.appeal ? (c.appeal.outcome ? t(`inbox.appeal.${c.appeal.outcome}`) : t('inboxAppealOpen')) : '—'}</dd>
    </dl>
    ${c.attachments.length
      ? html`<div class="row">${c.attachments.map(
          (a) => html`<${ProtectedImage} path=${`/v1/citizen-complaints/${c.caseId}/attachments/${a.digest}`} purpose=${t('inboxAttachmentPurpose')} alt=${t('inboxAttachmentAlt')} testid="complaint-attachment" />`,
        )}</div>`
      : null}
    ${c.appeal && !c.appeal.outcome && canDecide(session) ? html`<${ResolveAppeal} c=${c} onResolved=${onChanged} />` : null}
  </article>`;
}

export function CitizenInboxPage() {
  const t = useT();
  const session = useStore(sessionStore);
  const national = session?.province === NATIONAL;
  const [province, setProvince] = useState(national ? (PROVINCES[0]?.code ?? '01') : (session?.province ?? '01'));
  const [complaints, setComplaints] = useState<Complaint[] | undefined>();
  const [reports, setReports] = useState<Report[] | undefined>();
  const [error, setError] = useState('');
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!canReview(session)) return;
    let live = true;
    setError('');
    Promise.all([
      api<{ items: Complaint[] }>(`/v1/citizen-complaints?province=${province}`),
      api<{ items: Report[] }>(`/v1/citizen-reports?province=${province}`),
    ]).then(
      ([c, r]) => {
        if (!live) return;
        setComplaints(c.items);
        setReports(r.items);
      },
      (err: unknown) => live && setError(errorMessage(err, langStore.get())),
    );
    return () => {
      live = false;
    };
  }, [province, round, session?.token]);
  if (!canReview(session)) return html`<h1>${t('navInbox')}</h1><p role="alert">${t('inboxSignIn')}</p>`;
  return html`<h1>${t('navInbox')}</h1>
    <p class="help">${t('inboxHelp')}</p>
    ${national
      ? html`<label>${t('province')} <select data-testid="inbox-province" value=${province} onChange=${(e: Event) => setProvince((e.target as HTMLSelectElement).value)}>${PROVINCES.map(
          (p) => html`<option value=${p.code}>${p.code} ${p.name}</option>`,
        )}</select></label>`
      : html`<p>${t('province')}: ${provinceName(province)}</p>`}
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    <section aria-labelledby="inbox-complaints">
      <h2 id="inbox-complaints">${t('inboxComplaints')}</h2>
      ${complaints === undefined
        ? html`<p>${t('loading')}</p>`
        : complaints.length === 0
          ? html`<p data-testid="complaints-empty">${t('empty')}</p>`
          : complaints.map((c) => html`<${ComplaintCard} c=${c} onChanged=${() => setRound((n) => n + 1)} />`)}
    </section>
    <section aria-labelledby="inbox-reports">
      <h2 id="inbox-reports">${t('inboxReports')}</h2>
      ${reports === undefined
        ? html`<p>${t('loading')}</p>`
        : reports.length === 0
          ? html`<p data-testid="reports-empty">${t('empty')}</p>`
          : reports.map((r) => html`<${ReportCard} report=${r} onReviewed=${() => setRound((n) => n + 1)} />`)}
    </section>`;
}
