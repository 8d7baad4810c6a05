/**
 * The caption bar burned into an enforcement photo: when (local Vietnamese time with its UTC offset), where,
 * which camera, which violation and, for speeding, the measured speed and the limit. Pure: text and SVG only;
 * sharp composites the SVG (see operations.ts).
 *
 * User text is hostile until proven otherwise: fields are length-limited, control characters and unpaired
 * surrogates are refused, and everything placed in the SVG is XML-escaped, so a place named
 * `</text><image href="file:///etc/passwd"/>` renders as those characters and nothing else.
 */
import { InvalidMediaRequestError } from './errors.ts';

export interface Caption {
  /** RFC 3339 instant, e.g. `2026-11-24T09:00:05Z`; shown in Asia/Ho_Chi_Minh time with its UTC offset. */
  time: string;
  place: string;
  cameraId: string;
  violation: { code: string; title: string };
  measuredSpeedKmh?: number;
  limitKmh?: number;
}

export const CAPTION_TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** Covers Vietnamese (Latin with stacked diacritics); installed with fontconfig on every node image. */
export const CAPTION_FONT_FAMILY = 'DejaVu Sans';

const FIELD_LIMITS = { place: 150, cameraId: 64, code: 64, title: 120 } as const;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// C0 and C1 controls and DEL; tab/newline are refused too, the bar has fixed lines.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]/;

/** No unpaired UTF-16 surrogates (they cannot be encoded as UTF-8 and would break the SVG). */
function isWellFormed(value: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw new InvalidMediaRequestError(`Caption ${field} must be a non-empty string`, { field });
  if (value.length > max)
    throw new InvalidMediaRequestError(`Caption ${field} is longer than ${max} characters`, { field, max });
  if (CONTROL.test(value) || !isWellFormed(value))
    throw new InvalidMediaRequestError(`Caption ${field} contains control or invalid characters`, { field });
  return value.trim();
}

function speed(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 1000)
    throw new InvalidMediaRequestError(`Caption ${field} must be an integer 0–1000 km/h`, { field });
  return value;
}

/** Validates a caption and returns a normalised copy (trimmed text). Throws `InvalidMediaRequestError`. */
export function parseCaption(value: unknown): Caption {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidMediaRequestError('Caption must be an object');
  const c = value as Record<string, unknown>;
  const violation = c.violation as Record<string, unknown> | null | undefined;
  if (typeof violation !== 'object' || violation === null || Array.isArray(violation))
    throw new InvalidMediaRequestError('Caption violation must be an object', { field: 'violation' });
  if (typeof c.time !== 'string' || !RFC3339.test(c.time) || Number.isNaN(instant(c.time).getTime()))
    throw new InvalidMediaRequestError('Caption time must be an RFC 3339 timestamp with an offset', {
      field: 'time',
    });
  const caption: Caption = {
    time: c.time,
    place: text(c.place, 'place', FIELD_LIMITS.place),
    cameraId: text(c.cameraId, 'cameraId', FIELD_LIMITS.cameraId),
    violation: {
      code: text(violation.code, 'violation.code', FIELD_LIMITS.code),
      title: text(violation.title, 'violation.title', FIELD_LIMITS.title),
    },
  };
  const measured = speed(c.measuredSpeedKmh, 'measuredSpeedKmh');
  const limit = speed(c.limitKmh, 'limitKmh');
  if (measured !== undefined) caption.measuredSpeedKmh = measured;
  if (limit !== undefined) caption.limitKmh = limit;
  return caption;
}

/** Parses an RFC 3339 timestamp, refusing calendar overflow (2026-02-30) that Date would roll forward. */
function instant(time: string): Date {
  const m = RFC3339.exec(time);
  if (!m) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s === 60 ? 59 : s));
  if (
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi
  )
    return new Date(Number.NaN);
  return new Date(time.toUpperCase());
}

// Built once: constructing an Intl formatter costs far more than using it.
const localTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: CAPTION_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** `24/11/2026 16:00:05 (UTC+07:00)`: the instant in Vietnamese local time, seconds truncated. */
export function formatLocalTime(time: string): string {
  const date = instant(time);
  if (Number.isNaN(date.getTime()))
    throw new InvalidMediaRequestError('Caption time must be an RFC 3339 timestamp with an offset', {
      field: 'time',
    });
  const parts = localTimeFormat.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, 'UTC');
  return `${part('day')}/${part('month')}/${part('year')} ${part('hour')}:${part('minute')}:${part('second')} (${offset})`;
}

/** The lines of the bar, in Vietnamese, in display order. */
export function captionLines(caption: Caption): string[] {
  const lines = [
    `Thời gian: ${formatLocalTime(caption.time)}   Camera: ${caption.cameraId}`,
    `Địa điểm: ${caption.place}`,
    `Lỗi vi phạm: ${caption.violation.code} – ${caption.violation.title}`,
  ];
  if (caption.measuredSpeedKmh !== undefined || caption.limitKmh !== undefined) {
    const measured =
      caption.measuredSpeedKmh !== undefined ? `Tốc độ đo được: ${caption.measuredSpeedKmh} km/h` : '';
    const limit = caption.limitKmh !== undefined ? `Tốc độ cho phép: ${caption.limitKmh} km/h` : '';
    lines.push([measured, limit].filter(Boolean).join('   '));
  }
  return lines;
}

export function escapeXml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!,
  );
}

export interface CaptionLayout {
  fontSize: number;
  lineHeight: number;
  padding: number;
  barHeight: number;
  /** Characters per line before truncation with an ellipsis (a conservative estimate of glyph width). */
  maxChars: number;
}

/** Bar geometry for an image `width` pixels wide and `lineCount` lines: integers only, so it can be recorded. */
export function captionLayout(width: number, lineCount: number): CaptionLayout {
  const fontSize = Math.max(11, Math.min(40, Math.round(width / 48)));
  const lineHeight = Math.round(fontSize * 1.35);
  const padding = Math.round(fontSize * 0.6);
  const barHeight = 2 * padding + lineCount * lineHeight;
  const maxChars = Math.max(8, Math.floor((width - 2 * padding) / (fontSize * 0.62)));
  return { fontSize, lineHeight, padding, barHeight, maxChars };
}

function truncate(line: string, maxChars: number): string {
  const chars = Array.from(line);
  return chars.length <= maxChars ? line : `${chars.slice(0, maxChars - 1).join('')}…`;
}

/** An SVG of the bar, `width × layout.barHeight`, white text on a near-black band. */
export function captionSvg(lines: readonly string[], width: number, layout: CaptionLayout): string {
  const rows = lines.map((line, i) => {
    const baseline = layout.padding + i * layout.lineHeight + Math.round(layout.fontSize * 1.05);
    return `<text x="${layout.padding}" y="${baseline}" xml:space="preserve">${escapeXml(truncate(line, layout.maxChars))}</text>`;
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${layout.barHeight}">` +
    `<rect x="0" y="0" width="${width}" height="${layout.barHeight}" fill="#111418"/>` +
    `<g font-family="${CAPTION_FONT_FAMILY}" font-size="${layout.fontSize}" fill="#ffffff">${rows.join('')}</g>` +
    `</svg>`
  );
}
