/**
 * The case screen, built for speed: evidence with zoom and pan, readings compared, the facts and law, and the
 * sign-off. Confirm, correct (plate, violation code) or reject with a reason code, by button or keyboard:
 * C or Ctrl+Enter confirm · E plate · V violation code · R reject · N next case · + − 0 zoom · Esc leave a field.
 * The review/v1 payload is built and signed here with the officer's unlocked key; the server verifies it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { langStore, tValue, useT } from '../lib/i18n.ts';
import { canReview, sessionStore } from '../lib/session.ts';
import { unlockedKeyStore } from '../lib/keystore.ts';
import { api } from '../lib/api.ts';
import { compactPlate, loadCase, reloadCase, type CaseDocument } from '../lib/case-doc.ts';
import { buildReview, signPayload, REJECT_REASONS, type RejectReason } from '../lib/signoff.ts';
import { go, isTypingTarget } from '../lib/router.ts';
import { nextInOrder } from '../lib/queue.ts';
import { listViolations } from '../lib/catalog.ts';
import { ImageViewer, type ViewerHandle } from '../components/image-viewer.ts';
import { CaseDocuments } from '../components/case-documents.ts';
import { Facts, Readings, Timeline, flagsNeedingOverride } from '../components/case-facts.ts';
import { KeyPanel } from './signin.ts';

/** ASCII only: HTTP header values are Latin-1, and fetch refuses anything else. */
export const REVIEW_PURPOSE = 'review sign-off (xem xet vi pham)';

export function CasePage({ caseId }: { caseId: string }) {
  const t = useT();
  const lang = useStore(langStore);
  const session = useStore(sessionStore);
  const key = useStore(unlockedKeyStore);
  const [doc, setDoc] = useState<CaseDocument | undefined>();
  const [images, setImages] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState('');
  const [plate, setPlate] = useState('');
  const [code, setCode] = useState('');
  const [correction, setCorrection] = useState('');
  const [override, setOverride] = useState('');
  const [reason, setReason] = useState<RejectReason | ''>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  /** Set synchronously: a second key press before the re-render must not sign twice. */
  const inFlight = useRef(false);
  const [done, setDone] = useState<{ keyId: string; status: string; decision: string } | undefined>();
  const viewer = useRef<ViewerHandle | null>(null);
  const plateInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const reasonSelect = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    setDoc(undefined);
    setDone(undefined);
    setError('');
    if (!canReview(session) || !caseId) return;
    let urls: string[] = [];
    loadCase(caseId, REVIEW_PURPOSE)
      .then(({ doc, images }) => {
        urls = [...images.values()];
        setDoc(doc);
        setImages(images);
        setPlate(doc.signoffBasis.plate ?? '');
        setCode(doc.signoffBasis.violationCode);
        setCorrection('');
        setOverride('');
        setReason('');
        setNote('');
      })
      .catch((e: unknown) => setError(errorMessage(e, langStore.get())));
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, [caseId, session?.token]);

  const plateChanged = doc !== undefined && compactPlate(plate) !== compactPlate(doc.signoffBasis.plate);
  const codeChanged = doc !== undefined && code.trim() !== doc.signoffBasis.violationCode;
  const defaultCorrection = langStore.get() === 'en' ? 'Corrected after checking the evidence images' : 'Điều chỉnh sau khi đối chiếu ảnh chứng cứ';

  /**
   * Reads the fields from the DOM, not from component state: a shortcut pressed right after typing can run
   * before the state update has re-rendered, and what is signed MUST be what is on screen.
   */
  const fields = () => {
    const value = (id: string, fallback: string) => (document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null)?.value ?? fallback;
    return {
      plate: value('plate', plate),
      code: value('violation-code', code),
      correction: value('correction', correction),
      override: value('override', override),
      reason: value('reject-reason', reason) as RejectReason | '',
      note: value('reject-note', note),
    };
  };

  const submit = async (decision: 'confirm' | 'reject') => {
    if (!doc || inFlight.current || done) return;
    if (!key) return setError(t('needKey'));
    const f = fields();
    if (decision === 'reject' && !f.reason) {
      reasonSelect.current?.focus();
      return setError(t('rejectReason'));
    }
    if (decision === 'confirm' && flagsNeedingOverride(doc).length > 0 && !f.override.trim()) {
      document.getElementById('override')?.focus();
      return setError(t('overrideReason'));
    }
    const changed = compactPlate(f.plate) !== compactPlate(doc.signoffBasis.plate) || f.code.trim() !== doc.signoffBasis.violationCode;
    inFlight.current = true;
    setBusy(true);
    setError('');
    try {
      const payload = buildReview({
        basis: doc.signoffBasis,
        decision,
        plate: decision === 'confirm' ? f.plate : (doc.signoffBasis.plate ?? f.plate),
        violationCode: decision === 'confirm' ? f.code : doc.signoffBasis.violationCode,
        signedAt: new Date().toISOString(),
        ...(decision === 'confirm' && changed ? { correction: f.correction.trim() || defaultCorrection } : {}),
        ...(decision === 'confirm' && flagsNeedingOverride(doc).length ? { overrideReason: f.override } : {}),
        ...(decision === 'reject' ? { rejectReason: f.reason as RejectReason, rejectNote: f.note } : {}),
      });
      const body = signPayload(payload, key);
      const result = await api<{ status: string; revision: number }>(`/v1/cases/${doc.caseId}/review`, {
        method: 'POST',
        body,
        ifMatch: doc.revision,
      });
      // The case detail is folded from the case stream: read back at once, it shows the signed step and its
      // status. Shown together with the confirmation, so the screen never pairs "signed" with the old status; a
      // failed read-back still shows what was signed (the error says why the detail is stale).
      const reloaded = await reloadCase(doc.caseId, REVIEW_PURPOSE).then(
        (d) => ({ ok: true as const, d }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      setDone({ keyId: body.keyId, status: result.status, decision });
      if (!reloaded.ok) throw reloaded.e;
      setDoc(reloaded.d);
    } catch (e) {
      setError(errorMessage(e, langStore.get()));
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  const next = () => {
    const id = nextInOrder('review', caseId);
    go(id && id !== caseId ? `case/${id}` : 'queue');
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit(document.activeElement === reasonSelect.current || document.activeElement?.id === 'reject-note' ? 'reject' : 'confirm');
        return;
      }
      if (e.key === 'Escape' && isTypingTarget(e.target)) {
        (e.target as HTMLElement).blur();
        return;
      }
      if (isTypingTarget(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      const focus = (el: HTMLElement | null) => {
        e.preventDefault();
        el?.focus();
        if (el instanceof HTMLInputElement) el.select();
      };
      switch (e.key.toLowerCase()) {
        case 'c':
          e.preventDefault();
          void submit('confirm');
          break;
        case 'e':
          focus(plateInput.current);
          break;
        case 'v':
          focus(codeInput.current);
          break;
        case 'r':
          focus(reasonSelect.current);
          break;
        case 'n':
          e.preventDefault();
          next();
          break;
        case '+':
        case '=':
          viewer.current?.zoom(1.25);
          break;
        case '-':
          viewer.current?.zoom(0.8);
          break;
        case '0':
          viewer.current?.reset();
          break;
        default:
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canReview(session)) return html`<p role="alert">${t('forbidden')}</p>`;
  if (!doc) return error ? html`<p role="alert" class="error">${error}</p>` : html`<p>${t('loading')}</p>`;

  const overview = doc.evidence.originals.find((e) => images.has(e.digest) && e.role !== 'plate');
  const crop = doc.evidence.derived.find((e) => e.kind === 'plate-crop') ?? doc.evidence.originals.find((e) => e.role === 'plate');
  const caption = doc.evidence.derived.find((e) => e.kind === 'captioned');
  // The catalog's codes for this vehicle class, in legal order (article, clause, point: 168.6.9 before 168.6.10,
  // đ after d), each with its description in the reader's language.
  const codes = listViolations(doc.detection.observedAt)
    .filter((e) => (e.vehicleClasses as string[]).includes(doc.detection.vehicleClass))
    .sort((a, b) => a.code.localeCompare(b.code, 'vi', { numeric: true }));
  const reviewable = doc.status === 'detected';

  return html`<h1>${t('caseTitle')} <code data-testid="case-id">${doc.caseId.slice(0, 8)}</code> <span class="badge" data-testid="case-status">${tValue('status', doc.status)}</span></h1>
    <p class="help" id="shortcuts"><strong>${t('shortcuts')}:</strong> ${t('shortcutsText')}</p>
    <div class="case-grid">
      <div class="evidence">
        <${ImageViewer} src=${overview ? images.get(overview.digest) : undefined} alt=${t('overview')} handle=${viewer} testid="overview" focus=${overview && doc.plateBox?.sourceDigest === overview.digest ? doc.plateBox : undefined} />
        <div class="row">
          ${crop && images.has(crop.digest) ? html`<figure class="crop"><img src=${images.get(crop.digest)} alt=${t('plateCrop')} /><figcaption>${t('plateCrop')}</figcaption></figure>` : null}
          ${caption && images.has(caption.digest) ? html`<figure class="crop"><img src=${images.get(caption.digest)} alt=${t('caption')} /><figcaption>${t('caption')}</figcaption></figure>` : null}
        </div>
        <${Readings} doc=${doc} onChoose=${reviewable && !done ? (p: string) => (setPlate(p), plateInput.current?.focus()) : undefined} />
      </div>
      <div class="details">
        <${Facts} doc=${doc} />
        ${reviewable && !done
          ? html`<form class="card stack signoff" aria-describedby="shortcuts" onSubmit=${(e: Event) => (e.preventDefault(), void submit('confirm'))}>
              <div class="row">
                <label for="plate">${t('plate')}</label>
                <input id="plate" ref=${plateInput} class=${plateChanged ? 'changed' : ''} value=${plate} autocomplete="off" spellcheck=${false} onInput=${(e: Event) => setPlate((e.target as HTMLInputElement).value)} />
                <label for="violation-code">${t('violationCode')}</label>
                <input id="violation-code" ref=${codeInput} list="violation-codes" class=${codeChanged ? 'changed' : ''} value=${code} autocomplete="off" onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)} />
                <datalist id="violation-codes" data-testid="violation-codes">${codes.map((c) => html`<option value=${c.code} label=${`${c.code} — ${lang === 'en' ? c.title.en : c.title.vi}`} />`)}</datalist>
              </div>
              ${plateChanged || codeChanged
                ? html`<label>${t('correctionReason')} <input id="correction" value=${correction} placeholder=${defaultCorrection} onInput=${(e: Event) => setCorrection((e.target as HTMLInputElement).value)} /></label>`
                : null}
              ${flagsNeedingOverride(doc).length
                ? html`<label>${t('overrideReason')} <input id="override" required value=${override} onInput=${(e: Event) => setOverride((e.target as HTMLInputElement).value)} /></label>`
                : null}
              <button type="submit" class="primary" disabled=${busy} data-testid="confirm">${t('confirm')}</button>
              <fieldset class="row">
                <legend>${t('reject')}</legend>
                <label for="reject-reason">${t('rejectReason')}</label>
                <select id="reject-reason" ref=${reasonSelect} value=${reason} onChange=${(e: Event) => setReason((e.target as HTMLSelectElement).value as RejectReason)}>
                  <option value="">—</option>
                  ${REJECT_REASONS.map((r) => html`<option value=${r}>${t(`reason.${r}`)}</option>`)}
                </select>
                <label for="reject-note">${t('rejectNote')}</label>
                <input id="reject-note" value=${note} onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} />
                <button type="button" class="danger" disabled=${busy} onClick=${() => void submit('reject')} data-testid="reject">${t('reject')}</button>
              </fieldset>
              ${key ? html`<p class="help">${t('signingWith')} <code>${key.keyId}</code></p>` : html`<p role="alert" class="error">${t('needKey')}</p><${KeyPanel} />`}
            </form>`
          : null}
        ${done
          ? html`<div class="card done" role="status" data-testid="signed">
              <p><strong>${t('submitted')}</strong>: ${tValue('decision', done.decision)} → ${tValue('status', done.status)}</p>
              <p>${t('signedWith')} <code data-testid="signed-key-id">${done.keyId}</code></p>
              <button type="button" class="primary" onClick=${next}>${t('nextCase')}</button>
            </div>`
          : null}
        ${error ? html`<p role="alert" class="error" data-testid="error">${error}</p>` : null}
        <${CaseDocuments} doc=${doc} />
        <${Timeline} doc=${doc} />
      </div>
    </div>`;
}
