import { render } from 'preact';
import { html } from './lib/html.ts';
import { App } from './app.ts';
import { langStore } from './lib/i18n.ts';
import './styles.css';

document.documentElement.lang = langStore.get();
render(html`<${App} />`, document.getElementById('app')!);
