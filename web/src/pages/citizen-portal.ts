/**
 * The citizen portal's violation card (phone-first): the published fields, the status in words, the handling
 * unit and its phone, the fine range or the decided amount, the deadlines, the privacy copy of the evidence
 * (never an original), and the two things a papers holder can do here: pay (VietQR of the amount due today,
 * confirmed by the bank) and complain or ask for review (with images; a receipt with its ledger digest).
 */
import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { ApiError } from '../lib/api.ts';
import { newIdempotencyKey, portalApi, type PortalViolation, type Receipt, type ResponseReceipt } from '../lib/citizen-api.ts';
import { html } from '../lib/html.ts';
import { formatTime, formatVnd, plateColourText, tValue, useT } from '../lib/i18n.ts';
import { useCitizenT, type CitizenKey } from './citizen-text.ts';

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_FILES = 5;

/** `2026-12-16` → `16/12/2026` (a Viet Nam calendar date, as the server computes it). */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '—';
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

function problemKey(error: unknown, during: 'write' | 'upload' = 'write'): CitizenKey {
  if (!(error instanceof ApiError)) return 'failed';
  const code = error.problemType.split('/').pop() ?? '';
  if (error.status === 401) return 'sessionExpired';
  if (error.status === 429) return 'tooMany';
  if (code === 'already-paid') return 'alreadyPaid';
  if (code === 'organisation-must-name-driver') return 'organisationMustNameDriver';
  if (code === 'case-held-by-province-node') return 'heldByProvince';
  if (error.status === 409) return 'conflict';
  if (during === 'upload' || code.startsWith('evidence-') || code.startsWith('attachment-')) return 'attachmentRefused';
  if (error.status === 422) return 'periodEnded';
  return 'failed';
}

function PrivacyImage({ grant, v }: { grant: string; v: PortalViolation }) {
  const c = useCitizenT();
  const [src, setSrc] = useState<string | undefined>();
  const [error, setError] = useState('');
  useEffect(() => () => (src ? URL.revokeObjectURL(src) : undefined), [src]);
  if (!v.privacyImage) return html`<p class="help">${c('noImage')}</p>`;
  const show = async () => {
    setError('');
    try {
      setSrc(await portalApi.privacyImage(grant, v.ref));
    } catch (err) {
      setError(c(problemKey(err)));
    }
  };
  return src
    ? html`<figure class="citizen-figure"><img src=${src} alt=${c('imageAlt')} data-testid="privacy-image" /><figcaption class="help">${c('privacyImage')}</figcaption></figure>`
    : html`<button type="button" onClick=${show}>${c('showImage')}</button>${error ? html`<p role="alert" class="error">${error}</p>` : null}`;
}

function QrImage({ payload }: { payload: string }) {
  const c = useCitizenT();
  const [src, setSrc] = useState('');
  useEffect(() => {
    let live = true;
    void QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((svg) => {
      if (live) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [payload]);
  return src ? html`<img class="citizen-qr" src=${src} alt=${c('qrAlt')} data-testid="vietqr" data-payload=${payload} />` : null;
}

function PayPanel({ grant, v, onChange }: { grant: string; v: PortalViolation; onChange: (v: PortalViolation) => void }) {
  const c = useCitizenT();
  const [key] = useState(newIdempotencyKey);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const payment = v.payment;
  // While a payment waits for the bank, ask again every 2 s (the bank's confirmation arrives by callback).
  useEffect(() => {
    if (!payment || v.paid) return undefined;
    const timer = setInterval(() => {
      portalApi.violation(grant, v.ref).then(onChange, () => undefined);
    }, 2000);
    return () => clearInterval(timer);
  }, [payment?.paymentId, v.paid]);
  const start = async () => {
    setBusy(true);
    setError('');
    try {
      onChange(await portalApi.pay(grant, v.ref, key));
    } catch (err) {
      setError(c(problemKey(err)));
    } finally {
      setBusy(false);
    }
  };
  if (v.paid)
    return html`<section class="card citizen-paid" role="status" data-testid="citizen-paid">
      <h3>${c('paid')}</h3>
      <dl class="facts"><dt>${c('paidAmount')}</dt><dd>${formatVnd(v.paid.amountVnd)}</dd><dt>${c('paidAt')}</dt><dd>${formatTime(v.paid.paidAt)}</dd></dl>
    </section>`;
  if (!v.canPay) return null;
  return html`<section class="card" data-testid="citizen-pay">
    <h3>${c('payTitle')}</h3>
    ${v.amountDue
      ? html`<dl class="facts">
          <dt>${c('fine')}</dt><dd>${formatVnd(v.amountDue.fineVnd)}</dd>
          <dt>${c('surcharge')}</dt><dd>${formatVnd(v.amountDue.surchargeVnd)}${v.amountDue.daysLate > 0 ? ` (${v.amountDue.daysLate} ${c('daysLate').toLowerCase()})` : ''}</dd>
          <dt>${c('total')}</dt><dd><strong data-testid="amount-due">${formatVnd(v.amountDue.totalVnd)}</strong></dd>
        </dl>`
      : null}
    ${payment
      ? html`<p class="help">${c('payHelp')}</p>
          <${QrImage} payload=${payment.qrPayload} />
          <dl class="facts">
            <dt>${c('accountName')}</dt><dd>${payment.account.accountName}</dd>
            <dt>${c('accountNumber')}</dt><dd>${payment.account.accountNumber}</dd>
            <dt>${c('bank')}</dt><dd>${payment.account.bankName}</dd>
            <dt>${c('transferMessage')}</dt><dd><code>${payment.reference}</code></dd>
          </dl>
          <p role="status" aria-live="polite">${c('waitingBank')}</p>`
      : html`<button type="button" class="primary" disabled=${busy} onClick=${start}>${c('pay')}</button>`}
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </section>`;
}

function ComplaintPanel({ grant, v, onFiled }: { grant: string; v: PortalViolation; onFiled: () => void }) {
  const c = useCitizenT();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const [kind, setKind] = useState<'complaint' | 'appeal'>('complaint');
  const [grounds, setGrounds] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | undefined>();
  if (receipt)
    return html`<section class="card citizen-receipt" role="status" data-testid="citizen-receipt">
      <h3>${c('receiptTitle')}</h3>
      <p class="help">${c('receiptHelp')}</p>
      <dl class="facts">
        <dt>${c('receiptRef')}</dt><dd><strong data-testid="receipt-ref">${receipt.reference}</strong></dd>
        <dt>${c('ref')}</dt><dd>${receipt.caseRef}</dd>
        <dt>${c('kind')}</dt><dd>${c(`kind.${receipt.kind}`)}</dd>
        <dt>${c('filedAt')}</dt><dd>${formatTime(receipt.filedAt)}</dd>
        <dt>${c('attachments')}</dt><dd>${receipt.attachments}</dd>
        <dt>${c('recordId')}</dt><dd><code>${receipt.recordId}</code></dd>
        <dt>${c('digest')}</dt><dd><code class="citizen-digest" data-testid="receipt-digest">${receipt.digest}</code></dd>
      </dl>
      ${receipt.appealId ? html`<p class="help" data-testid="appeal-recorded">${c('appealRecorded')}</p>` : null}
    </section>`;
  if (!v.canComplain) return null;
  if (!open) return html`<button type="button" onClick=${() => setOpen(true)}>${c('complain')}</button>`;
  const pick = (e: Event) => {
    const chosen = Array.from((e.target as HTMLInputElement).files ?? []);
    setError('');
    if (chosen.length > MAX_FILES) return setError(c('tooManyFiles'));
    const wrong = chosen.find((f) => !IMAGE_TYPES.includes(f.type));
    if (wrong) return setError(`${c('fileWrongType')} ${wrong.name}`);
    const large = chosen.find((f) => f.size > MAX_FILE_BYTES);
    if (large) return setError(`${c('fileTooLarge')} ${large.name}`);
    setFiles(chosen);
    // Other content: another request, so another key.
    setKey(newIdempotencyKey());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (grounds.trim().length < 10) return setError(c('groundsTooShort'));
    setBusy(true);
    setError('');
    let stage: 'upload' | 'write' = 'upload';
    try {
      const attachments = [];
      for (const f of files) attachments.push(await portalApi.upload(grant, f));
      stage = 'write';
      setReceipt(await portalApi.complain(grant, v.ref, key, { kind, grounds: grounds.trim(), attachments }));
      onFiled();
    } catch (err) {
      setError(c(problemKey(err, stage)));
    } finally {
      setBusy(false);
    }
  };
  const id = (s: string) => `complaint-${v.ref}-${s}`;
  return html`<form class="card citizen-form" onSubmit=${submit} data-testid="citizen-complaint">
    <h3>${c('complainTitle')}</h3>
    <p class="help">${c('complainHelp')}</p>
    <label for=${id('kind')}>${c('kind')}</label>
    <select id=${id('kind')} value=${kind} onChange=${(e: Event) => {
      setKind((e.target as HTMLSelectElement).value as 'complaint' | 'appeal');
      setKey(newIdempotencyKey());
    }}>
      <option value="complaint">${c('kind.complaint')}</option>
      <option value="appeal">${c('kind.appeal')}</option>
    </select>
    <label for=${id('grounds')}>${c('grounds')}</label>
    <textarea id=${id('grounds')} rows="4" maxlength="2000" required value=${grounds} onInput=${(e: Event) => {
      setGrounds((e.target as HTMLTextAreaElement).value);
      setKey(newIdempotencyKey());
    }}></textarea>
    <label for=${id('files')}>${c('attachments')}</label>
    <input id=${id('files')} type="file" accept="image/jpeg,image/png,image/webp" multiple onChange=${pick} />
    <div class="row">
      <button type="submit" class="primary" disabled=${busy}>${c('send')}</button>
      <button type="button" onClick=${() => setOpen(false)}>${c('cancel')}</button>
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </form>`;
}

/** Answering the notice online: an explanation, or the driver's ID and licence numbers (no name), or both. */
function ResponsePanel({ grant, v, onSent }: { grant: string; v: PortalViolation; onSent: () => void }) {
  const c = useCitizenT();
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(newIdempotencyKey);
  const [statement, setStatement] = useState('');
  const [otherDriver, setOtherDriver] = useState(v.response.driverRequired);
  const [registryRef, setRegistryRef] = useState('');
  const [licenceRef, setLicenceRef] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<ResponseReceipt | undefined>();
  if (receipt)
    return html`<section class="card citizen-receipt" role="status" data-testid="response-receipt">
      <h3>${c('responseReceiptTitle')}</h3>
      <p class="help">${c('receiptHelp')}</p>
      <dl class="facts">
        <dt>${c('receiptRef')}</dt><dd><strong data-testid="response-ref">${receipt.reference}</strong></dd>
        <dt>${c('ref')}</dt><dd>${receipt.caseRef}</dd>
        <dt>${c('filedAt')}</dt><dd>${formatTime(receipt.submittedAt)}</dd>
        <dt>${c('digest')}</dt><dd><code class="citizen-digest" data-testid="response-digest">${receipt.digest}</code></dd>
      </dl>
      <h4>${c('responseRecords')}</h4>
      <ul>${receipt.records.map((r) => html`<li>${c(`record.${r.type}`)} · <code class="citizen-digest">${r.digest}</code></li>`)}</ul>
    </section>`;
  const r = v.response;
  const answered = r.explained || r.driverNamed
    ? html`<p class="help" data-testid="responded">${c('responded')}: ${[r.explained ? c('respondedExplained') : '', r.driverNamed ? c('respondedDriver') : ''].filter(Boolean).join(' · ')}</p>`
    : null;
  if (!r.canRespond) return answered;
  if (!open) return html`${answered}<button type="button" onClick=${() => setOpen(true)}>${c('respond')}</button>`;
  const changed = (set: (value: string) => void) => (e: Event) => {
    set((e.target as HTMLInputElement).value);
    // Other content: another request, so another key.
    setKey(newIdempotencyKey());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const text = statement.trim();
    const driver = otherDriver && registryRef.trim() && licenceRef.trim() ? { registryRef: registryRef.trim(), licenceRef: licenceRef.trim() } : undefined;
    if (r.driverRequired && !driver) return setError(c('driverRequiredHelp'));
    if (text.length < 10 && !driver) return setError(c('respondNeedsSomething'));
    setBusy(true);
    try {
      setReceipt(await portalApi.respond(grant, v.ref, key, { ...(text.length >= 10 ? { statement: text } : {}), ...(driver ? { driver } : {}) }));
      onSent();
    } catch (err) {
      setError(c(problemKey(err)));
    } finally {
      setBusy(false);
    }
  };
  const id = (x: string) => `respond-${v.ref}-${x}`;
  return html`<form class="card citizen-form" onSubmit=${submit} data-testid="citizen-response">
    <h3>${c('respondTitle')}</h3>
    <p class="help">${c('respondHelp')}</p>
    <label for=${id('statement')}>${c('statement')}</label>
    <textarea id=${id('statement')} rows="4" maxlength="2000" value=${statement} onInput=${changed(setStatement)}></textarea>
    <label class="check"><input id=${id('other')} type="checkbox" checked=${otherDriver} disabled=${r.driverRequired} onChange=${(e: Event) => {
      setOtherDriver((e.target as HTMLInputElement).checked);
      setKey(newIdempotencyKey());
    }} /> ${c('someoneElseDrove')}</label>
    ${r.driverRequired ? html`<p class="help">${c('driverRequiredHelp')}</p>` : null}
    ${otherDriver
      ? html`<label for=${id('registry')}>${c('driverRegistryRef')}</label>
          <input id=${id('registry')} inputmode="numeric" maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9._:-]*" value=${registryRef} onInput=${changed(setRegistryRef)} />
          <label for=${id('licence')}>${c('driverLicenceRef')}</label>
          <input id=${id('licence')} maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9._:-]*" value=${licenceRef} onInput=${changed(setLicenceRef)} />`
      : null}
    <div class="row">
      <button type="submit" class="primary" disabled=${busy}>${c('send')}</button>
      <button type="button" onClick=${() => setOpen(false)}>${c('cancel')}</button>
    </div>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </form>`;
}

export function ViolationCard({ grant, v, onChange }: { grant: string; v: PortalViolation; onChange: (v: PortalViolation) => void }) {
  const t = useT();
  const c = useCitizenT();
  const refresh = () => {
    portalApi.violation(grant, v.ref).then(onChange, () => undefined);
  };
  return html`<article class="card violation citizen-violation" data-testid="citizen-violation" data-ref=${v.ref}>
    <dl class="facts">
      <dt>${c('ref')}</dt><dd><strong>${v.ref}</strong> <small class="help">(${c('refHelp')})</small></dd>
      <dt>${t('plate')}</dt><dd class="plate">${v.plate}</dd>
      <dt>${t('plateColour')}</dt><dd data-testid="plate-colour">${plateColourText(v.plateColour)}</dd>
      <dt>${t('vehicleType')}</dt><dd>${tValue('vehicle', v.vehicleType)}</dd>
      <dt>${t('observedAt')}</dt><dd>${formatTime(v.observedAt)}</dd>
      <dt>${t('place')}</dt><dd>${v.place}</dd>
      <dt>${t('violation')}</dt><dd>${v.violation} <small>(${v.violationCode})</small></dd>
      <dt>${t('detectingUnit')}</dt><dd>${v.detectingUnit}</dd>
      <dt>${c('handlingUnitPhone')}</dt><dd>${v.handlingUnitPhone ? html`<a href=${`tel:${v.handlingUnitPhone.replace(/[^0-9+]/g, '')}`}>${v.handlingUnitPhone}</a>` : '—'}</dd>
      <dt>${t('status')}</dt><dd data-testid="citizen-status">${v.paid ? c('paid') : tValue('status', v.status)}</dd>
      ${v.transferredTo ? html`<dt>${c('transferredTo')}</dt><dd data-testid="transferred-to">${v.transferredTo.unit}</dd>` : null}
      ${v.decision
        ? html`<dt>${c('decisionNumber')}</dt><dd>${v.decision.number}</dd>
            <dt>${c('decidedFine')}</dt><dd data-testid="decided-fine">${formatVnd(v.decision.fineVnd)}</dd>
            ${v.decision.points > 0 ? html`<dt>${c('points')}</dt><dd>${v.decision.points}</dd>` : null}`
        : v.fineRange
          ? html`<dt>${c('fineRange')}</dt><dd data-testid="fine-range">${formatVnd(v.fineRange.minVnd)} – ${formatVnd(v.fineRange.maxVnd)}</dd>`
          : null}
      ${v.deadlines.respondBy ? html`<dt>${c('respondBy')}</dt><dd>${formatDate(v.deadlines.respondBy)}</dd>` : null}
      ${v.deadlines.payBy && !v.paid ? html`<dt>${c('payBy')}</dt><dd data-testid="pay-by">${formatDate(v.deadlines.payBy)}</dd>` : null}
      ${v.deadlines.complainBy ? html`<dt>${c('complainBy')}</dt><dd>${formatDate(v.deadlines.complainBy)}</dd>` : null}
    </dl>
    ${v.transferredTo ? html`<p class="help" data-testid="transferred-help">${c('transferredHelp')}</p>` : null}
    ${v.followAt ? html`<p><a href=${v.followAt} rel="noopener" data-testid="follow-at">${c('followAt')}</a></p>` : null}
    <${PrivacyImage} grant=${grant} v=${v} />
    ${v.complaints.length > 0
      ? html`<section><h3>${c('complaints')}</h3><ul>${v.complaints.map(
          (x) => html`<li>${x.reference} · ${c(`kind.${x.kind}`)} · ${formatTime(x.filedAt)}</li>`,
        )}</ul></section>`
      : null}
    <${ResponsePanel} grant=${grant} v=${v} onSent=${refresh} />
    <${PayPanel} grant=${grant} v=${v} onChange=${onChange} />
    <div class="row"><${ComplaintPanel} grant=${grant} v=${v} onFiled=${refresh} /></div>
  </article>`;
}
