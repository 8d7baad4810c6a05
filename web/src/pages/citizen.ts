/**
 * The public lookup: plate + registration certificate number → the published fields of each violation
 * (TT 73/2024 Art. 24) and what to do next. No token; the server answers a wrong certificate exactly like
 * a vehicle without violations, so nothing is learnt about plates one holds no papers for.
 */
import { useState } from 'preact/hooks';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { formatTime, langStore, tValue, useT } from '../lib/i18n.ts';
import { ApiError, api, type GetResponse } from '../lib/api.ts';

type Lookup = GetResponse<'/v1/public/violations'>;
type PublishedViolation = Lookup['violations'][number];

export function CitizenPage() {
  const t = useT();
  const [plate, setPlate] = useState('');
  const [certificate, setCertificate] = useState('');
  const [result, setResult] = useState<PublishedViolation[] | undefined>();
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
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 400 ? errorMessage(err, langStore.get()) : t('lookupFailed'));
    } finally {
      setBusy(false);
    }
  };
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
              (v) => html`<article class="card violation">
                <dl class="facts">
                  <dt>${t('plate')}</dt><dd class="plate">${v.plate}</dd>
                  <dt>${t('plateColour')}</dt><dd>${v.plateColour ?? '—'}</dd>
                  <dt>${t('vehicleType')}</dt><dd>${tValue('vehicle', v.vehicleType)}</dd>
                  <dt>${t('observedAt')}</dt><dd>${formatTime(v.observedAt)}</dd>
                  <dt>${t('place')}</dt><dd>${v.place}</dd>
                  <dt>${t('violation')}</dt><dd>${v.violation} <small>(${v.violationCode})</small></dd>
                  <dt>${t('detectingUnit')}</dt><dd>${v.detectingUnit}</dd>
                  <dt>${t('status')}</dt><dd data-testid="citizen-status">${tValue('status', v.status)}</dd>
                </dl>
              </article>`,
            )}
            <section class="card"><h2>${t('nextSteps')}</h2><p>${t('nextStepsText')}</p></section>
          </section>`
      : null}`;
}
