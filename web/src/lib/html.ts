/** Tagged-template markup for Preact without a JSX transform. */
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
