/** The application shell: top bar with identity and language, role-based navigation, hash routes. */
import { html } from './lib/html.ts';
import { useStore } from './lib/store.ts';
import { useRoute } from './lib/router.ts';
import { provinceName, tValue, useT } from './lib/i18n.ts';
import { canAudit, canDecide, canReview, canSeeDashboards, landingRoute, sessionStore } from './lib/session.ts';
import { signOutEverywhere } from './lib/oidc.ts';
import { lockKey, unlockedKeyStore } from './lib/keystore.ts';
import { LanguageSwitch } from './components/language.ts';
import { SignInPage } from './pages/signin.ts';
import { QueuePage } from './pages/queue.ts';
import { CasePage } from './pages/case.ts';
import { DecisionsPage, DecisionPage } from './pages/decisions.ts';
import { DashboardPage } from './pages/dashboard.ts';
import { VerifierPage } from './pages/verifier.ts';
import { CitizenPage } from './pages/citizen.ts';
import { AuditPage } from './pages/audit.ts';
import { CitizenInboxPage } from './pages/citizen-inbox.ts';

function Nav({ current }: { current: string }) {
  const t = useT();
  const session = useStore(sessionStore);
  const items: [string, string][] = [];
  if (canReview(session)) items.push(['queue', t('navQueue')]);
  if (canDecide(session)) items.push(['decisions', t('navDecisions')]);
  if (canReview(session)) items.push(['inbox', t('navInbox')]);
  if (canAudit(session)) items.push(['audit', t('navAudit')]);
  if (canSeeDashboards(session)) items.push(['dashboard', t('navDashboard')]);
  items.push(['verify', t('navVerifier')], ['citizen', t('navCitizen')]);
  items.push(['signin', session ? t('navKeys') : t('navSignIn')]);
  return html`<nav aria-label=${t('nav')}>
    <ul>
      ${items.map(
        ([name, label]) =>
          html`<li><a href=${`#/${name}`} aria-current=${current === name ? 'page' : undefined}>${label}</a></li>`,
      )}
    </ul>
  </nav>`;
}

function Identity() {
  const t = useT();
  const session = useStore(sessionStore);
  const key = useStore(unlockedKeyStore);
  if (!session) return null;
  return html`<div class="identity" data-testid="identity">
    <span>${t('signedInAs')}: <strong>${session.subject}</strong></span>
    <span data-testid="role">${t('role')}: ${tValue('role', session.role)}</span>
    <span data-testid="province">${t('province')}: ${provinceName(session.province)}${session.province === '00' ? '' : ` (${session.province})`}</span>
    ${key ? html`<span class="badge ok" data-testid="key-badge">${t('keyIdLabel')} ${key.keyId}</span>` : null}
    <button type="button" class="link" onClick=${() => (lockKey(), void signOutEverywhere(), (location.hash = '#/signin'))}>${t('signOut')}</button>
  </div>`;
}

export function App() {
  const t = useT();
  const route = useRoute();
  const session = useStore(sessionStore);
  const name = route.name || landingRoute(session);
  let page;
  switch (name) {
    case 'signin':
      page = html`<${SignInPage} />`;
      break;
    case 'queue':
      page = html`<${QueuePage} />`;
      break;
    case 'case':
      page = html`<${CasePage} caseId=${route.params[0] ?? ''} />`;
      break;
    case 'decisions':
      page = html`<${DecisionsPage} />`;
      break;
    case 'decision':
      page = html`<${DecisionPage} caseId=${route.params[0] ?? ''} />`;
      break;
    case 'dashboard':
      page = html`<${DashboardPage} />`;
      break;
    case 'audit':
      page = html`<${AuditPage} />`;
      break;
    case 'inbox':
      page = html`<${CitizenInboxPage} />`;
      break;
    case 'verify':
      page = html`<${VerifierPage} offline=${false} />`;
      break;
    default:
      page = html`<${CitizenPage} />`;
  }
  return html`<a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>${t('skip')}</a>
    <header class="topbar">
      <span class="brand">${t('appTitle')}</span>
      <${Identity} />
      <${LanguageSwitch} />
    </header>
    <${Nav} current=${name} />
    <main id="main" tabindex="-1">${page}</main>`;
}
