/**
 * The public lookup and citizen portal: plate + registration certificate number → the published fields of each
 * violation (TT 73/2024 Art. 24), the portal's fields and actions (citizen-portal.ts: pay, complain, the
 * privacy copy) and what to do next. No token; the server answers a wrong certificate exactly like a vehicle
 * without violations, so nothing is learnt about plates one holds no papers for. A matching lookup returns a
 * grant (kept in this page only) that the portal's later requests carry.
 */
import { useState } from 'preact/hooks';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { langStore, useT } from '../lib/i18n.ts';
import { ApiError, api } from '../lib/api.ts';
import type { PortalLookup as Lookup, PortalViolation as PublishedViolation } from '../lib/citizen-api.ts';
import { ViolationCard } from './citizen-portal.ts';
import { ReportFollow, ReportSection } from './citizen-report.ts';
import { useRoute } from '../lib/router.ts';

export function CitizenPage() {
  const t = useT();
  const route = useRoute();
  const [plate, setPlate] = useState('');
  const [certificate, setCertificate] = useState('');
  const [result, setResult] = useState<PublishedViolation[] | undefined>();
  const [grant, setGrant] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setResult(undefined);
    try {
      const q = new URLSearchParams({ plate: plate.trim(), certificate: certificate.trim() });
      const r = await api<Lookup>(`/v1/public/violations?${q}`, { auth: false });
      setResult(r.violations);
      setGrant(r.grant);
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 400 ? errorMessage(err, langStore.get()) : t('lookupFailed'));
    } finally {
      setBusy(false);
    }
  };
  // `#/citizen/report/<province>/<id>`: a reporter following a report.
  if (route.params[0] === 'report' && route.params[1] && route.params[2])
    return html`<h1>${t('citizenTitle')}</h1><${ReportFollow} province=${route.params[1]} reportId=${route.params[2]} />`;
  return html`<h1>${t('citizenTitle')}</h1>
    <form class="card row" onSubmit=${submit}>
      <p class="help">${t('citizenHelp')}</p>
      <label for="citizen-plate">${t('plate')}</label>
      <input id="citizen-plate" required minlength="4" maxlength="24" autocomplete="off" value=${plate} onInput=${(e: Event) => setPlate((e.target as HTMLInputElement).value)} />
      <label for="citizen-certificate">${t('certificate')}</label>
      <input id="citizen-certificate" required pattern="[A-Za-z0-9\\-]{4,32}" autocomplete="off" value=${certificate} onInput=${(e: Event) => setCertificate((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary" disabled=${busy}>${t('lookup')}</button>
    </form>
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
    ${result
      ? result.length === 0
        ? html`<p role="status" data-testid="citizen-empty">${t('noViolations')}</p>`
        : html`<section aria-live="polite" data-testid="citizen-results">
            ${result.map(
              (v, i) => html`<${ViolationCard}
                key=${v.ref}
                grant=${grant ?? ''}
                v=${v}
                onChange=${(next: PublishedViolation) => setResult((all) => all?.map((x, j) => (j === i ? next : x)))}
              />`,
            )}
            <section class="card"><h2>${t('nextSteps')}</h2><p>${t('nextStepsText')}</p></section>
          </section>`
      : null}
    <section class="row citizen-report-entry"><${ReportSection} /></section>`;
}
