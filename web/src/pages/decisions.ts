/**
 * Supervisor screens: confirmed cases awaiting a penalty decision, and the decision itself with the legal
 * fine range and the supervisor's own authority limit: the enrolled title and its limit come from
 * `GET /v1/me` (the officer stream), as the domain will check them. The decision/v1 payload is signed in the
 * browser. A case without a violation record shows the "Lập biên bản" step first (components/violation-record.ts);
 * the decision then names the record's offender, with licence points only for an individual.
 */
import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { formatVnd, langStore, parseVnd, tValue, useT } from '../lib/i18n.ts';
import { canDecide, sessionStore } from '../lib/session.ts';
import { unlockedKeyStore } from '../lib/keystore.ts';
import { api } from '../lib/api.ts';
import { loadCases, rememberOrder, type QueueItem } from '../lib/queue.ts';
import { loadCase, reloadCase, type CaseDocument } from '../lib/case-doc.ts';
import { buildDecision, signPayload } from '../lib/signoff.ts';
import { catalogEntry, fineRangeFor, legalBasisText, minimumAuthorityFor } from '../lib/catalog.ts';
import { enrolledLimit, loadMe, type Me } from '../lib/me.ts';
import { CaseTable } from './queue.ts';
import { ImageViewer } from '../components/image-viewer.ts';
import { Facts, Readings, Timeline } from '../components/case-facts.ts';
import { KeyPanel } from './signin.ts';
import { ViolationRecordStep } from '../components/violation-record.ts';
import { go } from '../lib/router.ts';

/** ASCII only (HTTP header). */
export const DECISION_PURPOSE = 'penalty decision (quyet dinh xu phat)';
/** The decision list's purpose for its plates and thumbnails, recorded in each listed case's custody log. */
export const DECISION_LIST_PURPOSE = 'decision list';
const AWAITING = ['confirmed', 'owner-identified', 'noticed'];

export function DecisionsPage() {
  const t = useT();
  const session = useStore(sessionStore);
  const [items, setItems] = useState<QueueItem[] | undefined>();
  const [error, setError] = useState('');
  useEffect(() => {
    if (!canDecide(session)) return;
    Promise.all(AWAITING.map((s) => loadCases(s, { platesPurpose: DECISION_LIST_PURPOSE })))
      .then((lists) => {
        const all = lists.flat().sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt));
        rememberOrder('decision', all.map((c) => c.caseId));
        setItems(all);
      })
      .catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [session?.token]);
  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canDecide(session)) return html`<p role="alert">${t('forbidden')}</p>`;
  return html`<h1>${t('decisionsTitle')}</h1>
    ${error ? html`<p role="alert" class="error">${error}</p>` : items ? html`<${CaseTable} items=${items} hrefOf=${(id: string) => `#/decision/${id}`} testid="decisions" fineRange=${true} nextStep=${true} personal=${true} purpose=${DECISION_LIST_PURPOSE} />` : html`<p>${t('loading')}</p>`}`;
}

export function DecisionPage({ caseId }: { caseId: string }) {
  const t = useT();
  const lang = langStore.get();
  const session = useStore(sessionStore);
  const key = useStore(unlockedKeyStore);
  const [doc, setDoc] = useState<CaseDocument | undefined>();
  const [images, setImages] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ keyId: string; status: string } | undefined>();
  const [fine, setFine] = useState('');
  const [offenderKind, setOffenderKind] = useState<'individual' | 'organisation'>('individual');
  const [offenderRefState, setOffenderRef] = useState('');
  const [me, setMe] = useState<Me | undefined>();

  useEffect(() => {
    if (!canDecide(session)) return;
    loadMe()
      .then(setMe)
      .catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [session?.token]);

  /** The decision names the violation record's offender (else, before the record, the owner) and its fine range. */
  const takeOffender = (doc: CaseDocument) => {
    const fixed = doc.procedure.record?.offender ?? doc.owner;
    if (fixed) {
      setOffenderKind(fixed.kind);
      setOffenderRef(fixed.ref);
    }
    const entry = catalogEntry(doc.signoffBasis.violationCode, doc.detection.vehicleClass, doc.detection.observedAt);
    if (entry) setFine(new Intl.NumberFormat(langStore.get() === 'en' ? 'en-US' : 'vi-VN').format(fineRangeFor(entry, fixed?.kind ?? 'individual').minVnd));
  };

  useEffect(() => {
    if (!canDecide(session) || !caseId) return;
    loadCase(caseId, DECISION_PURPOSE)
      .then(({ doc, images }) => {
        setDoc(doc);
        setImages(images);
        takeOffender(doc);
      })
      .catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [caseId, session?.token]);

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canDecide(session)) return html`<p role="alert">${t('forbidden')}</p>`;
  if (!doc) return error ? html`<p role="alert" class="error">${error}</p>` : html`<p>${t('loading')}</p>`;

  const entry = catalogEntry(doc.signoffBasis.violationCode, doc.detection.vehicleClass, doc.detection.observedAt);
  const range = entry ? fineRangeFor(entry, offenderKind) : undefined;
  const enrolment = me?.enrolment;
  const limit = enrolledLimit(me, offenderKind);
  // The authority table in force on the decision date (today) applies, as in the decider.
  const needed = entry ? minimumAuthorityFor(entry, offenderKind, new Date().toISOString()) : undefined;
  const amount = parseVnd(fine) ?? NaN;
  const inRange = range !== undefined && amount >= range.minVnd && amount <= range.maxVnd;
  const withinAuthority = range !== undefined && limit !== undefined && range.maxVnd <= limit;
  const mayDecide = enrolment?.active === true;
  const overview = doc.evidence.originals.find((e) => images.has(e.digest) && e.role !== 'plate');
  const crop = doc.evidence.derived.find((e) => e.kind === 'plate-crop') ?? doc.evidence.originals.find((e) => e.role === 'plate');
  const caption = doc.evidence.derived.find((e) => e.kind === 'captioned');
  const record = doc.procedure.record;
  // Licence points only from an individual (an organisation's decision carries 0).
  const points = entry ? (offenderKind === 'organisation' ? 0 : entry.points) : 0;

  const submit = async (e: Event) => {
    e.preventDefault();
    // What is signed is what is on screen (the DOM), even if a state update has not re-rendered yet.
    const shown = (id: string, fallback: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? fallback;
    const amount = parseVnd(shown('fine', fine)) ?? NaN;
    const offenderRef = record ? record.offender.ref : shown('offender-ref', offenderRefState);
    const inRange = range !== undefined && amount >= range.minVnd && amount <= range.maxVnd;
    if (!entry || busy || !mayDecide || !record) return;
    if (!key) return setError(t('needKey'));
    // The field already says so beside it; one message, and the cursor where the fix is.
    if (!inRange) return void document.getElementById('fine')?.focus();
    setBusy(true);
    setError('');
    try {
      const payload = buildDecision({
        basis: doc.signoffBasis,
        plate: doc.review?.plate ?? doc.signoffBasis.plate ?? '',
        violationCode: doc.review?.violationCode ?? doc.signoffBasis.violationCode,
        signedAt: new Date().toISOString(),
        fineVnd: amount,
        points: record.offender.kind === 'organisation' ? 0 : entry.points,
        legalBasis: entry.legalBasis,
        offender: { kind: record.offender.kind, ref: offenderRef.trim() },
      });
      const body = signPayload(payload, key);
      const result = await api<{ status: string }>(`/v1/cases/${doc.caseId}/decision`, { method: 'POST', body, ifMatch: doc.revision });
      // The case detail is folded from the case stream: read back at once, it shows the signed step and its
      // status. Shown together with the confirmation, so the screen never pairs "signed" with the old status; a
      // failed read-back still shows what was signed (the error says why the detail is stale).
      const reloaded = await reloadCase(doc.caseId, DECISION_PURPOSE).then(
        (d) => ({ ok: true as const, d }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      setDone({ keyId: body.keyId, status: result.status });
      if (!reloaded.ok) throw reloaded.e;
      setDoc(reloaded.d);
    } catch (err) {
      setError(errorMessage(err, langStore.get()));
    } finally {
      setBusy(false);
    }
  };

  return html`<h1>${t('decide')} <code>${doc.caseId.slice(0, 8)}</code> <span class="badge" data-testid="case-status">${tValue('status', doc.status)}</span></h1>
    <div class="case-grid">
      <div class="evidence">
        <${ImageViewer} src=${overview ? images.get(overview.digest) : undefined} alt=${t('overview')} focus=${overview && doc.plateBox?.sourceDigest === overview.digest ? doc.plateBox : undefined} />
        <div class="row">
          ${crop && images.has(crop.digest) ? html`<figure class="crop"><img src=${images.get(crop.digest)} alt=${t('plateCrop')} /><figcaption>${t('plateCrop')}</figcaption></figure>` : null}
          ${caption && images.has(caption.digest) ? html`<figure class="crop"><img src=${images.get(caption.digest)} alt=${t('caption')} /><figcaption>${t('caption')}</figcaption></figure>` : null}
        </div>
        <${Readings} doc=${doc} />
        <p>${t('reviewedPlate')}: <strong class="plate" data-testid="reviewed-plate">${doc.review?.plate ?? doc.signoffBasis.plate}</strong></p>
      </div>
      <div class="details">
        <${Facts} doc=${doc} law=${false} />
        <dl class="facts" data-testid="authority">
          <dt>${t('fineRange')}</dt><dd>${range ? `${formatVnd(range.minVnd)} – ${formatVnd(range.maxVnd)}` : '—'}</dd>
          <dt>${t('authorityNeeded')}</dt><dd>${needed ? t(`title.${needed}`) : '—'}</dd>
          <dt>${t('authorityTitleEnrolled')}</dt><dd data-testid="enrolled-title">${enrolment ? t(`title.${enrolment.title}`) : '—'}</dd>
          <dt>${t('authorityLimit')}</dt><dd><span class=${`badge ${withinAuthority ? 'ok' : 'bad'}`} data-testid="authority-limit">${formatVnd(limit)}</span> ${withinAuthority || limit === undefined ? '' : t('beyondAuthority')}</dd>
          ${entry ? html`<dt>${t('legalBasis')}</dt><dd data-testid="legal-basis">${legalBasisText(entry, lang)}</dd><dt>${t('points')}</dt><dd data-testid="points">${points}${entry.points > 0 && points === 0 ? html` <span class="help">(${t('pointsNoneForOrganisation')})</span>` : null}</dd>` : null}
        </dl>
        ${!done && me && !enrolment ? html`<p role="alert" class="error" data-testid="not-enrolled">${t('notEnrolled')}</p>` : null}
        ${!done && enrolment && !enrolment.active ? html`<p role="alert" class="error" data-testid="not-active">${t('notActive')}</p>` : null}
        ${done
          ? html`<div class="card done" role="status" data-testid="signed"><p><strong>${t('submitted')}</strong> → ${tValue('status', done.status)}</p><p>${t('signedWith')} <code data-testid="signed-key-id">${done.keyId}</code></p>
              <button type="button" onClick=${() => go('decisions')}>${t('back')}</button></div>`
          : !record
          ? html`<${ViolationRecordStep} doc=${doc} signingKey=${key} purpose=${DECISION_PURPOSE} onDrawn=${(next: CaseDocument) => { setDoc(next); takeOffender(next); }} />
              ${key ? null : html`<p role="alert" class="error">${t('needKey')}</p><${KeyPanel} />`}`
          : html`<form class="card stack" onSubmit=${submit}>
              <p class="help" data-testid="record-fixed">${t('recordDrawn')} <code>${record.recordId}</code>: ${t('recordOffenderFixed')}</p>
              <label>${t('offenderKind')}
                <select id="offender-kind" disabled value=${offenderKind} onChange=${(e: Event) => setOffenderKind((e.target as HTMLSelectElement).value as 'individual' | 'organisation')}>
                  <option value="individual">${t('individual')}</option><option value="organisation">${t('organisation')}</option>
                </select></label>
              <label>${t('offenderRef')} <input id="offender-ref" readonly required pattern="[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}" value=${offenderRefState} onInput=${(e: Event) => setOffenderRef((e.target as HTMLInputElement).value)} /></label>
              <label>${t('fine')} <input id="fine" inputmode="numeric" required value=${fine} aria-invalid=${!inRange} onInput=${(e: Event) => setFine((e.target as HTMLInputElement).value)} /></label>
              ${!inRange ? html`<p class="error" data-testid="fine-error">${t('outOfRange')}</p>` : null}
              <button type="submit" class="primary" disabled=${busy || !entry || !mayDecide} data-testid="decide">${t('decide')}</button>
              ${key ? html`<p class="help">${t('signingWith')} <code>${key.keyId}</code></p>` : html`<p role="alert" class="error">${t('needKey')}</p><${KeyPanel} />`}
            </form>`}
        ${error ? html`<p role="alert" class="error" data-testid="error">${error}</p>` : null}
        <${Timeline} doc=${doc} />
      </div>
    </div>`;
}
