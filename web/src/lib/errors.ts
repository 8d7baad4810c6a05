/**
 * What a person reads when a request fails. The server's problem details (RFC 9457) are English; the UI shows
 * the failure by its HTTP status in the reader's language, and in English the server's own title and detail.
 */
import { ApiError } from './api.ts';
import { t, type Lang, type MessageKey } from './i18n.ts';

const BY_STATUS: Readonly<Record<number, MessageKey>> = {
  400: 'problem.400',
  401: 'problem.401',
  403: 'problem.403',
  404: 'problem.404',
  409: 'problem.409',
  412: 'problem.412',
  413: 'problem.413',
  422: 'problem.422',
  429: 'problem.429',
};

export function errorMessage(error: unknown, lang: Lang): string {
  if (error instanceof ApiError) {
    if (lang === 'en') return error.message;
    const key = BY_STATUS[error.status] ?? (error.status >= 500 ? 'problem.5xx' : 'problem.other');
    return `${t(key, lang)} (HTTP ${error.status})`;
  }
  return lang === 'en' ? String(error) : t('problem.network', lang);
}
