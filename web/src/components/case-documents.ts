/**
 * The case's documents on the case screen (docs/documents.md): the notice(s), the violation record, the
 * penalty decision and the decision resolving each resolved appeal, each opened as a PDF in a new tab. Opening one asks the server to render it from the case's
 * events; the first opening records it as issued (`DocumentIssued`), and the digest it recorded is shown.
 */
import { useState } from 'preact/hooks';
import { apiResponse } from '../lib/api.ts';
import type { CaseDocument } from '../lib/case-doc.ts';
import { errorMessage } from '../lib/errors.ts';
import { html } from '../lib/html.ts';
import { langStore, useT } from '../lib/i18n.ts';

/** ASCII only: HTTP header values are Latin-1. Recorded in the case's custody log. */
export const DOCUMENT_PURPOSE = 'open a case document (mo van ban vu viec)';

interface Item {
  kind: 'notice' | 'record' | 'decision' | 'appeal';
  noticeId?: string;
  appealId?: string;
  label: string;
  testid: string;
}

export function CaseDocuments({ doc }: { doc: CaseDocument }) {
  const t = useT();
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const [digests, setDigests] = useState<Record<string, string>>({});
  const items: Item[] = [
    ...doc.notices.map((n, i) => ({ kind: 'notice' as const, noticeId: n.noticeId, label: `${t('documentNotice')} ${i + 1}`, testid: `document-notice-${i + 1}` })),
    ...(doc.procedure.record ? [{ kind: 'record' as const, label: t('documentRecord'), testid: 'document-record' }] : []),
    ...(doc.decision ? [{ kind: 'decision' as const, label: t('documentDecision'), testid: 'document-decision' }] : []),
    ...doc.appeals
      .filter((a) => a.outcome !== undefined)
      .map((a, i) => ({ kind: 'appeal' as const, appealId: a.appealId, label: `${t('documentAppealResolution')} ${i + 1}`, testid: `document-appeal-${i + 1}` })),
  ];
  if (items.length === 0) return null;
  const issued = (item: Item) => doc.documents.find((d) => d.kind === item.kind && d.noticeId === item.noticeId && d.appealId === item.appealId)?.digest;

  const open = async (item: Item) => {
    setError('');
    setBusy(item.testid);
    // Opened before the request so the browser treats it as the user's action (no pop-up blocking).
    const tab = window.open('', '_blank');
    try {
      const response = await apiResponse(`/v1/cases/${doc.caseId}/documents/${item.kind}`, {
        method: 'POST',
        body: {
          ...(item.noticeId !== undefined ? { noticeId: item.noticeId } : {}),
          ...(item.appealId !== undefined ? { appealId: item.appealId } : {}),
        },
        purpose: DOCUMENT_PURPOSE,
      });
      const digest = response.headers.get('X-Document-Digest') ?? '';
      const url = URL.createObjectURL(new Blob([await response.arrayBuffer()], { type: 'application/pdf' }));
      if (tab) tab.location.href = url;
      setDigests((d) => ({ ...d, [item.testid]: digest }));
    } catch (err) {
      tab?.close();
      setError(errorMessage(err, langStore.get()));
    } finally {
      setBusy('');
    }
  };

  return html`<section class="card stack" data-testid="case-documents" aria-labelledby="case-documents-title">
    <h2 id="case-documents-title">${t('documentsTitle')}</h2>
    <p class="help">${t('documentsHelp')}</p>
    <ul>
      ${items.map((item) => {
        const digest = digests[item.testid] ?? issued(item);
        return html`<li>
          <button type="button" class="link" data-testid=${item.testid} disabled=${busy !== ''} onClick=${() => void open(item)}>${item.label}</button>
          ${digest ? html` <span class="help">${t('documentIssuedDigest')} <code data-testid=${`${item.testid}-digest`}>${digest.slice(0, 19)}…</code></span>` : null}
        </li>`;
      })}
    </ul>
    ${busy ? html`<p role="status">${t('loading')}</p>` : null}
    ${error ? html`<p role="alert" class="error" data-testid="documents-error">${error}</p>` : null}
  </section>`;
}
