/**
 * The "Lập biên bản" step of the decision screen (docs/legal-procedure.md): a penalty decision is refused
 * (`violation-record-required`) until a violation record, signed record/v1 by the officer who draws it up,
 * exists. The record names the offender (the driver the owner named, else the owner) and, when the owner
 * explained, that explanation verbatim. The case view carries the statements, so the field starts with the
 * latest one (the officer need not retype it); the server refuses a record whose text differs from every one.
 */
import { useState } from 'preact/hooks';
import { html } from '../lib/html.ts';
import { langStore, tValue, useT } from '../lib/i18n.ts';
import { errorMessage } from '../lib/errors.ts';
import { api } from '../lib/api.ts';
import { reloadCase, type CaseDocument } from '../lib/case-doc.ts';
import { buildRecord, signPayload } from '../lib/signoff.ts';
import type { UnlockedKey } from '../lib/keystore.ts';

type OffenderKind = 'individual' | 'organisation';

/** Who the record must name: the driver the owner named, else the owner (as the decider expects). */
export function expectedOffender(doc: CaseDocument): { kind: OffenderKind; ref: string } | undefined {
  return doc.procedure.driver?.person ?? doc.owner ?? undefined;
}

/** A record number proposed from the case id; the officer may replace it with the unit's own numbering. */
function proposedRecordId(caseId: string): string {
  return `BB-${caseId.slice(0, 8)}`;
}

export function ViolationRecordStep({
  doc,
  signingKey,
  purpose,
  onDrawn,
}: {
  doc: CaseDocument;
  signingKey: UnlockedKey | undefined;
  /** The access purpose (X-Purpose) the page reads the case with. */
  purpose: string;
  onDrawn: (doc: CaseDocument) => void;
}) {
  const t = useT();
  const expected = expectedOffender(doc);
  const [recordId, setRecordId] = useState(proposedRecordId(doc.caseId));
  const [kind, setKind] = useState<OffenderKind>(expected?.kind ?? 'individual');
  const [ref, setRef] = useState(expected?.ref ?? '');
  const [explanation, setExplanation] = useState(doc.procedure.explanations.at(-1)?.statement ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const explained = doc.procedure.explanations.length > 0;

  if (doc.status !== 'noticed') {
    return html`<div class="card" data-testid="record-step"><h2>${t('recordTitle')}</h2>
      <p role="alert" class="error" data-testid="record-not-ready">${t('recordNeedsNotice')} (${tValue('status', doc.status)})</p></div>`;
  }

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!signingKey) return setError(t('needKey'));
    // What is signed is what is on screen (the DOM), even if a state update has not re-rendered yet.
    const shown = (id: string, fallback: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? fallback;
    setBusy(true);
    setError('');
    try {
      const payload = buildRecord({
        basis: doc.signoffBasis,
        plate: doc.review?.plate ?? doc.signoffBasis.plate ?? '',
        violationCode: doc.review?.violationCode ?? doc.signoffBasis.violationCode,
        signedAt: new Date().toISOString(),
        recordId: shown('record-id', recordId),
        offender: { kind, ref: shown('record-offender-ref', ref) },
        ...(explained ? { explanation: shown('record-explanation', explanation) } : {}),
      });
      const body = signPayload(payload, signingKey);
      await api(`/v1/cases/${doc.caseId}/record`, { method: 'POST', body, ifMatch: doc.revision });
      // The decision is signed over the new revision: read it back before showing the decision form.
      onDrawn(await reloadCase(doc.caseId, purpose));
    } catch (err) {
      setError(errorMessage(err, langStore.get()));
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="card stack" data-testid="record-step" onSubmit=${submit}>
    <h2>${t('recordTitle')}</h2>
    <p class="help">${t('recordHelp')}</p>
    ${doc.procedure.driver ? html`<p data-testid="record-driver">${t('recordDriverNamed')}</p>` : null}
    <label>${t('recordId')} <input id="record-id" required pattern="[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}" value=${recordId} onInput=${(e: Event) => setRecordId((e.target as HTMLInputElement).value)} /></label>
    <label>${t('offenderKind')}
      <select id="record-offender-kind" value=${kind} onChange=${(e: Event) => setKind((e.target as HTMLSelectElement).value as OffenderKind)}>
        <option value="individual">${t('individual')}</option><option value="organisation">${t('organisation')}</option>
      </select></label>
    <label>${t('offenderRef')} <input id="record-offender-ref" required pattern="[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}" value=${ref} onInput=${(e: Event) => setRef((e.target as HTMLInputElement).value)} /></label>
    ${explained
      ? html`<label>${t('recordExplanation')} <textarea id="record-explanation" required maxlength="2000" rows="4" value=${explanation} onInput=${(e: Event) => setExplanation((e.target as HTMLTextAreaElement).value)}></textarea></label>
          <p class="help">${t('recordExplanationHelp')}</p>`
      : html`<p class="help" data-testid="record-no-explanation">${t('recordNoExplanation')}</p>`}
    <button type="submit" class="primary" disabled=${busy || !signingKey} data-testid="draw-record">${t('recordDraw')}</button>
    ${signingKey ? html`<p class="help">${t('signingWith')} <code>${signingKey.keyId}</code></p>` : null}
    ${error ? html`<p role="alert" class="error" data-testid="record-error">${error}</p>` : null}
  </form>`;
}
