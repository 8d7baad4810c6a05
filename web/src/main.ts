import { render } from 'preact';
import { html } from './lib/html.ts';
import { App } from './app.ts';
import { langStore } from './lib/i18n.ts';
import { completeSignIn, signInErrorStore } from './lib/oidc.ts';
import { landingRoute } from './lib/session.ts';
import { go } from './lib/router.ts';
import './styles.css';

document.documentElement.lang = langStore.get();
render(html`<${App} />`, document.getElementById('app')!);

// Back from the node's sign-in page (`?code=…&state=…`): exchange the code, then open the role's own page.
// Otherwise this resumes renewing a session kept in this tab.
completeSignIn().then(
  (session) => {
    if (session) go(landingRoute(session));
    else if (signInErrorStore.get()) go('signin');
  },
  () => {
    signInErrorStore.set(true);
    go('signin');
  },
);
