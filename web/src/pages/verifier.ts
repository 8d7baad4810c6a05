/**
 * The court verifier page: drop or choose a bundle ZIP, optionally paste the trusted log key and trusted
 * witness keys (one per line, like `tec verify --trusted-witness`), and read which witnesses verified, each
 * check of bundle.md with its failures, a received case's linked part (the sending province's own bundle) with
 * its own checks, the case timeline with who signed what, and the evidence images.
 * Everything runs in this page; nothing is uploaded (the page makes no request at all).
 */
import { useEffect, useState } from 'preact/hooks';
import { html, withCode } from '../lib/html.ts';
import { formatTime, formatVnd, langStore, tValue, useT, type Lang } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';
import { verifyBundleBytes, witnessKeyLines, type EvidenceImage, type FactSummary, type VerifierOutcome } from '../lib/verifier.ts';
import { BundleDownload } from '../components/bundle-download.ts';
import { actorName, checkFailure, checkName, eventName, unreadableReason } from '../lib/verifier-text.ts';
import type { BundleFailure, BundleReport, LinkedPartReport } from '../../../src/domain/bundle/verify.ts';

export function VerifierPage({ offline }: { offline: boolean }) {
  const t = useT();
  const [file, setFile] = useState<File | undefined>();
  const [trusted, setTrusted] = useState('');
  const [trustedWitnesses, setTrustedWitnesses] = useState('');
  const [outcome, setOutcome] = useState<{ file: string; result: VerifierOutcome } | undefined>();
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const [urls, setUrls] = useState<Map<string, string>>(new Map());

  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);

  const run = async (f: File | undefined = file) => {
    if (!f) return;
    setBusy(true);
    setOutcome(undefined);
    try {
      const result = await verifyBundleBytes(new Uint8Array(await f.arrayBuffer()), trusted, witnessKeyLines(trustedWitnesses));
      const next = new Map<string, string>();
      if (result.verdict !== 'unreadable') {
        for (const img of result.images) {
          if (img.mediaType.startsWith('image/')) next.set(img.name, URL.createObjectURL(new Blob([img.bytes as BlobPart], { type: img.mediaType })));
        }
      }
      setUrls(next);
      setOutcome({ file: f.name, result });
    } finally {
      setBusy(false);
    }
  };
  const choose = (f: File | undefined) => {
    setFile(f);
    void run(f);
  };

  return html`<h1>${t('verifierTitle')}</h1>
    <p class="help">${withCode(t('verifierHelp'))}</p>
    ${offline ? null : html`<p><a href="./verifier-offline.html" download="verifier-offline.html">${t('offlineLink')}</a></p>`}
    ${offline ? null : html`<${BundleDownload} onBundle=${choose} />`}
    <form class="card stack" onSubmit=${(e: Event) => (e.preventDefault(), void run())}>
      <div
        class=${`dropzone ${over ? 'over' : ''}`}
        data-testid="dropzone"
        onDragOver=${(e: DragEvent) => (e.preventDefault(), setOver(true))}
        onDragLeave=${() => setOver(false)}
        onDrop=${(e: DragEvent) => {
          e.preventDefault();
          setOver(false);
          choose(e.dataTransfer?.files?.[0]);
        }}
      >
        <label for="bundle-file">${t('bundleFile')}</label>
        <input id="bundle-file" type="file" accept=".zip,application/zip" onChange=${(e: Event) => choose((e.target as HTMLInputElement).files?.[0])} />
        <span>${t('dropHere')}</span>
      </div>
      <label for="trusted-key">${t('trustedKey')}</label>
      <textarea id="trusted-key" rows="2" spellcheck="false" value=${trusted} onInput=${(e: Event) => setTrusted((e.target as HTMLTextAreaElement).value)}></textarea>
      <label for="trusted-witnesses">${t('trustedWitnesses')}</label>
      <small id="trusted-witnesses-help">${t('trustedWitnessesHelp')}</small>
      <textarea id="trusted-witnesses" rows="2" spellcheck="false" aria-describedby="trusted-witnesses-help" value=${trustedWitnesses} onInput=${(e: Event) => setTrustedWitnesses((e.target as HTMLTextAreaElement).value)}></textarea>
      <button type="submit" class="primary" disabled=${!file || busy}>${t('verify')}</button>
    </form>
    ${busy ? html`<p role="status">${t('loading')}</p>` : null}
    ${outcome ? html`<${Report} outcome=${outcome.result} file=${outcome.file} urls=${urls} />` : null}`;
}

/** The core's English message, for experts: collapsed under the translated explanation. */
function CoreDetail({ message }: { message: string }) {
  const t = useT();
  return html`<details class="core-detail"><summary>${t('technicalDetail')}</summary><code>${message}</code></details>`;
}

function Summary({ summary, lang }: { summary: FactSummary | undefined; lang: Lang }) {
  if (!summary) return null;
  const parts = [
    summary.purpose !== undefined ? html`<code>${summary.purpose}</code>` : null,
    summary.decision !== undefined ? tValue('decision', summary.decision, lang) : null,
    summary.plate !== undefined ? summary.plate : null,
    summary.violationCode !== undefined ? html`<code>${summary.violationCode}</code>` : null,
    summary.fineVnd !== undefined ? formatVnd(summary.fineVnd, lang) : null,
  ].filter((p) => p !== null);
  return html`<small>${parts.flatMap((p, i) => (i === 0 ? [p] : [' · ', p]))}</small>`;
}

/** One bundle's bundle.md checks: the bundle's own, or a linked part's (`testId` tells them apart). */
function ChecksTable({ checks, testId }: { checks: BundleReport['checks']; testId: string }) {
  const t = useT();
  const lang = useStore(langStore);
  return html`<table class="checks" data-testid=${testId}>
      <caption class="sr-only">${t('check')}</caption>
      <thead><tr><th scope="col">${t('check')}</th><th scope="col">${t('result')}</th><th scope="col"></th></tr></thead>
      <tbody>
        ${checks.map(
          (c) => html`<tr data-check=${c.code} data-status=${c.status}>
            <th scope="row">${checkName(c.code, lang)} <code>${c.code}</code></th>
            <td><span class=${`badge ${c.status === 'pass' ? 'ok' : 'bad'}`}>${c.status === 'pass' ? `✓ ${t('pass')}` : `✗ ${t('fail')}`}</span></td>
            <td>${c.failures.length
              ? html`<ul>${c.failures.map((f) => {
                  const text = checkFailure(c.code, f.message, lang);
                  return html`<li data-testid="failure">${text}${f.recordIds?.length ? html` <small>[<code>${f.recordIds.join(', ')}</code>]</small>` : null}${f.digests?.length ? html` <small>[<code>${f.digests.join(', ')}</code>]</small>` : null}${text !== f.message ? html`<${CoreDetail} message=${f.message} />` : null}</li>`;
                })}</ul>`
              : null}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}

/**
 * A received case's bundle carries the sending province's own bundle under `linked/<province>/`
 * (docs/federation.md "Bundle addition: linked parts"): each part is shown on its own, with its log, key,
 * witnesses, its own checks and the link to this case's `CaseReceived`; the bundle is valid only if every
 * part is. The link failures' texts are the core's (English): they name entries and leaves.
 */
function LinkedParts({ parts, failures }: { parts: LinkedPartReport[]; failures: BundleFailure[] }) {
  const t = useT();
  if (parts.length === 0 && failures.length === 0) return null;
  return html`<section data-testid="linked-parts">
      <h2>${t('linkedPartsTitle')}</h2>
      <p>${t('linkedPartsHelp')}</p>
      ${failures.length
        ? html`<ul data-testid="link-failures">${failures.map((f) => html`<li class="badge bad">${t('linkFailure')}: <code>${f.message}</code></li>`)}</ul>`
        : null}
      ${parts.map(
        (part) => html`<article class=${`linked-part ${part.valid ? 'good' : 'bad'}`} data-testid="linked-part" data-province=${part.province} data-valid=${String(part.valid)}>
          <h3>${t('linkedPartFrom')} ${part.province} <span class=${`badge ${part.valid ? 'ok' : 'bad'}`}>${part.valid ? `✓ ${t('linkedPartValid')}` : `✗ ${t('linkedPartInvalid')}`}</span></h3>
          <dl class="facts">
            <dt>${t('caseTitle')}</dt><dd><code>${part.caseId ?? '—'}</code></dd>
            <dt>${t('treeSize')}</dt><dd><code>${part.origin ?? '—'}</code> · ${part.treeSize ?? '—'}</dd>
            <dt>${t('logKeyFingerprint')}</dt><dd><code>${part.logKeyFingerprint ?? '—'}</code></dd>
            ${part.witnesses.length ? html`<dt>${t('witnesses')}</dt><dd data-testid="linked-witnesses">${part.witnesses.map((w, i) => html`${i > 0 ? ', ' : ''}<code>${w.name}</code> (<code>${w.keyId}</code>)`)}</dd>` : null}
            <dt>${t('linkCheck')}</dt>
            <dd data-testid="link" data-status=${part.link.status}><span class=${`badge ${part.link.status === 'pass' ? 'ok' : 'bad'}`}>${part.link.status === 'pass' ? `✓ ${t('pass')}` : `✗ ${t('fail')}`}</span> ${t('linkCheckHelp')}${part.link.failures.length
              ? html`<ul>${part.link.failures.map((f) => html`<li data-testid="failure"><code>${f.message}</code></li>`)}</ul>`
              : null}</dd>
          </dl>
          <${ChecksTable} checks=${part.checks} testId="linked-checks" />
        </article>`,
      )}
    </section>`;
}

function Report({ outcome, file, urls }: { outcome: VerifierOutcome; file: string; urls: Map<string, string> }) {
  const t = useT();
  const lang = useStore(langStore);
  if (outcome.verdict === 'unreadable') {
    const reason = unreadableReason(outcome.reasonCode, outcome.reason, lang);
    return html`<section class="verdict bad" role="alert" data-testid="verdict" data-file=${file} data-verdict="unreadable"><h2>${t('verdictUnreadable')}</h2><p data-testid="unreadable-reason" data-code=${outcome.reasonCode}>${reason}</p>${reason !== outcome.reason ? html`<${CoreDetail} message=${outcome.reason} />` : null}</section>`;
  }
  const r = outcome.report;
  // Valid without a trusted key only shows the bundle agrees with itself: said in amber, as the CLI does.
  const untrusted = outcome.verdict === 'valid' && r.trustedKeyMatched === undefined;
  const failedDigests = new Set(r.checks.flatMap((c) => c.failures.flatMap((f) => f.digests ?? [])));
  const tampered = (img: EvidenceImage) => !img.intact || failedDigests.has(img.digest);
  return html`<section class=${`verdict ${outcome.verdict === 'valid' ? (untrusted ? 'warn' : 'good') : 'bad'}`} role="status" data-testid="verdict" data-file=${file} data-verdict=${outcome.verdict} data-trusted=${String(!untrusted)}>
      <h2>${outcome.verdict === 'valid' ? (untrusted ? t('verdictValidUntrusted') : t('verdictValid')) : t('verdictInvalid')}</h2>
      ${untrusted ? html`<p data-testid="no-trusted-key"><strong>${t('noTrustedKey')}</strong> ${t('noTrustedKeyHelp')}</p>` : null}
      ${r.unverifiedEntries.map((name) => html`<p class="badge bad" data-testid="unverified-entry" data-entry=${name}><code>${name}</code>: ${t('unverifiedEntry')}</p>`)}
      <dl class="facts">
        <dt>${t('caseTitle')}</dt><dd><code>${r.caseId ?? '—'}</code></dd>
        <dt>${t('treeSize')}</dt><dd><code>${r.origin ?? '—'}</code> · ${r.treeSize ?? '—'}</dd>
        <dt>${t('checkpointTime')}</dt><dd>${r.checkpointTime ? formatTime(r.checkpointTime) : '—'}</dd>
        <dt>${t('logKeyFingerprint')}</dt><dd><code data-testid="fingerprint">${r.logKeyFingerprint ?? '—'}</code></dd>
        ${r.trustedKeyMatched !== undefined ? html`<dt>${t('trustedMatch')}</dt><dd><span class=${`badge ${r.trustedKeyMatched ? 'ok' : 'bad'}`}>${r.trustedKeyMatched ? t('pass') : t('fail')}</span></dd>` : null}
        ${outcome.trustedWitnesses.length
          ? html`<dt>${t('trustedWitnessResults')}</dt><dd><ul class="plain" data-testid="trusted-witnesses">${outcome.trustedWitnesses.map(
              (w) => html`<li data-status=${w.status} data-name=${w.name}><span class=${`badge ${w.status === 'verified' ? 'ok' : w.status === 'invalid' ? 'bad' : 'warn'}`}>${t(`witnessStatus.${w.status}`)}</span> <code>${w.name}</code>${w.timestamp !== undefined ? html` · ${t('cosignedAt')} ${formatTime(new Date(w.timestamp * 1000).toISOString())}` : null}</li>`,
            )}</ul>${outcome.trustedWitnesses.every((w) => w.status === 'absent') ? html`<p data-testid="no-trusted-witness">${t('noTrustedWitnessVerified')}</p>` : null}</dd>`
          : null}
        ${r.witnesses.length ? html`<dt>${t('witnesses')}</dt><dd>${r.witnesses.map((w, i) => html`${i > 0 ? ', ' : ''}<code>${w.name}</code> (<code>${w.keyId}</code>)`)}</dd>` : null}
      </dl>
      ${r.destroyed.length
        ? html`<div data-testid="destroyed-evidence"><h3>${t('destroyedEvidenceTitle')}</h3><ul>${r.destroyed.map(
            (d) => html`<li data-digest=${d.digest}><code>${d.digest.slice(0, 23)}…</code> ${t('destroyedUnderPolicy')} <code>${d.policy}</code> ${t('destroyedAtTime')} ${formatTime(d.at)}</li>`,
          )}</ul><p>${t('destroyedEvidenceHelp')}</p></div>`
        : null}
    </section>
    <${ChecksTable} checks=${r.checks} testId="checks" />
    <${LinkedParts} parts=${r.linked ?? []} failures=${r.linkFailures ?? []} />
    <h2>${t('timeline')}</h2>
    <table class="cases" data-testid="bundle-timeline">
      <thead><tr><th scope="col">#</th><th scope="col">${t('observedAt')}</th><th scope="col">${t('recordType')}</th><th scope="col">${t('signedBy')}</th><th scope="col"></th></tr></thead>
      <tbody>
        ${outcome.signed.map(
          (s) => html`<tr data-type=${s.type}><td>${s.revision}</td><td>${formatTime(s.recordedAt)}</td><td>${eventName(s.type, lang)}</td><td>${actorName(s.actor.kind, lang)} <code>${s.actor.id}</code>${s.keyId ? html` · ${t('keyIdLabel')} <code>${s.keyId}</code>` : null}</td><td><${Summary} summary=${s.summary} lang=${lang} /></td></tr>`,
        )}
      </tbody>
    </table>
    <h2>${t('evidenceImages')}</h2>
    <div class="row gallery">
      ${outcome.images.map((img) => {
        const bad = tampered(img);
        const mark = bad ? html`<span class="tamper-mark" data-testid="tamper-mark">✗ ${t('evidenceTampered')}</span>` : null;
        return urls.has(img.name)
          ? html`<figure class=${bad ? 'tampered' : ''} data-digest=${img.digest} data-tampered=${String(bad)}><div class="evidence-frame"><img src=${urls.get(img.name)} alt=${bad ? t('evidenceTampered') : t('evidenceImage')} />${mark}</div><figcaption><code>${img.digest.slice(0, 23)}…</code></figcaption></figure>`
          : html`<figure class=${bad ? 'tampered' : ''} data-digest=${img.digest} data-tampered=${String(bad)}>${mark}<figcaption><code>${img.digest.slice(0, 23)}…</code> (${img.mediaType})</figcaption></figure>`;
      })}
    </div>`;
}
