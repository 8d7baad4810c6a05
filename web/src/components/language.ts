import { html } from '../lib/html.ts';
import { langStore, setLang, useT, type Lang } from '../lib/i18n.ts';
import { useStore } from '../lib/store.ts';

export function LanguageSwitch() {
  const t = useT();
  const lang = useStore(langStore);
  return html`<label class="lang">
    <span>${t('language')}</span>
    <select id="lang" value=${lang} onChange=${(e: Event) => setLang((e.target as HTMLSelectElement).value as Lang)}>
      <option value="vi">Tiếng Việt</option>
      <option value="en">English</option>
    </select>
  </label>`;
}
