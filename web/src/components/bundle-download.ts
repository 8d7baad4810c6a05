/**
 * Court staff (and auditors, officers, supervisors) download a case's court bundle from the node: pick a case
 * (decided, paid or closed cases in scope, or any case id typed in), state the purpose (the server records it in
 * the case's custody log as an `export` access), and get `case-<id>.zip`, saved by the browser and verified in
 * this page at once. While the case's newest records are not yet sealed the server answers 409 with Retry-After;
 * the page says so.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiResponse } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { formatTime, langStore, tValue, useT } from '../lib/i18n.ts';
import { loadCases, type QueueItem } from '../lib/queue.ts';
import { useStore } from '../lib/store.ts';
import { sessionStore, type Session } from '../lib/session.ts';

const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BUNDLE_STATUSES = ['decided', 'paid', 'closed'];

export function canDownloadBundles(s: Session | undefined): boolean {
  return s !== undefined && ['court', 'auditor', 'officer', 'supervisor'].includes(s.role);
}

export function BundleDownload({ onBundle }: { onBundle: (file: File) => void }) {
  const t = useT();
  const session = useStore(sessionStore);
  const lang = useStore(langStore);
  const [cases, setCases] = useState<QueueItem[] | undefined>();
  const [caseId, setCaseId] = useState('');
  const [purpose, setPurpose] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [saved, setSaved] = useState<{ name: string; url: string } | undefined>();

  useEffect(() => {
    if (!canDownloadBundles(session)) return;
    Promise.all(BUNDLE_STATUSES.map((s) => loadCases(s, { maxPages: 2 })))
      .then((lists) => {
        const all = lists.flat().sort((a, b) => Date.parse(b.observedAt) - Date.parse(a.observedAt));
        setCases(all);
        if (all[0]) setCaseId((current) => current || all[0]!.caseId);
      })
      .catch(() => setCases([]));
  }, [session?.token]);
  useEffect(() => () => saved && URL.revokeObjectURL(saved.url), [saved]);

  if (!canDownloadBundles(session)) return null;

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setError('');
    const id = caseId.trim().toLowerCase();
    if (!CASE_ID.test(id)) return setError(t('bundleBadCaseId'));
    if (purpose.trim().length < 3) return setError(t('bundlePurposeRequired'));
    setBusy(true);
    try {
      const response = await apiResponse(`/v1/cases/${id}/bundle`, { purpose: purpose.trim() });
      const blob = await response.blob();
      const name = `case-${id}.zip`;
      const url = URL.createObjectURL(blob);
      setSaved({ name, url });
      // Save it, as a download would, and verify it here at once.
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      onBundle(new File([blob], name, { type: 'application/zip' }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setError(t('bundleNotSealed'));
      else setError(errorMessage(err, lang));
    } finally {
      setBusy(false);
    }
  };

  return html`<form class="card stack" data-testid="bundle-download" aria-labelledby="bundle-download-title" onSubmit=${onSubmit}>
    <h2 id="bundle-download-title">${t('bundleDownloadTitle')}</h2>
    <p class="help">${t('bundleDownloadHelp')}</p>
    ${cases && cases.length
      ? html`<label for="bundle-case">${t('bundleCase')}</label>
          <select id="bundle-case" value=${caseId} onChange=${(e: Event) => setCaseId((e.target as HTMLSelectElement).value)}>
            ${cases.map((c) => html`<option value=${c.caseId}>${formatTime(c.observedAt, lang)} · ${tValue('status', c.status, lang)} · ${c.violationCode} · ${c.caseId.slice(0, 8)}</option>`)}
          </select>`
      : null}
    <label for="bundle-case-id">${t('bundleCaseId')}</label>
    <input id="bundle-case-id" spellcheck="false" autocomplete="off" value=${caseId} onInput=${(e: Event) => setCaseId((e.target as HTMLInputElement).value)} />
    <label for="bundle-purpose">${t('bundlePurpose')}</label>
    <input id="bundle-purpose" required minlength="3" maxlength="200" placeholder=${t('bundlePurposeExample')} value=${purpose} onInput=${(e: Event) => setPurpose((e.target as HTMLInputElement).value)} />
    <button type="submit" class="primary" data-testid="bundle-download-button" disabled=${busy}>${t('bundleDownload')}</button>
    ${busy ? html`<p role="status">${t('loading')}</p>` : null}
    ${saved ? html`<p role="status" data-testid="bundle-saved">${t('bundleSaved')} <a href=${saved.url} download=${saved.name}><code>${saved.name}</code></a></p>` : null}
    ${error ? html`<p role="alert" class="error" data-testid="bundle-error">${error}</p>` : null}
  </form>`;
}
