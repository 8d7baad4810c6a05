/** Sign in with a token, then import or unlock the officer's own signing key. */
import { useEffect, useState } from 'preact/hooks';
import { html, withCode } from '../lib/html.ts';
import { useStore } from '../lib/store.ts';
import { useT, formatTime, langStore, provinceName, tValue } from '../lib/i18n.ts';
import { canReview, landingRoute, sessionStore, signIn } from '../lib/session.ts';
import { beginSignIn, discover, renews, signInErrorStore } from '../lib/oidc.ts';
import { go } from '../lib/router.ts';
import { forgetKey, importKeyFile, KeyFileError, lockKey, storedKey, unlockKey, unlockedKeyStore } from '../lib/keystore.ts';

function messageOf(error: unknown, t: (k: string) => string): string {
  return error instanceof KeyFileError ? t(error.code) : t('error');
}

export function KeyPanel() {
  const t = useT();
  const session = useStore(sessionStore);
  const unlocked = useStore(unlockedKeyStore);
  const [passphrase, setPassphrase] = useState('');
  const [file, setFile] = useState<File | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [, setTick] = useState(0);
  if (!session) return null;
  const stored = storedKey(session.subject);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await action();
      setPassphrase('');
    } catch (e) {
      setError(messageOf(e, t));
    } finally {
      setBusy(false);
    }
  };
  const onImport = (e: Event) => {
    e.preventDefault();
    if (!file) return setError(t('keyBadFile'));
    void run(async () => importKeyFile(await file.text(), session.subject, passphrase));
  };
  const onUnlock = (e: Event) => {
    e.preventDefault();
    void run(() => unlockKey(session.subject, passphrase));
  };

  return html`<section class="card" aria-labelledby="keys-title">
    <h2 id="keys-title">${t('keysTitle')}</h2>
    <p class="help">${t('keysHelp')}</p>
    <p role="status" data-testid="key-status">
      ${unlocked ? html`${t('keyUnlocked')} <code>${unlocked.keyId}</code>` : stored ? `${t('keyStored')} (${stored.keyId}) — ${t('keyLocked')}` : t('keyNone')}
    </p>
    ${unlocked
      ? html`<button type="button" onClick=${() => lockKey()}>${t('lockKey')}</button>`
      : stored
        ? html`<form onSubmit=${onUnlock} class="row">
            <label>${t('passphraseLabel')} <input id="unlock-passphrase" type="password" autocomplete="current-password" required value=${passphrase} onInput=${(e: Event) => setPassphrase((e.target as HTMLInputElement).value)} /></label>
            <button type="submit" disabled=${busy}>${t('unlockKey')}</button>
          </form>`
        : null}
    ${!unlocked
      ? html`<form onSubmit=${onImport} class="stack">
          <label>${withCode(t('keyFileLabel'))} <input id="key-file" type="file" accept=".key,.json,application/json" onChange=${(e: Event) => setFile((e.target as HTMLInputElement).files?.[0])} /></label>
          <label>${t('passphraseLabel')} <input id="import-passphrase" type="password" autocomplete="new-password" minlength="8" value=${stored ? '' : passphrase} onInput=${(e: Event) => setPassphrase((e.target as HTMLInputElement).value)} /></label>
          <button type="submit" disabled=${busy}>${t('importKey')}</button>
        </form>`
      : null}
    ${stored ? html`<button type="button" class="link danger" onClick=${() => (forgetKey(session.subject), setTick((n) => n + 1))}>${t('forgetKey')}</button>` : null}
    ${error ? html`<p role="alert" class="error">${error}</p>` : null}
  </section>`;
}

/** The node's own sign-in (authorization code + PKCE at /oidc), when the node runs a provider. */
function AccountSignIn() {
  const t = useT();
  const lang = useStore(langStore);
  const [provider, setProvider] = useState<'unknown' | 'yes' | 'no'>('unknown');
  const [error, setError] = useState(false);
  useEffect(() => {
    let live = true;
    void discover().then((p) => live && setProvider(p ? 'yes' : 'no'));
    return () => {
      live = false;
    };
  }, []);
  if (provider === 'unknown') return null;
  if (provider === 'no') return html`<p class="help" data-testid="no-provider">${t('noProvider')}</p>`;
  const onClick = () => {
    setError(false);
    beginSignIn(lang).catch(() => setError(true));
  };
  return html`<section class="card stack" aria-labelledby="account-title">
    <h2 id="account-title">${t('accountTitle')}</h2>
    <p class="help">${t('accountHelp')}</p>
    <button type="button" class="primary" id="account-signin" data-testid="account-signin" onClick=${onClick}>${t('signInWithAccount')}</button>
    ${error ? html`<p role="alert" class="error">${t('signInFailed')}</p>` : null}
  </section>`;
}

export function SignInPage() {
  const t = useT();
  const session = useStore(sessionStore);
  const failed = useStore(signInErrorStore);
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const s = signIn(token);
    if (!s) return setError(t('tokenInvalid'));
    setError('');
    setToken('');
    go(landingRoute(s));
  };
  return html`<h1>${session ? t('navKeys') : t('signInTitle')}</h1>
    ${session
      ? html`<p data-testid="signed-in">${t('signedInAs')}: <strong>${session.subject}</strong> (${tValue('role', session.role)}, ${t('province')} ${provinceName(session.province)}) · ${t('tokenExpires')} ${formatTime(new Date(session.expiresAt).toISOString())}${renews() ? html` · ${t('sessionRenews')}` : null}</p>`
      : html`${failed ? html`<p role="alert" class="error" data-testid="signin-error">${t('signInFailed')}</p>` : null}
          <${AccountSignIn} />
          <form class="card stack" onSubmit=${onSubmit} aria-labelledby="token-title">
          <h2 id="token-title">${t('tokenTitle')}</h2>
          <p class="help">${withCode(t('signInHelp'))}</p>
          <label for="token">${t('tokenLabel')}</label>
          <textarea id="token" rows="3" spellcheck="false" autocomplete="off" required value=${token} onInput=${(e: Event) => setToken((e.target as HTMLTextAreaElement).value)}></textarea>
          <button type="submit" id="token-signin">${t('signInButton')}</button>
          ${error ? html`<p role="alert" class="error">${error}</p>` : null}
        </form>`}
    ${session && canReview(session) ? html`<${KeyPanel} />` : null}`;
}
