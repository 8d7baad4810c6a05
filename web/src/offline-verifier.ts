/** The court verifier as a standalone page: no server, no network, no storage needed. */
import { render } from 'preact';
import { html } from './lib/html.ts';
import { VerifierPage } from './pages/verifier.ts';
import { LanguageSwitch } from './components/language.ts';
import { useT } from './lib/i18n.ts';
import './styles.css';

function Offline() {
  const t = useT();
  return html`<header class="topbar"><span class="brand">${t('appTitle')}</span><${LanguageSwitch} /></header>
    <main id="main" tabindex="-1"><${VerifierPage} offline=${true} /></main>`;
}

render(html`<${Offline} />`, document.getElementById('app')!);
