/**
 * The language check of the every-page spec: what a person reads on a page, and what in it is not Vietnamese.
 *
 * - Raw keys: any key of the UI's dictionary (`navQueue`, `status.detected`) or any `prefix.value` of the
 *   enum prefixes `tValue` uses, shown as text: a string that never went through the dictionary.
 * - English words: every word of the UI's English dictionary (web/src/lib/i18n.ts) and of the server's event
 *   and enum names (case event types, statuses, vehicle classes, road types, roles, reject reasons, notice
 *   channels, owner kinds, actor kinds, processing jobs, check codes), minus an explicit allow-list of tokens
 *   that are legitimate in Vietnamese text (product names, units, standards, codes).
 *
 * Text inside `<code>`/`<kbd>` is an identifier (case ids, key ids, digests, check codes, commands) and is not
 * read as language. Everything else a person can see counts, and so do `aria-label`, `title`, `placeholder`
 * and `alt`, which screen readers and tooltips show.
 */
import { MESSAGES } from '../../../web/src/lib/i18n.ts';
import { CASE_EVENT_TYPES, NOTICE_CHANNELS, PROCESSING_JOBS } from '../../../src/domain/case/events.ts';
import { OPEN_CASE_STATUSES } from '../../../src/domain/case/state.ts';
import { VEHICLE_CLASSES } from '../../../src/domain/catalog/types.ts';
import { ROAD_TYPES } from '../../../src/domain/signoff/primitives.ts';
import { REJECT_REASONS } from '../../../src/domain/signoff/payloads.ts';
import { ACTOR_KINDS } from '../../../src/domain/record.ts';
import { ROLES } from '../../../src/adapters/auth/roles.ts';
import { CHECK_CODES } from '../../../src/domain/bundle/format.ts';

/**
 * Tokens that are the same in Vietnamese text: product and system names, standards and algorithms, units,
 * key names of the shortcuts, and the few loanwords the Vietnamese dictionary itself uses.
 */
export const ALLOWED_TOKENS: readonly string[] = [
  'vnetraffic', 'vneid', 'sms', 'camera', 'jwt', 'pbkdf2', 'aes', 'gcm', 'ed25519', 'sha256', 'zip', 'pdf', 'html', 'svg',
  'vnđ', 'vnd', 'km', 'ctrl', 'enter', 'esc', 'tab', 'tec', 'manifest', 'c08', 'csgt', 'anpr', 'totp', 'merkle',
];

/** The `tValue` prefixes: `prefix.value` in visible text is a value that missed its translation. */
export const VALUE_PREFIXES = ['status', 'decision', 'ownerKind', 'channel', 'delivery', 'vehicle', 'road', 'role', 'reason', 'title', 'flag', 'job', 'event', 'actor', 'check', 'plateColour', 'agency', 'step'];

/** Words of a text: letter runs, CamelCase split (`ViolationDetected` → `Violation`, `Detected`), lower-cased. */
export function wordsOf(text: string): string[] {
  const runs = text.match(/[\p{L}\p{M}0-9]+/gu) ?? [];
  return runs
    .flatMap((run) => (ALLOWED_TOKENS.includes(run.toLowerCase()) ? [run] : run.split(/(?<=[\p{Ll}0-9])(?=\p{Lu})/u)))
    .map((w) => w.toLowerCase())
    .filter((w) => /\p{L}/u.test(w));
}

const withoutCommands = (text: string) => text.replace(/`[^`]*`/g, ' ');

/** English words the page must not show in Vietnamese: the English dictionary and the server's names. */
export function englishWords(): Set<string> {
  const allowed = new Set(ALLOWED_TOKENS);
  const names: string[] = [
    ...CASE_EVENT_TYPES, ...OPEN_CASE_STATUSES, 'closed', 'expired', 'voided', 'unresolved', 'under-appeal', 'resolved',
    ...VEHICLE_CLASSES, ...ROAD_TYPES, ...ROLES, ...REJECT_REASONS, ...NOTICE_CHANNELS, 'individual', 'organisation',
    ...ACTOR_KINDS, ...PROCESSING_JOBS, ...CHECK_CODES.map((c) => c.replace(/_/g, ' ')), 'pending', 'delivered', 'failed', 'confirm', 'reject', 'pass', 'fail', 'valid', 'invalid',
  ];
  const words = new Set<string>();
  for (const text of [...Object.values(MESSAGES.en).map((v) => withoutCommands(v ?? '')), ...names]) {
    for (const w of wordsOf(text.replace(/-/g, ' '))) if (w.length >= 3 && !allowed.has(w)) words.add(w);
  }
  return words;
}

/** Raw dictionary keys (`navQueue`) and `prefix.value` keys in a text. */
export function rawKeysIn(text: string): string[] {
  const keys = new Set(Object.keys(MESSAGES.vi).filter((k) => /[A-Z.]/.test(k)));
  const found = new Set<string>();
  for (const token of text.match(/[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)?/g) ?? []) {
    if (keys.has(token)) found.add(token);
    const dot = token.indexOf('.');
    if (dot > 0 && VALUE_PREFIXES.includes(token.slice(0, dot)) && /^[a-zA-Z-]+$/.test(token.slice(dot + 1))) found.add(token);
  }
  return [...found];
}

/** English words in a text (whole words, case-insensitive; CamelCase names split), each once. */
export function englishIn(text: string, english: Set<string>, allowedInData: readonly string[] = []): string[] {
  const extra = new Set(allowedInData.flatMap((d) => wordsOf(d)));
  return [...new Set(wordsOf(text).filter((w) => english.has(w) && !extra.has(w)))];
}

/**
 * Runs in the page: the text a person reads. Visible text nodes outside `code`/`kbd`/`script`/`style`, the
 * option labels of selects, and the `aria-label`, `title`, `placeholder` and `alt` attributes of visible elements.
 */
export const VISIBLE_TEXT = `(() => {
  const out = [];
  const skip = (el) => !!el.closest('code, kbd, script, style, noscript, template');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || skip(el)) continue;
    if (el.tagName === 'OPTION') { out.push(n.textContent); continue; }
    if (el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })) out.push(n.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (skip(el) || !el.checkVisibility({ visibilityProperty: true })) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  return out.join('\\n');
})()`;
