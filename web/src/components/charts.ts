/**
 * Small SVG charts (no chart library): grouped bars with labelled axes and an optional reference line.
 * Each chart is an image with a text alternative and carries its numbers in <title>s for screen readers.
 */
import { html } from '../lib/html.ts';

export interface Series {
  name: string;
  colour: string;
  values: number[];
}

const fmt = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

export function BarChart({ title, labels, series, reference, max, unit = '', testid }: { title: string; labels: string[]; series: Series[]; reference?: { value: number; label: string }; max?: number; unit?: string; testid?: string }) {
  const width = 640;
  const height = 220;
  const left = 48;
  const bottom = 48;
  const top = 12;
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const top1 = Math.max(max ?? 0, reference?.value ?? 0, ...series.flatMap((s) => s.values), 1);
  const y = (v: number) => top + plotH - (v / top1) * plotH;
  const group = plotW / Math.max(labels.length, 1);
  const barW = Math.max(2, Math.min(28, (group * 0.8) / Math.max(series.length, 1)));
  const ticks = [0, 0.5, 1].map((f) => f * top1);
  return html`<figure class="chart" data-testid=${testid}>
    <svg viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${title}>
      <title>${title}</title>
      ${ticks.map((v) => html`<g><line x1=${left} x2=${width - 8} y1=${y(v)} y2=${y(v)} class="grid" /><text x=${left - 4} y=${y(v) + 4} text-anchor="end" class="tick">${fmt.format(v)}${unit}</text></g>`)}
      ${labels.map((label, i) => {
        const x0 = left + i * group + (group - barW * series.length) / 2;
        return html`<g>
          ${series.map((s, k) => {
            const v = s.values[i] ?? 0;
            return html`<rect x=${x0 + k * barW} y=${y(v)} width=${barW - 1} height=${Math.max(0, top + plotH - y(v))} fill=${s.colour}><title>${label} · ${s.name}: ${fmt.format(v)}${unit}</title></rect>`;
          })}
          <text x=${left + i * group + group / 2} y=${height - bottom + 14} text-anchor="middle" class="tick">${labels.length > 16 && i % Math.ceil(labels.length / 16) ? '' : label}</text>
        </g>`;
      })}
      ${reference
        ? html`<g><line x1=${left} x2=${width - 8} y1=${y(reference.value)} y2=${y(reference.value)} class="reference" /><text x=${width - 10} y=${y(reference.value) - 4} text-anchor="end" class="tick ref">${reference.label}</text></g>`
        : null}
    </svg>
    <figcaption>
      <strong>${title}</strong>
      ${series.length > 1 ? series.map((s) => html` <span class="legend"><span class="swatch" style=${`background:${s.colour}`}></span>${s.name}</span>`) : null}
    </figcaption>
  </figure>`;
}

export function Meter({ label, percent, target, testid }: { label: string; percent: number | null; target: number; testid?: string }) {
  const p = percent ?? 0;
  const ok = percent !== null && percent >= target;
  return html`<div class="meter" data-testid=${testid}>
    <span>${label}</span>
    <svg viewBox="0 0 200 14" role="img" aria-label=${`${label}: ${percent === null ? '—' : `${p}%`} / ${target}%`} width="200" height="14">
      <rect x="0" y="0" width="200" height="14" class="track" />
      <rect x="0" y="0" width=${2 * Math.min(100, p)} height="14" class=${ok ? 'fill-ok' : 'fill-bad'} />
      <line x1=${2 * target} x2=${2 * target} y1="0" y2="14" class="target" />
    </svg>
    <span>${percent === null ? '—' : `${p}%`} / ${target}%</span>
  </div>`;
}
