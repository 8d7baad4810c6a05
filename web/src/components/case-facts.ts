/** The facts an officer checks before signing: readings, place, time, measurements, status, law, timeline. */
import { html } from '../lib/html.ts';
import { formatTime, formatVnd, langStore, plateColourText, provinceName, tValue, useT } from '../lib/i18n.ts';
import { compactPlate, type CaseDocument } from '../lib/case-doc.ts';
import { catalogEntry, fineRangeFor, legalBasisText } from '../lib/catalog.ts';

/** Labels of the view's flag codes (unknown codes are shown as they are). */
const FLAG_LABELS: Record<string, string> = {
  'calibration-invalid': 'flag.calibration',
  'model-not-approved': 'flag.modelNotApproved',
  'plate-mismatch': 'flag.plateMismatch',
  'processing-failed': 'flag.processingFailed',
  'plate-doubt': 'flag.plateDoubt',
};

/** Flags the officer's signed plate answers itself: they need no override reason (the server's ADVISORY_FLAGS). */
export const ADVISORY_FLAGS: readonly string[] = ['plate-doubt'];
/** The case's flags that a confirmation must give an override reason for. */
export const flagsNeedingOverride = (doc: CaseDocument) => doc.flags.filter((f) => !ADVISORY_FLAGS.includes(f.flag));

const pct = (bp: number | undefined) => (bp === undefined ? '' : `${(bp / 100).toFixed(1)}%`);

/** `onChoose`: the review form's plate setter, so the officer can take one of the AI's alternatives (then checks it). */
export function Readings({ doc, onChoose }: { doc: CaseDocument; onChoose?: (plate: string) => void }) {
  const t = useT();
  const camera = doc.detection.plateRead;
  const ai = doc.plateReadings.at(-1);
  const mismatch = camera !== undefined && ai !== undefined && compactPlate(camera.text) !== compactPlate(ai.plate);
  return html`<div class=${`readings ${mismatch ? 'mismatch' : ''}`} data-testid="readings">
    <div>
      <span class="label">${t('cameraRead')}</span>
      <span class="plate" data-testid="camera-read">${camera?.text ?? t('noReading')}</span>
      <small>${camera?.confidenceBp !== undefined ? `${t('confidence')} ${pct(camera.confidenceBp)}` : ''}</small>
    </div>
    <div>
      <span class="label">${t('aiRead')}</span>
      <span class="plate" data-testid="ai-read">${ai?.plate ?? t('noReading')}</span>
      <small>${ai ? `${t('confidence')} ${pct(ai.confidenceBp)} · ${ai.model.name} ${ai.model.version}` : ''}</small>
    </div>
    ${ai?.alternatives?.length
      ? html`<div data-testid="ai-alternatives">
          <span class="label">${t('aiAlternatives')}</span>
          <ul>${ai.alternatives.map((a) => html`<li><span class="plate" data-testid="ai-alternative">${a.plate}</span> <small>${pct(a.shareBp)}</small>${onChoose ? html` <button type="button" onClick=${() => onChoose(a.plate)}>${t('useAlternative')}</button>` : null}</li>`)}</ul>
        </div>`
      : null}
    ${camera && ai ? html`<span class=${`badge ${mismatch ? 'bad' : 'ok'}`} data-testid="read-compare">${mismatch ? `⚠ ${t('mismatch')}` : `✓ ${t('match')}`}</span>` : null}
  </div>`;
}

/** `law`: the legal basis and fine range rows (the decision screen shows them with its authority check instead). */
export function Facts({ doc, law = true }: { doc: CaseDocument; law?: boolean }) {
  const t = useT();
  const lang = langStore.get();
  const d = doc.detection;
  const m = d.measurements ?? {};
  const flagged = (name: string) => doc.flags.some((f) => f.flag === name);
  // A background job that failed for good (ProcessingFailed): the detail is job, reason code and reason.
  const failures = doc.processingFailures ?? [];
  const entry = catalogEntry(doc.signoffBasis.violationCode, d.vehicleClass, d.observedAt);
  const range = entry ? fineRangeFor(entry, 'individual') : undefined;
  return html`<dl class="facts" data-testid="facts">
    <dt>${t('camera')}</dt><dd>${d.cameraId} <small>(${doc.detectionKeyId})</small></dd>
    <dt>${t('place')}</dt><dd>${d.location.description}${d.location.commune ? `, ${d.location.commune}` : ''} <small>(${tValue('road', d.location.roadType)}; ${(d.location.latMicro / 1e6).toFixed(6)}, ${(d.location.lonMicro / 1e6).toFixed(6)})</small></dd>
    <dt>${t('vehicleType')}</dt><dd data-testid="vehicle-class">${tValue('vehicle', d.vehicleClass)}</dd>
    <dt>${t('plateColour')}</dt><dd data-testid="plate-colour">${plateColourText(doc.plateColour)}</dd>
    <dt>${t('observedAt')}</dt><dd>${formatTime(d.observedAt)}</dd>
    ${m.speedKmh !== undefined ? html`<dt>${t('measured')}</dt><dd data-testid="speed"><strong>${m.speedKmh} km/h</strong> / ${m.limitKmh ?? '—'} km/h</dd>` : null}
    <dt>${t('calibration')}</dt><dd><span class=${`badge ${flagged('calibration-invalid') ? 'bad' : 'ok'}`}>${flagged('calibration-invalid') ? t('invalid') : t('valid')}</span></dd>
    <dt>${t('modelApproval')}</dt><dd><span class=${`badge ${flagged('model-not-approved') ? 'bad' : 'ok'}`}>${flagged('model-not-approved') ? t('invalid') : t('valid')}</span></dd>
    <dt>${t('violation')}</dt><dd><code>${doc.signoffBasis.violationCode}</code> ${entry ? entry.title[lang] : ''}</dd>
    ${law
      ? html`<dt>${t('legalBasis')}</dt><dd data-testid="legal-basis">${entry ? legalBasisText(entry, lang) : '—'}</dd>
          <dt>${t('fineRange')}</dt><dd data-testid="fine-range">${range ? `${formatVnd(range.minVnd)} – ${formatVnd(range.maxVnd)}` : '—'}${entry ? html` · ${t('points')}: ${entry.points}` : null}</dd>`
      : null}
    ${doc.flags.length ? html`<dt>${t('flags')}</dt><dd>${doc.flags.map((f) => html`<span class="badge bad" title=${f.detail} data-testid=${`flag-${f.flag}`}>${FLAG_LABELS[f.flag] ? t(FLAG_LABELS[f.flag]!) : f.flag}</span> `)}</dd>` : null}
    ${failures.length ? html`<dt>${t('flag.processingFailed')}</dt><dd data-testid="processing-failures">${failures.map((f) => html`<div><span class="badge bad">${tValue('job', f.job)}</span> ${t('processingReason')} <code>${f.reasonCode}</code> <small>${formatTime(f.failedAt)}</small><details class="core-detail"><summary>${t('technicalDetail')}</summary><code>${f.reason}</code></details></div>`)}</dd>` : null}
  </dl>`;
}

export function Timeline({ doc }: { doc: CaseDocument }) {
  const t = useT();
  const rows: [string, string, string][] = [[doc.detection.observedAt, t('detected'), `${doc.detection.cameraId} · ${doc.detectionKeyId}`]];
  for (const r of doc.plateReadings) rows.push(['', t('plateRecognized'), `${r.plate} · ${r.model.modelId}`]);
  if (doc.review) rows.push([doc.review.signedAt, t(doc.review.decision === 'confirm' ? 'reviewConfirmed' : 'reviewRejected'), `${doc.review.plate} · ${doc.review.violationCode} · ${t('keyIdLabel')} ${doc.review.officerKeyId}`]);
  if (doc.owner) rows.push(['', t('ownerIdentified'), tValue('ownerKind', doc.owner.kind)]);
  for (const n of doc.notices) rows.push([n.issuedAt, t('noticeIssued'), `${tValue('channel', n.channel)} · ${tValue('delivery', n.delivery)}`]);
  // The camera-case procedure (docs/legal-procedure.md): transfer, explanation, driver, silence, record.
  const p = doc.procedure;
  if (p.transferredTo) rows.push(['', t('caseTransferred'), provinceName(p.transferredTo)]);
  for (const x of p.explanations) rows.push([x.submittedAt, t('explanationSubmitted'), `${tValue('channel', x.channel)} · “${x.statement}”`]);
  if (p.driver) rows.push(['', t('driverIdentified'), tValue('ownerKind', p.driver.person.kind)]);
  if (p.unresponsive) {
    rows.push([p.unresponsive.recordedAt, t('ownerUnresponsive'), p.unresponsive.warned.map((a) => tValue('agency', a)).join(', ')]);
    for (const s of p.unresponsive.sent) rows.push([s.sentAt, t('agencyWarningSent'), tValue('agency', s.agency)]);
  }
  if (p.record) rows.push([p.record.signedAt, t('violationRecordDrawn'), `${p.record.recordId} · ${tValue('ownerKind', p.record.offender.kind)} · ${t('keyIdLabel')} ${p.record.officerKeyId}`]);
  if (doc.decision) rows.push([doc.decision.signedAt, t('penaltyDecided'), formatVnd(doc.decision.fineVnd)]);
  if (p.payment) rows.push([p.payment.paidAt, t('paymentRecorded'), formatVnd(p.payment.amountVnd)]);
  else if (doc.paidVnd !== null) rows.push(['', t('paid'), formatVnd(doc.paidVnd)]);
  return html`<section aria-labelledby="timeline-title"><h2 id="timeline-title">${t('timeline')}</h2>
    <ol class="timeline" data-testid="timeline">
      ${rows.map(([at, what, detail]) => html`<li><time>${at ? formatTime(at) : ''}</time> <strong>${what}</strong> <span>${detail}</span></li>`)}
    </ol></section>`;
}
