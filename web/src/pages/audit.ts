/**
 * The auditor's page: the ledger's state (its newest signed checkpoint, opened and checked here under the node's
 * verifier key: tree size, time, root, cosignatures), the national witness's view when this node is the national
 * tier, and the two checks the node runs over its own storage: `ledger verify` and the replay of every projection
 * (`/v1/audit/*`, auditors only, once a minute each). The newest report of each is shown on arrival.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, apiResponse, type GetResponse } from '../lib/api.ts';
import { errorMessage } from '../lib/errors.ts';
import { html, withCode } from '../lib/html.ts';
import { formatTime, langStore, useT } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';
import { canAudit, sessionStore } from '../lib/session.ts';
import { browserPrimitives } from '../lib/primitives.ts';
import { openCheckpointWith } from '../../../src/domain/integrity/checkpoint-core.ts';
import { toBase64 } from '../../../src/domain/integrity/encoding.ts';

type LedgerReport = GetResponse<'/v1/audit/ledger-verify'>;
type ReplayReport = GetResponse<'/v1/audit/replay'>;

interface LedgerState {
  origin: string;
  size: number;
  time: string;
  root: string;
  /** The log's own signature verified under the node's verifier key. */
  signed: boolean;
  /** Signature lines by other keys (witness cosignatures). */
  cosignatures: number;
}

/** One provincial log as the national witness knows it (`GET /v1/federation/status`). */
interface WitnessLog {
  origin: string;
  province?: string;
  size?: number;
  cosignedAt?: string;
  forkAlarms: number;
}

/** The newest checkpoint, opened with the node's verifier key; undefined while the log has none. */
async function loadLedgerState(): Promise<LedgerState | undefined> {
  const key = (await (await apiResponse('/v1/ledger/verifier-key')).text()).trim();
  let note: string;
  try {
    note = await (await apiResponse('/v1/ledger/checkpoint')).text();
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
  try {
    const opened = openCheckpointWith(browserPrimitives, note, [key]);
    const c = opened.checkpoint;
    return { origin: c.origin, size: c.size, time: c.time, root: toBase64(c.root), signed: true, cosignatures: opened.unknownSignatures.length };
  } catch {
    const [origin = '', size = '0', root = '', timeLine = ''] = note.split('\n');
    return { origin, size: Number(size), time: timeLine.replace(/^time /, ''), root, signed: false, cosignatures: 0 };
  }
}

/** The witness's registered logs, or undefined when this node is not the national witness. */
async function loadWitness(): Promise<WitnessLog[] | undefined> {
  try {
    const r = await api<{ logs: WitnessLog[] }>('/v1/federation/status');
    return r.logs;
  } catch {
    return undefined;
  }
}

/** The newest report of a check, or undefined when none ran since the node started. */
async function newest<T>(path: '/v1/audit/ledger-verify' | '/v1/audit/replay'): Promise<T | undefined> {
  try {
    return await api<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return undefined;
    throw e;
  }
}

function Badge({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return html`<span class=${`badge ${ok ? 'ok' : 'bad'}`}>${ok ? `✓ ${yes}` : `✗ ${no}`}</span>`;
}

function LedgerVerifyResult({ result }: { result: LedgerReport }) {
  const t = useT();
  const r = result.report;
  const counts: [string, number][] = [
    ['auditRecords', r.records],
    ['auditStreams', r.streams],
    ['auditLeaves', r.leaves],
    ['auditCheckpoints', r.checkpoints],
    ['auditSubtrees', r.subtreeHashes],
    ['auditBlobs', r.blobs],
    ['auditUnintegrated', r.unintegrated],
    ['auditUnsealed', r.unsealed],
    ['auditDiscrepancies', r.discrepancyCount],
  ];
  return html`<div data-testid="ledger-verify-result" data-ok=${String(r.ok)}>
    <p><${Badge} ok=${r.ok} yes=${t('auditLedgerOk')} no=${t('auditLedgerBad')} /> · ${t('auditRanAt')} ${formatTime(result.ranAt)} · ${t('auditDuration')} ${Math.round(r.durationMs)} ms</p>
    <dl class="facts">${counts.map(([k, v]) => html`<dt>${t(k)}</dt><dd data-count=${k}>${v.toLocaleString(langStore.get() === 'en' ? 'en-US' : 'vi-VN')}</dd>`)}</dl>
    ${r.discrepancies.length
      ? html`<ul data-testid="discrepancies">${r.discrepancies.map(
          (d) => html`<li><code>${d.code}</code>${d.recordId ? html` <small>[<code>${d.recordId}</code>]</small>` : null}<details class="core-detail"><summary>${t('technicalDetail')}</summary><code>${d.message}</code></details></li>`,
        )}</ul>`
      : null}
    ${r.destroyed.length
      ? html`<h3>${t('destroyedEvidenceTitle')} (${r.destroyedCount})</h3><ul data-testid="destroyed-evidence">${r.destroyed.map(
          (d) => html`<li data-digest=${d.digest}><code>${d.digest.slice(0, 23)}…</code> ${t('destroyedUnderPolicy')} <code>${d.policy}</code> ${t('destroyedAtTime')} ${formatTime(d.at)}</li>`,
        )}</ul>`
      : null}
  </div>`;
}

function ReplayResult({ result }: { result: ReplayReport }) {
  const t = useT();
  return html`<div data-testid="replay-result" data-identical=${String(result.identical)}>
    <p><${Badge} ok=${result.identical} yes=${t('auditReplayIdentical')} no=${t('auditReplayDiffers')} /> · ${t('auditRanAt')} ${formatTime(result.ranAt)}</p>
    <table class="cases">
      <thead><tr><th scope="col">${t('auditProjection')}</th><th scope="col">${t('result')}</th><th scope="col">${t('auditEventsReplayed')}</th><th scope="col">${t('auditTablesDiffering')}</th></tr></thead>
      <tbody>
        ${result.projections.map(
          (p) => html`<tr data-projection=${p.projection}>
            <th scope="row"><code>${p.projection}</code></th>
            <td><${Badge} ok=${p.identical} yes=${t('auditSame')} no=${t('auditDifferent')} /></td>
            <td>${p.eventsReplayed}</td>
            <td>${p.tables.length
              ? p.tables.map((tb) => {
                  const differs = tb.onlyInLive > 0 || tb.onlyInReplay > 0 || tb.liveRows !== tb.replayRows;
                  return html`<div data-table=${tb.table} data-differs=${String(differs)}><code>${tb.table}</code>: ${t('auditLiveRows')} ${tb.liveRows}, ${t('auditReplayRows')} ${tb.replayRows}${differs ? html` <span class="badge bad">${t('auditDifferent')}</span>` : null}</div>`;
                })
              : '—'}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

export function AuditPage() {
  const t = useT();
  const session = useStore(sessionStore);
  const lang = useStore(langStore);
  const [ledger, setLedger] = useState<LedgerState | null | undefined>();
  const [witness, setWitness] = useState<WitnessLog[] | null | undefined>();
  const [verify, setVerify] = useState<LedgerReport | undefined>();
  const [replay, setReplay] = useState<ReplayReport | undefined>();
  const [running, setRunning] = useState<'ledger' | 'replay' | undefined>();
  const [error, setError] = useState('');
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (!canAudit(session)) return;
    setError('');
    Promise.all([
      loadLedgerState().then((s) => setLedger(s ?? null)),
      loadWitness().then((w) => setWitness(w ?? null)),
      newest<LedgerReport>('/v1/audit/ledger-verify').then(setVerify),
      newest<ReplayReport>('/v1/audit/replay').then(setReplay),
    ]).catch((e: unknown) => setError(errorMessage(e, langStore.get())));
  }, [session?.token, tick]);

  if (!session) return html`<p><a href="#/signin">${t('signInFirst')}</a></p>`;
  if (!canAudit(session)) return html`<p role="alert">${t('forbidden')}</p>`;

  const runCheck = async (kind: 'ledger' | 'replay') => {
    setRunning(kind);
    setError('');
    try {
      if (kind === 'ledger') setVerify(await api<LedgerReport>('/v1/audit/ledger-verify', { method: 'POST' }));
      else setReplay(await api<ReplayReport>('/v1/audit/replay', { method: 'POST' }));
    } catch (e) {
      setError(errorMessage(e, lang));
    } finally {
      setRunning(undefined);
    }
  };

  return html`<h1>${t('auditTitle')}</h1>
    <p class="help">${t('auditHelp')}</p>
    ${error ? html`<p role="alert" class="error" data-testid="error">${error}</p>` : null}
    <section class="card" aria-labelledby="ledger-state-title" data-testid="ledger-state">
      <h2 id="ledger-state-title">${t('auditLedgerState')}</h2>
      ${ledger === undefined
        ? html`<p role="status">${t('loading')}</p>`
        : ledger === null
          ? html`<p>${t('auditNoCheckpoint')}</p>`
          : html`<dl class="facts">
              <dt>${t('auditLog')}</dt><dd><code>${ledger.origin}</code></dd>
              <dt>${t('auditSize')}</dt><dd data-testid="ledger-size">${ledger.size.toLocaleString(lang === 'en' ? 'en-US' : 'vi-VN')}</dd>
              <dt>${t('auditCheckpointTime')}</dt><dd data-testid="checkpoint-time">${formatTime(ledger.time)}</dd>
              <dt>${t('auditRoot')}</dt><dd><code>${ledger.root}</code></dd>
              <dt>${t('auditSignature')}</dt><dd data-testid="checkpoint-signed"><${Badge} ok=${ledger.signed} yes=${t('auditSignatureOk')} no=${t('auditSignatureBad')} /></dd>
              <dt>${t('auditCosignatures')}</dt><dd>${ledger.cosignatures}</dd>
            </dl>`}
      <button type="button" onClick=${() => setTick((n) => n + 1)}>${t('refresh')}</button>
    </section>
    <section class="card" aria-labelledby="witness-title" data-testid="witness">
      <h2 id="witness-title">${t('auditWitness')}</h2>
      ${witness === undefined
        ? html`<p role="status">${t('loading')}</p>`
        : witness === null
          ? html`<p class="help">${t('auditWitnessNone')}</p>`
          : witness.length === 0
            ? html`<p>${t('auditWitnessEmpty')}</p>`
            : html`<ul>${witness.map((w) => html`<li><code>${w.origin}</code>: ${t('auditSize')} ${w.size ?? '—'} · ${t('auditLastCosigned')} ${formatTime(w.cosignedAt)}${w.forkAlarms > 0 ? html` · <span class="badge bad">${t('auditForkAlarms')} ${w.forkAlarms}</span>` : null}</li>`)}</ul>`}
    </section>
    <section class="card" aria-labelledby="verify-title">
      <h2 id="verify-title">${t('auditLedgerVerify')}</h2>
      <p class="help">${withCode(t('auditLedgerVerifyHelp'))}</p>
      <button type="button" class="primary" data-testid="run-ledger-verify" disabled=${running !== undefined} onClick=${() => void runCheck('ledger')}>${t('auditRun')}</button>
      ${running === 'ledger' ? html`<p role="status">${t('auditRunning')}</p>` : null}
      ${verify ? html`<${LedgerVerifyResult} result=${verify} />` : html`<p>${t('auditNotRun')}</p>`}
    </section>
    <section class="card" aria-labelledby="replay-title">
      <h2 id="replay-title">${t('auditReplay')}</h2>
      <p class="help">${t('auditReplayHelp')}</p>
      <button type="button" class="primary" data-testid="run-replay" disabled=${running !== undefined} onClick=${() => void runCheck('replay')}>${t('auditRun')}</button>
      ${running === 'replay' ? html`<p role="status">${t('auditRunning')}</p>` : null}
      ${replay ? html`<${ReplayResult} result=${replay} />` : html`<p>${t('auditNotRun')}</p>`}
    </section>`;
}
