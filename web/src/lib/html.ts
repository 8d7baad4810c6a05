/** Tagged-template markup for Preact without a JSX transform. */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);

/**
 * A dictionary string whose `backticked` parts are commands or file names: those parts are shown as `<code>`
 * (identifiers, the same in every language), the rest as text.
 */
export function withCode(text: string): (string | ReturnType<typeof html>)[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part));
}
